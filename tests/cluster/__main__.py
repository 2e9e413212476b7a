"""`make cluster`: the production shape on one machine, bounded in time, loopback only.

A PostgreSQL primary and its streaming replica (clusters of this run's own, on their own
ports), Redis, two gunicorn servers under the production settings with a temp folder each
(as separate machines have), a task worker, and HAProxy in front (round robin, no sticky
sessions), every one a program from Debian's packages. The demo newsroom is loaded, then:

1. sessions: signed in on one server, the editor goes on on the other;
2. an import previewed on one server is confirmed on the other, and a merge's undo asked for
   on one is confirmed on the other;
3. failed sign-ins from one client address lock that address out, not a colleague's;
4. a bounded load (LOAD_SECONDS, 60) of readers, editors and an importer through HAProxy:
   no error, every acknowledged write found, and at least 80 % of the public pages answered
   from the cache (their X-Cache headers, as HAProxy logged them, by kind of page; Redis's
   keyspace hit ratio, which counts sessions and login throttling too, is reported); the
   replica's lag is sampled meanwhile;
5. a withdrawal leaves every public URL on both servers at once, the cache warm and the
   replica's replay paused (lagging);
6. Redis stopped: every page is still rendered (no 500) and /healthz says "degraded"; Redis
   started again: pages are cached again;
7. the primary stopped for 10 s and started again: the site is back without anyone acting;
8. a rolling restart of each server in turn under readers: no failed request, no missing
   stylesheet or script.

Each figure prints as `cluster: NAME: VALUE UNIT (target: TARGET)`; the exit status is
non-zero when a target is missed. Everything is stopped and removed afterwards.
"""

import argparse
import os
import re
import secrets
import sys
import tempfile
import threading
import time
from html import unescape
from pathlib import Path

from tests.cluster.parts import (
    AppServer,
    HAProxy,
    PostgresCluster,
    Redis,
    Worker,
    free_port,
)
from tests.load.client import Client

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')
DOWN_SECONDS = 10
RECOVERY_TARGET = 30
DATABASE = "sourcebook"


class Figures:
    def __init__(self):
        self.rows = []

    def add(self, name, value, unit, target, met):
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        print(f"cluster: {name}: {shown} {unit} (target: {target})", flush=True)
        self.rows.append((name, bool(met)))

    def unmet(self):
        return [name for name, met in self.rows if not met]


def _login(client, username, password):
    client.login(username, password)
    return client


def check_sessions(servers, world, figures):
    username, password = world.editors[0]
    first = _login(Client("127.0.0.1", servers[0].port), username, password)
    other = Client("127.0.0.1", servers[1].port)
    other.cookies = dict(first.cookies)
    status, _, content, _ = other.get("/admin/")
    signed_in = status == 200 and b"Log out" in content
    figures.add("session_on_the_other_server", status, "status", "200, signed in", signed_in)


def check_import_across_servers(servers, world, figures):
    from sources.models import Outlet

    username, password = world.importers[0]
    first = _login(Client("127.0.0.1", servers[0].port), username, password)
    name = f"Cluster Wire {secrets.token_hex(3)}"
    sheet = f"name,kind\n{name},newspaper\n".encode()
    page = "/admin/sources/outlet/import/"
    first.get(page)
    status, _, content, _ = first.post_multipart(
        page,
        {"resource": "0", "format": "0"},
        {"import_file": ("outlets.csv", sheet, "text/csv")},
        referer=page,
    )
    fields = {key: unescape(value) for key, value in HIDDEN.findall(content.decode())}
    other = Client("127.0.0.1", servers[1].port)
    other.cookies = dict(first.cookies)
    fields["csrfmiddlewaretoken"] = other.cookies.get("csrftoken", "")
    confirmed, _, _, _ = other.post_form(
        "/admin/sources/outlet/process_import/", fields, referer=page
    )
    imported = Outlet.objects.filter(name=name).exists()
    figures.add(
        "import_previewed_on_one_confirmed_on_other",
        f"{status}/{confirmed}",
        "statuses",
        "200/302, imported",
        status == 200 and confirmed == 302 and imported,
    )


def check_merge_undo_across_servers(servers, figures):
    """A reviewer asks to undo a merge on one server and confirms on the other: the two
    requests share nothing but the session and the database."""
    from elections.models import CandidateMerge
    from elections.services import candidate_merge
    from sources.audit import system_user
    from tests.factories import make_candidate
    from tests.load.scenario import _people

    ((username, password),) = _people("cluster-reviewer", "Reviewers", 1)
    merge = candidate_merge(
        survivor=make_candidate("Cluster Survivor"),
        absorbed=make_candidate("Cluster Absorbed"),
        acting_user=system_user(),
    )
    undo = f"/admin/elections/candidatemerge/{merge.pk}/undo/"
    first = _login(Client("127.0.0.1", servers[0].port), username, password)
    asked, _, page, _ = first.get(undo)
    other = Client("127.0.0.1", servers[1].port)
    other.cookies = dict(first.cookies)
    confirmed, _, _, _ = other.post_form(
        undo, {"confirm": "yes", "csrfmiddlewaretoken": Client.csrf_in(page)}, referer=undo
    )
    undone = CandidateMerge.objects.get(pk=merge.pk).undone_at is not None
    figures.add(
        "merge_undo_asked_on_one_confirmed_on_other",
        f"{asked}/{confirmed}",
        "statuses",
        "200/302, undone",
        asked == 200 and confirmed == 302 and undone,
    )


