from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include
from django.urls import path
from django.urls import re_path

from congress import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", views.notification_list, name="notification-list"),
    path(
        "notifications/<int:pk>/read/",
        views.notification_read,
        name="notification-read",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("reports/", include("congress.reports.urls")),
    path("", include("deputies.urls")),
    path("", include("oversight.urls")),
    path("", include("livelihood_votes.urls")),
    path("", include("suggestions.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Only deputies' photos are public (they appear on the QR pages). Everything else under
# MEDIA_ROOT — generated reports above all — is reached through scoped, audited views.
urlpatterns += [
    re_path(
        r"^media/deputies/photos/(?P<path>[^/]+)$",
        views.deputy_photo,
        name="deputy-photo",
    ),
]
