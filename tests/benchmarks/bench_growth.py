"""Growth: every public page, export and admin page at two sizes of the data, against a
fixed-string view in the same run; the cache hit ratio with an editor at work; memory.

Sizes (`dataset.py`: the shape of `bench_public_pages`, 20 claims a candidate). By default,
what `make bench` runs: 1,000 and 10,000 candidates (20,000 and 200,000 claims), a few
minutes on 2 cores. With `make bench BENCH_ARGS="-k growth --large"` (or
SOURCEBOOK_BENCH_LARGE=1): 10,000 and 100,000 candidates, 200,000 and 2,000,000 claims (on
PostgreSQL about 15 minutes, most of it the load and the two exports). The data is loaded at
the smaller size, measured, grown to the larger and measured again; `--scale` shrinks both.

Pages, with the page cache off: gunicorn (`config.settings.bench`, PUBLIC_CACHE=0, as
`bench_public_pages` serves it) and one keep-alive connection of this process, anonymous for
the public pages and exports, with a superuser's session cookie for the admin. After a
warm-up request of each page, REPEAT rounds over every page, each request after FIXED_EACH
requests of the fixed-string view (`config.urls_bench`: no template, no query) on the same
connection; a page's figure is the median of its times to the last byte, divided by the
median of the fixed string's on its connection. Printed for each: `growth <page> ratio at
<size>` (targets: a public page ≤ 30×, an admin page ≤ 100×), `growth <page> growth` (the
larger size's ratio ÷ the smaller's: the growth of its time with the machine's drift taken
out; target ≤ 1.5×) and, for admin pages, their queries at both sizes (counted through the
test client in this process, on a second request; target: the same). The exports are timed
to their last byte in EXPORT_REPEAT rounds and reported without a target (they are the whole
record, and grow with it; serving a built export as a static file is `bench_exports`'s); a
note says when a built export was served.

Cache hit ratio with editors at work: gunicorn (`config.settings.bench`, the cache on, 2
workers with LocMemCache each) at the larger size; four reader threads request a mix of
popular pages (profiles of 200 candidates, the busiest more often, 60 %; lists, filters and
searches 25 %; outlets and articles 15 %) while an editor thread of this process saves a
verified claim of a random published candidate through the services every EDITOR_INTERVAL
seconds. The ratio is the responses' `X-Cache: hit` ÷ (hit + miss), after
a warm-up pass; target ≥ 0.8. Two phases: the editor saves a claim's note (which no public
page shows), then changes public facts (a verified claim's printed value, which sends it
back to review, or a claim in review verified by another account). The same without the
editor is reported beside them.

Memory: the peak RSS (VmHWM, read by the process itself at exit: Linux keeps ru_maxrss
across exec) of `manage.py check` for this project and for a bare Django project (Django's
contrib apps only, in a temporary folder), and the RSS of one gunicorn sync worker of each
after it served a few pages. Targets ≤ 2×.

Unmet targets are figures with `met: false`, as everywhere in `make bench`.
"""

import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import connection, connections, reset_queries
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from elections.models import Candidate, Claim
from sources.models import Article, Outlet
from tests.benchmarks import bench_public_pages as shape
from tests.benchmarks.dataset import Dataset

DEFAULT_SIZES = (1_000, 10_000)
LARGE_SIZES = (10_000, 100_000)
REPEAT = 5
# Fixed-string requests before each timed page, on the same connection.
FIXED_EACH = 3
REQUEST_TIMEOUT = 600
# Timed requests of each export (at the opt-in large sizes, one: 2 minutes for the CSV).
EXPORT_REPEAT = 2
PUBLIC_TARGET = 30.0
ADMIN_TARGET = 100.0
GROWTH_TARGET = 1.5
HIT_TARGET = 0.8
MEMORY_TARGET = 2.0
READERS = 4
CACHE_SECONDS = 20.0
EDITOR_INTERVAL = 0.5
WARM_UP_SECONDS = 60.0
FIXED_URL = "/bench/fixed/"
# Properties whose value the editor may extend with words ("... (as printed)").
WORDS_PROPERTIES = ("occupation", "platform", "pressure")
HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent.parent


