"""Views of the core app: the home page that shows each role where to go."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import JsonResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "congress/home.html", {})


def healthz(request: HttpRequest) -> JsonResponse:
    """Answer the container health check: the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
