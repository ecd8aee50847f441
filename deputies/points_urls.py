"""Addresses of 履职积分: the portal page, the staff ranking, the public 晾晒 page."""

from django.urls import path

from deputies import points_views

urlpatterns = [
    path("portal/points/", points_views.my_points, name="portal-points"),
    path(
        "portal/points/archive.pdf",
        points_views.my_archive_pdf,
        name="portal-points-archive",
    ),
    path("points/ranking/", points_views.ranking, name="points-ranking"),
    path(
        "points/archive/<int:pk>.pdf",
        points_views.deputy_archive_pdf,
        name="points-deputy-archive",
    ),
    path("r/<str:token>/", points_views.ranking_public, name="ranking-public"),
]
