# 人大监督工作平台 — production image (web, Celery worker, Celery beat share it).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Fonts and libraries WeasyPrint needs for Chinese PDFs (Noto CJK is embedded in
# every report), and nothing fetched at run time: county intranets have no internet.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system app && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Static files are collected at build time and served by whitenoise. The settings
# refuse to start without secrets when DEBUG is off; these throw-away values exist
# only for this one build step and are not kept in the image's environment.
RUN SECRET_KEY=collectstatic-build-only \
    FIELD_ENCRYPTION_KEYS=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    FIELD_HASH_KEY=collectstatic-build-only \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown -R app:app /app/media /app/staticfiles \
    && chmod +x docker/entrypoint.sh

USER app

EXPOSE 8000
ENTRYPOINT ["docker/entrypoint.sh"]
CMD ["gunicorn", "congress.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
