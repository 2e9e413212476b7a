"""What the faster shapes of the public pages must keep: the same answers, in few queries.

The candidate list reads a page of ids first (with its total in the same query when the
filters read every match anyway) and then only that page's rows; a profile reads the
candidate's own rows and applies the public rules to them in Python; the latest facts walk
the claims newest first. These tests hold those shapes to the answers of the plain ones.
"""

import re

import pytest
from django import forms
from django.core.cache import caches
from django.core.paginator import EmptyPage
from django.db import connection

from elections import public
from elections.filters import CandidateFilter, LangSelect, LeanSelect
from elections.models import Candidate, Claim, Property
from elections.services import candidate_publish, claim_verify
from tests.factories import make_candidacy, make_candidate, make_claim
from tests.newsroom import fixtures

pytestmark = pytest.mark.django_db

SMALL, LARGE = 4, 30
_built, world = fixtures("performance", name="world", size=LARGE)


@pytest.fixture(autouse=True)
def _fresh_caches():
    for cache in caches.all():
        cache.clear()


def names_listed(response):
    assert response.status_code == 200
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(
            r'<h3 class="candidate-card__name">(.*?)</h3>', response.content.decode(), re.S
        )
    ]


# The list.


def test_latest_status_is_the_latest_public_step_of_any_candidacy(client, world):
    def listed(status):
        return names_listed(client.get("/candidates/", {"status": status, "q": "gao"}))

    assert listed("declared") == ["Gao Lan 高兰"]
    assert listed("barred") == []
    assert listed("elected") == []
    assert listed("none") == []
    assert names_listed(client.get("/candidates/", {"status": "none", "q": "fang"})) == [
        "Fang Yu 方宇"
    ]


def test_a_filtered_list_shows_its_total_and_its_pages(client, world):
    ningbo = {"province": world.zhejiang.slug, "city": world.ningbo.slug}
    first = client.get("/candidates/", ningbo)
    second = client.get("/candidates/", {**ningbo, "page": 2})

    assert f"{LARGE + 2} candidates match these filters" in first.content.decode()
    assert len(names_listed(first)) == 25
    assert len(names_listed(second)) == LARGE + 2 - 25
    assert not set(names_listed(first)) & set(names_listed(second))


@pytest.mark.parametrize("page", ["99", "0", "-3"])
def test_a_page_past_either_end_of_a_filtered_list_shows_the_last_page(client, world, page):
    ningbo = {"province": world.zhejiang.slug, "city": world.ningbo.slug}

    shown = names_listed(client.get("/candidates/", {**ningbo, "page": page}))

    assert shown == names_listed(client.get("/candidates/", {**ningbo, "page": 2}))


def test_an_unreadable_page_number_shows_the_first_page(client, world):
    ningbo = {"province": world.zhejiang.slug}

    shown = names_listed(client.get("/candidates/", {**ningbo, "page": "two"}))

    assert shown == names_listed(client.get("/candidates/", ningbo))


def test_the_api_refuses_a_page_past_the_end_of_a_filtered_list(client, world):
    response = client.get("/api/candidates/", {"province": world.zhejiang.slug, "page": 9})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


@pytest.mark.parametrize(
    "query",
    [
        lambda world: {"province": world.zhejiang.slug},
        lambda world: {"sort": "status"},
        lambda world: {"disputed": "no", "sort": "verified"},
        lambda world: {"q": "filler", "sort": "province"},
    ],
)
def test_the_window_count_pages_like_a_count_and_a_slice(world, query):
    candidates = CandidateFilter(query(world)).qs

    for number in (1, 2):
        window = public.page_of_ids(candidates, number, size=10, total_with_page=True)
        plain = public.page_of_ids(candidates, number, size=10)
        assert list(window) == list(plain)
        assert window.paginator.count == plain.paginator.count
    with pytest.raises(EmptyPage):
        public.page_of_ids(candidates, 99, size=10, total_with_page=True)


def test_rows_keep_the_page_order_and_leave_out_a_candidate_no_longer_published(world):
    ids = [world.fillers[3].pk, world.draft.pk, world.fillers[1].pk]

    rows = public.candidate_rows(ids)

    assert [row.pk for row in rows] == [world.fillers[3].pk, world.fillers[1].pk]
    assert [place.name for place in rows[0].places] == ["Ningbo"]
    assert rows[0].places[0].province == "Zhejiang"


