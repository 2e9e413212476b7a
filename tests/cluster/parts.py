"""The cluster's parts, each a real program from Debian's packages, on loopback, in one
folder of the run's own: a PostgreSQL primary and its streaming replica (their own ports and
data folders, not the machine's server), Redis, gunicorn servers, a task worker, HAProxy.
Each part is started and always stopped by the run (`tests.cluster.__main__`)."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.load.__main__ import ROOT, Server

WAIT = 60
# A request as HAProxy logs it (`HAProxy`'s log-format): status {X-Cache} method "URI".
LOGGED = re.compile(r'^(\d{3}) \{([^}]*)\} (\S+) "(.*)"$')


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, *, process=None, seconds=WAIT, what="a server"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited ({process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port} within {seconds} s")


def postgres_bin():
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL's programs are not installed (apt-get install postgresql)")
    return versions[-1]


def _as_postgres(command):
    """`command` as the postgres account when this runs as root (PostgreSQL refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class PostgresCluster:
    """One PostgreSQL data folder, on its own port, started and stopped with pg_ctl."""

    def __init__(self, folder, port):
        self.folder, self.port = Path(folder), port
        self.data, self.log = self.folder / "data", self.folder / "postgres.log"
        self.bin = postgres_bin()

    def _run(self, *command, check=True):
        return subprocess.run(
            _as_postgres([str(self.bin / command[0]), *command[1:]]),
            check=check,
            capture_output=True,
            text=True,
        )

    def _own(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")

    def configure(self, lines):
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# tests.cluster\n" + "\n".join(lines) + "\n")

    def init_primary(self):
        self._own()
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "-E", "UTF8")
        self.configure(
            [
                "listen_addresses = '127.0.0.1'",
                f"port = {self.port}",
                f"unix_socket_directories = '{self.folder}'",
                "wal_level = replica",
                "max_wal_senders = 5",
                "hot_standby = on",
                "max_connections = 200",
                "fsync = off",
                "synchronous_commit = off",
            ]
        )

    def init_replica_of(self, primary):
        self._own()
        self._run(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(self.data),
            "-R",
            "-X",
            "stream",
        )
        self.configure([f"port = {self.port}", f"unix_socket_directories = '{self.folder}'"])

    def start(self):
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def url(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


class Redis:
    def __init__(self, folder, port):
        self.folder, self.port, self.process = Path(folder), port, None

    def start(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                # As the README asks of production: a memory limit and an eviction policy.
                "--maxmemory",
                "64mb",
                "--maxmemory-policy",
                "allkeys-lru",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, process=self.process, what="Redis")

    def stats(self):
        out = subprocess.run(
            ["redis-cli", "-p", str(self.port), "info", "stats"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        values = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
        return int(values.get("keyspace_hits", 0)), int(values.get("keyspace_misses", 0))

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(WAIT)

    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"


class AppServer(Server):
    """gunicorn under production settings (tests.load's), with the cluster's environment and
    a temp folder of its own, as on a machine of its own."""

    def __init__(self, name, folder, port, environment):
        super().__init__(environment["DATABASE_URL"], port, workers=2)
        self.name = name
        temp = Path(folder) / f"tmp-{name}"
        temp.mkdir(parents=True, exist_ok=True)
        self.environment.update(environment, TMPDIR=str(temp))

    def restart(self):
        """Stop gracefully (SIGTERM: in-flight requests finish), then start again."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(WAIT)
        self.start()


class Worker:
    """A task worker (`manage.py db_worker`) with the servers' environment."""

    def __init__(self, environment, log):
        self.environment, self.log, self.process = environment, log, None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.5"],
            cwd=ROOT,
            env=self.environment,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()


class HAProxy:
    """Round robin, no stickiness, health checks on /healthz; a request whose connection to
    a server fails (a server restarting) is sent to another: nothing else is retried.

    Each request is logged (to `haproxy.log`) as its status, the `X-Cache` header of its
    response, its method and its URI: the public cache's hits and misses as the clients
    saw them (`answers`)."""

    def __init__(self, folder, port, servers):
        self.folder, self.port, self.servers, self.process = Path(folder), port, servers, None
        self.config = self.folder / "haproxy.cfg"
        self.log = self.folder / "haproxy.log"

    def start(self):
        backends = "\n".join(
            f"  server {server.name} 127.0.0.1:{server.port} check inter 300ms fall 2 rise 2"
            for server in self.servers
        )
        self.config.write_text(
            f"""global
  maxconn 1000
  log stderr format raw local0 info

defaults
  mode http
  log global
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  # A health check waits as long as a request may queue behind others on a busy machine:
  # at the default (its interval, 300 ms) both servers left the balancer under load (503).
  timeout check 2s
  option forwardfor
  option redispatch
  retries 3
  retry-on conn-failure

frontend site
  bind 127.0.0.1:{self.port}
  capture response header X-Cache len 8
  log-format "%ST %hs %HM %{{+Q}}HU"
  default_backend apps

backend apps
  balance roundrobin
  option httpchk
  http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
  http-check expect status 200
{backends}
""",
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            ["haproxy", "-f", str(self.config), "-db"],
            stdout=subprocess.DEVNULL,
            stderr=open(self.log, "w"),  # noqa: SIM115 (the run's life)
        )
        wait_for_port(self.port, process=self.process, what="HAProxy")

    def log_size(self):
        """Where the log ends now: `answers` from there reads the requests logged since."""
        return self.log.stat().st_size if self.log.exists() else 0

    def answers(self, since=0):
        """(status, X-Cache or "", method, URI) of each request logged after byte `since`."""
        with open(self.log, "rb") as log:
            log.seek(since)
            lines = log.read().decode("utf-8", "replace").splitlines()
        return [
            (int(status), cache, method, uri)
            for status, cache, method, uri in (
                match.groups() for match in map(LOGGED.match, lines) if match
            )
        ]

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(WAIT)
