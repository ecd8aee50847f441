"""The production recipe refers only to things that exist: docker-compose.yml,
the Dockerfile, the entry point and .env.example are checked against the code."""

from __future__ import annotations

import importlib
import re
import shlex
import warnings
from pathlib import Path

import pytest
import yaml
from celery import Celery
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict] = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
ENTRYPOINT = (ROOT / "docker" / "entrypoint.sh").read_text()
ENV_EXAMPLE = (ROOT / ".env.example").read_text()
SETTINGS_SOURCE = (ROOT / "congress" / "settings.py").read_text()

# Services that run for as long as the deployment does (all but one-shot jobs).
LONG_RUNNING = {"web", "worker", "reports-worker", "beat", "db", "redis"}


def _command(service: dict) -> list[str]:
    """Return a service's command as a list of words, ``${VAR:-x}`` left as is."""
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else list(command)


def _option(words: list[str], *names: str) -> str | None:
    """Return the value of ``--name=value`` / ``--name value`` / ``-Q value``."""
    for i, word in enumerate(words):
        for name in names:
            if word == name and i + 1 < len(words):
                return words[i + 1]
            if word.startswith(name + "="):
                return word.split("=", 1)[1]
    return None


def _celery_services() -> dict[str, list[str]]:
    return {
        name: _command(service)
        for name, service in SERVICES.items()
        if _command(service)[:1] == ["celery"]
    }


def _settings_variables() -> set[str]:
    return set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", SETTINGS_SOURCE))


def _env_example_variables() -> set[str]:
    # Active lines "NAME=value" and optional ones "#NAME=default".
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE, flags=re.MULTILINE))


def _compose_variables() -> set[str]:
    text = (ROOT / "docker-compose.yml").read_text()
    return set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", text))


def test_compose_beat_runs_exactly_once():
    """Exactly one service runs Celery beat, and it is not scaled: two beats would
    send every scheduled job twice."""
    beats = [
        name
        for name, words in _celery_services().items()
        if "beat" in words and "worker" not in words
    ]
    assert beats == ["beat"], f"expected exactly one beat service, found {beats}"
    deploy = SERVICES["beat"].get("deploy", {})
    assert deploy.get("replicas", 1) == 1, "the beat service must not be replicated"
    embedded = [
        name
        for name, words in _celery_services().items()
        if "worker" in words and ("-B" in words or "--beat" in words)
    ]
    assert not embedded, f"workers must not embed a beat: {embedded}"


def test_compose_has_every_part_of_the_runtime():
    """Web, default worker, reports worker, beat, PostgreSQL 16 and Redis 7."""
    assert LONG_RUNNING <= set(SERVICES), f"missing: {LONG_RUNNING - set(SERVICES)}"
    assert SERVICES["db"]["image"].startswith("postgres:16"), SERVICES["db"]["image"]
    assert SERVICES["redis"]["image"].startswith("redis:7"), SERVICES["redis"]["image"]


def test_compose_web_command_imports_the_wsgi_application():
    """The gunicorn target ``module:attribute`` imports and is a WSGI callable."""
    words = _command(SERVICES["web"])
    assert words[0] == "gunicorn", f"web does not run gunicorn: {words}"
    target = next(w for w in words[1:] if not w.startswith("-"))
    module_name, _, attribute = target.partition(":")
    with warnings.catch_warnings():
        # whitenoise warns that STATIC_ROOT is empty: nothing was collected here.
        warnings.filterwarnings("ignore", message="No directory at")
        module = importlib.import_module(module_name)
    application = getattr(module, attribute or "application")
    assert callable(application), f"{target} is not callable"
    assert module_name == settings.WSGI_APPLICATION.rsplit(".", 1)[0], (
        "gunicorn serves another module than settings.WSGI_APPLICATION"
    )
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE, (
        "static files are served by whitenoise behind gunicorn"
    )


def test_compose_celery_services_use_the_congress_app():
    """``celery -A congress`` finds the project's Celery app."""
    import congress

    for name, words in _celery_services().items():
        assert _option(words, "-A", "--app") == "congress", f"{name}: {words}"
    app = congress.celery_app
    assert isinstance(app, Celery) and app.main == "congress", app


def test_compose_worker_queues_match_the_task_routes():
    """Every queue a worker consumes is routed to, and every routed queue (and the
    default queue) has a worker: a task sent to a queue nobody reads never runs."""
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    known = routed | {settings.CELERY_TASK_DEFAULT_QUEUE}
    consumed: set[str] = set()
    for name, words in _celery_services().items():
        if "worker" not in words:
            continue
        queues = _option(words, "-Q", "--queues")
        assert queues, f"{name} does not name its queues (-Q)"
        for queue in queues.split(","):
            assert queue in known, f"{name} consumes unknown queue {queue!r}"
            consumed.add(queue)
    assert known <= consumed, f"queues without a worker: {known - consumed}"


