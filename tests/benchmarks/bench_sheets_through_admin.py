"""A 200,000-row candidate sheet, then a 200,000-row claim sheet, through the admin as an
importer uses it, under production settings: gunicorn with its default 30-second timeout
and a `db_worker` process, on PostgreSQL (`BENCH_DATABASE_URL=postgres://...`; on SQLite it
says so and reports nothing).

Over HTTP, as a browser behind the TLS proxy (`tests.load.client`): the importer logs in,
uploads each sheet on its import page, lands on the run of its check, whose
progress endpoint the page polls (here every half second), opens the preview the run kept,
confirms it, and follows the import's run to its end. Meanwhile, from the confirm to the
end, an editor records a claim every quarter of a second (`claim_create_from_quote`, what
the admin's claim form calls), timed against the same saves with nothing running.

The claim sheet (26 MB, each row with its quoted sentence and article address) is past the
default 20 MB cap, which the servers raise for it (`SOURCEBOOK_IMPORT_MAX_BYTES`), as a
newsroom would; its candidates and articles are written beforehand. Figures, per sheet: the
seconds of the check and of the import (reported), and the progress values the importer saw
move (at least three in each run); over both, the slowest request, which must answer within
gunicorn's timeout with no server error, and an editor's slowest save during the imports
less the idle median (under a second), and as a ratio of that median. The database is read
at the end: every row of each sheet is a candidate, or a claim.
"""

import random
import re
import statistics
import subprocess
import sys
import threading
import time
from html import unescape
from urllib.parse import urlsplit

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection, connections

from elections.models import Candidate, Claim
from sources.models import TaskRun
from tests.benchmarks.bench_import_sheets import _candidate_sheet, _places
from tests.benchmarks.bench_sheets_at_scale import _many_people
from tests.benchmarks.bench_write_during_import import Editor
from tests.factories import make_user
from tests.load.__main__ import ROOT, Server, free_port
from tests.load.client import Client

ROWS = 200_000
GUNICORN_TIMEOUT = 30  # gunicorn's own default, as a balancer in front would have it
# The claim sheet's 200,000 rows, each with its sentence, are about 26 MB.
CLAIMS_MAX_BYTES = 32 * 1024 * 1024
RUN_PAGE = re.compile(r"/admin/sources/taskrun/(\d+)/change/$")
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
POLL_EVERY = 0.5
SAVE_EVERY = 0.25
IDLE_SAVES = 9
RUN_LIMIT = 1800  # seconds a run may take before the benchmark gives up on it
TARGET_SECONDS = 1.0
PASSWORD = "bench-importer-password"


class Requests:
    """Every request the importer makes: the slowest, and any server error."""

    def __init__(self, client):
        self.client, self.slowest, self.errors = client, 0.0, []

    def __call__(self, method, path, **arguments):
        call = {"GET": self.client.get, "FORM": self.client.post_form}.get(method)
        if method == "MULTIPART":
            call = self.client.post_multipart
        status, headers, content, seconds = call(path, **arguments)
        self.slowest = max(self.slowest, seconds)
        if status >= 500:
            self.errors.append(f"{method} {path}: {status}")
        return status, headers, content


def _run_id(status, headers, step):
    location = urlsplit(headers.get("Location") or "").path
    found = RUN_PAGE.search(location)
    if status != 302 or not found:
        raise RuntimeError(f"{step} did not lead to a task run ({status}, {location!r})")
    return int(found.group(1))


def _follow(request, run_id):
    """Poll the run's progress as its page does, until it ends; (its JSON, the distinct
    `done` values seen while it was active, seconds)."""
    started, seen = time.perf_counter(), []
    while True:
        status, _, content = request("GET", f"/admin/sources/taskrun/{run_id}/progress/")
        if status != 200:
            raise RuntimeError(f"the progress of run {run_id} answered {status}")
        progress = Client.json(content)
        if progress["active"]:
            if progress["done"] and progress["done"] not in seen:
                seen.append(progress["done"])
        else:
            return progress, seen, time.perf_counter() - started
        if time.perf_counter() - started > RUN_LIMIT:
            raise RuntimeError(f"run {run_id} did not end within {RUN_LIMIT} s")
        time.sleep(POLL_EVERY)


def _ended_well(run_id, step):
    run = TaskRun.objects.get(pk=run_id)
    if run.state != TaskRun.State.SUCCEEDED:
        raise RuntimeError(f"{step} ended {run.state}: {run.error[:1000]}")
    return run


class Saving(threading.Thread):
    """The editor saving a claim every SAVE_EVERY seconds until stopped; each save timed."""

    def __init__(self, editor):
        super().__init__(daemon=True)
        self.editor, self.times, self.stop = editor, [], threading.Event()

    def run(self):
        try:
            while not self.stop.is_set():
                self.times.append(self.editor.save())
                self.stop.wait(SAVE_EVERY)
        finally:
            connections.close_all()


def _importer():
    user = make_user("Importers", username="bench-importer")
    # The server runs the production settings, whose hashers the test settings do not share.
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save()
    return user


def _database_url():
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    server = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    return f"postgres://{settings['USER']}{password}@{server}/{settings['NAME']}"


