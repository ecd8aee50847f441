"""The deputy portal under ``/portal/`` (``deputies/portal_views.py``)."""

from django.urls import path

from deputies import portal_views

urlpatterns = [
    path("", portal_views.portal_home, name="portal-home"),
    path("visits/", portal_views.visit_list, name="portal-visit-list"),
    path("visits/new/", portal_views.visit_log, name="portal-visit-log"),
    path(
        "visits/new/deputies/",
        portal_views.visit_deputies,
        name="portal-visit-deputies",
    ),
    path("visits/<int:pk>/", portal_views.visit_detail, name="portal-visit-detail"),
    path(
        "visits/photos/<int:pk>/", portal_views.visit_photo, name="portal-visit-photo"
    ),
    path("activities/", portal_views.activity_list, name="portal-activity-list"),
]
