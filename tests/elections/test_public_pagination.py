"""Every public page is bounded, whatever the data: an outlet's page shows a page of the
candidates it reported on (a few of its facts about each, the rest on the profile) and its
first disputes with the tally of all of them; an article's page shows a page of the facts
quoting it. Each runs as many queries for many rows as for few, a page past the end shows
the last page and a page that is no number the first.

The data is the bulk newsroom of test_public_queries: every candidate has verified claims
from several outlets, two questions of which are in dispute (a birth year still open, a city
resolved by a verdict that found one outlet's version wrong).
"""

import datetime
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from elections.models import Claim, Contradiction, DisputeClaim, Property
from elections.public import outlets as selectors
from elections.tallies import settle
from sources.models import Passage
from tests.elections.test_public_queries import Newsroom

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def room():
    return Newsroom()


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 4 candidates, 1 fact each, 3 disputes shown; articles' pages of 5 facts."""
    monkeypatch.setattr(selectors, "OUTLET_CANDIDATES_PER_PAGE", 4)
    monkeypatch.setattr(selectors, "OUTLET_CLAIMS_PER_CANDIDATE", 1)
    monkeypatch.setattr(selectors, "OUTLET_DISPUTES_SHOWN", 3)
    monkeypatch.setattr(selectors, "ARTICLE_CLAIMS_PER_PAGE", 5)


def get(client, url, **params):
    settle()  # the bulk writes that built the data, as a service would have settled them
    for cache in caches.all():
        cache.clear()
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def reported(page):
    """The names of the candidates under "What it reported", in order."""
    part = page[page.index('id="reported-title"') :]
    return re.findall(r'<div class="report">\s*<h3><a href="[^"]*"><span>([^<]*)</span>', part)


def outlet_candidates(outlet):
    """The published candidates a public claim of `outlet` is about, by name."""
    claims = Claim.objects.public().standing().filter(article__outlet=outlet)
    return sorted(
        set(claims.values_list("candidate__display_name", "candidate_id")),
    )


# An outlet's page.


def test_an_outlets_candidates_come_a_page_at_a_time_by_name(client, room, small_pages):
    room.add(14, drafts=3)
    outlet = room.outlets[0]
    expected = [name for name, _pk in outlet_candidates(outlet)]
    assert len(expected) > 8  # three pages at least

    url = f"/outlets/{outlet.slug}/"
    pages = [reported(get(client, url, page=number)) for number in range(1, 4)]

    assert pages[0] == expected[:4]
    assert pages[1] == expected[4:8]
    assert [name for names in pages for name in names] == expected[:12]
    second = get(client, url, page=2)
    assert f"Candidates 5 to 8 of {len(expected)}, by name." in second
    assert 'href="?page=3#reported-title" rel="next"' in second
    assert 'href="?page=1#reported-title" rel="prev"' in second
    # The lede counts everything it reported, not the page.
    assert f"about {len(expected)} candidates" in second


@pytest.mark.parametrize("number", ["99", "99999999999999999999", "0", "-3"])
def test_a_page_past_either_end_of_an_outlet_shows_its_last_page(client, room, small_pages, number):
    room.add(14)
    url = f"/outlets/{room.outlets[0].slug}/"
    count = len(outlet_candidates(room.outlets[0]))
    last = (count + 3) // 4

    assert reported(get(client, url, page=number)) == reported(get(client, url, page=last))


@pytest.mark.parametrize("number", ["x", "", "1.5"])
def test_a_page_that_is_no_number_shows_the_first(client, room, small_pages, number):
    room.add(14)
    url = f"/outlets/{room.outlets[0].slug}/"

    assert reported(get(client, url, page=number)) == reported(get(client, url))


def test_each_candidate_shows_a_few_facts_and_links_the_profile_for_the_rest(
    client, room, small_pages
):
    people = room.add(6)
    outlet = room.outlets[0]
    person = next(
        p
        for p in people
        if Claim.objects.public().standing().filter(article__outlet=outlet, candidate=p).count() > 1
    )
    total = Claim.objects.public().standing().filter(article__outlet=outlet, candidate=person)
    more = total.count() - 1

    # The page that lists them: which one depends on the ids the database gave (a person's
    # claims go to the outlets of articles chosen by its id). One past the last repeats it.
    pages = {get(client, f"/outlets/{outlet.slug}/", page=number) for number in range(1, 5)}
    (page,) = [page for page in pages if person.display_name in reported(page)]
    page = page[page.index('id="reported-title"') :]
    block = page[page.index(f"<span>{person.display_name}</span>") :]
    block = block[: block.index("</div>")]

    assert block.count('class="fact"') == 1
    assert f'<p class="report__more"><a href="/candidates/{person.slug}/">{more} more fact' in block


