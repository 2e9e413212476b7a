"""What the load run does: the data it prepares, the people it plays, and what it checks."""

import json
import random
import re
import secrets
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from elections.models import Candidate, Claim, Property
from sources.models import Article, Passage
from tests.load.client import Client

TOKEN = "load-"
# A write's token: TOKEN, the writer's username (load-editor-0), its number. An appended
# note also names its importer (load-importer-0), which is no token.
NOTE_TOKEN = re.compile(rf"{TOKEN}load-[\w-]+")
WORD = re.compile(r"\S+")


@dataclass
class World:
    """What the clients need to know of the database, read before the server starts."""

    published: list
    searches: list
    provinces: list
    outlets: list
    articles: list
    candidates: list
    editors: list
    importers: list
    claims_before: int
    passages_before: int


@dataclass
class Results:
    requests: list = field(default_factory=list)  # (route, status, seconds)
    errors: list = field(default_factory=list)  # (who, what)
    writes: list = field(default_factory=list)  # dicts: token, value, exact, start, end, article
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, route, status, seconds):
        with self.lock:
            self.requests.append((route, status, seconds))

    def error(self, who, what):
        with self.lock:
            self.errors.append((who, what))

    def wrote(self, **write):
        with self.lock:
            self.writes.append(write)


def _people(prefix, role, count):
    people = []
    group = Group.objects.get(name=role)
    for number in range(count):
        password = secrets.token_urlsafe(16)
        user, _ = User.objects.get_or_create(
            username=f"{prefix}-{number}", defaults={"is_staff": True}
        )
        # The server runs the production settings, whose hashers the test settings do not share.
        hasher = PBKDF2PasswordHasher()
        user.password = hasher.encode(password, hasher.salt())
        user.is_staff = True
        user.save()
        user.groups.add(group)
        people.append((user.username, password))
    return people


def prepare(*, editors, importers):
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", "--no-logins", verbosity=0)
    published = list(Candidate.objects.published().values_list("slug", flat=True))
    names = list(Candidate.objects.published().values_list("display_name", "name_zh"))
    searches = [name for pair in names for name in pair if name] + ["liu ping", "xu", "刘"]
    articles = [(a.pk, a.version, a.text) for a in Article.objects.all()]
    return World(
        published=published,
        searches=searches,
        provinces=["beijing", "zhejiang", "jiangxi"],
        outlets=list(Article.objects.values_list("outlet__slug", flat=True).distinct()),
        articles=articles,
        candidates=list(
            Candidate.objects.active().exclude(slug="xu-ruiyan").values_list("pk", flat=True)
        ),
        editors=_people("load-editor", "Editors", editors),
        importers=_people("load-importer", "Importers", importers),
        claims_before=Claim.objects.count(),
        passages_before=Passage.objects.count(),
    )


def _reader_paths(world, rng):
    from urllib.parse import quote

    slug = quote(rng.choice(world.published))
    return rng.choices(
        [
            ("profile", f"/candidates/{slug}/"),
            (
                "list",
                f"/candidates/?province={rng.choice(world.provinces)}&q={quote(rng.choice(world.searches))}",
            ),
            ("list", f"/candidates/?sort=verified&page=1&disputed={rng.choice(['yes', 'no'])}"),
            ("home", "/"),
            ("outlets", f"/outlets/{quote(rng.choice(world.outlets))}/"),
            ("api", f"/api/candidates/?q={quote(rng.choice(world.searches))}"),
            ("api", f"/api/candidates/{slug}/"),
            ("export", "/export/claims.csv"),
            ("export", "/export/popolo.json"),
        ],
        weights=[40, 15, 10, 10, 5, 8, 8, 2, 2],
    )[0]


def _read(world, results, port, deadline, number):
    rng = random.Random(number)
    client = Client("127.0.0.1", port)
    try:
        while time.monotonic() < deadline:
            route, path = _reader_paths(world, rng)
            status, _, _content, seconds = client.get(path)
            results.request(route, status, seconds)
            if status != 200:
                results.error(f"reader {number}", f"GET {path} answered {status}")
    except Exception as error:
        results.error(f"reader {number}", f"{type(error).__name__}: {error}")
    finally:
        client.close()


def _span(text, rng):
    """A few whole words of `text`, as an editor would select them."""
    words = [match.span() for match in WORD.finditer(text)]
    first = rng.randrange(len(words))
    last = min(len(words) - 1, first + rng.randrange(1, 6))
    return words[first][0], words[last][1]


