"""Addresses of citizens' opinions: the public form and tracking pages, and the
deputy portal's inbox (included from ``deputies/urls.py``)."""

from django.urls import path

from deputies import opinion_views as views

urlpatterns = [
    path("s/<str:token>/opinion/", views.station_opinion, name="station-opinion"),
    path("d/<str:token>/opinion/", views.deputy_opinion, name="deputy-opinion"),
    path("o/", views.opinion_track_lookup, name="opinion-track-lookup"),
    path("o/<str:code>/", views.opinion_track, name="opinion-track"),
    path("portal/opinions/", views.portal_opinion_list, name="portal-opinion-list"),
    path(
        "portal/opinions/<int:pk>/",
        views.portal_opinion_detail,
        name="portal-opinion-detail",
    ),
    path(
        "portal/opinions/<int:pk>/reply/",
        views.portal_opinion_reply,
        name="portal-opinion-reply",
    ),
    path(
        "portal/opinions/<int:pk>/refer/",
        views.portal_opinion_refer,
        name="portal-opinion-refer",
    ),
    path(
        "portal/opinions/<int:pk>/assign/",
        views.portal_opinion_assign,
        name="portal-opinion-assign",
    ),
    path(
        "portal/opinions/<int:pk>/raise/",
        views.portal_opinion_raise,
        name="portal-opinion-raise",
    ),
    path(
        "portal/opinions/<int:pk>/close/",
        views.portal_opinion_close,
        name="portal-opinion-close",
    ),
    path(
        "portal/opinions/<int:pk>/phone/",
        views.portal_opinion_phone,
        name="portal-opinion-phone",
    ),
]
