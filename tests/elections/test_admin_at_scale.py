"""The admin at scale: the lists of claims and candidates and the review queue count, order,
filter and search without reading every claim (README, "The admin at scale").

The SQL is read as the lists send it: no COUNT over the whole claims table, no DISTINCT over
the claims, no default order by a candidate's name across a join, no LIKE over every claim for
a name; and a page costs as many queries with more claims as with few.
"""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from elections.models import Candidate, Claim, Property
from elections.services import claim_verify
from sources.admin import paging
from sources.admin.paging import RowCount
from tests.factories import make_article, make_candidate, make_claim, make_user

pytestmark = pytest.mark.django_db

CLAIMS = reverse("admin:elections_claim_changelist")
CANDIDATES = reverse("admin:elections_candidate_changelist")
NAMES = ["Liu Ping", "Xu Yan", "Liang Shuxin", "Wu Lihua", "Zhou Yunpeng", "Li Mingjun"]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def grow(count, *, by=None, start=0):
    """`count` more candidates, each with an age claim in an article of one of three outlets."""
    claims = []
    for number in range(start, start + count):
        candidate = make_candidate(f"{NAMES[number % len(NAMES)]} {number}")
        article = make_article(
            f"The candidate number {number} is {30 + number} years old.",
            outlet=f"Outlet {number % 3}",
        )
        claims.append(make_claim(candidate, Property.AGE, str(30 + number), article, by=by))
    return claims


def claim_queries(captured):
    """The SQL of the captured queries that read the claims table."""
    return [query["sql"] for query in captured if '"elections_claim"' in query["sql"]]


def whole_table_counts(sqls, table):
    """Counts over `table` that are not capped by a LIMIT (the paginator's count stops at
    `EXACT_UP_TO + 1` rows)."""
    return [
        sql
        for sql in sqls
        if sql.startswith("SELECT COUNT(") and f'"{table}"' in sql and "LIMIT" not in sql
    ]


def listed(response):
    return [row.pk for row in response.context["cl"].result_list]


# Counting and ordering


def test_the_claims_list_never_counts_or_scans_every_claim(reviewer, editor):
    grow(4, by=editor)
    client = client_for(reviewer)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(CLAIMS)

    assert response.status_code == 200 and len(listed(response)) == 4
    sqls = claim_queries(captured)
    assert whole_table_counts(sqls, "elections_claim") == []
    assert not [sql for sql in sqls if "DISTINCT" in sql]
    # The default order is the primary key's, never the candidate's name across a join.
    ordered = [sql for sql in sqls if "ORDER BY" in sql]
    assert ordered and all("display_name" not in sql.split("ORDER BY")[-1] for sql in ordered)
    assert '"elections_claim"."id" DESC' in ordered[0].split("ORDER BY")[-1]


def test_the_claims_list_newest_first_and_sorts_by_candidate_on_a_click(reviewer, editor):
    claims = grow(3, by=editor)
    client = client_for(reviewer)

    assert listed(client.get(CLAIMS)) == [claim.pk for claim in reversed(claims)]
    by_name = listed(client.get(CLAIMS, {"o": "1"}))  # the first column: the candidate
    names = [Claim.objects.get(pk=pk).candidate.display_name for pk in by_name]
    assert names == sorted(names)


def test_the_review_queue_lists_the_oldest_first_by_an_index(reviewer, editor):
    claims = grow(4, by=editor)
    claim_verify(claim=claims[1], acting_user=reviewer)
    client = client_for(reviewer)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(CLAIMS, {"state__exact": Claim.State.UNVERIFIED})

    assert listed(response) == [claims[0].pk, claims[2].pk, claims[3].pk]
    assert "Review queue (3)" in response.text
    sqls = claim_queries(captured)
    assert whole_table_counts(sqls, "elections_claim") == []
    page = next(sql for sql in sqls if "ORDER BY" in sql).split("ORDER BY")[-1]
    # The order of the index on state, review date and id (`claim_review_order_idx`).
    assert '"reviewed_at" ASC' in page and '"elections_claim"."id" ASC' in page
    verified = listed(client.get(CLAIMS, {"state__exact": Claim.State.VERIFIED}))
    assert verified == [claims[1].pk]


