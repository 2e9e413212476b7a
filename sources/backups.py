"""Backing up and restoring the whole database with each engine's own tools.

SQLite: its online backup API (`sqlite3.Connection.backup`), which copies a consistent
snapshot while the site keeps running. PostgreSQL: `pg_dump --format=custom` and
`pg_restore --clean --single-transaction`, so a failed restore changes nothing.

A restore replaces the database under whatever has read it, so it refuses to run while
anyone is signed in (a live session means servers are probably still up) unless forced, and
afterwards:

- no PostgreSQL sequence goes back: each is set to the larger of its value before the
  restore and the backup's, so no id (and no value drawn from a sequence, such as the public
  cache's generation) handed out before the restore is handed out again for something else;
- `database_restored` is sent. Apps that keep something derived from the whole database
  outside it renew it there: the elections app sets a fresh public-cache generation, so that
  no server serves a page it cached before the restore. The signal lives here and knows no
  receiver, which keeps the one direction between the apps (`sources` never imports
  `elections`); a setting naming a hook would do the same but is one more thing to keep in
  step in every settings module.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.dispatch import Signal
from django.utils import timezone

# Sent after a restore succeeded, with `using` (the database alias) and `path`.
database_restored = Signal()

# Session engines that keep sessions in the database being restored.
DATABASE_SESSIONS = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


class BackupError(RuntimeError):
    """A backup or restore that could not be made; the message says why."""


def _postgres_environment(settings_dict):
    environment = dict(os.environ)
    for key, name in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(key):
            environment[name] = str(settings_dict[key])
    environment["PGDATABASE"] = settings_dict["NAME"]
    return environment


def _tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _run(command, environment):
    # The command is a list (no shell) naming the PostgreSQL client tools by absolute path.
    completed = subprocess.run(  # noqa: S603
        command, env=environment, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {completed.stderr.strip()}")


def backup_database(path, *, using="default"):
    """Write a backup of the database `using` to `path`; returns the path."""
    connection = connections[using]
    path = Path(path)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(path),
            ],
            _postgres_environment(connection.settings_dict),
        )
    else:
        raise BackupError(f"no backup method for {connection.vendor}")
    return path


def live_sessions(*, using="default"):
    """How many unexpired sign-in sessions the database `using` holds (0 when it keeps none)."""
    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE not in DATABASE_SESSIONS:
        return 0
    connection = connections[using]
    if Session._meta.db_table not in connection.introspection.table_names():
        return 0
    return Session.objects.using(using).filter(expire_date__gt=timezone.now()).count()


def _sequences(connection):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, sequencename, last_value FROM pg_sequences "
            "WHERE last_value IS NOT NULL AND schemaname = current_schema()"
        )
        return {(schema, name): value for schema, name, value in cursor.fetchall()}


def _never_rewind(connection, before):
    """Set each sequence back to at least its value in `before`."""
    after = _sequences(connection)
    with connection.cursor() as cursor:
        for (schema, name), value in before.items():
            if (schema, name) in after and after[(schema, name)] < value:
                cursor.execute(
                    "SELECT setval(format('%%I.%%I', %s::text, %s::text)::regclass, %s)",
                    [schema, name, value],
                )


def restore_database(path, *, using="default", force=False):
    """Replace the database `using` with the backup at `path`, all at once.

    Stop the application servers first: a restore replaces every table. Refused while the
    database holds live sessions, unless `force`.
    """
    connection = connections[using]
    path = Path(path)
    if not path.exists():
        raise BackupError(f"there is no backup at {path}")
    signed_in = live_sessions(using=using)
    if signed_in and not force:
        raise BackupError(
            f"restore refused: the database holds {signed_in} live sign-in session(s), so "
            "servers are probably still running: a write they make during the restore would "
            "be lost, and pages they cached from the old data could be served after it. Stop "
            "the servers first, then restore with --force (the backup's sessions replace "
            "these: everyone signed in now is signed out)"
        )
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        before = _sequences(connection)
        connection.close()
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--dbname",
                connection.settings_dict["NAME"],
                str(path),
            ],
            _postgres_environment(connection.settings_dict),
        )
        _never_rewind(connection, before)
    else:
        raise BackupError(f"no restore method for {connection.vendor}")
    return database_restored.send(sender=restore_database, using=using, path=path)