def test_an_outlets_disputes_are_counted_in_full_and_the_first_ones_shown(
    client, room, small_pages
):
    room.add(12)
    outlet = room.outlets[0]

    page = get(client, f"/outlets/{outlet.slug}/")
    full = selectors.outlet_profile(outlet.slug)

    assert full.dispute_count > 3
    assert page.count('class="contradiction"') == 3
    assert f"took part in {full.dispute_count} disputes" in page
    assert "The first 3, by candidate, are below" in page
    # The same first disputes on every page of its reports.
    assert get(client, f"/outlets/{outlet.slug}/", page=2).count('class="contradiction"') == 3


def test_the_tally_counted_in_sql_agrees_with_the_versions_read(monkeypatch, room):
    """The tally counts every dispute in SQL; the rule it must follow is `versions_of`'s,
    applied to the disputes read in full: found wrong when the verdict judged every shown
    claim of one of its versions wrong, once per dispute."""
    people = room.add(15)
    monkeypatch.setattr(selectors, "OUTLET_DISPUTES_SHOWN", 10_000)
    # A claim of another outlet joins a version found wrong after the verdict, unjudged: that
    # version is no longer found wrong, for the outlets that printed it too.
    person = people[0]
    dispute = Contradiction.objects.get(candidate=person, property="city")
    wrong = DisputeClaim.objects.get(contradiction=dispute, judged="wrong")
    other = next(a for a in room.articles if a.outlet_id != wrong.claim.article.outlet_id)
    passage = Passage.objects.create(
        article=other, start=0, end=8, exact="Hongzhou", prefix="", suffix=""
    )
    joined = Claim.objects.create(
        candidate=person,
        property=Property.CITY,
        value="Hongzhou",
        value_key="hongzhou",
        passage=passage,
        article=other,
        as_of=datetime.date(2011, 6, 1),
        state="verified",
        reviewed_at=wrong.claim.reviewed_at,
    )
    gazette = wrong.claim.article.outlet

    def found_wrong_in_it():
        (shown,) = [d for d in selectors.outlet_profile(gazette.slug).disputes if d == dispute]
        return shown.own_found_wrong

    assert found_wrong_in_it()
    DisputeClaim.objects.create(contradiction=dispute, claim=joined, group=wrong.group)
    assert not found_wrong_in_it()

    checked = 0
    for outlet in room.outlets:
        profile = selectors.outlet_profile(outlet.slug)
        if profile is None:
            continue
        checked += 1
        assert profile.dispute_count == len(profile.disputes)
        assert profile.found_wrong == sum(d.own_found_wrong for d in profile.disputes)
        for prop, times, wrong_times in profile.by_property:
            shown = [d for d in profile.disputes if d.property == prop]
            assert times == len(shown)
            assert wrong_times == sum(d.own_found_wrong for d in shown)
    assert checked == len(room.outlets)


def test_a_search_on_an_outlets_page_numbers_its_results_and_leaves_the_reports(client, room):
    room.add(6)
    outlet = room.outlets[0]

    page = get(client, f"/outlets/{outlet.slug}/", q="candidates", page="2")

    assert "matching “candidates”" in page
    assert 'id="reported-title"' not in page
    assert 'id="contradicted-title"' not in page
    assert f'<a href="/outlets/{outlet.slug}/">Back to what it reported</a>' in page


def queries_for(client, url):
    settle()
    for cache in caches.all():
        cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries), len(response.content)


@pytest.mark.parametrize("page", ["1", "2", "99"])
def test_an_outlets_page_runs_five_queries_and_stays_the_same_size_however_much_it_reported(
    client, room, small_pages, page
):
    room.add(5)
    url = f"/outlets/{room.outlets[0].slug}/?page={page}"
    # Enough that every page is full (the last one too, with 4 by 4).
    while len(outlet_candidates(room.outlets[0])) < 12:
        room.add(5)
    few, few_size = queries_for(client, url)
    room.add(60)
    many, many_size = queries_for(client, url)

    assert few == many <= 5
    # As many candidates, facts and disputes: only names, counts and "more" lines differ.
    assert abs(many_size - few_size) < few_size / 10


def test_a_search_on_an_outlets_page_reads_no_report(client, room, django_assert_max_num_queries):
    room.add(30)
    settle()
    with django_assert_max_num_queries(6):
        response = client.get(f"/outlets/{room.outlets[0].slug}/", {"q": "candidates"})
    assert "matching “candidates”" in response.content.decode()


# An article's page.


