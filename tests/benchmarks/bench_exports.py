"""The open-data exports built ahead: served as files, built in memory that does not grow.

At two sizes (2,000 and 8,000 published candidates by default, each with two other forms of
the name, a candidacy with two status steps and four verified claims from 200 articles,
built with bulk_create in a few seconds; `SOURCEBOOK_BENCH_EXPORT_SIZES=10000,100000` or
`SOURCEBOOK_BENCH_LARGE=1` for larger ones):

- Building. Each export is built as the task builds it (its bytes written into the database
  by `export_store`), under tracemalloc: the peak of Python's allocations during the build,
  in MB, at each size, and its growth from the smaller size to the larger (target: flat,
  at most 1.2 times). The export's size and the build's time are reported.
- Serving. gunicorn (settings `config.settings.bench`, one sync-free gthread worker pool as
  bench_public_pages) serves the site; the exports are built for its origin, then each is
  downloaded (best of 5, after one download that makes the server's copy) beside a static
  file of exactly its size served by the same server (WhiteNoise). Figure: the download's
  time over the static file's (target: at most 2).

The default run takes about two minutes on 2 shared cores.
"""

import datetime
import hashlib
import http.client
import os
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from elections.models import (
    Candidacy,
    CandidacyStatus,
    Candidate,
    CandidateName,
    Claim,
    Election,
    ExportFile,
    Place,
)
from sources.models import Article, Outlet, Passage
from tests.benchmarks.bench_public_pages import get_once, serve

SIZES = (2_000, 8_000)
LARGE_SIZES = (10_000, 100_000)
ARTICLES = 200
PLACES = 30
DOWNLOADS = 5
BATCH = 5_000
GROWTH_TARGET = 1.2
SERVE_TARGET = 2.0
ORIGIN = "http://bench.example"
TEXT = (
    "{name}, a {occupation} from {city}, said she would stand as an independent candidate "
    "for the people's congress; the police visited her twice."
)
OCCUPATIONS = ["lawyer", "teacher", "shop owner", "engineer", "retired worker", "writer"]
FINALS = ["elected", "defeated", "withdrew", "barred", "official"]


def sizes():
    """The two sizes measured: SOURCEBOOK_BENCH_EXPORT_SIZES, or the large ones on request."""
    named = os.environ.get("SOURCEBOOK_BENCH_EXPORT_SIZES", "")
    if named:
        return tuple(int(part) for part in named.split(","))
    if os.environ.get("SOURCEBOOK_BENCH_LARGE", "") not in ("", "0"):
        return LARGE_SIZES
    return SIZES


def _places_and_articles():
    province = Place.objects.create(
        level=Place.Level.PROVINCE,
        name="Benchland",
        name_zh="本奇省",
        code="970000",
        slug="benchland",
    )
    places = Place.objects.bulk_create(
        Place(
            level=Place.Level.CITY,
            name=f"City {number}",
            name_zh=f"城{number}市",
            code=f"99{number:02d}00",
            slug=f"city-{number}",
            parent=province,
            province=province,
        )
        for number in range(PLACES)
    )
    Election.objects.bulk_create(
        Election(
            name=f"City {number} People's Congress, 2011",
            slug=f"city-{number}-2011",
            place=place,
            level=Election.Level.COUNTY,
            polling_on=datetime.date(2011, 11, 1 + number % 28),
        )
        for number, place in enumerate(places)
    )
    outlets = Outlet.objects.bulk_create(
        Outlet(name=f"Outlet {number}", slug=f"outlet-{number}", kind="newspaper")
        for number in range(10)
    )
    texts = [
        TEXT.format(
            name=f"Person {number}",
            occupation=OCCUPATIONS[number % 6],
            city=f"City {number % PLACES}",
        )
        for number in range(ARTICLES)
    ]
    articles = Article.objects.bulk_create(
        Article(
            outlet=outlets[number % len(outlets)],
            title=f"Independents, report {number}",
            url=f"https://news.example/{number}" if number % 3 else "",
            language="en",
            published_on=datetime.date(2011, 4 + number % 7, 1 + number % 28),
            text=text,
            source_text=text,
        )
        for number, text in enumerate(texts)
    )
    Passage.objects.bulk_create(
        Passage(article=article, start=0, end=len(text), exact=text, prefix="", suffix="")
        for article, text in zip(articles, texts, strict=True)
    )