def test_compose_reports_worker_is_bounded():
    """The reports worker takes one task at a time with time and memory limits."""
    words = _command(SERVICES["reports-worker"])
    assert _option(words, "-Q", "--queues") == "reports", words
    assert _option(words, "--prefetch-multiplier") == "1", words
    assert int(_option(words, "--time-limit") or 0) > 0, "no hard time limit"
    assert int(_option(words, "--soft-time-limit") or 0) > 0, "no soft time limit"
    assert int(_option(words, "--max-memory-per-child") or 0) > 0, "no memory limit"


def test_compose_database_has_shared_memory_for_parallel_queries():
    """PostgreSQL's parallel workers share hash tables in /dev/shm (64 MB by
    default in Docker); the points rebuild's parallel join needs more than its
    work_mem (256 MB) there."""
    size = str(SERVICES["db"].get("shm_size", "64m")).lower()
    number, unit = re.fullmatch(r"(\d+)([kmg]?)b?", size).groups()
    megabytes = int(number) * {"k": 1 / 1024, "": 1 / 1024**2, "m": 1, "g": 1024}[unit]
    assert megabytes >= 512, size


def test_compose_manage_commands_exist():
    """Every ``manage.py <command>`` in the image, entry point and compose file exists."""
    text = "\n".join(
        [DOCKERFILE, ENTRYPOINT, (ROOT / "docker-compose.yml").read_text()]
    )
    used = set(re.findall(r"manage\.py\s+([a-z_]+)", text))
    assert "migrate" in used, "nothing runs the migrations"
    assert "collectstatic" in used, "static files are never collected"
    missing = used - set(get_commands())
    assert not missing, f"unknown management commands: {missing}"


def test_compose_long_running_services_have_health_checks():
    """Every long-running service has a health check; the web one calls /healthz."""
    for name in LONG_RUNNING:
        check = SERVICES[name].get("healthcheck")
        assert check and check.get("test"), f"{name} has no health check"
    web_test = " ".join(SERVICES["web"]["healthcheck"]["test"])
    script = re.search(r"(docker/\S+\.py)", web_test)
    assert script, f"web health check runs no script: {web_test}"
    assert "/healthz" in (ROOT / script.group(1)).read_text()


def test_compose_data_lives_in_named_volumes():
    """Database and uploaded files are kept in named volumes, declared at the top."""
    declared = set(COMPOSE.get("volumes") or {})
    assert {"pgdata", "media"} <= declared, f"declared volumes: {declared}"
    mounts = {
        name: {str(v).split(":", 1)[0] for v in service.get("volumes") or []}
        for name, service in SERVICES.items()
    }
    assert "pgdata" in mounts["db"], mounts["db"]
    assert "media" in mounts["web"], mounts["web"]
    assert "media" in mounts["reports-worker"], "reports are written to media"
    for name, service in SERVICES.items():
        if name not in {"db", "redis"}:
            assert service.get("env_file") in (".env", [".env"]), f"{name} env_file"


def test_env_example_lists_only_variables_that_are_read():
    """Every variable in .env.example is read by settings.py or by the compose file."""
    unread = _env_example_variables() - _settings_variables() - _compose_variables()
    assert not unread, f".env.example variables nobody reads: {sorted(unread)}"


def test_env_example_documents_every_settings_variable():
    """Every variable settings.py reads appears in .env.example."""
    settings_variables = _settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= settings_variables
    missing = settings_variables - _env_example_variables()
    assert not missing, f"add to .env.example: {sorted(missing)}"


@pytest.mark.parametrize(
    "needle",
    [
        "FROM python:3.11-slim-bookworm",
        "fonts-noto-cjk",
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "pip install .",
        "collectstatic",
    ],
)
def test_dockerfile_installs_what_production_needs(needle):
    """The image is Debian slim with the PDF fonts and libraries and collected static."""
    assert needle in DOCKERFILE, f"Dockerfile lacks {needle!r}"


def test_dockerfile_runs_as_non_root_user():
    """The last USER instruction names an unprivileged user."""
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, flags=re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}, f"USER lines: {users}"


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    """.env, the virtualenv and the SQLite file never reach the build context."""
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv", ".git", "db.sqlite3"} <= ignored, ignored
