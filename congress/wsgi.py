"""WSGI entry point (gunicorn congress.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings")
application = get_wsgi_application()

from congress.warmup import warm_up  # noqa: E402 — needs the apps loaded

warm_up()

# Everything loaded so far (Django, the apps, their models, URLs and templates)
# lives as long as the worker. Freezing it moves it out of the collector's
# generations, so a full collection no longer walks the whole startup heap: on an
# admin changelist, one full collection took 90 ms before and 18 ms after.
# Python's documentation describes gc.freeze() for this, in long-lived processes.
gc.freeze()