def load(count, *, first=0, seed=2011):
    """`count` published candidates (numbered from `first`: call again to add more) with
    names, a candidacy with two status steps and four verified claims each, in a few bulk
    inserts (a few seconds for 10,000); places, elections and articles made on the first
    call."""
    rng = random.Random(seed + first)
    with transaction.atomic():
        if not Place.objects.filter(slug="benchland").exists():
            _places_and_articles()
        elections = list(Election.objects.filter(place__parent__slug="benchland").order_by("pk"))
        articles = list(
            Article.objects.filter(title__startswith="Independents, report").order_by("pk")
        )
        passages = {
            passage.article_id: passage
            for passage in Passage.objects.filter(article__in=articles).order_by("pk")
        }
        passages = [passages[article.pk] for article in articles]
        now = timezone.now()
        candidates = Candidate.objects.bulk_create(
            (
                Candidate(
                    display_name=f"Candidate {number}",
                    name_zh=f"候选人{number}",
                    gender=rng.choice(["male", "female"]),
                    birth_year=1950 + number % 40 if number % 4 else None,
                    slug=f"candidate-{number}",
                    state="published",
                    published_at=now,
                )
                for number in range(first, first + count)
            ),
            batch_size=BATCH,
        )
        CandidateName.objects.bulk_create(
            (
                CandidateName(candidate=candidate, name=f"{form} {number}", kind=kind)
                for number, candidate in enumerate(candidates, start=first)
                for form, kind in (("Hòuxuǎnrén", "pinyin"), ("Houxuanren", "english"))
            ),
            batch_size=BATCH,
        )
        runs = Candidacy.objects.bulk_create(
            (
                Candidacy(candidate=candidate, election=elections[number % PLACES])
                for number, candidate in enumerate(candidates, start=first)
            ),
            batch_size=BATCH,
        )
        claims, steps = [], []
        for number, (candidate, run) in enumerate(zip(candidates, runs, strict=True), start=first):
            final = FINALS[number % len(FINALS)]
            for slot, (prop, value, on_run) in enumerate(
                (
                    ("status", "declared", True),
                    ("status", final, True),
                    ("occupation", OCCUPATIONS[number % 6], False),
                    ("age", str(30 + number % 30), False),
                )
            ):
                index = (number + slot * 7) % ARTICLES
                claims.append(
                    Claim(
                        candidate=candidate,
                        candidacy=run if on_run else None,
                        property=prop,
                        value=value,
                        value_key=value,
                        passage=passages[index],
                        article=articles[index],
                        as_of=articles[index].published_on,
                        state="verified",
                        reviewed_at=now,
                    )
                )
        Claim.objects.bulk_create(claims, batch_size=BATCH)
        for offset, run in enumerate(runs):
            declared, last = claims[offset * 4], claims[offset * 4 + 1]
            steps.append(
                CandidacyStatus(
                    candidacy=run, status="declared", on=datetime.date(2011, 5, 20), claim=declared
                )
            )
            steps.append(
                CandidacyStatus(
                    candidacy=run, status=last.value, on=datetime.date(2011, 11, 2), claim=last
                )
            )
        CandidacyStatus.objects.bulk_create(steps, batch_size=BATCH)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return len(claims)


