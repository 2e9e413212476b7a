"""Importing a 10,000-row candidate sheet and a 100,000-row claim sheet, against bulk inserts.

Each sheet is a CSV file in memory, imported through its resource with full validation
(`read_sheet` and `import_data`, as the `import` command does): reading, header matching,
looking up places, candidates and articles, checking every value, anchoring every quote,
writing with history, and (for claims) reconciling disputes. The baselines insert the
same rows into the same tables with `bulk_create`, from model instances built before their
clock starts, without history: candidates with their candidacies and status steps; passages
and claims with the status steps of status claims.

The candidate import and its baseline are timed three times on empty tables, the best times
counting; then the unchanged sheet is imported a second time (every row skipped). The claim
import and its baseline are timed once each (a run takes a while). Peak memory is the
process's peak resident set size (`resource.getrusage`, ru_maxrss) read right after the
claim import, before its baseline runs: it includes everything the process did before (the
candidate runs, the generated sheets), so it is an upper bound for the import.
"""

import csv
import io
import random
import resource

from django.db import transaction

from elections.models import (
    Candidacy,
    CandidacyStatus,
    Candidate,
    CandidateName,
    Claim,
    Contradiction,
    Election,
    Place,
)
from elections.normalizers import normalize
from elections.resources import CandidateResource, ClaimResource
from elections.services.places import place_create
from sources.anchoring import find_quote, selector_for_span
from sources.audit import system_user
from sources.dates import PartialDate
from sources.models import Article, Outlet, Passage
from sources.services.articles import articles_bulk_create
from sources.sheets import read_sheet

CANDIDATES = 10_000
CLAIMS = 100_000
CANDIDATE_TARGET, CLAIM_TARGET, MEMORY_TARGET_MB = 3, 5, 1024
PLACES = {
    "浙江省": ("杭州市", "宁波市", "温州市", "绍兴市"),
    "江苏省": ("南京市", "苏州市", "常州市", "无锡市"),
    "四川省": ("成都市", "绵阳市", "德阳市", "宜宾市"),
    "湖北省": ("武汉市", "宜昌市", "襄阳市", "荆州市"),
    "江西省": ("南昌市", "新余市", "九江市", "赣州市"),
}
SURNAMES = "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo"
SYLLABLES = "an bo chen dong fang gang hua jian jun lei li ling min ming ning peng qiang rong"
SYLLABLES += " shan tao wei xia xin yan yi ying yong yu yun zhen zhi"
HANZI_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
HANZI = "安波晨东芳刚华建军磊丽玲敏明宁鹏强荣山涛伟霞欣岩毅英勇宇云振志"
OCCUPATIONS = ("lawyer", "teacher", "writer", "engineer", "shop owner", "student", "nurse")
STATUSES = ("declared", "seeking nomination", "宣布参选", "barred", "withdrew")
OUTLETS = ("Lakeside Courier", "Valley Evening News", "Harbour Daily", "Northern Wire")


def _places():
    """Five provinces of four cities each, saved through `place_create` (with their names)."""
    cities = []
    for province_zh, city_names in PLACES.items():
        province = place_create(
            level=Place.Level.PROVINCE, name_zh=province_zh, acting_user=system_user()
        )
        for city_zh in city_names:
            city = place_create(
                level=Place.Level.CITY,
                name_zh=city_zh,
                parent=province,
                acting_user=system_user(),
            )
            cities.append((province, city))
    return cities


def _people(count, rng):
    """`count` distinct made-up people: name, Chinese name (for half), place and details."""
    surnames, syllables = SURNAMES.split(), SYLLABLES.split()
    names, people = set(), []
    while len(people) < count:
        index = rng.randrange(len(surnames))
        given = rng.choice(syllables) + rng.choice(syllables)
        name = f"{surnames[index]} {given.capitalize()}"
        if name in names:
            continue
        names.add(name)
        number = len(people)
        name_zh = ""
        if number % 2 == 0:
            name_zh = HANZI_SURNAMES[index] + rng.choice(HANZI) + rng.choice(HANZI)
        people.append(
            {
                "slug": f"candidate-{number:05d}",
                "name": name,
                "name_zh": name_zh,
                "gender": rng.choice(("male", "female", "男", "女")),
                "birth_year": str(rng.randint(1940, 1990)),
                "occupation": rng.choice(OCCUPATIONS),
                "status": rng.choice(STATUSES),
                "notes": f"Made-up candidate number {number}.",
            }
        )
    return people