def test_the_claims_list_costs_as_many_queries_with_more_claims(
    reviewer, editor, django_assert_max_num_queries
):
    grow(2, by=editor)
    client = client_for(reviewer)
    client.get(CLAIMS)  # the session and the content types, read once
    with CaptureQueriesContext(connection) as few:
        client.get(CLAIMS)
        client.get(CLAIMS, {"state__exact": Claim.State.UNVERIFIED})
        client.get(CLAIMS, {"q": "Liu Ping"})

    grow(10, by=editor, start=2)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(CLAIMS)
        client.get(CLAIMS, {"state__exact": Claim.State.UNVERIFIED})
        client.get(CLAIMS, {"q": "Liu Ping"})


def test_the_claims_list_costs_the_same_queries_past_the_exact_limit(
    reviewer, editor, monkeypatch, django_assert_max_num_queries
):
    # 2 claims are counted exactly, 12 past the limit: PostgreSQL's estimate, and on SQLite a
    # count that goes on in the same statement; the review queue's count too.
    monkeypatch.setattr(paging, "EXACT_UP_TO", 5)
    grow(2, by=editor)
    client = client_for(reviewer)
    client.get(CLAIMS)
    pages = [{}, {"state__exact": Claim.State.UNVERIFIED}, {"q": "Liu Ping"}, {"q": "31"}]
    with CaptureQueriesContext(connection) as few:
        for query in pages:
            client.get(CLAIMS, query)

    grow(10, by=editor, start=2)

    with django_assert_max_num_queries(len(few.captured_queries)):
        for query in pages:
            client.get(CLAIMS, query)


def test_the_rows_read_as_djangos_own_would_render_them(reviewer, editor):
    """The checkbox and the row links (`sources.admin.rows`) are the HTML Django's widget and
    `add_preserved_filters` give, without their cost."""
    from django.contrib import admin
    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters

    [claim] = grow(1, by=editor)
    filters = {"state__exact": Claim.State.UNVERIFIED, "property__exact": Property.AGE}

    response = client_for(reviewer).get(CLAIMS, filters)

    model_admin = admin.site._registry[Claim]
    checkbox = model_admin.action_checkbox(claim)
    assert checkbox == admin.ModelAdmin.action_checkbox(model_admin, claim)
    assert checkbox in response.text
    url = add_preserved_filters(
        {
            "preserved_filters": urlencode({"_changelist_filters": urlencode(filters)}),
            "opts": Claim._meta,
        },
        reverse("admin:elections_claim_change", args=[claim.pk]),
    )
    assert "_changelist_filters=" in url
    assert response.text.count(f'href="{escape(url)}"') == 3  # candidate, property, value


def test_the_outlet_filter_lists_the_outlets_table_not_a_distinct_over_claims(reviewer, editor):
    grow(3, by=editor)
    make_article("No claim cites this one yet.", outlet="Quiet Weekly")
    client = client_for(reviewer)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(CLAIMS)

    outlets = next(spec for spec in response.context["cl"].filter_specs if spec.title == "outlet")
    names = [name for _pk, name in outlets.lookup_choices]
    assert {"Outlet 0", "Outlet 1", "Outlet 2", "Quiet Weekly"} <= set(names)
    assert not [query for query in captured if "DISTINCT" in query["sql"]]
    chosen = outlets.lookup_choices[names.index("Outlet 1")][0]
    in_one = listed(client.get(CLAIMS, {"article__outlet__id__exact": chosen}))
    assert [Claim.objects.get(pk=pk).article.outlet.name for pk in in_one] == ["Outlet 1"]


# Searching


@pytest.mark.parametrize("term", ["Liu Ping 0", "liuping", "LIU-PING 0", "0 Ping Liu"])
def test_a_name_search_finds_the_candidates_first_then_their_claims(reviewer, editor, term):
    claims = grow(3, by=editor)
    client = client_for(reviewer)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(CLAIMS, {"q": term})

    assert listed(response) == [claims[0].pk]
    sqls = claim_queries(captured)
    # The names are matched in the candidates table; the claims by their candidate's id.
    assert not [sql for sql in sqls if "LIKE" in sql]


def test_claims_found_by_ids_are_sorted_after_reading_them_by_their_candidates(reviewer, editor):
    claims = grow(12, by=editor)  # "Liu Ping 0" and "Liu Ping 6"
    client = client_for(reviewer)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(CLAIMS, {"q": "Liu Ping"})

    assert listed(response) == [claims[6].pk, claims[0].pk]  # newest first
    page = next(sql for sql in claim_queries(captured) if "ORDER BY" in sql)
    # Ordered by a column no index walks, so that the database reads the matches by the
    # claim's candidate; the candidates and articles are read by id for the page's rows.
    assert '"created_at" DESC' in page.split("ORDER BY")[-1]
    assert 'JOIN "elections_candidate"' not in page and 'JOIN "sources_article"' not in page
    by_name = listed(client.get(CLAIMS, {"q": "Liu Ping", "o": "-3"}))  # a chosen column
    assert set(by_name) == {claims[0].pk, claims[6].pk}


def test_a_value_is_found_through_the_articles_that_print_it(reviewer, editor):
    claims = grow(3, by=editor)
    client = client_for(reviewer)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(CLAIMS, {"q": "31"})

    assert listed(response) == [claims[1].pk]
    # The LIKE runs over the claims of the articles the full-text index found, by their ids.
    searched = [sql for sql in claim_queries(captured) if "LIKE" in sql]
    assert searched and all('"elections_claim"."article_id" IN (' in sql for sql in searched)


def test_a_word_in_no_article_and_no_name_finds_nothing(reviewer, editor):
    grow(2, by=editor)

    response = client_for(reviewer).get(CLAIMS, {"q": "Hongzhou"})

    assert listed(response) == []


# Candidates


def test_the_candidates_list_never_counts_every_candidate_and_is_newest_first(
    editor, django_assert_max_num_queries
):
    first = grow(2)
    client = client_for(editor)
    client.get(CANDIDATES)
    with CaptureQueriesContext(connection) as few:
        response = client.get(CANDIDATES)
    assert listed(response) == [claim.candidate_id for claim in reversed(first)]
    sqls = [query["sql"] for query in few.captured_queries]
    assert whole_table_counts(sqls, "elections_candidate") == []
    assert whole_table_counts(sqls, "elections_claim") == []

    grow(8, start=2)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(CANDIDATES)
    names = listed(client.get(CANDIDATES, {"o": "1"}))  # a click on the name column
    shown = [Candidate.objects.get(pk=pk).display_name for pk in names]
    assert shown == sorted(shown)


def test_the_candidate_search_reads_the_folded_names(editor):
    claims = grow(3)

    response = client_for(editor).get(CANDIDATES, {"q": "liangshuxin"})

    assert listed(response) == [claims[2].candidate_id]


# Estimated counts


def test_past_the_exact_limit_the_list_says_about_and_pages_on(reviewer, editor, monkeypatch):
    grow(3, by=editor)
    monkeypatch.setattr(paging, "EXACT_UP_TO", 2)
    monkeypatch.setattr(paging, "planner_estimate", lambda queryset: 120_000)
    client = client_for(reviewer)

    response = client.get(CLAIMS)

    cl = response.context["cl"]
    assert cl.paginator.estimated and cl.result_count == 120_000
    assert "about 120,000 claims" in response.text
    assert "Review queue (about 120,000)" in response.text
    assert len(listed(response)) == 3
    # A page past the real end (the estimate was high) is empty, not an error.
    assert listed(client.get(CLAIMS, {"p": "3"})) == []


def test_on_sqlite_a_count_past_the_limit_is_exact(editor):
    grow(3)
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL estimates; tests/sources/test_admin_at_scale.py")

    assert paging.count_rows(Claim.objects.all(), exact_up_to=2) == RowCount(3, exact=True)
    assert paging.count_rows(Claim.objects.all(), exact_up_to=5) == RowCount(3, exact=True)


def test_a_superuser_sees_the_same_lists(editor):
    grow(2, by=editor)
    client = client_for(make_user(superuser=True))

    for url in (CLAIMS, CANDIDATES):
        assert client.get(url).status_code == 200
