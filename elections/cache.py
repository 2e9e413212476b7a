"""Rendered public responses, cached until the published data they show changes.

Every table the public site reads carries a database trigger that sets a new generation in
the one-row `PublicState` table whenever a row is inserted, updated or deleted (see
`install_triggers`). A public request reads the generation (one small query) and looks its
response up in Django's cache framework under a key made of the generation, the scheme, the
host, the path and the query string. A change of any public data (through a service, the
admin, an import, `QuerySet.update()` or raw SQL) changes the generation in the same
transaction, so once it commits every later request misses the old entries: a withdrawn
candidate or a rejected claim leaves every public URL at once. Old entries are never deleted;
they are never asked for again and age out of the cache.

A cache hit costs that one query and no rendering. On a SQLite file the query goes through
one long-lived connection per thread (see `_committed_generation`), since opening one costs
more than a whole hit.

Only anonymous GET and HEAD requests that answer 200 are cached, and only responses that set
no cookie, carry no CSRF token and do not vary on anything but the cookie. The content type
follows from the path (no public URL negotiates on the Accept header), so it is not part of
the key; the entry keeps the response's headers with its body. A streamed response (the
claims CSV) is stored as it is sent, when it ends and if it is no larger than
SOURCEBOOK_PUBLIC_CACHE_MAX_BYTES.

Settings (read at request time): SOURCEBOOK_PUBLIC_CACHE turns caching on or off; the entries
go to the cache alias named by SOURCEBOOK_PUBLIC_CACHE_ALIAS ("public" when configured, else
"default").
"""

import functools
import hashlib
import secrets
import sqlite3
import threading

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse

TRIGGER = "sourcebook_public"
SEQUENCE = "sourcebook_public_generation"
FUNCTION = "sourcebook_public_changed"
STATE_TABLE = "elections_publicstate"
STATE_ID = 1
PUBLIC_APPS = ("sources", "elections")
VENDORS = ("sqlite", "postgresql")
_OPERATIONS = ("INSERT", "UPDATE", "DELETE")
_VARY_ALLOWED = {"", "cookie"}

# The statements are built from the constants above and from model table names, never from
# input, hence the S608 exemptions.
_SELECT_GENERATION = f"SELECT generation FROM {STATE_TABLE} WHERE id = {STATE_ID}"  # noqa: S608
_SELECT_STATE = f"SELECT 1 FROM {STATE_TABLE} WHERE id = {STATE_ID}"  # noqa: S608
_INSERT_STATE = f"INSERT INTO {STATE_TABLE} (id, generation) VALUES ({STATE_ID}, %s)"  # noqa: S608
_PG_FUNCTION = (
    f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608
    f"UPDATE {STATE_TABLE} SET generation = nextval('{SEQUENCE}') WHERE id = {STATE_ID}; "
    f"RETURN NULL; END $$"
)
_SQLITE_BUMP = f"UPDATE {STATE_TABLE} SET generation = random() WHERE id = {STATE_ID};"  # noqa: S608


# The triggers.


def public_tables(apps):
    """The tables whose changes the public site must see: every model of `sources` and
    `elections` but the history records and the public state itself.

    `apps` is an app registry: the project's, or a migration's historical one.
    """
    from simple_history.models import HistoricalChanges

    tables = []
    for label in PUBLIC_APPS:
        for model in apps.get_app_config(label).get_models():
            meta = model._meta
            if meta.proxy or not meta.managed or meta.db_table == STATE_TABLE:
                continue
            if issubclass(model, HistoricalChanges):
                continue
            tables.append(meta.db_table)
    return sorted(tables)


def fresh_generation():
    """A generation no earlier state of the database can have had."""
    return secrets.randbits(62)


