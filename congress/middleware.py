"""Request middleware of the platform: the chosen language and the idle timeout."""

import time

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    """Activate the language picked with the footer switch (Django's set_language
    cookie), and Chinese otherwise.

    Django's LocaleMiddleware follows Accept-Language; county offices run browsers
    installed in English, and a half-English admin is not what they asked for.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class IdleSessionMiddleware:
    """Keep a signed-in session alive for SESSION_COOKIE_AGE after the last request.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) costs a write
    per page; renewing at most once a minute keeps the 30-minute idle timeout within
    a minute and saves that write on almost every request. Listed after
    SessionMiddleware, so the session is marked before it is saved.
    """

    RENEW_AFTER_SECONDS = 60
    KEY = "_idle_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or not session.session_key:
            return response
        now = int(time.time())
        if now - int(session.get(self.KEY, 0)) >= self.RENEW_AFTER_SECONDS:
            session[self.KEY] = now  # modified: SessionMiddleware saves a new expiry
        return response
