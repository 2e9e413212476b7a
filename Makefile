# The two commands: `make run` serves the site with demo data; `make test` runs the fast loop
# (what `.ci/run` runs in full is in the README, "Tests and CI").
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# The fast loop: all but Chromium, PostgreSQL, the production leg and the generated security
# matrices, each of which has its own leg in .ci/run. A `-m` in PYTEST_ARGS comes later on the
# command line and wins (`make test PYTEST_ARGS="-m security_matrix"`).
PYTEST_MARKERS ?= not browser and not postgres and not production and not security_matrix
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: setup run demo messages test bench lint typecheck format release serve load cluster clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

## Set up a local database with demo data and an editor login, then serve on SQLite.
demo: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## Translations: the catalogs brought up to date with the code, then compiled (GNU gettext).
## Translators fill in config/locale, elections/locale and sources/locale (README, "Languages").
messages: setup
	$(BIN)/python manage.py makemessages --locale=zh_Hans --locale=zh_Hant --no-obsolete --ignore=.venv --ignore=tests --ignore=staticfiles -v0
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0

test: setup
	$(BIN)/python -m pytest -m "$(PYTEST_MARKERS)" $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m tests.benchmarks $(BENCH_ARGS)

## Production, a release: checks, static files added beside the previous release's, then the
## migrations, once per release and before any server of it starts (README, "Releases").
## Needs SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL in the environment (see README).
release: setup
	DJANGO_SETTINGS_MODULE=config.settings.production $(BIN)/python manage.py check --deploy --fail-level WARNING
	DJANGO_SETTINGS_MODULE=config.settings.production $(BIN)/python manage.py collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=config.settings.production $(BIN)/python manage.py migrate --noinput

## Production, one app server: gunicorn under production settings; it migrates nothing.
serve: setup
	DJANGO_SETTINGS_MODULE=config.settings.production $(BIN)/python manage.py check --deploy --fail-level WARNING
	DJANGO_SETTINGS_MODULE=config.settings.production BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c config/gunicorn.py config.wsgi

## Load and faults: gunicorn (production settings) + PostgreSQL on loopback, bounded in time.
load: setup
	$(BIN)/python -m tests.load --seconds $(or $(LOAD_SECONDS),60)

## The production shape on one machine: PostgreSQL primary + streaming replica, Redis, two
## gunicorn servers, a task worker, HAProxy (Debian packages), bounded in time (README).
cluster: setup
	$(BIN)/python -m tests.cluster --seconds $(or $(LOAD_SECONDS),60)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Types: mypy with django-stubs on the services, the selectors and sources/audit.py.
typecheck: setup
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache bench-results.json