def large():
    return os.environ.get("SOURCEBOOK_BENCH_LARGE", "") not in ("", "0")


def size_label(candidates):
    claims = candidates * shape.CLAIMS_PER_CANDIDATE
    if claims >= 1_000_000:
        return f"{claims / 1_000_000:g}M claims"
    return f"{claims / 1000:g}k claims"


# What is measured.


def public_pages(common_surname, profile, heavy, outlet, article):
    return [
        ("home", "/"),
        ("candidates", "/candidates/"),
        ("candidates sorted by status", "/candidates/?sort=status"),
        ("candidates elected", "/candidates/?status=elected"),
        (f"candidates search {common_surname}", f"/candidates/?{urlencode({'q': common_surname})}"),
        ("profile", f"/candidates/{profile.slug}/"),
        ("profile with many claims", f"/candidates/{heavy.slug}/"),
        ("outlets", "/outlets/"),
        ("outlet", f"/outlets/{outlet.slug}/"),
        ("article", f"/articles/{article.pk}/"),
        ("api candidates", "/api/candidates/"),
    ]


EXPORTS = [
    ("export claims.csv", "/export/claims.csv"),
    ("export popolo.json", "/export/popolo.json"),
]


def admin_pages(name, heavy):
    return [
        ("admin claims", "/admin/elections/claim/"),
        ("admin review queue", f"/admin/elections/claim/?state__exact={Claim.State.UNVERIFIED}"),
        ("admin claims by candidate name", f"/admin/elections/claim/?{urlencode({'q': name})}"),
        ("admin candidates", "/admin/elections/candidate/"),
        ("admin articles", "/admin/sources/article/"),
        ("admin candidate change form", f"/admin/elections/candidate/{heavy.pk}/change/"),
    ]


def _body_length(response):
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
        response.close()
        return size
    return len(response.content)


def count_queries(client, url, tries=2):
    """(queries, bytes, a built export's header) of `url` through the test client, in this
    process, on the last of `tries` requests (the first fills the per-process caches:
    content types, templates; an export, which takes seconds, is asked for once)."""
    for _ in range(tries):
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            size = _body_length(response)
        # Counted now: the next request's start empties the log the context reads from.
        count = len(queries)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return count, size, response.get("X-Export-Built")