def check_throttling(balancer, world, figures):
    from django.core.management import call_command

    username, password = world.editors[1]
    attacker = Client("127.0.0.1", balancer.port, source="127.0.0.2")
    colleague = Client("127.0.0.1", balancer.port, source="127.0.0.3")
    attacker.get("/admin/login/")
    for _ in range(5):
        attacker.post_form(
            "/admin/login/?next=/admin/",
            {"username": username, "password": "wrong", "next": "/admin/"},
            referer="/admin/login/",
        )
    locked, _, _, _ = attacker.post_form(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        referer="/admin/login/",
    )
    colleague.get("/admin/login/")
    signed_in, _, _, _ = colleague.post_form(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        referer="/admin/login/",
    )
    call_command("axes_reset", verbosity=0)
    figures.add(
        "lockout_of_one_address_only",
        f"{locked}/{signed_in}",
        "statuses",
        "429 for the attacker's address / 302 for the colleague's",
        locked == 429 and signed_in == 302,
    )


def _replica_lag(balancer, samples, stop):
    client = Client("127.0.0.1", balancer.port)
    while not stop.is_set():
        try:
            status, _, content, _ = client.get("/healthz")
            if status == 200:
                for replica in Client.json(content).get("replicas", {}).values():
                    samples.append(
                        (replica.get("public_changes_replayed"), replica.get("replay_seconds"))
                    )
        except Exception:  # noqa: S110 (a sample missed is no failure)
            pass
        stop.wait(1)


# The kinds of public page whose cache hits are counted, by path:
# each goes by its own key in `elections.cache.cache_public`.
PAGE_KINDS = (
    ("profile", re.compile(r"^/(?:api/)?candidates/[^/]+/$")),
    ("list", re.compile(r"^/(?:api/)?candidates/$")),
    ("outlet", re.compile(r"^/outlets/[^/]+/$")),
    ("article", re.compile(r"^/articles/\d+/$")),
    ("home", re.compile(r"^/$")),
)
PAGE_HIT_TARGET = 0.80


def page_kind(uri):
    path = uri.split("?", 1)[0]
    return next((kind for kind, pattern in PAGE_KINDS if pattern.match(path)), "other")


def page_hits(answers):
    """{kind: (hits, misses)} of the answers that consulted the public cache (an X-Cache
    header), by kind of page (`PAGE_KINDS`, else "other")."""
    counts = {kind: [0, 0] for kind, _ in PAGE_KINDS} | {"other": [0, 0]}
    for _status, cache, _method, uri in answers:
        if cache in ("hit", "miss"):
            counts[page_kind(uri)][cache == "miss"] += 1
    return {kind: tuple(pair) for kind, pair in counts.items()}


def check_load(balancer, world, seconds, redis, figures):
    from tests.load import scenario

    hits_before, misses_before = redis.stats()
    logged_before = balancer.log_size()
    samples, stop = [], threading.Event()
    sampler = threading.Thread(target=_replica_lag, args=(balancer, samples, stop))
    sampler.start()
    results = scenario.run(
        world,
        port=balancer.port,
        seconds=seconds,
        readers=6,
        editors=3,
        importers=1,
        stop=threading.Event(),
    )
    stop.set()
    sampler.join(30)
    for name, value, unit, target, met in scenario.verify(world, results):
        figures.add(f"load_{name}", value, unit, target, met)
    hits, misses = redis.stats()
    hits, misses = hits - hits_before, misses - misses_before
    time.sleep(0.5)  # HAProxy logs a request as it ends
    pages = page_hits(balancer.answers(since=logged_before))
    for kind, (page_hit, page_miss) in pages.items():
        figures.add(
            f"page_cache_{kind}",
            f"{page_hit}/{page_hit + page_miss}",
            "hits",
            "report",
            True,
        )
    page_hit = sum(hit for hit, _ in pages.values())
    page_total = sum(hit + miss for hit, miss in pages.values())
    ratio = round(page_hit / max(1, page_total), 3)
    figures.add(
        "page_cache_hit_ratio",
        ratio,
        "(X-Cache of public pages)",
        f">= {PAGE_HIT_TARGET:.2f}",
        page_total > 0 and ratio >= PAGE_HIT_TARGET,
    )
    figures.add(
        "redis_keyspace_hit_ratio",
        round(hits / max(1, hits + misses), 3),
        "(every Redis read: pages, sessions, login throttling)",
        "report",
        True,
    )
    behind = [replayed for replayed, _ in samples if replayed is False]
    replay = [seconds for _, seconds in samples if seconds is not None]
    figures.add(
        "replica_behind_the_latest_public_change",
        f"{len(behind)}/{len(samples)}",
        "samples",
        "report (reads went to the primary then)",
        True,
    )
    figures.add("replica_replay_seconds_max", round(max(replay or [0.0]), 2), "s", "report", True)


