"""Each public page runs as many queries for 200 published candidates as for 10.

The data is made with bulk_create for speed, shaped like the newsroom's: every candidate has
names in two scripts, a candidacy with dated statuses, verified claims from several outlets
(two questions of which are in dispute: one still open, one resolved by a verdict that
overruled a version), an unverified and a rejected claim; drafts with claims of their own
sit beside them.
"""

import datetime
import itertools

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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
    Property,
    Status,
)
from elections.names import search_text
from elections.tallies import settle
from sources.audit import unit_of_work
from sources.models import Article, Outlet, Passage

pytestmark = pytest.mark.django_db

SURNAMES = [("Liu", "刘"), ("Xu", "徐"), ("Wang", "王"), ("Zhang", "张"), ("Chen", "陈")]
GIVEN = [("Ping", "萍"), ("Yan", "琰"), ("Kai", "凯"), ("Wei", "伟"), ("Min", "敏"), ("Li", "丽")]
# The most queries each page may run, whatever the number of candidates.
# Pages that read kept tallies first check that none is pending (one query).
BUDGET = {
    "home": 7,
    "list": 7,
    "list filtered": 6,
    "list searched": 6,
    "profile": 7,
    "outlets": 2,
    "outlet": 5,
    "outlet page 2": 5,
    "article": 3,
    "article page 2": 3,
}


