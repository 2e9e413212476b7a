"""Everything the project needs, read from the environment where it differs between machines."""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from config.caches import cache_from_url
from config.env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "config.admin.SourcebookAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_filters",
    "simple_history",
    "axes",
    "sources",
    "elections",
    # After elections, whose `import` command (sheets in GB18030, row numbers, a size cap)
    # takes the place of the library's: Django runs the command of the first app listing it.
    "import_export",
    # Long work as tasks (Django's tasks API, backported) and the database backend's queue.
    "django_tasks",
    "django_tasks_db",
]

# Long work (full re-detection, re-anchoring every passage, big sheets) runs as a task. The
# embedded default runs it at once in the process that asks; production sets
# TASKS_BACKEND=django_tasks_db.DatabaseBackend and runs `manage.py db_worker` (README).
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
        "QUEUES": ["default"],
    }
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # WhiteNoise, finding the next release's files during a rolling deploy (config.static).
    "config.static.ReleaseStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of the words on every page (config.languages), before anything renders.
    "config.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before any view or query reads the request, after the middleware whose headers its 400
    # should carry (none of those above reads the database while a request comes in).
    "config.middleware.RefuseMalformedInput",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "config.auth_backends.ThrottledLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "config.languages.language_links",
            ],
        },
    },
]


def database_from_url(url):
    """Return Django's DATABASES entry for `url`, tuned per engine.

    On PostgreSQL, from the environment: CONN_MAX_AGE (seconds a connection is reused, 60;
    0 behind a pooler that keeps the connections), CONN_HEALTH_CHECKS (a reused connection
    is checked before a request uses it, so a restarted server costs no failed request; on),
    DISABLE_SERVER_SIDE_CURSORS (on behind a pooler in transaction mode, such as PgBouncer's,
    where a cursor cannot outlive its transaction) and DATABASE_CONNECT_TIMEOUT (seconds, 5).
    """
    config = dj_database_url.parse(url, conn_max_age=env_int("CONN_MAX_AGE", 60))
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_HEALTH_CHECKS"] = env_bool("CONN_HEALTH_CHECKS", True)
        config["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS", False)
        config.setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 5)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers go on while one writer commits; IMMEDIATE makes a writing
        # transaction take its lock at BEGIN, so concurrent writers wait instead of failing.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["CONN_MAX_AGE"] = 0
    return config


def databases(primary_url):
    """DATABASES: the primary at `primary_url`, and the read replicas DATABASE_REPLICA_URLS
    names (config.replicas): anonymous public reads go to one that has replayed every public
    change, all else to the primary. Tests read the replicas as the primary (MIRROR)."""
    configured = {"default": database_from_url(primary_url)}
    for number, url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
        configured[f"replica{number}"] = {**database_from_url(url), "TEST": {"MIRROR": "default"}}
    return configured


