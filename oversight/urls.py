from django.urls import path

from oversight import views

urlpatterns = [
    path("portal/topics/", views.portal_topics, name="portal-topics"),
    path(
        "portal/topics/<int:pk>/support/",
        views.portal_topic_support,
        name="portal-topic-support",
    ),
    path("portal/oversight/", views.portal_work, name="portal-oversight"),
    path(
        "portal/oversight/countermeasures/<int:pk>/report/",
        views.portal_rectification,
        name="portal-rectification",
    ),
    path(
        "portal/oversight/cases/<int:pk>/score/",
        views.portal_case_score,
        name="portal-case-score",
    ),
    path("portal/evaluations/", views.portal_evaluations, name="portal-evaluations"),
    path(
        "portal/evaluations/<int:pk>/vote/",
        views.portal_evaluation_vote,
        name="portal-evaluation-vote",
    ),
    path("oversight/results/", views.public_results, name="oversight-results"),
    path("oversight/results/<int:pk>/", views.public_result, name="oversight-result"),
    path("oversight/draws/<str:token>/", views.public_draw, name="oversight-draw"),
]