class Connection:
    """One keep-alive HTTP connection to the server, with the fixed string's times on it."""

    def __init__(self, port, cookie=""):
        import http.client

        self.conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        self.headers = {"Cookie": cookie} if cookie else {}
        self.fixed = []

    def get(self, url):
        """Seconds to the last byte of `url`'s answer.

        A connection left idle past the server's keep-alive (the admin's, while the public
        one downloads a two-minute export at 2M claims) is closed by the server, as HTTP
        allows: the request is sent again on a new connection, as a browser would."""
        import http.client

        started = time.perf_counter()
        try:
            self.conn.request("GET", url, headers=self.headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.conn.close()
            started = time.perf_counter()
            self.conn.request("GET", url, headers=self.headers)
            response = self.conn.getresponse()
        while response.read(1 << 20):
            pass
        seconds = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
        return seconds

    def fixed_string(self, count=FIXED_EACH):
        for _ in range(count):
            self.fixed.append(self.get(FIXED_URL))

    def fixed_ms(self):
        return statistics.median(self.fixed) * 1000

    def close(self):
        self.conn.close()


def measure(pages, exports, admin, admin_user):
    """{page: [ms, ratio, queries, bytes, built]} at the data's present size.

    Queries through the test client in this process; times over HTTP from gunicorn with the
    page cache off, in REPEAT rounds over every page (the exports in EXPORT_REPEAT of them),
    each request after FIXED_EACH of the fixed string on the same connection, so that a
    burst of load on the machine falls on every page alike rather than on one.
    """
    from django.conf import settings

    export_repeat = 1 if large() else EXPORT_REPEAT
    public_client = Client(HTTP_HOST=HOST)
    admin_client = Client(HTTP_HOST=HOST)
    admin_client.force_login(admin_user)
    cookie = (
        f"{settings.SESSION_COOKIE_NAME}={admin_client.cookies[settings.SESSION_COOKIE_NAME].value}"
    )
    results = {}
    with override_settings(SOURCEBOOK_PUBLIC_CACHE=False, ALLOWED_HOSTS=[HOST, "testserver"]):
        for group, client in (
            (pages, public_client),
            (exports, public_client),
            (admin, admin_client),
        ):
            tries = 1 if group is exports else 2
            for name, url in group:
                results[name] = [None, None, *count_queries(client, url, tries)]
    # The server checks the session made here: the same secret key.
    with shape.serve(PUBLIC_CACHE="0", SECRET_KEY=settings.SECRET_KEY) as port:
        public, private = Connection(port), Connection(port, cookie)
        plan = [(name, url, public) for name, url in pages]
        plan += [(name, url, public) for name, url in exports]
        plan += [(name, url, private) for name, url in admin]
        times = {name: [] for name, _url, _conn in plan}
        try:
            for name, url, conn in plan:
                if (name, url) not in exports:
                    conn.get(url)
            for conn in (public, private):
                for _ in range(20):
                    conn.get(FIXED_URL)
            for number in range(REPEAT):
                for name, url, conn in plan:
                    if number >= export_repeat and (name, url) in exports:
                        continue
                    conn.fixed_string()
                    times[name].append(conn.get(url))
        finally:
            public.close()
            private.close()
    for name, _url, conn in plan:
        ms = statistics.median(times[name]) * 1000
        results[name][:2] = [ms, ms / conn.fixed_ms()]
    print(
        f"bench: growth fixed string over HTTP: {public.fixed_ms():.3f} ms, "
        f"{private.fixed_ms():.3f} ms with the admin's session cookie",
        flush=True,
    )
    return results


def report(bench, label, results, kinds):
    for name, (ms, ratio, queries, size, built) in results.items():
        kind = kinds[name]
        note = f"; a built export served ({built})" if built else ""
        print(
            f"bench: growth {name} at {label}: {ms:.1f} ms, {queries} queries, "
            f"{size:,} bytes{note}",
            flush=True,
        )
        if kind == "export":
            bench.figure(f"growth {name} ratio at {label}", ratio, "×", "report only", True)
        else:
            target = PUBLIC_TARGET if kind == "public" else ADMIN_TARGET
            bench.figure(
                f"growth {name} ratio at {label}", ratio, "×", f"≤ {target:g}×", ratio <= target
            )


def report_growth(bench, labels, small, big, kinds):
    for name in small:
        ratio = big[name][1] / small[name][1]
        print(
            f"bench: growth {name}: {small[name][0]:.1f} ms → {big[name][0]:.1f} ms "
            f"({labels[0]} → {labels[1]})",
            flush=True,
        )
        if kinds[name] == "export":
            target, met = "report only (an export is the whole record)", True
        else:
            target, met = f"≤ {GROWTH_TARGET:g}×", ratio <= GROWTH_TARGET
        bench.figure(f"growth {name} growth", ratio, "×", target, met)
        if kinds[name] == "admin":
            before, after = small[name][2], big[name][2]
            bench.figure(
                f"growth {name} queries at {labels[1]}",
                after,
                "queries",
                f"= {before} (at {labels[0]})",
                after == before,
            )


# The cache with an editor at work.


def _reader_urls(rng, popular, provinces, outlets, articles):
    profiles = [f"/candidates/{slug}/" for slug in popular]
    lists = ["/", "/candidates/", "/candidates/?page=2", "/candidates/?status=elected"]
    lists += [f"/candidates/?province={province.slug}" for province in provinces]
    lists += [f"/candidates/?{urlencode({'q': query})}" for query in shape.SEARCHES]
    others = ["/outlets/"] + [f"/outlets/{outlet.slug}/" for outlet in outlets]
    others += [f"/articles/{pk}/" for pk in articles]
    # The busiest profiles are asked for most: weights 1/rank (Zipf).
    weights = [1 / rank for rank in range(1, len(profiles) + 1)]
    return profiles, weights, lists, others


def _reader(port, urls, seed, deadline, tally):
    import http.client

    profiles, weights, lists, others = urls
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, port, timeout=shape.REQUEST_TIMEOUT)
    counts = Counter()
    try:
        while time.monotonic() < deadline:
            draw = rng.random()
            if draw < 0.6:
                url = rng.choices(profiles, weights)[0]
            elif draw < 0.85:
                url = rng.choice(lists)
            else:
                url = rng.choice(others)
            try:
                conn.request("GET", url)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                counts["errors"] += 1
                conn.close()
                continue
            counts[f"status {response.status}"] += 1
            counts[f"cache {response.getheader('X-Cache')}"] += 1
    finally:
        conn.close()
        tally.append(counts)


def _editor(stop, editor, claim_ids, saves, errors, public):
    """Save a claim every EDITOR_INTERVAL seconds: its note (`public` False: nothing the
    public sees), or its printed value, alternately sent back to review and verified again
    by another account (`public` True: the fact leaves the public record, then returns)."""
    from django.contrib.auth import get_user_model

    from elections.services import claim_update, claim_verify

    rng = random.Random(5)
    reviewer = None
    if public:
        reviewer, _ = get_user_model().objects.get_or_create(
            username="bench-growth-reviewer", defaults={"is_superuser": True, "is_staff": True}
        )
    try:
        while not stop.wait(EDITOR_INTERVAL):
            claim = Claim.objects.get(pk=rng.choice(claim_ids))
            try:
                if not public:
                    claim_update(
                        claim=claim, note=f"Checked again ({saves[0]}).", acting_user=editor
                    )
                elif claim.state == Claim.State.VERIFIED:
                    claim_update(
                        claim=claim, value=f"{claim.value} (as printed)", acting_user=editor
                    )
                else:
                    claim_verify(claim=claim, acting_user=reviewer)
                saves[0] += 1
            except Exception as error:  # reported, not fatal: the figure says how many saves
                errors.append(traceback.format_exc() if not errors else repr(error))
    finally:
        connections.close_all()


def _read_for(port, urls, seconds):
    tally, threads = [], []
    deadline = time.monotonic() + seconds
    for number in range(READERS):
        thread = threading.Thread(
            target=_reader, args=(port, urls, number, deadline, tally), daemon=True
        )
        threads.append(thread)
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + shape.REQUEST_TIMEOUT + 5)
    return sum(tally, Counter())


def _hit_ratio(counts):
    hits, misses = counts["cache hit"], counts["cache miss"]
    return hits / max(1, hits + misses)


def cache_with_editors(bench, admin_user, provinces):
    rng = random.Random(11)
    published = list(
        Candidate.objects.filter(state=Candidate.State.PUBLISHED).values_list("slug", flat=True)
    )
    popular = rng.sample(published, min(shape.POPULAR_PROFILES, len(published)))
    outlets = list(Outlet.objects.order_by("pk")[:10])
    articles = list(Article.objects.order_by("pk").values_list("pk", flat=True)[:20])
    urls = _reader_urls(rng, popular, provinces, outlets, articles)
    # The claims the editor changes: verified claims of published candidates, anywhere, of
    # the properties whose value is words (an age or a name with words added would be
    # refused, and half the saves would change nothing).
    sample = rng.sample(range(len(published)), min(500, len(published)))
    chosen = [published[number] for number in sample]
    claim_ids = list(
        Claim.objects.filter(
            candidate__slug__in=chosen,
            state=Claim.State.VERIFIED,
            property__in=WORDS_PROPERTIES,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    every = [*urls[0], *urls[2], *urls[3]]
    with shape.serve(PUBLIC_CACHE="1") as port:
        shape.load(port, every, seconds=WARM_UP_SECONDS, passes=1)
        quiet = _read_for(port, urls, CACHE_SECONDS / 4)
        phases = {}
        for public in (False, True):
            stop, saves, errors = threading.Event(), [0], []
            editor = threading.Thread(
                target=_editor,
                args=(stop, admin_user, claim_ids, saves, errors, public),
                daemon=True,
            )
            editor.start()
            phases[public] = (_read_for(port, urls, CACHE_SECONDS), saves[0], errors)
            stop.set()
            editor.join(timeout=30)
    busy = phases[True][0] + phases[False][0]
    print(f"bench: growth cache without editors: {dict(quiet)}", flush=True)
    bench.figure(
        "growth cache hit ratio without editors", _hit_ratio(quiet), "fraction", "report only", True
    )
    for public, (counts, saved, errors) in phases.items():
        work = "changing a public fact" if public else "saving a claim's note"
        print(f"bench: growth cache with an editor {work}: {dict(counts)}", flush=True)
        if errors:
            print(
                f"bench: growth editor's failed saves: {len(errors)}; the first:\n{errors[0]}",
                flush=True,
            )
        ratio = _hit_ratio(counts)
        bench.figure(
            f"growth cache hit ratio with an editor {work} every {EDITOR_INTERVAL:g} s "
            f"({saved} saves)",
            ratio,
            "fraction",
            f"≥ {HIT_TARGET:g}",
            ratio >= HIT_TARGET,
        )
    failed = sum(n for key, n in busy.items() if key.startswith("status ") and key != "status 200")
    failed += busy["errors"] + quiet["errors"]
    bench.figure("growth cache failed requests", failed, "requests", "0", failed == 0)


# Memory.

BARE_SETTINGS = """\
SECRET_KEY = "bare-django-for-the-benchmark"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "bare_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": BARE_DATABASE}
STATIC_URL = "static/"
USE_TZ = True
"""

BARE_WSGI = """\
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
"""

BARE_URLS = """\
from django.contrib import admin
from django.http import HttpResponse
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", lambda request: HttpResponse("ok")),
    path("bench/fixed/", lambda request: HttpResponse("a fixed string")),
]
"""

# Run `manage.py ARGS` and print the process's own peak RSS (kB) as it exits.
PEAK_CHILD = """\
import atexit, sys

def _peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                sys.stdout.write("\\nPEAK_KB " + line.split()[1] + "\\n")
                sys.stdout.flush()

atexit.register(_peak)
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", *sys.argv[1:]])
"""


@contextmanager
def bare_project():
    """A bare Django project in a temporary folder: (its folder, its environment). It names
    a database of the same engine as this run's (so that both load the same driver); the
    pages its worker serves (a fixed string, the admin's login form) read none."""
    from django.conf import settings as project

    with tempfile.TemporaryDirectory(prefix="sourcebook-bare-") as folder:
        ours = project.DATABASES["default"]
        database = {"ENGINE": ours["ENGINE"], "NAME": str(Path(folder) / "bare.sqlite3")}
        if ours["ENGINE"] != "django.db.backends.sqlite3":
            database = {key: ours[key] for key in ("ENGINE", "NAME", "USER", "HOST", "PORT")}
        settings = BARE_SETTINGS.replace("BARE_DATABASE", repr(database))
        Path(folder, "bare_settings.py").write_text(settings)
        Path(folder, "bare_urls.py").write_text(BARE_URLS)
        Path(folder, "bare_wsgi.py").write_text(BARE_WSGI)
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="bare_settings", PYTHONPATH=folder)
        env.pop("DATABASE_URL", None)
        yield folder, env


def check_peak(folder, env):
    """(peak kB, seconds) of `manage.py check` run in `folder` with `env`."""
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-c", PEAK_CHILD, "check"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if completed.returncode != 0:
        raise RuntimeError(f"manage.py check failed:\n{completed.stdout}\n{completed.stderr}")
    peak = [line for line in completed.stdout.splitlines() if line.startswith("PEAK_KB ")]
    return int(peak[-1].split()[1]), seconds


def _status_kb(pid, key):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {key} for {pid}")


def worker_rss(folder, env, application, urls, login=None):
    """The RSS (kB) of a gunicorn sync worker of `application` once it served `urls`."""
    port = shape.free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        application,
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        "1",
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
    ]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=log)
        try:
            shape._wait_ready(process, port, log)
            for _ in range(3):
                for url in urls:
                    status = shape.get_once(port, url)[0]
                    if status != 200:
                        raise RuntimeError(f"{application}: {url} answered {status}")
            children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text()
            worker = int(children.split()[0])
            return _status_kb(worker, "VmRSS")
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def memory(bench, profile_url):
    project_env = dict(os.environ)
    project_env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    with bare_project() as (folder, bare_env):
        bare_peak, bare_seconds = check_peak(folder, bare_env)
        peak, seconds = check_peak(ROOT, project_env)
        print(
            f"bench: growth manage.py check: this project {peak / 1024:.0f} MB in {seconds:.2f} s, "
            f"bare Django {bare_peak / 1024:.0f} MB in {bare_seconds:.2f} s",
            flush=True,
        )
        ratio = peak / bare_peak
        bench.figure(
            "growth manage.py check peak memory vs bare Django",
            ratio,
            "×",
            f"≤ {MEMORY_TARGET:g}×",
            ratio <= MEMORY_TARGET,
        )
        bench.figure(
            "growth manage.py check time vs bare Django",
            seconds / bare_seconds,
            "×",
            "report only",
            True,
        )
        bare_rss = worker_rss(
            folder, bare_env, "bare_wsgi:application", ["/bench/fixed/", "/admin/login/"]
        )
    worker_env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.bench")
    urls = ["/", "/candidates/", profile_url, "/outlets/", "/admin/login/"]
    rss = worker_rss(ROOT, worker_env, "config.wsgi:application", urls)
    print(
        f"bench: growth gunicorn worker RSS after serving a few pages: this project "
        f"{rss / 1024:.0f} MB, bare Django {bare_rss / 1024:.0f} MB",
        flush=True,
    )
    ratio = rss / bare_rss
    bench.figure(
        "growth gunicorn worker memory vs bare Django",
        ratio,
        "×",
        f"≤ {MEMORY_TARGET:g}×",
        ratio <= MEMORY_TARGET,
    )


# The run.


def run(bench):
    sizes = [bench.size(size) for size in (LARGE_SIZES if large() else DEFAULT_SIZES)]
    labels = [size_label(size) for size in sizes]
    print(
        f"bench: growth sizes: {sizes[0]:,} and {sizes[1]:,} candidates ({labels[0]} and "
        f"{labels[1]}), on {connection.vendor}"
        + (
            ""
            if large()
            else "; the 200k and 2M claims run is opt-in: BENCH_ARGS='-k growth --large'"
        ),
        flush=True,
    )
    user = get_user_model().objects.create_superuser("bench-admin", "bench@example.org", "x")
    dataset = Dataset()
    measured = []
    for size, label in zip(sizes, labels, strict=True):
        seconds = dataset.grow(size)
        print(
            f"bench: growth loaded {dataset.candidates:,} candidates, {dataset.claims:,} claims, "
            f"{dataset.articles:,} articles in {seconds:.0f} s",
            flush=True,
        )
        heavy = Candidate.objects.get(pk=dataset.candidate_id(0))
        profile = (
            Candidate.objects.filter(state=Candidate.State.PUBLISHED)
            .exclude(pk=heavy.pk)
            .order_by("pk")
            .first()
        )
        outlet = Outlet.objects.get(slug="outlet-0")
        article = Article.objects.get(pk=dataset.article_id(0))
        pages = public_pages("wang", profile, heavy, outlet, article)
        admin = admin_pages(heavy.display_name, heavy)
        kinds = {name: "public" for name, _url in pages}
        kinds.update({name: "export" for name, _url in EXPORTS})
        kinds.update({name: "admin" for name, _url in admin})
        started = time.monotonic()
        results = measure(pages, EXPORTS, admin, user)
        print(f"bench: growth measured {label} in {time.monotonic() - started:.0f} s", flush=True)
        report(bench, label, results, kinds)
        measured.append(results)
    report_growth(bench, labels, measured[0], measured[1], kinds)
    cache_with_editors(bench, user, dataset.provinces)
    memory(bench, f"/candidates/{profile.slug}/")