DATABASES = databases(env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
DATABASE_ROUTERS = ["config.replicas.PublicReadsRouter"]
# A replica that failed is asked again after this many seconds (the primary serves meanwhile).
SOURCEBOOK_REPLICA_RETRY_SECONDS = env_int("SOURCEBOOK_REPLICA_RETRY_SECONDS", 30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The site's words in three languages at the same addresses (config.languages).
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文"), ("zh-hant", "繁體中文")]
# The project's catalogs: config/locale holds the templates' and config's words; each app
# keeps its own in <app>/locale.
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
# English dates as the site writes them ("5 January 2012"); see config/formats.
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Shared by the releases deployed on a machine (README, "Releases"): each release's
# collectstatic adds its hashed files beside the previous release's.
STATIC_ROOT = env("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "admin:login"
# Addresses typed without a scheme are taken as https, as Django 6 will (transitional setting).
FORMS_URLFIELD_ASSUME_HTTPS = True

# Content-Security-Policy (django-csp): no inline script anywhere, public pages and admin alike;
# every script is a static file. Inline *styles* stay allowed because Django's admin widgets
# set style attributes; they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}

# Failed logins are throttled (django-axes): after AXES_FAILURE_LIMIT failures for one
# username from one address, that pair is locked out for AXES_COOLOFF_TIME hours; a success
# resets the count. Locking the pair, not the account, keeps an attacker from locking a
# colleague out from everywhere.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# The client's address behind the site's own proxies (none unless production says so).
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
SOURCEBOOK_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# The newsroom's own rules.
# A reviewer never verifies a claim they created; a one-person newsroom may relax this.
SOURCEBOOK_FOUR_EYES = env_bool("SOURCEBOOK_FOUR_EYES", True)
# `load_demo` gives its demo people known passwords only where this is on: local.py alone.
SOURCEBOOK_DEMO_LOGINS = False
# Spreadsheets larger than this are refused before they are read.
SOURCEBOOK_IMPORT_MAX_BYTES = env_int("SOURCEBOOK_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# What one import reads (sources.sheets), each refused as soon as it is passed: rows of data,
# cells (rows times the header's columns), the characters of one cell, and an XLSX's size
# once uncompressed (as its ZIP declares it, checked before anything is decompressed).
SOURCEBOOK_IMPORT_MAX_ROWS = env_int("SOURCEBOOK_IMPORT_MAX_ROWS", 300_000)
SOURCEBOOK_IMPORT_MAX_CELLS = env_int("SOURCEBOOK_IMPORT_MAX_CELLS", 4_000_000)
SOURCEBOOK_IMPORT_MAX_CELL = env_int("SOURCEBOOK_IMPORT_MAX_CELL", 100_000)
SOURCEBOOK_IMPORT_MAX_UNCOMPRESSED = env_int(
    "SOURCEBOOK_IMPORT_MAX_UNCOMPRESSED", 256 * 1024 * 1024
)

# Rendered public responses (elections.cache), keyed by the generation of the public data so
# that no stale entry is ever served, in the cache CACHE_URL names (config.caches):
# locmem:// (the default: one per process, correct with any number of workers, each warming
# its own), redis://host:6379/0 (shared by every server: production), memcached://host:11211,
# or file:///var/tmp/sourcebook-cache. PUBLIC_CACHE_URL gives the public pages a cache of
# their own. A cache that fails is logged and skipped: pages are rendered, never a 500.
SOURCEBOOK_PUBLIC_CACHE = env_bool("PUBLIC_CACHE", True)
SOURCEBOOK_PUBLIC_CACHE_MAX_BYTES = env_int("PUBLIC_CACHE_MAX_BYTES", 8 * 1024 * 1024)
SOURCEBOOK_PUBLIC_CACHE_TIMEOUT = env_int("PUBLIC_CACHE_TIMEOUT", 3600)
CACHE_URL = env("CACHE_URL", "locmem://")
CACHES = {
    "default": cache_from_url(CACHE_URL, name="sourcebook-default", prefix="sourcebook"),
    "public": cache_from_url(
        env("PUBLIC_CACHE_URL", CACHE_URL),
        name="sourcebook-public",
        prefix="sourcebook-public",
        # Entries of a shared cache outlive a deploy: raise this with a release that changes
        # what pages look like (templates, views), and the old pages are never served again.
        version=env_int("PUBLIC_CACHE_VERSION", 1),
        max_entries=env_int("PUBLIC_CACHE_MAX_ENTRIES", 2000),
    ),
}

# django-import-export: one transaction per import, so one bad row writes nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# A sheet between its preview and its confirm is kept in the database (sources.SheetUpload),
# under a token issued to its uploader, never in one server's temp folder; an unconfirmed
# one expires after this many hours (`manage.py purge_uploads` removes it).
IMPORT_EXPORT_TMP_STORAGE_CLASS = "sources.uploads.SheetUploadStorage"
SOURCEBOOK_UPLOAD_EXPIRY_HOURS = env_int("SOURCEBOOK_UPLOAD_EXPIRY_HOURS", 24)
# A confirmed sheet larger than this many bytes is imported as a task (README, "Long work as
# tasks"), off the request: its progress shows on the run's page.
SOURCEBOOK_SHEET_TASK_BYTES = env_int("SOURCEBOOK_SHEET_TASK_BYTES", 256 * 1024)
# A worker running a task on PostgreSQL says it is alive every SOURCEBOOK_TASK_HEARTBEAT
# seconds; a run silent for SOURCEBOOK_TASK_LOST_AFTER seconds lost its worker (killed, its
# machine gone) and is ended as failed, its work having been rolled back with its connection.
# The scheme and host the public reaches the site at (https://sourcebook.example.org): the
# addresses in exports built by `manage.py build_exports` start with it (the admin's button
# uses the address it was reached at).
SOURCEBOOK_PUBLIC_ORIGIN = env("SOURCEBOOK_PUBLIC_ORIGIN", "")
# After a public change commits, the open-data exports are built again by a task queued to
# run this many seconds later (edits meanwhile join it), for SOURCEBOOK_PUBLIC_ORIGIN, or
# without it for the origins of the builds kept; only on a tasks backend that can run a task
# later (the database's), never inside the request that saved (elections.exportfiles).
SOURCEBOOK_EXPORTS_REBUILD_DELAY = env_int("SOURCEBOOK_EXPORTS_REBUILD_DELAY", 60)
# The folder where each app server keeps its copies of the built exports, to send them as
# static files are sent; on local disk, any size (old copies go after a day unused). Empty:
# a folder in the system's temporary directory.
SOURCEBOOK_EXPORTS_DIR = env("SOURCEBOOK_EXPORTS_DIR", "")
# The licence of the data releases (/data/), for the compilation: an SPDX identifier among
# those elections.datapackage.LICENCES knows (CC-BY-4.0, CC-BY-SA-4.0, CC0-1.0, ODbL-1.0).
# Each release records the one it was made under; the quoted passages stay their outlets'.
SOURCEBOOK_DATA_LICENSE = env("SOURCEBOOK_DATA_LICENSE", "CC-BY-4.0")
# Fetching a report from its address (sources.fetching): time and size limits, and whether
# private and loopback addresses may be fetched (off: the server must not reach its own
# network for a user).
SOURCEBOOK_FETCH_TIMEOUT = env_int("SOURCEBOOK_FETCH_TIMEOUT", 20)
SOURCEBOOK_FETCH_MAX_BYTES = env_int("SOURCEBOOK_FETCH_MAX_BYTES", 10 * 1024 * 1024)
SOURCEBOOK_FETCH_ALLOW_PRIVATE = env_bool("SOURCEBOOK_FETCH_ALLOW_PRIVATE", False)
SOURCEBOOK_TASK_HEARTBEAT = env_int("SOURCEBOOK_TASK_HEARTBEAT", 30)
SOURCEBOOK_TASK_LOST_AFTER = env_int("SOURCEBOOK_TASK_LOST_AFTER", 300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