def test_the_filters_read_their_choices_in_two_queries(world, django_assert_num_queries):
    # And one more that finds no kept tally pending.
    with django_assert_num_queries(3):
        filterset = CandidateFilter({"province": world.zhejiang.slug})
        form = str(filterset.form)

    assert f'<option value="{world.zhejiang.slug}" selected>Zhejiang</option>' in form
    assert f'<option value="{world.ningbo.slug}">Ningbo, Zhejiang</option>' in form
    assert "Hubei" not in form


def test_a_filtered_list_runs_as_many_queries_for_many_candidates_as_for_few(
    client, world, django_assert_max_num_queries
):
    def queries(city):
        with django_assert_max_num_queries(6) as captured:
            assert client.get("/candidates/", {"city": city.slug}).status_code == 200
        return len(captured.captured_queries)

    # Hangzhou has one candidate, Ningbo thirty-one (and a second page).
    assert queries(world.hangzhou) == queries(world.ningbo)


@pytest.mark.parametrize(
    "value",
    ["plain", 'quo"te', "<b>&amp;", "", None],
)
def test_the_filter_selects_write_what_djangos_select_writes(value):
    choices = [
        ("", "Any"),
        ('<script>"x"', "A & B <i>"),
        ("plain", "Plain"),
        ('quo"te', "it's"),
        ("group", [("<b>&amp;", "inner <b>"), ("y", "Y")]),
    ]
    attrs = {"id": 'id_"x"', "required": True, "disabled": False}
    django = forms.Select(choices=choices).render('na"me', value, attrs)

    lean = LeanSelect(choices=choices).render('na"me', value, attrs)

    assert lean == re.sub(r"\n+", "\n", django)


def test_an_outlet_option_in_chinese_carries_its_language():
    html = LangSelect(choices=[("ribao", "示例日报"), ("post", "Post")]).render("outlet", "")

    assert '<option value="ribao" lang="zh-Hans">示例日报</option>' in html
    assert '<option value="post">Post</option>' in html


# The profile.


def test_an_overruled_claims_source_has_no_link_when_no_public_claim_cites_it(client, world):
    page = client.get(f"/candidates/{world.disputed.slug}/").content.decode()
    disputes = page[page.index('id="disputes"') :]

    assert "<strong>61</strong>" in disputes
    assert f'href="/articles/{world.lone.pk}/"' not in page
    assert f'href="/outlets/{world.lone.outlet.slug}/"' not in page
    assert f'href="/articles/{world.second.pk}/"' in disputes


def test_an_overruled_claims_source_is_linked_when_another_public_claim_cites_it(
    client, world, django_assert_max_num_queries
):
    other = make_candidate("Lone Reader")
    make_candidacy(other, world.wuhan_poll)
    claim_verify(
        claim=make_claim(other, Property.AGE, "61", world.lone, by=world.editor),
        acting_user=world.reviewer,
    )
    candidate_publish(candidate=other, acting_user=world.reviewer)

    with django_assert_max_num_queries(8):
        page = client.get(f"/candidates/{world.disputed.slug}/").content.decode()

    assert f'href="/articles/{world.lone.pk}/"' in page
    assert f'href="/outlets/{world.lone.outlet.slug}/"' in page


def test_a_profile_of_a_candidate_no_overruled_claim_cites_runs_seven_queries(
    client, world, django_assert_num_queries
):
    # The candidate, the ranks of its claims, the claims shown, the disputes' members, the
    # candidacies, their steps, the names.
    with django_assert_num_queries(7):
        response = client.get(f"/candidates/{world.runner.slug}/")

    page = response.content.decode()
    assert 'latest status: <span class="status">declared</span>' in page
    assert "had been elected</mark>" not in page


# The home page's latest facts.


def test_latest_facts_leave_out_the_newest_claim_of_an_unpublished_candidate(world):
    newest = Claim.objects.order_by("-reviewed_at", "-id").first()
    assert newest.candidate == world.draft

    facts = list(public.latest_facts(limit=3))

    assert newest not in facts
    assert [fact.reviewed_at for fact in facts] == sorted(
        (fact.reviewed_at for fact in facts), reverse=True
    )
    assert all(fact.candidate.state == Candidate.State.PUBLISHED for fact in facts)


def test_latest_facts_walk_the_claims_newest_first_without_sorting_them(world):
    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan; PostgreSQL plans by its own statistics")
    sql, params = public.newest_public_claims().query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())

    assert "claim_review_order_idx" in plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan
