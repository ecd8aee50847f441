"""Public addresses of the QR codes (码上找代表): ``/s/<token>/`` and ``/d/<token>/``."""

from django.urls import include
from django.urls import path

from deputies import public_views

urlpatterns = [
    path("s/<str:token>/", public_views.station_public, name="station-public"),
    path("s/<str:token>/qr.svg", public_views.station_qr, name="station-qr"),
    path("d/<str:token>/", public_views.deputy_public, name="deputy-public"),
    path("d/<str:token>/qr.svg", public_views.deputy_qr, name="deputy-qr"),
    # 民情民意: the opinion form, /o/ tracking and /portal/opinions/.
    path("", include("deputies.opinion_urls")),
    path("portal/", include("deputies.portal_urls")),
    # 履职积分: /portal/points/, /points/ranking/ and the public 晾晒 page /r/<token>/.
    path("", include("deputies.points_urls")),
]
