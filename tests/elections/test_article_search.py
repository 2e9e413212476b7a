"""The public search over articles: only articles a public claim cites, ranked, with the
matching words marked in excerpts, on the outlet list and on each outlet's page."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elections.services import claim_verify
from tests.factories import make_article, make_candidacy, make_candidate, make_claim
from tests.newsroom import fixtures

pytestmark = pytest.mark.django_db

_built, world = fixtures("public site", name="world")


@pytest.fixture(autouse=True)
def _fresh_caches():
    for cache in caches.all():
        cache.clear()


def search(client, query, path="/outlets/", **params):
    response = client.get(path, {"q": query, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_a_word_of_a_cited_article_finds_it_with_the_word_marked(client, world):
    page = search(client, "BALLOT")
    assert "1 article matching “BALLOT”" in page
    assert f'href="/articles/{world.daily.pk}/"' in page
    assert "kept her off the <mark>ballot</mark>" in page
    assert "Example Daily" in page


def test_only_what_the_public_reads_of_an_article_is_matched(client, world):
    # "steelworker" is in the daily's text, quoted only by an unverified claim.
    assert "0 articles matching" in search(client, "steelworker")
    # The title is public wherever the article is.
    assert f'href="/articles/{world.wire.pk}/"' in search(client, "two profiles")


def test_chinese_is_found_inside_a_run_of_characters(client, world):
    page = search(client, "新余")
    assert f'href="/articles/{world.chinese.pk}/"' in page
    assert "<mark>新余</mark>市" in page
    assert 'lang="zh-Hans"' in page


def test_an_article_only_an_unpublished_candidates_claim_cites_is_never_found(client, world):
    page = search(client, "Hidden Person")
    assert "0 articles matching" in page
    assert "Quiet Outlet" not in page
    assert f'href="/articles/{world.quiet.pk}/"' not in page


def test_an_article_with_only_unverified_claims_is_never_found(client, world):
    article = make_article("Zheng Unseen spoke in Wuhan.", outlet="Example Daily")
    candidate = make_candidate("Zheng Unseen")
    make_candidacy(candidate, world.liu_run.election)
    make_claim(world.liu, "city", "Wuhan", article)
    assert "0 articles matching" in search(client, "Wuhan")


def test_an_outlets_page_searches_its_own_articles_only(client, world):
    everywhere = search(client, "Hangzhou")
    assert "1 article matching" in everywhere
    own = search(client, "Hangzhou", path="/outlets/second-wire/")
    assert "1 article matching" in own
    assert f'href="/articles/{world.wire.pk}/"' in own
    assert "0 articles matching" in search(client, "Hangzhou", path="/outlets/example-daily/")


def test_the_query_and_the_text_are_escaped(client, world):
    page = search(client, '<script>alert("x")</script> Xinyu')
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_an_empty_query_shows_only_the_form_and_a_query_of_symbols_finds_nothing(client, world):
    page = search(client, "")
    assert "matching" not in page
    assert 'name="q"' in page
    assert "0 articles matching" in search(client, "!!! ???")


def test_a_page_past_the_end_shows_the_last_page(client, world):
    assert "1 article matching" in search(client, "ballot", page="99")
    assert "1 article matching" in search(client, "ballot", page="x")


def _cited_report(world, number):
    article = make_article(f"Report {number} from Xinyu.", outlet=f"Outlet {number}")
    claim = make_claim(world.liu, "city", "Xinyu", article, by=world.editor)
    claim_verify(claim=claim, acting_user=world.reviewer)


def test_the_search_reads_a_fixed_number_of_queries_however_many_articles_match(
    client, world, django_assert_num_queries
):
    _cited_report(world, 0)
    for cache in caches.all():
        cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert "1 article matching" in search(client, "Xinyu")
    for number in range(1, 15):
        _cited_report(world, number)
    for cache in caches.all():
        cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        page = search(client, "Xinyu")
    assert "15 articles matching" in page
    assert page.count('class="search-hit"') == 15


def test_an_articles_page_offers_the_search_over_every_cited_article(client, world):
    page = client.get(f"/articles/{world.daily.pk}/").content.decode()
    assert (
        '<form class="article-search__form" method="get" action="/outlets/" role="search">' in page
    )
    assert "matching" not in page
