"""The WSGI entry point gunicorn loads (docker-compose.yml's web service)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

CHECK = """
import gc
from congress.wsgi import application
print(callable(application), gc.get_freeze_count())
"""


def test_wsgi_loads_the_app_and_freezes_the_startup_heap():
    """A worker's startup objects are frozen, out of every full collection."""
    done = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    is_app, frozen = done.stdout.split()[-2:]
    assert is_app == "True"
    assert int(frozen) > 10_000, f"only {frozen} objects frozen"