def _candidate_sheet(people, cities, rng):
    columns = ["slug", "name", "name_zh", "aliases", "gender", "birth_year", "province", "city"]
    columns += ["occupation", "weibo", "status", "notes"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for person in people:
        province, city = person["place"] = rng.choice(cities)
        row = dict(person, province=province.name, city=city.name, aliases="", weibo="")
        writer.writerow([row[column] for column in columns])
    return out.getvalue().encode("utf-8")


def _import(resource_class, data):
    result = resource_class().import_data(read_sheet(data, name="sheet.csv"), user=system_user())
    if result.has_errors() or result.has_validation_errors():
        raise RuntimeError(f"the benchmark sheet did not import: {result.problems()[:5]}")
    return result


def _candidate_baseline(people, elections):
    """The candidates, candidacies and status steps the import writes, inserted plainly."""
    with transaction.atomic():
        candidates = Candidate.objects.bulk_create(
            [
                Candidate(
                    display_name=person["name"],
                    name_zh=person["name_zh"],
                    gender=person["gender_key"],
                    birth_year=int(person["birth_year"]),
                    slug=person["slug"],
                    notes=person["notes"],
                )
                for person in people
            ],
            batch_size=500,
        )
        candidacies = Candidacy.objects.bulk_create(
            [
                Candidacy(
                    candidate=candidate,
                    election=elections[person["place"][1].pk],
                    status=person["status_key"],
                )
                for candidate, person in zip(candidates, people, strict=True)
            ],
            batch_size=500,
        )
        CandidacyStatus.objects.bulk_create(
            [
                CandidacyStatus(candidacy=candidacy, status=person["status_key"], on=on)
                for candidacy, person in zip(candidacies, people, strict=True)
                for on in [PartialDate(2011).earliest()]
            ],
            batch_size=500,
        )


def _empty_candidates():
    for model in (CandidacyStatus, Candidacy, CandidateName, Candidate):
        model.history.all().delete()
        model.objects.all().delete()


def _articles(people, rng):
    """Articles quoting ten candidates each, every candidate in two articles of two outlets.

    Each appearance gives five claims; the two appearances share age, city and province,
    and one age in four is printed nine years off, for detection to find.
    """
    outlets = [
        Outlet.objects.create(name=name, slug=f"outlet-{number}")
        for number, name in enumerate(OUTLETS)
    ]
    count = max(1, len(people) // 5)
    plans, articles = [], []
    for number in range(count):
        sentences, claims = [], []
        for offset in range(10):
            person = people[(5 * number + offset) % len(people)]
            for sentence, items in _sentences(person, rng, second=offset < 5):
                sentences.append(sentence)
                claims += [(person, prop, value, sentence) for prop, value in items]
        rng.shuffle(sentences)
        text = "\n\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4))
        article = Article(
            outlet=outlets[number % len(outlets)],
            title=f"Candidates in the district elections, report {number}",
            url=f"https://news.example/2011/candidates/{number}",
            language="en",
            text=text,
        )
        article.published = PartialDate(2011, 11, 1 + number % 28)
        articles.append(article)
        plans.append(claims)
    articles_bulk_create(articles=articles, acting_user=system_user())
    return list(zip(articles, plans, strict=True))


def _sentences(person, rng, *, second):
    """Sentences about `person` and the (property, value) claims they give: five in all."""
    province, city = person["place"]
    name = person["name"]
    age = str(2011 - int(person["birth_year"]) + rng.choice((0, 0, 0, 9)))
    where = (
        f"{name}, {age}, lives in {city.name} in {province.name}.",
        [("age", age), ("city", city.name), ("province", province.name)],
    )
    if second:
        followers = f"{rng.randint(2, 90)},000"
        return [
            where,
            (f"{name} wants cleaner streets.", [("platform", "cleaner streets")]),
            (
                f"The account of {name} had more than {followers} followers.",
                [("followers", f"more than {followers}")],
            ),
        ]
    return [
        where,
        (
            f"{name} works as a {person['occupation']} and has declared an independent run.",
            [("occupation", person["occupation"]), ("status", "declared")],
        ),
    ]


def _claim_sheet(plans):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["candidate", "property", "value", "article_url", "quote", "as_of", "note"])
    rows = 0
    for article, claims in plans:
        for person, prop, value, sentence in claims:
            writer.writerow([person["slug"], prop, value, article.url, sentence, "", ""])
            rows += 1
    return out.getvalue().encode("utf-8"), rows


def _claim_baseline(plans):
    """The passages, claims and status steps the import writes, inserted plainly.

    Spans and normalized values are found before the clock starts; the function returned,
    which is timed, builds the model instances and inserts them a thousand rows at a time.
    """
    candidates = dict(Candidate.objects.values_list("slug", "pk"))
    candidacies = dict(Candidacy.objects.values_list("candidate_id", "pk"))
    prepared = []
    for article, items in plans:
        for person, prop, value, sentence in items:
            start, end = find_quote(article.text, sentence)
            selector = selector_for_span(article.text, start, end)
            normalized = normalize(prop, value, as_of=article.published)
            prepared.append((article, selector, person["slug"], prop, value, normalized))

    def insert():
        with transaction.atomic():
            for first in range(0, len(prepared), 1000):
                _insert_claims(prepared[first : first + 1000], candidates, candidacies)

    return insert


def _insert_claims(prepared, candidates, candidacies):
    """Build and insert one thousand rows' passages, claims and status steps."""
    passages, claims = [], []
    for article, selector, slug, prop, value, normalized in prepared:
        passage = Passage(
            article=article,
            start=selector.start,
            end=selector.end,
            exact=selector.exact,
            prefix=selector.prefix,
            suffix=selector.suffix,
        )
        passages.append(passage)
        candidate_id = candidates[slug]
        claims.append(
            Claim(
                candidate_id=candidate_id,
                candidacy_id=candidacies[candidate_id] if prop == "status" else None,
                property=prop,
                value=value,
                value_key=normalized.key,
                normalized=normalized.data,
                passage=passage,
                article=article,
                as_of=article.published_on,
            )
        )
    Passage.objects.bulk_create(passages, batch_size=500)
    for claim in claims:
        claim.passage = claim.passage
    Claim.objects.bulk_create(claims, batch_size=500)
    CandidacyStatus.objects.bulk_create(
        [
            CandidacyStatus(
                candidacy_id=claim.candidacy_id, claim=claim, status="declared", on=claim.as_of
            )
            for claim in claims
            if claim.property == "status"
        ],
        batch_size=500,
    )


def _empty_claims():
    CandidacyStatus.objects.exclude(claim=None).delete()
    for model in (Contradiction, Claim, Passage):
        model.history.all().delete()
        model.objects.all().delete()


def run(bench):
    rng = random.Random(2011)
    cities = _places()
    people = _people(bench.size(CANDIDATES), rng)
    sheet = _candidate_sheet(people, cities, rng)
    for person in people:
        person["gender_key"] = normalize("gender", person["gender"]).key
        person["status_key"] = normalize("status", person["status"]).data["status"]
    candidate_times, baseline_times = [], []
    for _ in range(3):
        _empty_candidates()
        Election.objects.all().delete()
        candidate_times.append(bench.timed(lambda: _import(CandidateResource, sheet))[1])
        elections = {election.place_id: election for election in Election.objects.all()}
        _empty_candidates()
        baseline_times.append(bench.timed(lambda e=elections: _candidate_baseline(people, e))[1])
        _empty_candidates()
    first = bench.timed(lambda: _import(CandidateResource, sheet))
    second = bench.timed(lambda: _import(CandidateResource, sheet))
    if second[0].totals["skip"] != len(people):
        raise RuntimeError("the unchanged candidate sheet did not skip every row")
    imported, baseline = min(candidate_times), min(baseline_times)
    ratio = imported / baseline
    bench.figure("import_candidates_per_second", len(people) / imported, "rows/s", "report", True)
    bench.figure(
        "import_candidates_vs_bulk_insert",
        ratio,
        "x",
        f"<= {CANDIDATE_TARGET}",
        ratio <= CANDIDATE_TARGET,
    )
    again = second[1] / first[1]
    bench.figure("reimport_unchanged_candidates_vs_first_import", again, "x", "<= 1", again <= 1)

    plans = _articles(people, rng)
    data, rows = _claim_sheet(plans)
    result, imported = bench.timed(lambda: _import(ClaimResource, data))
    # Read before the baseline runs, so that the figure is the import's (and the set-up's).
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if result.totals["new"] != rows:
        raise RuntimeError("the claim sheet did not create one claim per row")
    disputes = Contradiction.objects.count()
    del result
    _empty_claims()
    baseline = bench.timed(_claim_baseline(plans))[1]
    ratio = imported / baseline
    bench.figure("import_claims_per_second", rows / imported, "rows/s", "report", True)
    bench.figure(
        "import_claims_vs_bulk_insert", ratio, "x", f"<= {CLAIM_TARGET}", ratio <= CLAIM_TARGET
    )
    bench.figure(
        "import_claims_peak_rss",
        peak_mb,
        "MB",
        f"< {MEMORY_TARGET_MB}",
        peak_mb < MEMORY_TARGET_MB,
    )
    bench.figure(
        "import_claims_contradictions",
        disputes,
        "disputes",
        "report",
        True,
    )
