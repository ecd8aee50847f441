"""Addresses of livelihood_votes: public ``/livelihood/``, the portal ``/portal/votes/``
and ``/portal/livelihood/``, the presiding staff's ``/livelihood/staff/``."""

from django.urls import path

from livelihood_votes import views

urlpatterns = [
    path("livelihood/", views.public_round_list, name="livelihood-rounds"),
    path(
        "livelihood/rounds/<int:pk>/",
        views.public_round_detail,
        name="livelihood-round",
    ),
    path(
        "livelihood/rounds/<int:pk>/propose/",
        views.public_propose,
        name="livelihood-propose",
    ),
    path(
        "livelihood/proposals/<str:code>/",
        views.public_proposal_track,
        name="livelihood-proposal-track",
    ),
    path(
        "livelihood/projects/<int:pk>/",
        views.public_project_detail,
        name="livelihood-project",
    ),
    path(
        "livelihood/photos/<int:pk>/",
        views.public_progress_photo,
        name="livelihood-photo",
    ),
    path(
        "livelihood/progress/<str:code>/",
        views.public_progress,
        name="livelihood-progress",
    ),
    path(
        "portal/votes/proposals/",
        views.portal_proposal_list,
        name="livelihood-portal-deputy-proposals",
    ),
    path(
        "portal/votes/rounds/<int:pk>/propose/",
        views.portal_propose,
        name="livelihood-portal-deputy-propose",
    ),
    path(
        "portal/livelihood/proposals/",
        views.portal_proposal_list,
        {"as_unit": True},
        name="livelihood-portal-unit-proposals",
    ),
    path(
        "portal/livelihood/rounds/<int:pk>/propose/",
        views.portal_propose,
        {"as_unit": True},
        name="livelihood-portal-unit-propose",
    ),
    path("portal/votes/", views.portal_vote_list, name="portal-votes"),
    path("portal/votes/<int:pk>/", views.portal_vote, name="portal-vote"),
    path(
        "portal/votes/<int:pk>/check/",
        views.portal_receipt_check,
        name="portal-vote-check",
    ),
    path(
        "portal/livelihood/projects/",
        views.portal_project_list,
        name="livelihood-portal-projects",
    ),
    path(
        "portal/livelihood/projects/<int:pk>/report/",
        views.portal_progress_report,
        name="livelihood-portal-report",
    ),
    path(
        "portal/livelihood/supervision/",
        views.portal_supervision_list,
        name="livelihood-portal-supervision",
    ),
    path(
        "portal/livelihood/projects/<int:pk>/supervision/",
        views.portal_supervision,
        name="livelihood-portal-supervision-new",
    ),
    path(
        "livelihood/staff/projects/<int:pk>/",
        views.staff_project,
        name="livelihood-staff-project",
    ),
    path(
        "livelihood/staff/rounds/<int:pk>/",
        views.staff_round,
        name="livelihood-staff-round",
    ),
    path(
        "livelihood/staff/rounds/<int:pk>/turnout/",
        views.staff_round_turnout,
        name="livelihood-staff-turnout",
    ),
    path(
        "livelihood/staff/rounds/<int:pk>/paper/",
        views.staff_paper_count,
        name="livelihood-staff-paper",
    ),
    path(
        "livelihood/staff/rounds/<int:pk>/screening/",
        views.staff_screening,
        name="livelihood-staff-screening",
    ),
    path(
        "livelihood/staff/rounds/<int:pk>/report/",
        views.staff_round_report,
        name="livelihood-staff-report",
    ),
    path(
        "livelihood/staff/rounds/<int:pk>/<slug:action>/",
        views.staff_round_action,
        name="livelihood-staff-action",
    ),
]
