"""Addresses of the suggestions work (included at the site root)."""

from django.urls import path

from suggestions import views

app_name = "suggestions"

urlpatterns = [
    path("portal/suggestions/", views.portal_list, name="portal-list"),
    path("portal/suggestions/new/", views.portal_create, name="portal-create"),
    path("portal/suggestions/<int:pk>/", views.portal_detail, name="portal-detail"),
    path("portal/suggestions/<int:pk>/edit/", views.portal_edit, name="portal-edit"),
    path(
        "portal/suggestions/<int:pk>/replies/<int:reply_pk>/letter.pdf",
        views.portal_reply_letter,
        name="portal-reply-letter",
    ),
    path(
        "portal/suggestions/<int:pk>/<slug:action>/",
        views.portal_action,
        name="portal-action",
    ),
    path("unit/", views.unit_list, name="unit-list"),
    path("unit/assignments/<int:pk>/", views.unit_detail, name="unit-detail"),
    path(
        "unit/assignments/<int:pk>/replies/<int:reply_pk>/letter.pdf",
        views.unit_reply_letter,
        name="unit-reply-letter",
    ),
    path(
        "unit/assignments/<int:pk>/<slug:action>/",
        views.unit_action,
        name="unit-action",
    ),
    path("supervise/suggestions/", views.supervisor_list, name="supervisor-list"),
    path("suggestions/statistics/", views.statistics, name="statistics"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="detail"),
    path(
        "suggestions/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
]
