#!/bin/sh
# Container entry point. The web container migrates before it serves
# (RUN_MIGRATIONS=1 in docker-compose.yml); workers and beat only wait for it.
set -eu
if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
  python manage.py migrate --noinput
fi
exec "$@"
