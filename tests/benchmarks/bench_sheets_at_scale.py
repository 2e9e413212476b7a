"""Sheets at the upload cap: a 200,000-row candidate sheet and a 200,000-row claim sheet,
each confirmed the way the admin confirms a big sheet, as a `sheet_confirm` task run.

Each import runs in a process of its own (forked before anything is built), so that its peak
resident set size (`resource.getrusage`, ru_maxrss) is that sheet's: building the sheet and,
for claims, the articles they quote, then storing the upload, reading it back and importing
it all or nothing with progress. Time per row is reported; peak memory is held to the bound
the README states for an import (IMPORT_BOUND_MB). The ratios of the 10,000- and 100,000-row
sheets against bulk inserts are `bench_import_sheets`'s.
"""

import multiprocessing
import random
import resource
import time

from django.db import connections

from tests.benchmarks.bench_import_sheets import (
    _articles,
    _candidate_sheet,
    _claim_sheet,
    _people,
    _places,
)

ROWS = 200_000
# `_people` draws names from about 19,000 two-syllable combinations; beyond that, copies of
# them get a distinct third syllable-like suffix (letters), so that every name stays unique.
DISTINCT_NAMES = 15_000
# The bound the README states for the process importing any sheet within the caps.
IMPORT_BOUND_MB = 2048
# Each person appears in two articles with five claims each: ten claim rows per person.
CLAIMS_PER_PERSON = 10


def _many_people(count, rng):
    """`count` made-up people with distinct names and slugs, however many are asked for."""
    base = _people(min(count, DISTINCT_NAMES), rng)
    people = []
    for number in range(count):
        person = dict(base[number % len(base)])
        round_, suffix = number // len(base), ""
        while round_:
            round_, letter = divmod(round_ - 1, 26)
            suffix = chr(ord("a") + letter) + suffix
        if suffix:
            person["name"] = f"{person['name']}{suffix}"
            person["name_zh"] = ""
        person["slug"] = f"candidate-{number:06d}"
        person["notes"] = ""  # 200,000 rows with notes are past the 20 MB upload cap
        people.append(person)
    return people


def _confirm(data, model, *, file_name):
    """Store `data` as the system account's upload and confirm it as a task; (run, seconds)."""
    from sources.audit import system_user
    from sources.services.uploads import upload_create
    from sources.tasks import run_here

    owner = system_user()
    upload = upload_create(data=data, file_name=file_name, acting_user=owner)
    started = time.perf_counter()
    run = run_here(
        "sheet_confirm",
        owner=owner,
        arguments={"upload": upload.token, "model": model, "resource": 0, "format": 0},
    )
    seconds = time.perf_counter() - started
    if run.state != "succeeded":
        raise RuntimeError(f"the {model} sheet was not imported: {run.error[:500]}")
    return run, seconds


def _candidates(rows, pipe):
    _report_errors(_candidates_work, rows, pipe)


def _report_errors(work, rows, pipe):
    """Run `work` in the child, printing its traceback before the child dies of it."""
    import traceback

    try:
        work(rows, pipe)
    except BaseException:
        traceback.print_exc()
        raise


def _candidates_work(rows, pipe):
    rng = random.Random(2012)
    people = _many_people(rows, rng)
    sheet = _candidate_sheet(people, _places(), rng)
    run, seconds = _confirm(sheet, "elections.candidate", file_name="candidates.csv")
    pipe.send((run.result["new"], seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def _claims(rows, pipe):
    _report_errors(_claims_work, rows, pipe)


def _claims_work(rows, pipe):
    from django.conf import settings

    from elections.models import Place

    # 200,000 claim rows, each with its quoted sentence and article URL, are about 26 MB:
    # past the default 20 MB cap, which a newsroom raises (SOURCEBOOK_IMPORT_MAX_BYTES) for
    # such sheets; the rows, cells and memory caps stay as they are.
    settings.SOURCEBOOK_IMPORT_MAX_BYTES = 32 * 1024 * 1024

    rng = random.Random(2013)
    people = _many_people(max(1, rows // CLAIMS_PER_PERSON), rng)
    for person in people:  # other people than the candidate sheet's
        person["slug"] = f"claimed-{person['slug']}"
    cities = [(city.parent, city) for city in Place.objects.filter(level="city")]
    from elections.resources import CandidateResource
    from sources.audit import system_user
    from sources.sheets import read_sheet

    # The people the claims are about (the sheet also gives each a place, which the articles
    # name), imported as any candidate sheet; the clock is the claim sheet's only.
    people_sheet = _candidate_sheet(people, cities, rng)
    CandidateResource().import_data(read_sheet(people_sheet, name="people.csv"), user=system_user())
    data, _rows = _claim_sheet(_articles(people, rng))
    run, seconds = _confirm(data, "elections.claim", file_name="claims.csv")
    pipe.send((run.result["new"], seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def _in_child(work, rows):
    """Run `work(rows, pipe)` in a forked process; return what it sends back."""
    connections.close_all()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=work, args=(rows, send))
    child.start()
    send.close()  # the child's end: if it dies, the read below ends instead of waiting
    try:
        result = receive.recv()
    except EOFError:
        result = None
    child.join()
    if child.exitcode or result is None:
        raise RuntimeError(f"{work.__name__} failed in its process ({child.exitcode})")
    return result


def run(bench):
    rows = bench.size(ROWS)
    for name, work in (("candidates", _candidates), ("claims", _claims)):
        imported, seconds, peak_kb = _in_child(work, rows)
        if imported < rows * 0.99:
            raise RuntimeError(f"the {name} sheet created {imported} of {rows} rows")
        bench.figure(
            f"sheet_{name}_{rows}_rows_ms_per_row", 1000 * seconds / imported, "ms", "report", True
        )
        peak = peak_kb / 1024
        bench.figure(
            f"sheet_{name}_{rows}_rows_peak_rss",
            peak,
            "MB",
            f"< {IMPORT_BOUND_MB} MB",
            peak < IMPORT_BOUND_MB,
        )
