"""An editor saving claims while a big candidate sheet is imported, against the same saves
with nothing else running (PostgreSQL only).

The editor's save is `claim_create_from_quote` as an editor (what the admin's claim form
calls): a new claim on a 2011 article, with its passage, its history and the detection of its
candidate's disputes. The idle saves are timed first (the median counts). Then another
process (a task worker, say) imports a sheet of 20,000 new candidates (with their places,
elections, candidacies and status steps) inside one transaction (`unit_of_work`, as the
confirm of a sheet runs), and keeps that transaction open once the rows are written until
the editor has saved again; the editor saves every quarter of a second from the
start of the import, then a few times while it is written but not committed, then once as
it commits. The figure is the slowest of those saves less the idle median: the time an
editor waits because of the import (target: under a second), and the same slowest save as
a ratio of the idle median.

Before the public-cache generation was set at commit, every write to a public table updated
the generation row, so a save had to wait for the import's transaction to end: the seconds
of its writing and of holding it open (capped here at `HOLD_SECONDS`).

SQLite lets one transaction write at a time, whatever the triggers do, so the benchmark
needs PostgreSQL (`BENCH_DATABASE_URL=postgres://...`); on SQLite it says so and reports
nothing.
"""

import csv
import io
import multiprocessing
import random
import statistics
import time

from django.db import connection, connections

from elections.models import Candidate, Place, Property
from elections.resources import CandidateResource
from elections.services import candidate_create, claim_create_from_quote
from elections.services.places import place_create
from sources.audit import system_user, unit_of_work
from sources.dates import PartialDate
from sources.services import article_create, outlet_for_name
from sources.sheets import read_sheet
from tests.factories import make_user

ROWS = 20_000
IDLE_SAVES = 9
SAVES_WHILE_OPEN = 3
SAVE_EVERY = 0.25
HOLD_SECONDS = 30
TARGET_SECONDS = 1.0
PLACES = {
    "浙江省": ("杭州市", "宁波市", "温州市", "绍兴市"),
    "江西省": ("南昌市", "新余市", "九江市", "赣州市"),
    "四川省": ("成都市", "绵阳市", "德阳市", "宜宾市"),
}
SURNAMES = "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo"
SYLLABLES = "an bo chen dong fang gang hua jian jun lei li ling min ming ning peng qiang rong"
STATUSES = ("declared", "seeking nomination", "宣布参选", "barred", "withdrew")
SCHOOLS = 400


def _places():
    cities = []
    for province_zh, city_names in PLACES.items():
        province = place_create(
            level=Place.Level.PROVINCE, name_zh=province_zh, acting_user=system_user()
        )
        for city_zh in city_names:
            city = place_create(
                level=Place.Level.CITY, name_zh=city_zh, parent=province, acting_user=system_user()
            )
            cities.append((province, city))
    return cities


def _sheet(rows, cities, rng):
    """A candidates sheet of `rows` new people, each with a place and a status."""
    columns = ["slug", "name", "gender", "birth_year", "province", "city", "status", "notes"]
    surnames, syllables = SURNAMES.split(), SYLLABLES.split()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for number in range(rows):
        province, city = rng.choice(cities)
        given = (rng.choice(syllables) + rng.choice(syllables)).capitalize()
        writer.writerow(
            [
                f"imported-{number:06d}",
                f"{rng.choice(surnames)} {given}",
                rng.choice(("male", "female", "男", "女")),
                rng.randint(1940, 1990),
                province.name,
                city.name,
                rng.choice(STATUSES),
                f"Made-up candidate number {number}.",
            ]
        )
    return out.getvalue().encode("utf-8")


