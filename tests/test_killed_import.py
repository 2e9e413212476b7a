"""An import killed halfway (kill -9 in the middle of its writes) leaves the database as it was.

Each test runs `import_articles` in a child process against a database of its own, waits
until the child is inside its writing transaction, kills it without warning, and counts.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = 4000
PARAGRAPH = "The district committee met again on Tuesday to discuss the candidate lists. " * 8


def write_articles(folder):
    rows = ["file,outlet,title,url,published_on,byline,language"]
    for number in range(ARTICLES):
        name = f"a{number:05d}.txt"
        (folder / name).write_text(
            f"Report {number}.\n\n{PARAGRAPH}\n\n{PARAGRAPH}", encoding="utf-8"
        )
        rows.append(
            f"{name},Outlet {number % 7},Report number {number},,2011-11-0{1 + number % 9},,en"
        )
    manifest = folder / "manifest.csv"
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return manifest


def manage(database_url, *arguments, **popen):
    environment = dict(
        os.environ, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings.test"
    )
    command = [sys.executable, str(ROOT / "manage.py"), *arguments]
    return subprocess.Popen(command, env=environment, cwd=ROOT, **popen)


def migrate(database_url):
    assert manage(database_url, "migrate", "-v0").wait(timeout=600) == 0


def kill_when(process, writing, *, limit=300):
    """Kill -9 `process` as soon as `writing()` says it is inside its transaction."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the import finished before it could be killed; make the data larger")
        if writing():
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
            return
        time.sleep(0.01)
    process.kill()
    pytest.fail("the import never started writing")


def test_sqlite_import_killed_halfway_writes_nothing(tmp_path):
    database = tmp_path / "killed.sqlite3"
    url = f"sqlite:///{database}"
    migrate(url)
    manifest = write_articles(tmp_path)
    wal = Path(f"{database}-wal")

    process = manage(
        url, "import_articles", "--manifest", str(manifest), "-v0", stdout=subprocess.DEVNULL
    )
    kill_when(process, lambda: wal.exists() and wal.stat().st_size > 512 * 1024)

    with sqlite3.connect(database) as check:
        assert check.execute("select count(*) from sources_article").fetchone() == (0,)
        assert check.execute("select count(*) from sources_articleversion").fetchone() == (0,)
        assert check.execute("select count(*) from sources_outlet").fetchone() == (0,)
        assert check.execute("pragma integrity_check").fetchone() == ("ok",)


@pytest.mark.postgres
def test_postgresql_import_killed_halfway_writes_nothing(tmp_path):
    import psycopg
    from django.db import connection

    settings = connection.settings_dict
    name = f"sourcebook_killed_{uuid.uuid4().hex[:8]}"
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    server = f"postgres://{settings['USER']}@{host}:{port}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    try:
        url = f"{server}/{name}?application_name=killed-import"
        migrate(url)
        manifest = write_articles(tmp_path)
        process = manage(
            url, "import_articles", "--manifest", str(manifest), "-v0", stdout=subprocess.DEVNULL
        )
        with psycopg.connect(f"{server}/{name}", autocommit=True) as watcher:

            def writing():
                row = watcher.execute(
                    "select count(*) from pg_stat_activity"
                    " where application_name = 'killed-import' and xact_start is not null"
                    " and now() - xact_start > interval '200 milliseconds'"
                    " and query ilike 'insert%'"
                ).fetchone()
                return row[0] > 0

            kill_when(process, writing)
            for table in ("sources_article", "sources_articleversion", "sources_outlet"):
                assert watcher.execute(f"select count(*) from {table}").fetchone() == (0,)  # noqa: S608
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", [name]
            )
            admin.execute(f'drop database if exists "{name}"')
