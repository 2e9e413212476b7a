"""Public pages served by a real WSGI server, against a view that answers a fixed string.

The database holds 10,000 candidates and 200,000 claims, built with bulk_create: 6 provinces
of 5 cities each, one election per city, 40 outlets, 4,000 articles with 100,000 passages
(two claims quote each), a name in characters and in pinyin with another form or two for
each candidate, a candidacy with two dated status steps, and 20 claims each (ages from two
outlets, places, occupation, platform, followers, status...). Most candidates are published
and most claims verified; some are drafts, in review or withdrawn, some claims unverified,
rejected or overruled, and 300 age disputes are open or resolved.

gunicorn serves the site (settings `config.settings.bench`: DEBUG off, public cache on,
LocMemCache in each of its 2 workers, gthread so that connections are kept alive) on
127.0.0.1 at a free port. Eight client threads of this process, each with one keep-alive
http.client connection, request for a fixed time: the fixed string (the baseline), then
profiles, then filtered and searched lists. Figures are throughput ratios against the
baseline measured against the same server in the same run.

Which URLs: a public site's traffic gathers on few pages (the profiles in the news, the
lists readers filter by province and search for common surnames), and that is what a cache
serves. So the profile phase cycles through 200 published profiles and the list phase
through 30 lists (each of the 6 provinces with each of 5 searches, in pinyin and in
characters), every client from its own starting point, after a warm-up pass in which every
client requests every URL once, so that each worker has rendered each page. The hit rate
during the timed phases is reported. The same phases against a second server with the cache
off give the uncached ratios (what rendering each page costs: a reader's first visit to a
profile, a search or a filter combination). They are reported beside a reference, not held to
a target: the issue measured a straightforward Django page of each kind with optimal queries
at about 0.09 of the fixed string for a profile and 0.06 for a list, on its own machine and
load; these pages show more (every citation, the disagreements, the filters' choices), and
the issue's targets are for the pages readers get, the cached ones.

Before the servers start, the same profiles and lists are also timed in this process with
Django's test client and the cache off (median milliseconds of a request, no HTTP): a figure
that moves less with the load of a shared machine than the ratios do.
"""

import contextlib
import datetime
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import F
from django.test import Client, override_settings
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from elections.models import (
    Candidacy,
    CandidacyStatus,
    Candidate,
    CandidateName,
    Claim,
    Contradiction,
    DisputeClaim,
    Election,
    Place,
)
from elections.names import search_text
from sources.models import Article, Outlet, Passage

CANDIDATES = 10_000
CLAIMS_PER_CANDIDATE = 20
ARTICLES = 4_000
PASSAGES_PER_ARTICLE = 25
OUTLETS = 40
DISPUTES = 300
BATCH = 5_000
# Positions in each candidate's 20 claims.
AGE, SECOND_AGE, DECLARED, FINAL = 0, 5, 16, 17

CLIENTS = 8
WORKERS = 2
PHASE_SECONDS = 8.0
ROUNDS = 4
POPULAR_PROFILES = 200
IN_PROCESS_PROFILES = 60
IN_PROCESS_ROUNDS = 3
# The reference: a straightforward Django page of each kind, with optimal queries.
UNCACHED_REFERENCE = {"profile": 0.09, "list": 0.06}
SERVER_START_SECONDS = 60
WARM_UP_LIMIT = 120.0
REQUEST_TIMEOUT = 30
ROOT = Path(__file__).resolve().parent.parent.parent

PROVINCES = [
    ("Zhejiang", "浙江省", ["Hangzhou", "Ningbo", "Wenzhou", "Shaoxing", "Jiaxing"]),
    ("Jiangxi", "江西省", ["Nanchang", "Xinyu", "Jiujiang", "Ganzhou", "Shangrao"]),
    ("Beijing", "北京市", ["Haidian", "Chaoyang", "Dongcheng", "Xicheng", "Fengtai"]),
    ("Shanghai", "上海市", ["Pudong", "Xuhui", "Jing'an", "Yangpu", "Minhang"]),
    ("Hubei", "湖北省", ["Wuhan", "Yichang", "Xiangyang", "Jingzhou", "Qianjiang"]),
    ("Sichuan", "四川省", ["Chengdu", "Mianyang", "Deyang", "Leshan", "Yibin"]),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
SEARCHES = ["wang", "li", "zhang", "刘", "chen"]
OCCUPATIONS = ["lawyer", "teacher", "shop owner", "engineer", "retired worker", "writer"]
PLATFORMS = ["clean water", "school fees", "land rights", "road repairs", "open budgets"]
FINAL_STATUSES = ["official", "elected", "defeated", "withdrew", "barred", "preliminary"]
SENTENCE = (
    "{name}, a {occupation} who stands in {city}, told the reporter that the neighbourhood "
    "committee had {verb} the petition about {platform} for the {number}th time."
)
VERBS = ["refused", "delayed", "ignored", "questioned", "answered", "returned"]


# The data.


def _pinyin_name(name_zh, tones=False):
    style = Style.TONE if tones else Style.NORMAL
    syllables = lazy_pinyin(name_zh, style=style)
    return " ".join([syllables[0].capitalize(), "".join(syllables[1:]).capitalize()])


def _places():
    provinces, cities = [], []
    for number, (name, name_zh, _cities) in enumerate(PROVINCES, start=1):
        code = f"{90 + number}0000"
        provinces.append(
            Place(
                level=Place.Level.PROVINCE,
                name=name,
                name_zh=name_zh,
                code=code,
                slug=name.lower(),
            )
        )
    Place.objects.bulk_create(provinces)
    Place.objects.filter(pk__in=[p.pk for p in provinces]).update(province=F("pk"))
    for province, (_name, _zh, city_names) in zip(provinces, PROVINCES, strict=True):
        for number, city in enumerate(city_names, start=1):
            cities.append(
                Place(
                    level=Place.Level.CITY,
                    name=city,
                    name_zh=f"{city}市",
                    code=f"{province.code[:2]}{number:02d}00",
                    parent=province,
                    province=province,
                    slug=f"{city.lower().replace(chr(39), '')}-{province.slug}",
                )
            )
    Place.objects.bulk_create(cities)
    Place.objects.filter(pk__in=[c.pk for c in cities]).update(city=F("pk"))
    return provinces, cities


def _elections(cities, rng):
    elections = [
        Election(
            name=f"{city.name} People's Congress, 2011",
            slug=f"{city.slug}-2011",
            place=city,
            level=Election.Level.COUNTY,
            polling_on=datetime.date(2011, 11, rng.randint(1, 30)),
        )
        for city in cities
    ]
    return Election.objects.bulk_create(elections)


def _articles(rng, outlets, size):
    """Articles of 25 sentences, each sentence one passage; returns the passages by article."""
    articles, texts = [], []
    for number in range(size):
        sentences = [
            SENTENCE.format(
                name=_pinyin_name(rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)),
                occupation=rng.choice(OCCUPATIONS),
                city=rng.choice(PROVINCES)[2][rng.randrange(5)],
                verb=rng.choice(VERBS),
                platform=rng.choice(PLATFORMS),
                number=rng.randint(4, 19),
            )
            for _ in range(PASSAGES_PER_ARTICLE)
        ]
        text = " ".join(sentences)
        texts.append(sentences)
        outlet = outlets[number % len(outlets)]
        articles.append(
            Article(
                outlet=outlet,
                title=f"Independent candidates, report {number}",
                url=f"https://news.example/{outlet.slug}/{number}" if number % 3 else "",
                language="en",
                published_on=datetime.date(2011, rng.randint(4, 11), rng.randint(1, 28)),
                text=text,
                source_text=text,
            )
        )
    Article.objects.bulk_create(articles, batch_size=BATCH)
    passages = []
    for article, sentences in zip(articles, texts, strict=True):
        start = 0
        for sentence in sentences:
            end = start + len(sentence)
            passages.append(
                Passage(
                    article=article,
                    start=start,
                    end=end,
                    exact=sentence,
                    prefix=article.text[max(0, start - 32) : start],
                    suffix=article.text[end : end + 32],
                )
            )
            start = end + 1
    Passage.objects.bulk_create(passages, batch_size=BATCH)
    return articles, passages


