"""The public pages show published, verified facts with their citations, and nothing else."""

import json
import re

import pytest
from django.core.cache import caches

from elections.models import Contradiction, Property
from elections.services import (
    candidate_merge,
    candidate_publish,
    claim_verify,
    contradiction_resolve,
)
from tests.factories import make_article, make_candidacy, make_candidate, make_claim
from tests.newsroom import fixtures

pytestmark = pytest.mark.django_db

_built, world = fixtures("public site", name="world")


@pytest.fixture(autouse=True)
def _fresh_caches():
    # A page cache in front of the views must not answer with another test's page.
    for cache in caches.all():
        cache.clear()


def text_of(response):
    return response.content.decode()


def test_home_counts_and_charts_only_published_candidates(client, world):
    page = text_of(client.get("/"))

    assert "2 published profiles" in page
    assert page.count('role="img"') == 2
    assert '<title id="chart-provinces-title">' in page
    assert "Jiangxi: 1, Zhejiang: 1" in page
    assert '<span lang="zh-Hans">江西省</span>' in page
    assert "barred: 1" in page
    assert "Hubei" not in page
    assert "Sichuan" not in page


def test_home_lists_the_latest_verified_facts_with_their_citations(client, world):
    page = text_of(client.get("/"))

    assert "<mark>52</mark>" in page
    assert f'href="/articles/{world.wire.pk}/"' in page
    assert "steelworker</mark>" not in page
    assert "Hidden Person" not in page
    assert "Hongzhou</mark>" not in page


def test_profile_shows_every_name_form_with_its_language(client, world):
    page = text_of(client.get("/candidates/liu-ping/"))

    assert '<span class="profile__zh" lang="zh-Hans">刘萍</span>' in page
    xu_page = text_of(client.get("/candidates/xu-yan/"))
    assert "Xu Ruiyan" in xu_page


def test_profile_shows_verified_facts_grouped_with_quote_and_links(client, world):
    page = text_of(client.get("/candidates/liu-ping/"))

    assert "<h3>Age</h3>" in page
    assert "Liu Ping, <mark>47</mark>, a steelworker" in page
    assert 'href="https://example.org/reports/1"' in page
    assert f'href="/articles/{world.daily.pk}/"' in page
    assert f'href="/articles/{world.chinese.pk}/"' in page
    assert '<blockquote class="quote" lang="zh-Hans">' in page


def test_profile_leaves_out_unverified_and_rejected_claims(client, world):
    page = text_of(client.get("/candidates/liu-ping/"))

    assert "<strong>steelworker</strong>" not in page
    assert "retired worker</mark>" not in page
    assert "<h3>Occupation</h3>" not in page


def test_overruled_claim_appears_only_where_outlets_disagreed(client, world):
    page = text_of(client.get("/candidates/xu-yan/"))
    facts, _, disagreements = page.partition('id="disagreements"')

    assert "<strong>Hongzhou</strong>" not in facts
    assert "<strong>Hangzhou</strong>" in facts
    assert "<strong>Hongzhou</strong>" in disagreements
    assert "found wrong" in disagreements
    assert "Second Wire&#x27;s version was found right." in disagreements
    assert "No place has that name; a misprint." in disagreements


def test_open_contradiction_between_verified_claims_is_under_review(client, world):
    page = text_of(client.get("/candidates/liu-ping/"))
    _, _, disagreements = page.partition('id="disagreements"')

    assert "Under review." in disagreements
    assert "<strong>47</strong>" in disagreements
    assert "<strong>52</strong>" in disagreements


def test_candidacy_timeline_shows_dated_status_steps_with_citations(client, world):
    page = text_of(client.get("/candidates/liu-ping/"))
    _, _, candidacy = page.partition('id="candidacy"')
    candidacy, _, _ = candidacy.partition('id="facts"')

    assert "polling day 15 April 2011" in candidacy
    assert "<strong>Barred</strong>" in candidacy
    assert "April 2011" in candidacy
    assert "Example Daily" in candidacy


def test_profile_lists_its_sources_and_when_it_was_last_verified(client, world):
    page = text_of(client.get("/candidates/liu-ping/"))
    _, _, sources = page.partition('id="sources"')

    assert "Candidates outside the capital" in sources
    assert '<a href="/articles/' in sources
    assert "Nobody cites this" not in sources
    assert "Facts last verified" in page


def test_profile_describes_the_person_in_json_ld(client, world):
    page = text_of(client.get("/candidates/liu-ping/"))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(block.group(1))

    assert data["@type"] == "Person"
    assert data["name"] == "Liu Ping"
    assert "刘萍" in data["alternateName"]
    assert data["gender"] == "Female"
    assert data["url"].endswith("/candidates/liu-ping/")


@pytest.mark.parametrize("slug", ["hidden-person", "withdrawn-person", "nobody-at-all"])
def test_an_unpublished_profile_answers_like_one_that_does_not_exist(client, world, slug):
    missing = client.get("/candidates/no-such-person/")
    response = client.get(f"/candidates/{slug}/")

    assert response.status_code == 404
    assert response.content == missing.content