def _sheets(rows, rng):
    """The candidate sheet, and the claim sheet with its candidates and articles written."""
    from django.conf import settings

    from elections.resources import CandidateResource
    from sources.audit import system_user
    from sources.sheets import read_sheet
    from tests.benchmarks.bench_import_sheets import _articles, _claim_sheet
    from tests.benchmarks.bench_sheets_at_scale import CLAIMS_PER_PERSON

    people = _many_people(rows, rng)
    cities = _places()
    candidates = _candidate_sheet(people, cities, rng)
    claimed = _many_people(max(1, rows // CLAIMS_PER_PERSON), rng)
    for person in claimed:
        person["slug"] = f"claimed-{person['slug']}"
    settings.SOURCEBOOK_IMPORT_MAX_BYTES = CLAIMS_MAX_BYTES
    CandidateResource().import_data(
        read_sheet(_candidate_sheet(claimed, cities, rng), name="people.csv"), user=system_user()
    )
    claims, claim_rows = _claim_sheet(_articles(claimed, rng))
    return [
        ("candidate", candidates, rows, Candidate),
        ("claim", claims, claim_rows, Claim),
    ]


def _through_admin(request, model, sheet):
    """Upload `sheet` on `model`'s import page, follow its check, confirm it and follow its
    import; {figure: value}."""
    page = f"/admin/elections/{model}/import/"
    request("GET", page)
    status, headers, _ = request(
        "MULTIPART",
        page,
        fields={"resource": "0", "format": "0"},
        files={"import_file": (f"{model}s.csv", sheet, "text/csv")},
        referer=page,
    )
    check = _run_id(status, headers, f"the {model} sheet's upload")
    _, check_seen, check_seconds = _follow(request, check)
    preview_page = _ended_well(check, "the check").result["preview_page"]
    status, _, content = request("GET", preview_page)
    fields = {name: unescape(value) for name, value in HIDDEN.findall(content.decode())}
    if status != 200 or "import_file_name" not in fields:
        raise RuntimeError(f"the {model} sheet's preview offers no confirm ({status})")
    status, headers, _ = request(
        "FORM", f"/admin/elections/{model}/process_import/", fields=fields, referer=preview_page
    )
    confirm = _run_id(status, headers, f"the {model} sheet's confirm")
    _, confirm_seen, confirm_seconds = _follow(request, confirm)
    _ended_well(confirm, "the import")
    return {
        "check_seconds": check_seconds,
        "import_seconds": confirm_seconds,
        "progress_values": min(len(check_seen), len(confirm_seen)),
    }


def run(bench):
    if connection.vendor != "postgresql":
        print(
            "bench: sheet_through_admin: skipped: it needs PostgreSQL and its task workers; "
            "set BENCH_DATABASE_URL=postgres://...",
            flush=True,
        )
        return
    rows = bench.size(ROWS)
    sheets = _sheets(rows, random.Random(2015))
    _importer()
    # Four saves a second through both imports (about six minutes) and the idle ones.
    editor = Editor(schools=4000)
    editor.save()
    idle = statistics.median(editor.save() for _ in range(IDLE_SAVES))
    before = {model: table.objects.count() for model, _, _, table in sheets}

    database_url = _database_url()
    connections.close_all()
    server = Server(database_url, free_port(), workers=2)
    server.environment["GUNICORN_TIMEOUT"] = str(GUNICORN_TIMEOUT)
    server.environment["SOURCEBOOK_IMPORT_MAX_BYTES"] = str(CLAIMS_MAX_BYTES)
    server.collect_static()
    server.start()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=server.environment,
        stdout=subprocess.DEVNULL,
        stderr=server.log,
    )
    saving = Saving(editor)
    figures = {}
    try:
        client = Client("127.0.0.1", server.port, timeout=GUNICORN_TIMEOUT + 30)
        client.login("bench-importer", PASSWORD)
        request = Requests(client)
        saving.start()
        for model, sheet, _count, _table in sheets:
            figures[model] = _through_admin(request, model, sheet)
        saving.stop.set()
        saving.join(60)
    finally:
        saving.stop.set()
        worker.terminate()
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            worker.kill()
        server.stop()

    for model, sheet, count, table in sheets:
        created = table.objects.count() - before[model]
        if created < count * 0.99:
            raise RuntimeError(f"the {model} sheet created {created} of {count} rows")
        done = figures[model]
        print(
            f"bench: {count} {model} rows ({len(sheet) / 2**20:.1f} MB) through the admin: "
            f"checked in {done['check_seconds']:.1f} s, imported in "
            f"{done['import_seconds']:.1f} s, at least {done['progress_values']} progress "
            "values seen in each run",
            flush=True,
        )
        for name in ("check_seconds", "import_seconds"):
            bench.figure(
                f"sheet_admin_{model}_{count}_rows_{name}", done[name], "s", "report", True
            )
        bench.figure(
            f"sheet_admin_{model}_progress_values_seen",
            done["progress_values"],
            "values",
            ">= 3 in each run",
            done["progress_values"] >= 3,
        )
    print(
        f"bench: slowest request {request.slowest:.2f} s; editor's saves: idle median "
        f"{idle:.3f} s, {len(saving.times)} during the imports, median "
        f"{statistics.median(saving.times or [0]):.3f} s, slowest {max(saving.times or [0]):.3f} s",
        flush=True,
    )
    bench.figure(
        "sheet_admin_slowest_request",
        request.slowest,
        "s",
        f"< {GUNICORN_TIMEOUT} s (gunicorn's timeout), no server error",
        request.slowest < GUNICORN_TIMEOUT and not request.errors,
    )
    worst = max(saving.times or [idle])
    met = bool(saving.times) and worst - idle < TARGET_SECONDS
    bench.figure(
        "claim_save_during_admin_import_added",
        worst - idle,
        "s",
        f"< {TARGET_SECONDS:g} s more",
        met,
    )
    bench.figure(
        "claim_save_during_admin_import_vs_idle",
        worst / idle,
        "x",
        f"< {TARGET_SECONDS:g} s more than idle ({(idle + TARGET_SECONDS) / idle:.1f}x here)",
        met,
    )