def test_an_articles_facts_come_a_page_at_a_time_in_the_order_of_its_text(
    client, room, small_pages
):
    room.add(30)
    article = room.articles[0]
    total = Claim.objects.public().standing().filter(article=article).count()
    assert total > 10
    url = f"/articles/{article.pk}/"

    first, second = get(client, url), get(client, url, page=2)
    last = get(client, url, page=999)

    def names(page):
        """Each fact quoting it: the candidate's link, the property and the value."""
        return re.findall(r'<li><a href="/candidates/[^"]+">.*?</li>', page)

    assert len(names(first)) == len(names(second)) == 5
    assert not set(names(first)) & set(names(second))
    assert f"Facts 6 to 10 of {total}, in the order of the report." in second
    assert 'href="?page=3#passages-title" rel="next"' in second
    assert len(names(last)) == total - (total - 1) // 5 * 5
    assert names(get(client, url, page="x")) == names(first)


def test_an_articles_page_runs_three_queries_however_many_facts_quote_it(client, room, small_pages):
    article = room.articles[0]
    while Claim.objects.public().standing().filter(article=article).count() < 10:
        room.add(5)
    url = f"/articles/{article.pk}/?page=2"
    few, few_size = queries_for(client, url)
    room.add(60)
    many, many_size = queries_for(client, url)

    assert few == many <= 3
    assert abs(many_size - few_size) < few_size / 10


# A profile shows the first facts of each property; the others a page at a time.


def add_occupations(room, person, count, *, first=0):
    """`count` verified occupation claims of `person`, each quoting its own passage of one
    of the room's ten articles."""
    reviewed = Claim.objects.filter(candidate=person).exclude(reviewed_at=None)[0].reviewed_at
    claims = []
    for number in range(first, first + count):
        passage = Passage.objects.create(
            article=room.articles[number % 10],
            start=number,
            end=number + 6,
            exact="lawyer",
            prefix="",
            suffix="",
        )
        claims.append(
            Claim(
                candidate=person,
                property=Property.OCCUPATION,
                value=f"lawyer {number}",
                value_key=f"lawyer {number}",
                passage=passage,
                article=passage.article,
                as_of=passage.article.published_on,
                state="verified",
                reviewed_at=reviewed,
            )
        )
    Claim.objects.bulk_create(claims)


def occupations(page):
    return re.findall(
        r"<strong>([^<]*)</strong></p>",
        page[page.index('id="facts"') :].split("<h3>Occupation</h3>", 1)[-1].split("</ul>", 1)[0],
    )


def in_profile_order(person):
    """The person's public occupation facts, in the profile's order (by date, then id)."""
    claims = Claim.objects.public().standing().filter(candidate=person, property="occupation")
    return [claim.value for claim in claims.order_by(F("as_of").asc(nulls_first=True), "id")]


def test_a_profile_runs_as_many_queries_and_is_as_long_for_many_facts_as_for_fewer(client, room):
    (person,) = room.add(1)
    url = f"/candidates/{person.slug}/"
    add_occupations(room, person, 60)
    some, some_size = queries_for(client, url)
    add_occupations(room, person, 240, first=60)
    many, many_size = queries_for(client, url)

    assert many == some <= 8
    assert abs(many_size - some_size) < some_size / 20


def test_a_profile_shows_the_first_facts_of_a_property_and_links_the_rest(client, room):
    (person,) = room.add(1)
    add_occupations(room, person, 120)
    url = f"/candidates/{person.slug}/"
    expected = in_profile_order(person)
    total = Claim.objects.public().standing().filter(candidate=person, property="occupation")

    page = get(client, url)

    shown = occupations(page)
    assert shown == expected[:10]
    assert f"All {total.count()} facts on occupation, a page at a time" in page
    assert 'href="?facts=occupation#facts"' in page
    # Every article its facts cite is among its sources, shown or not.
    for article in room.articles:
        assert f'href="/articles/{article.pk}/"' in page


def test_a_propertys_facts_come_a_page_at_a_time_and_each_once(client, room):
    (person,) = room.add(1)
    add_occupations(room, person, 120)
    url = f"/candidates/{person.slug}/"
    expected = in_profile_order(person)
    count = Claim.objects.public().standing().filter(candidate=person, property="occupation")
    count = count.count()
    pages = (count + 49) // 50

    seen = []
    for number in range(1, pages + 1):
        page = get(client, url, facts="occupation", page=number)
        first, last = (number - 1) * 50 + 1, min(number * 50, count)
        assert f"Occupation: facts {first} to {last} of {count}." in page
        seen += occupations(page)
    assert seen == expected
    # Past either end, the last or the first page; a property that is none, the profile.
    assert occupations(get(client, url, facts="occupation", page=99)) == occupations(
        get(client, url, facts="occupation", page=pages)
    )
    assert occupations(get(client, url, facts="occupation", page="x")) == expected[:50]
    plain = get(client, url)
    assert occupations(get(client, url, facts="<script>", page=2)) == occupations(plain)
    assert occupations(get(client, url, facts="status")) == occupations(plain)
