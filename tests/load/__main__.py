"""`make load`: the site under load and faults, bounded in time, on loopback only.

Usage: python -m tests.load [--seconds N] [--readers N] [--editors N] [--importers N] [--keep]

It creates a PostgreSQL database of its own (on LOAD_DATABASE_URL's server, by default
postgres://postgres@127.0.0.1:5432), loads the demo newsroom, and serves it with gunicorn
under the production settings on 127.0.0.1. Then, for a bounded time, concurrent readers
fetch public pages, the API and the exports; editors log in and record passages and claims
through the annotate view; importers upload claim sheets through the admin's import. At the
end it checks that every write that was acknowledged is in the database with what was sent,
that the counts reconcile, and that no request failed; it prints each figure as
`load: NAME: VALUE UNIT (target: TARGET)`, writes them to load-results.json, and exits
non-zero when a target is missed. The database is dropped afterwards unless --keep.
"""

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def create_database(server_url):
    import psycopg

    name = f"sourcebook_load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    return name


def drop_database(server_url, name):
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", [name]
        )
        admin.execute(f'drop database if exists "{name}"')


class Server:
    """gunicorn under production settings, on loopback, always stopped."""

    def __init__(self, database_url, port, workers):
        self.port = port
        self.environment = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="config.settings.production",
            SECRET_KEY=secrets.token_urlsafe(60),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=database_url,
            BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY=str(workers),
            GUNICORN_THREADS="2",
            FORWARDED_ALLOW_IPS="127.0.0.1",
        )
        # Kept open for the server's whole life (and left behind for reading after a failure).
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix="sourcebook-load-gunicorn-", suffix=".log", delete=False
        )
        self.process = None

    def collect_static(self):
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=self.environment,
            check=True,
        )

    def start(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT,
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start within 60 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("LOAD_SECONDS", 60)))
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--editors", type=int, default=3)
    parser.add_argument("--importers", type=int, default=1)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)

    server_url = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432").rstrip(
        "/"
    )
    if urlsplit(server_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the load run only ever talks to a database on this machine")
    name = create_database(server_url)
    database_url = f"{server_url}/{name}"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    print(f"load: database {name}", flush=True)
    server = None
    try:
        import django

        django.setup()
        from tests.load import scenario

        world = scenario.prepare(editors=args.editors, importers=args.importers)
        server = Server(database_url, free_port(), args.workers)
        server.collect_static()
        server.start()
        results = scenario.run(
            world,
            port=server.port,
            seconds=args.seconds,
            readers=args.readers,
            editors=args.editors,
            importers=args.importers,
            stop=threading.Event(),
        )
        server.stop()
        figures = scenario.verify(world, results)
    finally:
        if server is not None:
            server.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(server_url, name)
    return scenario.report(figures)


if __name__ == "__main__":
    sys.exit(main())
