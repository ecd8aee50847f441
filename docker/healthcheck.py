"""Health check of the web container: GET /healthz as the proxy would send it.

Production settings redirect plain HTTP to HTTPS and accept only ALLOWED_HOSTS, so
the check sends the first allowed host and the proxy's X-Forwarded-Proto header.
"""

import os
import sys
import urllib.request

host = os.environ.get("ALLOWED_HOSTS", "").split(",")[0].strip().lstrip(".")
if host in {"", "*"}:
    host = "localhost"
request = urllib.request.Request(
    "http://127.0.0.1:8000/healthz",
    headers={"Host": host, "X-Forwarded-Proto": "https"},
)
try:
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # any failure means unhealthy
    print(exc, file=sys.stderr)
    sys.exit(1)