def build_peak(name, origin=ORIGIN):
    """Build the export `name` as the task does (its bytes kept by `export_store`) under
    tracemalloc; returns (peak MB of Python's allocations, the ExportFile, seconds)."""
    from elections.services.exports import export_store
    from elections.views.exports import (
        CLAIMS_CSV_TYPE,
        POPOLO_TYPE,
        claims_csv_bytes,
        popolo_bytes,
    )
    from sources.audit import system_user

    def build_url(path):
        return origin + path

    chunks, content_type = (
        (popolo_bytes(build_url), POPOLO_TYPE)
        if name == ExportFile.Name.POPOLO
        else (claims_csv_bytes(build_url), CLAIMS_CSV_TYPE)
    )
    user = system_user()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        built = export_store(
            name=name,
            origin=origin,
            generation=0,
            content_type=content_type,
            chunks=chunks,
            acting_user=user,
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024 / 1024, built, time.perf_counter() - started


def download_seconds(port, url):
    """The best of DOWNLOADS downloads of `url` (a fresh connection each), and its bytes."""
    best, body = float("inf"), b""
    for _ in range(DOWNLOADS):
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.request("GET", url)
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200, (url, response.status)
        finally:
            conn.close()
        best = min(best, time.perf_counter() - started)
    return best, body


def run(bench):
    from sources.audit import system_user
    from sources.tasks import run_here

    small, large = sizes()
    peaks = {}
    for size in (small, large):
        if size != small:
            call_command("flush", interactive=False, verbosity=0)
        started = time.monotonic()
        claims = load(size)
        print(
            f"bench: loaded {size} candidates and {claims} claims in "
            f"{time.monotonic() - started:.0f} s",
            flush=True,
        )
        for name in ExportFile.Name.values:
            # Once untraced first: what any first write of a process does (the service's
            # settling at commit, the URL resolver, the catalogs) is not the build's.
            build_peak(name)
            peak, built, seconds = build_peak(name)
            peaks[(name, size)] = peak
            label = name.replace(".", "_")
            bench.figure(f"export_{label}_build_peak_{size}", peak, "MB", "report only", True)
            print(
                f"bench: {name} at {size} candidates: {built.size / 1e6:.1f} MB built in "
                f"{seconds:.1f} s (under tracemalloc)",
                flush=True,
            )
    for name in ExportFile.Name.values:
        growth = peaks[(name, large)] / peaks[(name, small)]
        bench.figure(
            f"export_{name.replace('.', '_')}_build_peak_growth_{small}_to_{large}",
            growth,
            "ratio",
            f"<= {GROWTH_TARGET}",
            growth <= GROWTH_TARGET,
        )

    # Serving, at the larger size (the data loaded last).
    with tempfile.TemporaryDirectory(prefix="sourcebook-bench-exports-") as folder:
        static_root, copies = Path(folder) / "static", Path(folder) / "copies"
        static_root.mkdir()
        with serve(STATIC_ROOT=str(static_root), SOURCEBOOK_EXPORTS_DIR=str(copies)) as port:
            origin = f"http://127.0.0.1:{port}"
            task = run_here("exports_build", owner=system_user(), arguments={"origin": origin})
            assert task.state == "succeeded", task.error
            for name in ExportFile.Name.values:
                built = ExportFile.objects.get(name=name, origin=origin)
                static = static_root / f"same-size-{name}.bin"
                static.write_bytes(os.urandom(built.size))
                url = f"/export/{name}"
                status, first, _ = get_once(port, url)
                assert status == 200 and hashlib.sha256(first).hexdigest() == built.sha256
                exported, body = download_seconds(port, url)
                assert len(body) == built.size
                baseline, plain = download_seconds(port, f"/static/{static.name}")
                assert len(plain) == built.size
                ratio = exported / baseline
                label = name.replace(".", "_")
                print(
                    f"bench: {name} ({built.size / 1e6:.1f} MB): {exported * 1000:.1f} ms, "
                    f"a static file of its size {baseline * 1000:.1f} ms",
                    flush=True,
                )
                bench.figure(
                    f"export_{label}_download_vs_static_{large}",
                    ratio,
                    "ratio",
                    f"<= {SERVE_TARGET}",
                    ratio <= SERVE_TARGET,
                )