def test_a_merged_record_redirects_permanently_to_its_published_survivor(client, world):
    response = client.get("/candidates/xu-ruiyan/")

    assert response.status_code == 301
    assert response["Location"] == "/candidates/xu-yan/"


def test_a_merged_record_whose_survivor_is_unpublished_is_not_found(client, world):
    absorbed = make_candidate("Second Record Of Hidden")
    candidate_merge(survivor=world.hidden, absorbed=absorbed, acting_user=world.reviewer)
    missing = client.get("/candidates/no-such-person/")

    response = client.get("/candidates/second-record-of-hidden/")

    assert response.status_code == 404
    assert response.content == missing.content


def test_outlet_list_shows_only_outlets_cited_by_public_claims(client, world):
    page = text_of(client.get("/outlets/"))

    assert "Example Daily" in page
    assert '<a href="/outlets/%E7%A4%BA%E4%BE%8B%E6%97%A5%E6%8A%A5/" lang="zh-Hans">' in page
    assert "Quiet Outlet" not in page


def test_outlet_page_groups_its_reports_and_counts_where_it_was_found_wrong(client, world):
    page = text_of(client.get("/outlets/example-daily/"))

    assert "<strong>47</strong>" in page
    assert '<span class="badge badge--wrong">found wrong</span>' in page
    assert "The editors found its version wrong 1 time." in page
    assert '<th scope="row">City</th><td class="num">1</td><td class="num">1</td>' in page
    assert "steelworker</mark>" not in page


def test_outlet_without_public_claims_is_not_found(client, world):
    assert client.get("/outlets/quiet-outlet/").status_code == 404
    assert client.get("/outlets/no-such-outlet/").status_code == 404


def test_article_page_shows_cited_passages_linking_to_the_profiles(client, world):
    page = text_of(client.get(f"/articles/{world.daily.pk}/"))

    assert "Candidates outside the capital" in page
    assert 'href="https://example.org/reports/1"' in page
    assert '<a href="/candidates/liu-ping/">' in page
    assert "<mark>47</mark>" in page
    assert "<strong>steelworker</strong>" not in page


def test_article_cited_only_by_unpublished_or_unverified_claims_is_not_found(client, world):
    missing = client.get("/articles/999999/")
    response = client.get(f"/articles/{world.quiet.pk}/")

    assert response.status_code == 404
    assert response.content == missing.content


def test_hostile_names_and_quotes_are_escaped_everywhere(client, world):
    editor, reviewer = world.editor, world.reviewer
    hostile = make_candidate('</script><script>alert("name")</script>', name_zh="<b>刘</b>")
    make_candidacy(hostile, world.liu.candidacies.get().election)
    article = make_article(
        'Readers wrote <img src=x onerror=alert(1)> and "quotes" & ampersands.',
        outlet="<i>Outlet</i>",
        title="<em>Title</em>",
    )
    claim = make_claim(
        hostile, Property.OCCUPATION, "<img src=x onerror=alert(1)>", article, by=editor
    )
    claim_verify(claim=claim, acting_user=reviewer)
    candidate_publish(candidate=hostile, acting_user=reviewer)

    pages = [
        client.get(hostile.get_absolute_url()),
        client.get("/"),
        client.get("/candidates/", {"q": "alert"}),
        client.get("/outlets/"),
        client.get(f"/articles/{article.pk}/"),
    ]

    for response in pages:
        page = text_of(response)
        assert response.status_code == 200
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "<i>Outlet</i>" not in page
        assert "<em>Title</em>" not in page
    profile = text_of(pages[0])
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', profile, re.S)
    assert json.loads(block.group(1))["name"] == '</script><script>alert("name")</script>'
    assert "&lt;img src=x onerror=alert(1)&gt;" in profile


def test_a_verdict_of_no_contradiction_takes_the_disagreement_off_the_profile(client, world):
    contradiction = Contradiction.objects.get(candidate=world.liu, status="open")
    contradiction_resolve(
        contradiction=contradiction,
        verdict=Contradiction.Verdict.NOT_CONTRADICTION,
        note="Both ages can hold.",
        acting_user=world.reviewer,
    )

    page = text_of(client.get("/candidates/liu-ping/"))

    assert 'id="disagreements"' not in page
    assert "<strong>52</strong>" in page
    assert "outlets disagree</a>" not in page


def test_the_list_and_its_choices_never_name_anything_unpublished(client, world):
    page = text_of(client.get("/candidates/"))

    for hidden in ("Hidden Person", "Withdrawn Person", "Quiet Outlet", "Hubei", "Qianjiang"):
        assert hidden not in page
    for hidden in ("Sichuan", "Chengdu", "隐藏人"):
        assert hidden not in page
    assert '<option value="示例日报" lang="zh-Hans">示例日报</option>' in page
    assert "Xu Ruiyan" not in page


def test_a_merged_record_is_redirected_in_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = client.get("/candidates/xu-ruiyan/")

    assert response.status_code == 301
