# 人大监督工作平台 — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/congress
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
HOST ?= 127.0.0.1
PORT ?= 8000

# The test environment: production-like settings (DEBUG off) on PostgreSQL and Redis,
# with throw-away keys. Celery runs inline unless a test starts a real worker.
TEST_ENV := DEBUG=0 \
	SECRET_KEY=test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz \
	FIELD_ENCRYPTION_KEYS=v-TTI_sU8HXx1AgftWdi0-JgRKPCd6iSKLn7D0U9Uuc= \
	FIELD_HASH_KEY=test-only-hash-key \
	SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0 \
	STATICFILES_BACKEND=django.contrib.staticfiles.storage.StaticFilesStorage \
	ALLOWED_HOSTS=127.0.0.1,localhost,testserver \
	DATABASE_URL=$(DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) \
	CELERY_BROKER_URL= CACHE_URL=locmemcache://tests

RUN_ENV := DEBUG=1

.PHONY: install run test pytest lint bench messages clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

run: install
	@bin/system-deps run || true
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	@bin/system-deps test
	@DATABASE_URL=$(DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) bin/check-services
	$(BIN)/ruff check .
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest --create-db $(ARGS)

# Run a part of the suite: make pytest ARGS="tests/congress -k calendar"
pytest: install
	$(TEST_ENV) $(BIN)/pytest $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Benchmarks are not part of make test; figures go to docs/benchmarks.md.
bench: install
	@DATABASE_URL=$(DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) bin/check-services
	$(TEST_ENV) DATABASE_URL=$(subst /congress,/congress_bench,$(DATABASE_URL)) $(BIN)/python -m bench $(ARGS)

# Refresh the translation catalogue after changing strings (needs gettext).
messages: install
	bin/update-messages

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache
