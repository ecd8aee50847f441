from django.urls import path

from congress.reports import views

urlpatterns = [
    path("", views.report_list, name="report-list"),
    path("new/<str:kind>/", views.report_new, name="report-new"),
    path("<int:pk>/", views.report_detail, name="report-detail"),
    path("<int:pk>/download/", views.report_download, name="report-download"),
]