def check_withdrawal(servers, replica, world, figures):
    from elections.models import Candidate
    from elections.services import candidate_withdraw
    from sources.audit import system_user

    slug = world.published[0]
    urls = [f"/candidates/{slug}/", f"/api/candidates/{slug}/"]
    clients = [Client("127.0.0.1", server.port) for server in servers]
    for client in clients:  # warm: each server caches each page
        for url in urls:
            client.get(url)
            client.get(url)
    replica.pause()
    try:
        candidate_withdraw(
            candidate=Candidate.objects.get(slug=slug),
            note="cluster run",
            acting_user=system_user(),
        )
        statuses = [client.get(url)[0] for client in clients for url in urls]
        listed = [slug.encode() in client.get("/candidates/")[2] for client in clients]
        behind = not replica.has_replayed_the_latest_public_change()
    finally:
        replica.resume()
    figures.add(
        "withdrawn_pages_on_both_servers",
        "/".join(str(status) for status in statuses),
        "statuses",
        "404 everywhere at once",
        all(status == 404 for status in statuses) and not any(listed),
    )
    figures.add(
        "replica_lagging_during_withdrawal",
        "yes" if behind else "no",
        "",
        "yes (the replica had not replayed it)",
        behind,
    )


def check_cache_outage(redis, balancer, world, figures):
    """Redis stopped: every page is rendered (no 500), /healthz says "degraded" and the
    servers stay in the balancer; Redis started again: pages come from it again."""
    client = Client("127.0.0.1", balancer.port, timeout=10)
    paths = ["/", "/candidates/", f"/candidates/{world.published[-1]}/", "/api/candidates/"]
    redis.stop()
    statuses = []
    try:
        for _ in range(5):
            statuses += [client.get(path)[0] for path in paths]
        health = Client.json(client.get("/healthz")[2])
    finally:
        redis.start()
    for path in paths:
        client.get(path)
    hits_before, _ = redis.stats()
    for path in paths:
        client.get(path)
    hits_after, _ = redis.stats()
    figures.add(
        "pages_while_redis_is_down",
        f"{statuses.count(200)}/{len(statuses)}",
        "answered 200",
        f"{len(statuses)}/{len(statuses)}, /healthz degraded",
        statuses.count(200) == len(statuses) and health.get("status") == "degraded",
    )
    figures.add(
        "cache_used_again_after_redis_restart",
        hits_after - hits_before,
        "hits",
        "> 0",
        hits_after > hits_before,
    )


def check_primary_restart(primary, balancer, figures):
    client = Client("127.0.0.1", balancer.port, timeout=10)
    primary.stop()
    time.sleep(DOWN_SECONDS)
    primary.start()
    started, good = time.monotonic(), 0
    while time.monotonic() - started < RECOVERY_TARGET * 2:
        try:
            status = client.get("/candidates/")[0]
        except Exception:
            status = 0
            client.close()
        good = good + 1 if status == 200 else 0
        if good == 5:
            break
        time.sleep(0.2)
    recovered = time.monotonic() - started
    figures.add(
        "back_after_primary_restart",
        round(recovered, 1),
        "s",
        f"< {RECOVERY_TARGET} s, nobody acting",
        good == 5 and recovered < RECOVERY_TARGET,
    )


def _browse(balancer, stop, tally, number):
    client = Client("127.0.0.1", balancer.port)
    paths = ["/", "/candidates/", "/outlets/", "/admin/login/"]
    while not stop.is_set():
        for path in paths:
            try:
                status, _, content, _ = client.get(path)
            except Exception as error:
                tally["failed"].append(f"{path}: {type(error).__name__}")
                client.close()
                continue
            tally["requests"] += 1
            if status != 200:
                tally["failed"].append(f"{path}: {status}")
                continue
            for asset in set(ASSET.findall(content.decode("utf-8", "replace"))):
                try:
                    asset_status = client.get(asset)[0]
                except Exception as error:
                    asset_status = type(error).__name__
                    client.close()
                tally["requests"] += 1
                if asset_status != 200:
                    tally["missing"].append(f"{asset}: {asset_status}")