def renew_generation(sender=None, *, using=DEFAULT_DB_ALIAS, **_signal):
    """Set a generation no server can have cached a page under; connected to
    `sources.backups.database_restored`, since a restore brings back an old generation."""
    connection = connections[using]
    if connection.vendor not in VENDORS:
        return None
    if STATE_TABLE not in connection.introspection.table_names():
        return None
    generation = fresh_generation()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {STATE_TABLE} SET generation = %s WHERE id = {STATE_ID}",  # noqa: S608
            [generation],
        )
    return f"Public cache: new generation {generation}."


def install_triggers(connection, tables):
    """Create (or replace) the trigger on each of `tables` that exists; idempotent.

    SQLite has row triggers only: each changed row draws a new random generation. PostgreSQL
    fires once per statement, before it touches a row, and takes the next value of a
    sequence; the row lock that update takes is held until the transaction ends, so writes to
    public tables commit one after another (a newsroom writes far too little for that to
    matter).
    """
    if connection.vendor not in VENDORS:
        return []
    existing = set(connection.introspection.table_names())
    if STATE_TABLE not in existing:
        return []
    tables = [table for table in tables if table in existing]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
            cursor.execute(_PG_FUNCTION)
            for table in tables:
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}")
                cursor.execute(
                    f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE "
                    f"ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
                )
        else:
            for table in tables:
                for operation in _OPERATIONS:
                    name = quote(f"{TRIGGER}_{table}_{operation.lower()}")
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(
                        f"CREATE TRIGGER {name} AFTER {operation} ON {quote(table)} "
                        f"BEGIN {_SQLITE_BUMP} END"
                    )
    return tables


def remove_triggers(connection, tables):
    """Drop the triggers `install_triggers` made on `tables` (for a migration's reversal)."""
    if connection.vendor not in VENDORS:
        return
    existing = set(connection.introspection.table_names())
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            if table not in existing:
                continue
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}")
            else:
                for operation in _OPERATIONS:
                    name = quote(f"{TRIGGER}_{table}_{operation.lower()}")
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
            cursor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


def tables_without_trigger(connection, tables):
    """Which of `tables` lack their trigger (each should have all three on SQLite)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s AND pg_table_is_visible(c.oid)",
                [TRIGGER],
            )
            covered = {row[0] for row in cursor.fetchall()}
        else:
            cursor.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{TRIGGER}_%"],
            )
            names = {row[1] for row in cursor.fetchall()}
            covered = {
                table
                for table in tables
                if all(f"{TRIGGER}_{table}_{op.lower()}" in names for op in _OPERATIONS)
            }
    return [table for table in tables if table not in covered]


def ensure_public_state(*, using=DEFAULT_DB_ALIAS, apps=None, **kwargs):
    """Make sure the public state row exists and every public table has its trigger.

    Connected to `post_migrate`: SQLite drops a table's triggers when a migration rebuilds
    the table, and `flush` empties the public state table; both are repaired here.
    """
    from django.apps import apps as project_apps

    connection = connections[using]
    if connection.vendor not in VENDORS:
        return
    if STATE_TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute(_SELECT_STATE)
        if cursor.fetchone() is None:
            cursor.execute(_INSERT_STATE, [fresh_generation()])
    install_triggers(connection, public_tables(apps or project_apps))


# The cache.


def public_generation(using=DEFAULT_DB_ALIAS):
    """The current generation of the public data, or None when it cannot be trusted."""
    connection = connections[using]
    if connection.vendor not in VENDORS:
        return None
    if _reads_on_its_own(connection):
        try:
            return _committed_generation(connection.settings_dict["NAME"])
        except sqlite3.Error:
            _readers.__dict__.clear()
    with connection.cursor() as cursor:
        cursor.execute(_SELECT_GENERATION)
        row = cursor.fetchone()
    return row[0] if row else None


# The project opens a new SQLite connection for every request (CONN_MAX_AGE is 0 there), and
# SQLite reads the whole schema on a connection's first statement: milliseconds, where a
# cache hit should cost microseconds. So on a SQLite file the generation is read through one
# long-lived connection per thread, in autocommit, which sees every committed change. Inside
# a transaction of Django's own connection (ATOMIC_REQUESTS, or a test) it could not see the
# transaction's changes, so Django's connection is used then.
_readers = threading.local()


def _reads_on_its_own(connection):
    return (
        connection.vendor == "sqlite"
        and not connection.is_in_memory_db()
        and not connection.in_atomic_block
    )


def _committed_generation(path):
    reader = getattr(_readers, "connection", None)
    if reader is None or _readers.path != path:
        reader = sqlite3.connect(path, isolation_level=None, timeout=20)
        _readers.connection, _readers.path = reader, path
    row = reader.execute(_SELECT_GENERATION).fetchone()
    return row[0] if row else None


def public_cache():
    """The cache backend that holds rendered public responses."""
    alias = getattr(settings, "SOURCEBOOK_PUBLIC_CACHE_ALIAS", None)
    if alias is None:
        alias = "public" if "public" in settings.CACHES else "default"
    return caches[alias]


def cache_key(request, generation):
    """The key of `request`'s response at `generation`."""
    address = "\n".join(
        [request.scheme, request.get_host(), request.path, request.META.get("QUERY_STRING", "")]
    )
    digest = hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()
    return f"sourcebook:public:{generation}:{digest}"