def _candidates(rng, size):
    candidates, forms = [], []
    states = ["published"] * 90 + ["draft"] * 4 + ["review"] * 3 + ["withdrawn"] * 3
    now = timezone.now()
    for number in range(size):
        name_zh = rng.choice(SURNAMES) + "".join(
            rng.choice(GIVEN) for _ in range(rng.randint(1, 2))
        )
        display = _pinyin_name(name_zh)
        toned = _pinyin_name(name_zh, tones=True)
        other = f"{display.split()[1]} {display.split()[0]}"
        state = rng.choice(states)
        candidates.append(
            Candidate(
                display_name=display,
                name_zh=name_zh,
                gender=rng.choice(["male", "female"]),
                birth_year=rng.randint(1950, 1990) if number % 4 else None,
                slug=f"{display.lower().replace(' ', '-')}-{number}",
                state=state,
                published_at=now if state in ("published", "withdrawn") else None,
                search_text=search_text([display, name_zh, toned, other]),
            )
        )
        forms.append([(toned, CandidateName.Kind.PINYIN), (other, CandidateName.Kind.ENGLISH)])
    Candidate.objects.bulk_create(candidates, batch_size=BATCH)
    CandidateName.objects.bulk_create(
        [
            CandidateName(candidate=candidate, name=name, kind=kind)
            for candidate, names in zip(candidates, forms, strict=True)
            for name, kind in names
            if name != candidate.display_name
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    return candidates


def _claims(rng, candidates, elections, cities, provinces, articles, passages):
    """20 claims for each candidate, two status steps for each candidacy, some disputes."""
    runs = Candidacy.objects.bulk_create(
        [
            Candidacy(candidate=candidate, election=elections[number % len(elections)])
            for number, candidate in enumerate(candidates)
        ],
        batch_size=BATCH,
    )
    states = ["verified"] * 92 + ["unverified"] * 5 + ["rejected"] * 3
    reviewed = timezone.now()
    claims, plans = [], []
    for number, (candidate, run) in enumerate(zip(candidates, runs, strict=True)):
        city = cities[number % len(cities)]
        province = provinces[(number % len(cities)) // 5]
        age = rng.randint(25, 60)
        final = rng.choice(FINAL_STATUSES)
        # Five claims quote each of four articles of different outlets; the two ages (slots
        # AGE and SECOND_AGE) come from different ones.
        slots = [
            ("age", str(age), str(age)),
            ("city", city.name, f"place:{city.pk}"),
            ("province", province.name, f"place:{province.pk}"),
            ("name_zh", candidate.name_zh, candidate.name_zh),
            ("gender", candidate.gender, candidate.gender),
            ("age", str(age), str(age)),
            ("occupation", rng.choice(OCCUPATIONS), ""),
            ("occupation", rng.choice(OCCUPATIONS), ""),
            ("employer", "a state-owned factory", ""),
            ("platform", rng.choice(PLATFORMS), ""),
            ("platform", rng.choice(PLATFORMS), ""),
            ("platform", rng.choice(PLATFORMS), ""),
            ("pressure", "visited by the police", ""),
            ("pressure", "asked to withdraw", ""),
            ("followers", "more than 10,000", "at least 10,000"),
            ("followers", "about 20,000", "about 20,000"),
            ("status", "declared", "declared"),
            ("status", final, final),
            ("votes", str(rng.randint(100, 9000)), ""),
            ("occupation", "petitioner", ""),
        ]
        first = (number * 4) % len(articles)
        for slot, (prop, value, key) in enumerate(slots):
            article_index = (first + slot // 5) % len(articles)
            article = articles[article_index]
            passage = passages[
                article_index * PASSAGES_PER_ARTICLE + (number + slot) % PASSAGES_PER_ARTICLE
            ]
            state = rng.choice(states)
            claims.append(
                Claim(
                    candidate=candidate,
                    candidacy=run if prop in ("status", "votes") else None,
                    property=prop,
                    value=value,
                    value_key=key or value,
                    passage=passage,
                    article=article,
                    as_of=article.published_on,
                    state=state,
                    reviewed_at=reviewed if state != "unverified" else None,
                )
            )
        plans.append((run, final))
    Claim.objects.bulk_create(claims, batch_size=BATCH)

    steps = []
    for number, (run, final) in enumerate(plans):
        base = number * CLAIMS_PER_CANDIDATE
        declared, last = claims[base + DECLARED], claims[base + FINAL]
        steps.append(
            CandidacyStatus(
                candidacy=run, status="declared", on=datetime.date(2011, 5, 20), claim=declared
            )
        )
        steps.append(
            CandidacyStatus(candidacy=run, status=final, on=run.election.polling_on, claim=last)
        )
        run.status = final
    CandidacyStatus.objects.bulk_create(steps, batch_size=BATCH)
    Candidacy.objects.bulk_update(runs, ["status"], batch_size=BATCH)

    disputes, members, overruled = [], [], []
    for number in rng.sample(range(len(candidates)), min(DISPUTES, len(candidates) // 3)):
        base = number * CLAIMS_PER_CANDIDATE
        older, newer = claims[base + AGE], claims[base + SECOND_AGE]
        newer.value = newer.value_key = str(int(older.value) + 8)
        older.state = newer.state = "verified"
        resolved = number % 2 == 0
        candidate = candidates[number]
        disputes.append(
            Contradiction(
                question=f"candidate:{candidate.pk}/birth_year",
                candidate=candidate,
                property="birth_year",
                group_count=2,
                status="resolved" if resolved else "open",
                verdict="one_right" if resolved else "",
                verdict_note="The later report misread the age." if resolved else "",
            )
        )
        members.append([(older, "right" if resolved else ""), (newer, "wrong" if resolved else "")])
        if resolved:
            newer.overruled = True
        overruled += [older, newer]
    Claim.objects.bulk_update(overruled, ["value", "value_key", "state", "overruled"], BATCH)
    disputes = Contradiction.objects.bulk_create(disputes, batch_size=BATCH)
    DisputeClaim.objects.bulk_create(
        [
            DisputeClaim(contradiction=dispute, claim=claim, group=group, judged=judged)
            for dispute, versions in zip(disputes, members, strict=True)
            for group, (claim, judged) in enumerate(versions, start=1)
        ],
        batch_size=BATCH,
    )
    return claims


def build(bench):
    rng = random.Random(2011)
    with transaction.atomic():
        provinces, cities = _places()
        elections = _elections(cities, rng)
        outlets = Outlet.objects.bulk_create(
            [
                Outlet(name=f"Outlet {number}", slug=f"outlet-{number}", kind="newspaper")
                for number in range(OUTLETS)
            ]
        )
        articles, passages = _articles(rng, outlets, bench.size(ARTICLES))
        candidates = _candidates(rng, bench.size(CANDIDATES))
        claims = _claims(rng, candidates, elections, cities, provinces, articles, passages)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return candidates, provinces, len(claims)


# The server and the clients.


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serve(**environment):
    """gunicorn serving the project on 127.0.0.1 at a free port, once it answers; yields the
    port, and stops the server however the block ends."""
    port = free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.bench", **environment)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "gthread",
        "--threads",
        str(CLIENTS // WORKERS),
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            _wait_ready(process, port, log)
            yield port
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=15)


def _wait_ready(process, port, log):
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if get_once(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    log.seek(0)
    raise RuntimeError("gunicorn did not start:\n" + log.read().decode()[-3000:])


def get_once(port, url):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", url)
        response = conn.getresponse()
        return response.status, response.read(), response.getheader("X-Cache")
    finally:
        conn.close()


def _client(port, urls, offset, deadline, passes, tally):
    """Request `urls` in turn from `offset` on one keep-alive connection, until `deadline`
    or `passes` times through them, whichever comes first."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    counts = Counter()
    try:
        for number in range(passes * len(urls)):
            if time.monotonic() >= deadline:
                break
            url = urls[(offset + number) % len(urls)]
            try:
                conn.request("GET", url)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                counts["errors"] += 1
                conn.close()
                continue
            counts["requests"] += 1
            counts[f"status {response.status}"] += 1
            counts[f"cache {response.getheader('X-Cache')}"] += 1
    finally:
        conn.close()
        tally.append(counts)


def load(port, urls, seconds, passes=10**9):
    """Run CLIENTS clients over `urls` for `seconds` (or `passes` each); their counts and
    the requests per second."""
    tally, threads = [], []
    started = time.monotonic()
    deadline = started + seconds
    for number in range(CLIENTS):
        offset = number * len(urls) // CLIENTS
        thread = threading.Thread(
            target=_client, args=(port, urls, offset, deadline, passes, tally), daemon=True
        )
        threads.append(thread)
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT + 5)
    elapsed = time.monotonic() - started
    counts = sum(tally, Counter())
    return counts, counts["requests"] / elapsed


def measure(port, phases, seconds, *, cached):
    """Warm the workers, then time each phase in turn, ROUNDS times over.

    With the cache on, every client first requests every URL once, so that each worker has
    rendered each page; with it off a short run is enough to load the code and templates.
    Alternating the phases in short rounds lets each round's ratio compare runs made under
    the same load of the machine. Returns, for each phase, its counts, its requests per
    second over all rounds, and its ratio to the first phase (the median of the rounds').
    """
    for _name, urls in phases:
        if cached:
            load(port, urls, seconds=WARM_UP_LIMIT, passes=1)
        else:
            load(port, urls, seconds=min(2.0, seconds / ROUNDS))
    counts = {name: Counter() for name, _urls in phases}
    rates = {name: [] for name, _urls in phases}
    for _round in range(ROUNDS):
        for name, urls in phases:
            tally, rate = load(port, urls, seconds / ROUNDS)
            counts[name] += tally
            rates[name].append(rate)
    baseline = rates[phases[0][0]]
    return {
        name: (
            counts[name],
            statistics.mean(rates[name]),
            statistics.median(
                rate / base for rate, base in zip(rates[name], baseline, strict=True)
            ),
        )
        for name, _urls in phases
    }


def in_process_ms(urls, rounds=IN_PROCESS_ROUNDS):
    """The median milliseconds of an uncached request for each of `urls`, served in this
    process by Django's test client: no HTTP and no server, the public cache off."""
    client = Client(HTTP_HOST="127.0.0.1")
    times = []
    with override_settings(SOURCEBOOK_PUBLIC_CACHE=False):
        for url in urls:
            client.get(url)
        for _ in range(rounds):
            for url in urls:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")
    return statistics.median(times) * 1000


def stale_answers(port, slug):
    """Withdraw a profile every worker has cached, then publish it again, with the server
    running; count the answers, over fresh connections (to both workers), that missed
    either change."""
    url = f"/candidates/{slug}/"
    stale = 0
    for state, expected in ((Candidate.State.WITHDRAWN, 404), (Candidate.State.PUBLISHED, 200)):
        Candidate.objects.filter(slug=slug).update(state=state)
        for _ in range(4 * WORKERS):
            stale += get_once(port, url)[0] != expected
    return stale


def run(bench):
    started = time.monotonic()
    candidates, provinces, claim_count = build(bench)
    print(
        f"bench: built {len(candidates)} candidates and {claim_count} claims "
        f"in {time.monotonic() - started:.0f} s",
        flush=True,
    )
    rng = random.Random(7)
    published = [c.slug for c in candidates if c.state == "published"]
    popular = rng.sample(published, min(POPULAR_PROFILES, len(published)))
    profiles = [f"/candidates/{slug}/" for slug in popular]
    lists = [
        f"/candidates/?{urlencode({'province': province.slug, 'q': query})}"
        for province in provinces
        for query in SEARCHES
    ]
    seconds = max(2.0, PHASE_SECONDS * min(1.0, bench.scale * 4))
    in_process = {
        "profile": in_process_ms(profiles[:IN_PROCESS_PROFILES]),
        "list": in_process_ms(lists),
    }

    results, failures = {}, Counter()
    phases = (("fixed", ["/bench/fixed/"]), ("profile", profiles), ("list", lists))
    for label, cached in (("cached", True), ("uncached", False)):
        with serve(PUBLIC_CACHE="1" if cached else "0") as port:
            results[label] = measure(port, phases, seconds, cached=cached)
            if cached:
                stale = stale_answers(port, popular[0])
        for name, (counts, rate, ratio) in results[label].items():
            failures[label] += counts["requests"] - counts["status 200"] + counts["errors"]
            print(
                f"bench: {label} {name}: {rate:.0f} requests/s, {ratio:.3f} of the fixed "
                f"string, {dict(counts)}",
                flush=True,
            )

    cached, uncached = results["cached"], results["uncached"]
    ratio = cached["profile"][2]
    bench.figure("public_profile_vs_fixed_string", ratio, "ratio", ">= 0.5", ratio >= 0.5)
    ratio = cached["list"][2]
    bench.figure("public_list_vs_fixed_string", ratio, "ratio", ">= 0.4", ratio >= 0.4)
    for name, label in (("fixed", "fixed_string"), ("profile", "profile"), ("list", "list")):
        rate = cached[name][1]
        bench.figure(f"public_{label}_rps", rate, "requests/s", "report only", True)
    tallies = [cached["profile"][0], cached["list"][0]]
    hits = sum(tally["cache hit"] for tally in tallies)
    looked_up = hits + sum(tally["cache miss"] for tally in tallies)
    rate = hits / max(1, looked_up)
    bench.figure("public_cache_hit_rate", rate, "fraction", "report only", True)
    for name in ("profile", "list"):
        _counts, rate, ratio = uncached[name]
        reference = UNCACHED_REFERENCE[name]
        bench.figure(f"public_{name}_uncached_rps", rate, "requests/s", "report only", True)
        bench.figure(
            f"public_{name}_uncached_vs_fixed_string",
            ratio,
            "ratio",
            f"report only; reference for a plain page: about {reference}",
            True,
        )
        bench.figure(
            f"public_{name}_uncached_ms_in_process", in_process[name], "ms", "report only", True
        )
    bench.figure("public_stale_answers_after_a_change", stale, "requests", "0", stale == 0)
    errors = failures["cached"] + failures["uncached"]
    bench.figure("public_pages_failed_requests", errors, "requests", "0", errors == 0)