def check_rolling_restart(servers, balancer, figures):
    tally = {"requests": 0, "failed": [], "missing": []}
    stop = threading.Event()
    readers = [
        threading.Thread(target=_browse, args=(balancer, stop, tally, number))
        for number in range(3)
    ]
    for reader in readers:
        reader.start()
    try:
        time.sleep(2)
        for server in servers:
            server.restart()
            time.sleep(3)  # back in the balancer (two health checks) and serving
    finally:
        stop.set()
        for reader in readers:
            reader.join(60)
    for problem in (tally["failed"] + tally["missing"])[:10]:
        print(f"cluster: rolling restart: {problem}", flush=True)
    figures.add("rolling_restart_requests", tally["requests"], "requests", "report", True)
    figures.add(
        "rolling_restart_failed_requests",
        len(tally["failed"]),
        "requests",
        "0",
        not tally["failed"],
    )
    figures.add(
        "rolling_restart_missing_assets", len(tally["missing"]), "assets", "0", not tally["missing"]
    )


class Replica(PostgresCluster):
    def _sql(self, statement):
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            return connection.execute(statement).fetchone()

    def pause(self):
        self._sql("SELECT pg_wal_replay_pause()")

    def resume(self):
        self._sql("SELECT pg_wal_replay_resume()")

    def has_replayed_the_latest_public_change(self):
        import psycopg

        from elections.cache import STATE_ID, STATE_TABLE, public_generation

        query = f"SELECT generation FROM {STATE_TABLE} WHERE id = {STATE_ID}"  # noqa: S608
        with psycopg.connect(self.url(DATABASE)) as replica:
            seen = replica.execute(query).fetchone()[0]
        return public_generation() == seen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("LOAD_SECONDS", 60)))
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="sourcebook-cluster-"))
    # PostgreSQL runs as its own account: it must reach its folders inside this one.
    os.chmod(folder, 0o755)  # noqa: S103
    primary = PostgresCluster(folder / "primary", free_port())
    replica = Replica(folder / "replica", free_port())
    redis = Redis(folder / "redis", free_port())
    servers, worker, balancer = [], None, None
    figures = Figures()
    started = time.monotonic()
    try:
        primary.init_primary()
        primary.start()
        import psycopg

        with psycopg.connect(primary.url("postgres"), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
        replica.init_replica_of(primary)
        replica.start()
        redis.start()
        print(
            f"cluster: primary :{primary.port}, replica :{replica.port}, redis :{redis.port}",
            flush=True,
        )

        os.environ["DATABASE_URL"] = primary.url(DATABASE)
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        import django

        django.setup()
        from tests.load import scenario

        world = scenario.prepare(editors=3, importers=1)
        environment = {
            # One key for every server: sessions and CSRF tokens are signed with it.
            "SECRET_KEY": secrets.token_urlsafe(60),
            "DATABASE_URL": primary.url(DATABASE),
            "DATABASE_REPLICA_URLS": replica.url(DATABASE),
            "CACHE_URL": redis.url(),
            "TRUSTED_PROXY_COUNT": "1",
            "STATIC_ROOT": str(folder / "static"),
            "DATABASE_CONNECT_TIMEOUT": "2",
        }
        servers = [AppServer(name, folder, free_port(), environment) for name in ("app-a", "app-b")]
        servers[0].collect_static()  # one STATIC_ROOT on this "machine"
        for server in servers:
            server.start()
        worker = Worker(servers[0].environment, servers[0].log)
        worker.start()
        balancer = HAProxy(folder, free_port(), servers)
        balancer.start()
        time.sleep(1.5)  # the first health checks
        print(
            f"cluster: servers :{servers[0].port} :{servers[1].port}, HAProxy :{balancer.port}",
            flush=True,
        )

        check_sessions(servers, world, figures)
        check_import_across_servers(servers, world, figures)
        check_merge_undo_across_servers(servers, figures)
        check_throttling(balancer, world, figures)
        check_load(balancer, world, args.seconds, redis, figures)
        check_withdrawal(servers, replica, world, figures)
        check_cache_outage(redis, balancer, world, figures)
        check_primary_restart(primary, balancer, figures)
        check_rolling_restart(servers, balancer, figures)
    finally:
        for part in [balancer, worker, *servers, redis, replica, primary]:
            if part is not None:
                try:
                    part.stop()
                except Exception as error:  # stop every part whatever one does
                    print(f"cluster: stopping {part}: {error}", file=sys.stderr)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 (Django may not have been set up)
            pass
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    figures.add("run_seconds", round(time.monotonic() - started, 1), "s", "report", True)
    unmet = figures.unmet()
    print("cluster: targets met" if not unmet else "cluster: targets not met: " + ", ".join(unmet))
    return 1 if unmet else 0


if __name__ == "__main__":
    sys.exit(main())
