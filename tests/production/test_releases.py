"""A release's `migrate`, on PostgreSQL outside the test transaction, while readers read.

With nothing to change it takes no public table's lock (it once dropped and re-created the
cache trigger of every public table, and public reads stalled behind it); a trigger it must
put back (CREATE TRIGGER waits for the table's writers) waits a bounded time, then says which
table was busy.
"""

import threading
import time

import psycopg
import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, connections
from django.test.utils import CaptureQueriesContext

from elections import cache
from elections.cache import _triggers, install_triggers, public_tables

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _reader_holding(table, *, write=False):
    """Another connection, in a transaction that has read `table` (and holds its lock), or
    with `write` has written it (a lock CREATE TRIGGER waits for)."""
    settings = connection.settings_dict
    reader = psycopg.connect(
        dbname=settings["NAME"],
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or "",
    )
    reader.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (a table name of ours)
    if write:
        reader.execute(f"UPDATE {table} SET id = id WHERE false")  # noqa: S608
    return reader


def _ddl(queries):
    return [query["sql"] for query in queries if "TRIGGER" in query["sql"].upper()]


def test_installing_the_triggers_again_changes_nothing_and_takes_no_lock():
    from django.apps import apps

    with CaptureQueriesContext(connection) as again:
        install_triggers(connection, public_tables(apps))

    assert not [sql for sql in _ddl(again.captured_queries) if "CREATE TRIGGER" in sql]
    assert not [sql for sql in _ddl(again.captured_queries) if "DROP TRIGGER" in sql]


def test_migrate_with_nothing_to_do_does_not_wait_for_readers():
    reader = _reader_holding("elections_candidate")
    try:
        done = threading.Event()

        def release():
            try:
                call_command("migrate", interactive=False, verbosity=0)
                done.set()
            finally:
                connections.close_all()

        started = time.monotonic()
        worker = threading.Thread(target=release)
        worker.start()
        worker.join(60)
        assert done.is_set(), "migrate waited for the reader's lock"
        # Well below one lock timeout: it asked for no table's lock.
        assert time.monotonic() - started < cache.TRIGGER_LOCK_TIMEOUT_MS / 1000
    finally:
        reader.close()


def test_a_trigger_to_restore_on_a_busy_table_is_refused_naming_it(monkeypatch):
    from django.apps import apps

    monkeypatch.setattr(cache, "TRIGGER_LOCK_TIMEOUT_MS", 200)
    monkeypatch.setattr(cache, "TRIGGER_LOCK_ATTEMPTS", 2)
    name = next(name for table, name in _triggers(connection) if table == "elections_candidate")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TRIGGER "{name}" ON elections_candidate')
    writer = _reader_holding("elections_candidate", write=True)
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="elections_candidate"):
            install_triggers(connection, public_tables(apps))
        assert time.monotonic() - started < 10
    finally:
        writer.close()

    # Once the reader is gone, the same step puts it back.
    install_triggers(connection, public_tables(apps))
    assert "elections_candidate" not in cache.tables_without_trigger(
        connection, ["elections_candidate"]
    )
