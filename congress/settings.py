"""Settings for the 人大监督工作平台.

Every difference between deployments is read from the environment (django-environ).
With no environment at all this is the development default of ``make run``: an
SQLite file in the project folder and Celery tasks run inline.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Production has no default secret: only the development default (DEBUG on) may
# fall back to a throw-away key.
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-development-only-key")
else:
    SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "congress",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "axes",
    "import_export",
    "csp",
    "deputies",
    "suggestions",
    "oversight",
    "livelihood_votes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "congress.middleware.IdleSessionMiddleware",
    "congress.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "congress.urls"
WSGI_APPLICATION = "congress.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "congress.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A kept connection is checked before a request uses it (after a database restart).
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg prepares a statement after this many runs on a connection, but only
    # the fixed statements of ``congress.db`` (the signed-in user, a ballot's poll):
    # the ORM's client-side binding cursors are never prepared. Empty: never
    # (behind a transaction-pooling PgBouncer without prepared statement support).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        env.int("DB_PREPARE_THRESHOLD", default=5)
        if env.str("DB_PREPARE_THRESHOLD", default="5")
        else None
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "congress.User"
AUTHENTICATION_BACKENDS = [
    # Axes first so that a locked username is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "congress.backends.UserBackend",
    "rules.permissions.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: a session ends after 30 minutes without a request. IdleSessionMiddleware
# renews it (at most once a minute), so the 30 minutes run from the last request.
SESSION_ENGINE = "congress.sessions"  # Django's database sessions, read in plain SQL
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes: five failures lock the *username* for fifteen minutes. Deputies sign
# in from behind one township NAT address, so locking by IP would lock them all.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://congress"),
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@renda.local")
# The SMS gateway differs per province; the console backend prints messages.
SMS_BACKEND = env.str("SMS_BACKEND", default="congress.notify.ConsoleSmsBackend")

# Personal data: phones and ID numbers are encrypted at rest with Fernet keys.
# The first key encrypts; all of them decrypt (rotate by prepending a new key).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# A separate key for the keyed hash (HMAC) that lets us find a phone without
# decrypting every row (duplicate checks, rate limits).
FIELD_HASH_KEY = env.str("FIELD_HASH_KEY", default="")
# Only the development default may derive them from SECRET_KEY.
if not DEBUG and not (FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY):
    raise environ.ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY must be set when DEBUG is off."
    )

# The audit log is kept at least this long (日志留存不少于六个月).
AUDIT_RETENTION_DAYS = max(180, env.int("AUDIT_RETENTION_DAYS", default=365))

# Statutory periods of the suggestions work where the province differs from the
# national rule, e.g. LEGAL_PERIODS='{"rehandling": [2, "months"]}'. Defaults and
# their sources: congress/calendar.py (DEFAULT_LEGAL_PERIODS).
LEGAL_PERIODS = env.json("LEGAL_PERIODS", default={})

# Celery. With no broker the tasks run inline (development and the demo).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TRACK_STARTED = True
# A countdown or retry longer than this runs the task twice on Redis: no task here
# waits longer than the visibility timeout.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ROUTES = {"congress.reports.*": {"queue": "reports"}}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_MAX_MEMORY_KB", default=1_000_000)
CELERY_TASK_SOFT_TIME_LIMIT = 20 * 60
CELERY_TASK_TIME_LIMIT = 25 * 60

# Content-Security-Policy (django-csp 4): nothing from another host, ever.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# Production hardening: on unless DEBUG. HSTS is sent for a year by default; a
# county still testing its certificate sets SECURE_HSTS_SECONDS=0 (or a few
# minutes) first, since browsers remember the header for its whole lifetime.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# axes.W006 asks to lock by IP too; we lock by username on purpose (see AXES_* above).
# security.W021 asks for HSTS preload: the platform runs on county intranet hosts,
# which cannot be on the browsers' public preload list (set SECURE_HSTS_PRELOAD=1
# for a public domain that is submitted to it).
SILENCED_SYSTEM_CHECKS = [
    "axes.W006",
    "security.W021",
    *env.list("SILENCED_SYSTEM_CHECKS", default=[]),
]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The development SQLite cannot enforce NULLS NOT DISTINCT (Notification's unique
    # key); notification_schedule checks before inserting, PostgreSQL enforces it.
    SILENCED_SYSTEM_CHECKS.append("models.W047")

# Uploaded files: photos are shrunk on the server; nothing larger is accepted.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# PDF reports: fonts are read from disk, never from the network.
REPORT_FONT_DIRS = env.list(
    "REPORT_FONT_DIRS",
    default=["/usr/share/fonts/opentype/noto", str(BASE_DIR / "static" / "fonts")],
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
    },
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
SIMPLE_HISTORY_REVERT_DISABLED = True