def _is_anonymous(request):
    # Without a session cookie nobody is logged in, and the session need not be read.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _cacheable_request(request):
    return (
        getattr(settings, "SOURCEBOOK_PUBLIC_CACHE", True)
        and request.method in ("GET", "HEAD")
        and _is_anonymous(request)
    )


def _cacheable_response(request, response):
    if response.status_code != 200 or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",")}
    if not vary <= _VARY_ALLOWED:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return "private" not in cache_control and "no-store" not in cache_control


def _head(response):
    headers = [(name, value) for name, value in response.items() if name.lower() != "x-cache"]
    return response.status_code, headers


def _from_entry(entry):
    status, headers, content = entry
    return HttpResponse(content, status=status, headers={**dict(headers), "X-Cache": "hit"})


def _stored_as_sent(stream, store, key, head, limit, timeout):
    """Yield `stream` on, and store what was sent once it has all gone and fits in `limit`."""
    parts, size, complete = [], 0, False
    try:
        for chunk in stream:
            if parts is not None:
                size += len(chunk)
                if size <= limit:
                    parts.append(chunk)
                else:
                    parts = None
            yield chunk
        complete = True
    finally:
        if complete and parts is not None:
            store.set(key, (*head, b"".join(parts)), timeout)


def _store(request, response, store, key):
    if not _cacheable_response(request, response):
        return
    limit = getattr(settings, "SOURCEBOOK_PUBLIC_CACHE_MAX_BYTES", 8 * 1024 * 1024)
    timeout = getattr(settings, "SOURCEBOOK_PUBLIC_CACHE_TIMEOUT", 3600)
    head = _head(response)
    if response.streaming:
        response.streaming_content = _stored_as_sent(
            response.streaming_content, store, key, head, limit, timeout
        )
    elif len(response.content) <= limit:
        store.set(key, (*head, response.content), timeout)


def cache_public(view):
    """Serve `view`'s anonymous GET and HEAD responses from the cache while the public data
    they were rendered from has not changed.

    A response carries `X-Cache: hit` or `X-Cache: miss` when the cache was consulted.
    """

    @functools.wraps(view)
    def cached_view(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        generation = public_generation()
        if generation is None:
            return view(request, *args, **kwargs)
        store = public_cache()
        key = cache_key(request, generation)
        entry = store.get(key)
        if entry is not None:
            return _from_entry(entry)
        response = view(request, *args, **kwargs)
        response["X-Cache"] = "miss"
        if getattr(response, "is_rendered", True):
            _store(request, response, store, key)
        else:
            response.add_post_render_callback(
                lambda rendered: _store(request, rendered, store, key)
            )
        return response

    return cached_view