class Editor:
    """An editor recording one new claim at a time, each timed."""

    def __init__(self, schools=SCHOOLS):
        self.user = make_user("Editors")
        outlet = outlet_for_name(name="Xinyu Evening News", acting_user=system_user())
        # One sentence per claim the editor saves: `schools` claims at most.
        sentences = [f"Liu Ping taught at school number {n} in Xinyu." for n in range(schools)]
        self.article = article_create(
            outlet=outlet,
            title="Liu Ping's schools",
            text=" ".join(sentences),
            published=PartialDate(2011, 6, 2),
            acting_user=system_user(),
        )
        self.candidates = [
            candidate_create(display_name=f"Liu Ping {n}", acting_user=system_user())
            for n in range(20)
        ]
        self.saved = 0

    def save(self):
        """Record the next claim; return the seconds it took."""
        number = self.saved
        self.saved += 1
        started = time.perf_counter()
        claim_create_from_quote(
            candidate=self.candidates[number % len(self.candidates)],
            property=Property.OCCUPATION,
            value=f"teacher at school number {number}",
            article=self.article,
            quote=f"taught at school number {number} in Xinyu",
            acting_user=self.user,
        )
        return time.perf_counter() - started


def _import(sheet, written, release, outcome):
    """In a process of its own (a task worker): import `sheet` in one transaction, and hold
    it open once written until `release` is set."""
    try:
        started = time.perf_counter()
        with unit_of_work():
            result = CandidateResource().import_data(
                read_sheet(sheet, name="candidates.csv"), user=system_user()
            )
            problems = [str(problem) for problem in result.problems()[:5]]
            if result.has_errors() or result.has_validation_errors():
                problems = problems or ["the import failed"]
            outcome.put((result.totals["new"], time.perf_counter() - started, problems))
            written.set()
            release.wait(HOLD_SECONDS)
    except Exception as error:
        outcome.put((0, 0.0, [repr(error)]))
    finally:
        written.set()
        connections.close_all()


def run(bench):
    if connection.vendor != "postgresql":
        print(
            "bench: claim_save_during_import: skipped: it needs PostgreSQL (SQLite writes one "
            "transaction at a time); set BENCH_DATABASE_URL=postgres://...",
            flush=True,
        )
        return
    rng = random.Random(2011)
    cities = _places()
    rows = bench.size(ROWS)
    sheet = _sheet(rows, cities, rng)
    editor = Editor()
    editor.save()
    idle = statistics.median(editor.save() for _ in range(IDLE_SAVES))

    # The child must not share this process's connection: each opens its own.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    written, release, outcome = context.Event(), context.Event(), context.Queue()
    importing = context.Process(target=_import, args=(sheet, written, release, outcome))
    importing.start()
    writing = []
    while not written.is_set():
        writing.append(editor.save())
        written.wait(SAVE_EVERY)
    held = [editor.save() for _ in range(SAVES_WHILE_OPEN)]
    release.set()
    committing = editor.save()
    new, seconds, problems = outcome.get(timeout=HOLD_SECONDS)
    importing.join(HOLD_SECONDS)
    if problems or new != rows:
        raise RuntimeError(f"the benchmark sheet did not import ({new} new): {problems}")
    if Candidate.objects.filter(slug__startswith="imported-").count() != rows:
        raise RuntimeError("the import's transaction did not commit")

    during = [*writing, *held, committing]
    worst = max(during)
    added = worst - idle
    print(
        f"bench: imported {rows} candidates in {seconds:.1f} s; saves: idle median "
        f"{idle:.3f} s; while it wrote {len(writing)}, median "
        f"{statistics.median(writing or [0]):.3f} s, slowest {max(writing or [0]):.3f} s; "
        f"written, not committed: slowest {max(held):.3f} s; as it committed "
        f"{committing:.3f} s",
        flush=True,
    )
    met = added < TARGET_SECONDS
    bench.figure("claim_save_during_import_added", added, "s", f"< {TARGET_SECONDS:g} s more", met)
    bench.figure(
        "claim_save_during_import_vs_idle",
        worst / idle,
        "x",
        f"< {TARGET_SECONDS:g} s more than idle ({(idle + TARGET_SECONDS) / idle:.1f}x here)",
        met,
    )