class Newsroom:
    """Places, elections, outlets and articles, and candidates added to them in batches."""

    def __init__(self):
        self.numbers = itertools.count()
        self.provinces = [
            self._place("province", "Zhejiang", "浙江省"),
            self._place("province", "Jiangxi", "江西省"),
        ]
        Place.objects.filter(pk__in=[p.pk for p in self.provinces]).update(province=F("pk"))
        self.cities = [
            self._place("city", "Hangzhou", "杭州市", self.provinces[0]),
            self._place("city", "Ningbo", "宁波市", self.provinces[0]),
            self._place("city", "Xinyu", "新余市", self.provinces[1]),
        ]
        Place.objects.filter(pk__in=[p.pk for p in self.cities]).update(city=F("pk"))
        self.elections = [
            Election.objects.create(
                name=f"{city.name} People's Congress, 2011",
                slug=f"election-{city.slug}",
                place=city,
                polling_on=datetime.date(2011, 11, 8),
            )
            for city in self.cities
        ]
        self.outlets = Outlet.objects.bulk_create(
            [Outlet(name=f"Outlet {number}", slug=f"outlet-{number}") for number in range(5)]
        )
        self.articles = Article.objects.bulk_create(
            [
                Article(
                    outlet=self.outlets[number % len(self.outlets)],
                    title=f"Report {number}",
                    url=f"https://example.org/report/{number}",
                    language="en",
                    published_on=datetime.date(2011, 6, 1) + datetime.timedelta(days=number),
                    text="A report written for this test about local candidates. " * 20,
                )
                for number in range(10)
            ]
        )
        self.published = 0

    def _place(self, level, name, name_zh, province=None):
        return Place.objects.create(
            level=level,
            name=name,
            name_zh=name_zh,
            slug=name.lower(),
            parent=province,
            province=province,
        )

    def add(self, published, drafts=0):
        """Add `published` published candidates and `drafts` drafts, each with claims."""
        states = ["published"] * published + ["draft"] * drafts
        people = []
        for state in states:
            number = next(self.numbers)
            surname, given = SURNAMES[number % 5], GIVEN[number // 5 % 6]
            name, name_zh = f"{surname[0]} {given[0]} {number}", surname[1] + given[1]
            people.append(
                Candidate(
                    display_name=name,
                    name_zh=name_zh,
                    gender="female" if number % 2 else "male",
                    slug=f"candidate-{number}",
                    state=state,
                    published_at=timezone.now() if state == "published" else None,
                    search_text=search_text([name, name_zh, f"{surname[0]}{given[0]}"]),
                )
            )
        people = Candidate.objects.bulk_create(people)
        self.published += published
        CandidateName.objects.bulk_create(
            [
                CandidateName(candidate=person, name=name, kind=kind)
                for person in people
                for name, kind in (
                    (person.name_zh, CandidateName.Kind.HANS),
                    (person.display_name.rsplit(" ", 1)[0].replace(" ", ""), "pinyin"),
                )
            ]
        )
        runs = Candidacy.objects.bulk_create(
            [
                Candidacy(candidate=person, election=self.elections[person.pk % 3])
                for person in people
            ]
        )
        self._claims(people, runs)
        return people

    def _claims(self, people, runs):
        reviewed = timezone.now()
        plan = []  # (candidate, run, property, value, key, state, overruled, article index)
        for person, run in zip(people, runs, strict=True):
            first = person.pk % 10
            plan += [
                (person, None, Property.AGE, "27", "1983-1984", "verified", False, first),
                (person, None, Property.AGE, "35", "1975-1976", "verified", False, first + 1),
                (person, None, Property.CITY, "Hongzhou", "hongzhou", "verified", True, first),
                (
                    person,
                    None,
                    Property.CITY,
                    run.election.place.name,
                    "city",
                    "verified",
                    False,
                    first + 2,
                ),
                (
                    person,
                    None,
                    Property.OCCUPATION,
                    "lawyer",
                    "lawyer",
                    "verified",
                    False,
                    first + 3,
                ),
                (person, run, Property.STATUS, "declared", "declared", "verified", False, first),
                (person, run, Property.STATUS, "barred", "barred", "verified", False, first + 4),
                (
                    person,
                    None,
                    Property.EMPLOYER,
                    "a firm",
                    "a firm",
                    "unverified",
                    False,
                    first + 5,
                ),
                (
                    person,
                    None,
                    Property.PLATFORM,
                    "schools",
                    "schools",
                    "rejected",
                    False,
                    first + 6,
                ),
            ]
        passages = Passage.objects.bulk_create(
            [
                Passage(
                    article=self.articles[row[7] % 10],
                    start=index,
                    end=index + len(row[3]),
                    exact=row[3],
                    prefix="written for this test about ",
                    suffix=" local candidates.",
                )
                for index, row in enumerate(plan)
            ]
        )
        claims = Claim.objects.bulk_create(
            [
                Claim(
                    candidate=person,
                    candidacy=run,
                    property=prop,
                    value=value,
                    value_key=key,
                    passage=passage,
                    article=passage.article,
                    as_of=passage.article.published_on,
                    state=state,
                    overruled=overruled,
                    reviewed_at=reviewed if state != "unverified" else None,
                )
                for (person, run, prop, value, key, state, overruled, _), passage in zip(
                    plan, passages, strict=True
                )
            ]
        )
        steps, disputes, members = [], [], []
        for offset in range(0, len(claims), 9):
            age_a, age_b, city_wrong, city_right = claims[offset : offset + 4]
            declared, barred = claims[offset + 5 : offset + 7]
            for claim, on in ((declared, datetime.date(2011, 5, 1)), (barred, None)):
                steps.append(
                    CandidacyStatus(
                        candidacy=claim.candidacy,
                        status=claim.value,
                        on=on or claim.as_of,
                        claim=claim,
                    )
                )
            person = age_a.candidate
            disputes += [
                Contradiction(
                    question=f"candidate:{person.pk}/birth_year",
                    candidate=person,
                    property="birth_year",
                    group_count=2,
                ),
                Contradiction(
                    question=f"candidate:{person.pk}/city",
                    candidate=person,
                    property="city",
                    group_count=2,
                    status=Contradiction.Status.RESOLVED,
                    verdict=Contradiction.Verdict.ONE_RIGHT,
                    verdict_note="A misprint of the city's name.",
                ),
            ]
            members.append(((age_a, ""), (age_b, "")))
            members.append(((city_wrong, "wrong"), (city_right, "right")))
        CandidacyStatus.objects.bulk_create(steps)
        disputes = Contradiction.objects.bulk_create(disputes)
        DisputeClaim.objects.bulk_create(
            [
                DisputeClaim(contradiction=dispute, claim=claim, group=group, judged=judged)
                for dispute, versions in zip(disputes, members, strict=True)
                for group, (claim, judged) in enumerate(versions, start=1)
            ]
        )
        Candidacy.objects.filter(pk__in=[run.pk for run in runs]).update(status=Status.BARRED)


PAGES = {
    "home": lambda room: "/",
    "list": lambda room: "/candidates/",
    "list filtered": lambda room: (
        f"/candidates/?province={room.provinces[0].slug}&city={room.cities[0].slug}"
        f"&status=barred&gender=female&outlet={room.outlets[0].slug}&disputed=yes&sort=verified"
    ),
    "list searched": lambda room: "/candidates/?q=liu&sort=status",
    "profile": lambda room: "/candidates/candidate-0/",
    "outlets": lambda room: "/outlets/",
    "outlet": lambda room: f"/outlets/{room.outlets[0].slug}/",
    "outlet page 2": lambda room: f"/outlets/{room.outlets[0].slug}/?page=2",
    "article": lambda room: f"/articles/{room.articles[0].pk}/",
    "article page 2": lambda room: f"/articles/{room.articles[0].pk}/?page=2",
}


def queries_for(client, url):
    """The queries a fresh (uncached) request for `url` runs, and its response."""
    for cache in caches.all():
        cache.clear()
    settle()  # the writes that built the page's data are settled as they would have been
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries), response.content


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """Every page measured with 10 published candidates, then again with 200.

    Built once for the module in a transaction that is rolled back afterwards.
    """
    client = Client()
    with django_db_blocker.unblock(), unit_of_work():
        room = Newsroom()
        room.add(10, drafts=3)
        few = {page: queries_for(client, url(room)) for page, url in PAGES.items()}
        room.add(190, drafts=20)
        many = {page: queries_for(client, url(room)) for page, url in PAGES.items()}
        yield {page: (few[page], many[page]) for page in PAGES}
        transaction.set_rollback(True)


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_runs_as_many_queries_for_200_candidates_as_for_10(measured, page):
    (few, small), (many, large) = measured[page]

    assert few <= BUDGET[page]
    assert many == few
    if page != "profile":
        # The larger data set reached the page (a profile is one person either way).
        assert small != large


def test_the_pages_measured_show_the_bulk_data(measured):
    (_, few_found), (_, many_found) = measured["list searched"]
    (_, profile), _ = measured["profile"]

    assert "2 candidates matching “liu”" in few_found.decode()
    assert "40 candidates matching “liu”" in many_found.decode()
    assert "Open: under review." in profile.decode()
    assert "A misprint of the city&#x27;s name." in profile.decode()
    assert profile.decode().count('class="disagreement"') == 2
    (_, listed), _ = measured["list"]
    assert 'class="badge badge--disputed">disputed facts</span>' in listed.decode()
    _, (_, outlet) = measured["outlet"]
    assert "The editors found its version wrong" in outlet.decode()
    (_, home), _ = measured["home"]
    assert 'class="badge badge--disputed"' in home.decode()