def _edit(world, results, port, deadline, number):
    rng = random.Random(1000 + number)
    username, password = world.editors[number]
    client = Client("127.0.0.1", port)
    try:
        client.login(username, password)
        sequence = 0
        while time.monotonic() < deadline:
            article, version, text = rng.choice(world.articles)
            start, end = _span(text, rng)
            exact = text[start:end]
            token = f"{TOKEN}{username}-{sequence}"
            sequence += 1
            fields = {
                "start": start,
                "end": end,
                "exact": exact,
                "version": version,
                "new_candidate": "false",
                "candidate": rng.choice(world.candidates),
                "property": Property.OCCUPATION,
                "value": exact[:200],
                "note": token,
            }
            path = f"/admin/sources/article/{article}/annotate/claim/"
            status, _, content, seconds = client.post_form(
                path, fields, referer=f"/admin/sources/article/{article}/annotate/"
            )
            results.request("record claim", status, seconds)
            if status == 409 and b'"existing": true' in content:
                # Words already recorded as this claim (by this editor or another): the
                # annotate view answers with the existing claim and writes nothing.
                continue
            if status != 201:
                results.error(username, f"POST {path} answered {status}: {content[:300]!r}")
                continue
            results.wrote(
                token=token,
                value=" ".join(exact[:200].split()),
                exact=exact,
                start=start,
                end=end,
                article=article,
            )
    except Exception as error:
        results.error(username, f"{type(error).__name__}: {error}")
    finally:
        client.close()


def run(world, *, port, seconds, readers, editors, importers, stop):
    from tests.load import importing

    results = Results()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_read, args=(world, results, port, deadline, n))
        for n in range(readers)
    ]
    threads += [
        threading.Thread(target=_edit, args=(world, results, port, deadline, n))
        for n in range(editors)
    ]
    threads += [
        threading.Thread(target=importing.import_sheets, args=(world, results, port, deadline, n))
        for n in range(importers)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    results.elapsed = time.monotonic() - started
    return results


def verify(world, results):
    """Compare what the clients were told was written with what the database holds."""
    # A claim's note names the write that made it; a sheet row that records a claim already
    # there (an editor's, say) appends its own note, so one claim may name two writes.
    found = {
        token: claim
        for claim in Claim.objects.filter(note__contains=TOKEN).select_related("passage")
        for token in NOTE_TOKEN.findall(claim.note)
    }
    claims_found = len({claim.pk for claim in found.values()})
    made = {write["token"]: write for write in results.writes}
    missing = sorted(set(made) - set(found))
    unexpected = sorted(set(found) - set(made))
    wrong = []
    for token, write in made.items():
        claim = found.get(token)
        if claim is None:
            continue
        if claim.value != write["value"]:
            wrong.append(f"{token}: value {claim.value!r} != {write['value']!r}")
        if "exact" in write and (claim.passage.exact, claim.passage.start, claim.passage.end) != (
            write["exact"],
            write["start"],
            write["end"],
        ):
            wrong.append(f"{token}: passage differs from the selection")
    claims_added = Claim.objects.count() - world.claims_before
    by_route = defaultdict(list)
    for route, _status, seconds in results.requests:
        by_route[route].append(seconds)
    profile = sorted(by_route["profile"]) or [0.0]

    def percentile(values, fraction):
        return values[min(len(values) - 1, int(fraction * len(values)))] * 1000

    for who, what in results.errors[:20]:
        print(f"load: error: {who}: {what}")
    for kind, problems in (
        ("missing", missing),
        ("unacknowledged", unexpected),
        ("differs", wrong),
    ):
        for problem in problems[:10]:
            print(f"load: write problem: {kind}: {problem}")
    return [
        ("requests_served", len(results.requests), "requests", "report", True),
        (
            "requests_per_second",
            len(results.requests) / max(results.elapsed, 1e-9),
            "req/s",
            "report",
            True,
        ),
        ("errors", len(results.errors), "errors", "0", not results.errors),
        ("writes_made", len(made), "writes", "report", True),
        (
            "writes_found",
            len(set(made) & set(found)),
            "writes",
            f"{len(made)} (= writes made)",
            not missing,
        ),
        ("writes_unacknowledged_in_database", len(unexpected), "writes", "0", not unexpected),
        ("writes_differing_from_what_was_sent", len(wrong), "writes", "0", not wrong),
        (
            "claims_added_reconcile",
            claims_added,
            "claims",
            f"{claims_found} (= claims the writes found name)",
            claims_added == claims_found,
        ),
        ("profile_p50", percentile(profile, 0.50), "ms", "report", True),
        ("profile_p99", percentile(profile, 0.99), "ms", "report", True),
        ("profile_requests", len(by_route["profile"]), "requests", "report", True),
    ]


def report(figures):
    rows = []
    for name, value, unit, target, met in figures:
        print(
            f"load: {name}: {value:g} {unit} (target: {target})"
            if isinstance(value, float)
            else f"load: {name}: {value} {unit} (target: {target})"
        )
        rows.append(
            {"name": name, "value": value, "unit": unit, "target": target, "met": bool(met)}
        )
    with open("load-results.json", "w", encoding="utf-8") as handle:
        json.dump(rows, handle, indent=2)
    unmet = [row["name"] for row in rows if not row["met"]]
    print("load: targets met" if not unmet else "load: targets not met: " + ", ".join(unmet))
    return 1 if unmet else 0
