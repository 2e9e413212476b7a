"""Backing up and restoring the whole database with each engine's own tools.

SQLite: its online backup API (`sqlite3.Connection.backup`), which copies a consistent
snapshot while the site keeps running. PostgreSQL: `pg_dump --format=custom` and
`pg_restore --clean --single-transaction`, so a failed restore changes nothing.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


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


def restore_database(path, *, using="default"):
    """Replace the database `using` with the backup at `path`, all at once.

    Stop the application servers first: a restore replaces every table.
    """
    connection = connections[using]
    path = Path(path)
    if not path.exists():
        raise BackupError(f"there is no backup at {path}")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    elif connection.vendor == "postgresql":
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
    else:
        raise BackupError(f"no restore method for {connection.vendor}")
