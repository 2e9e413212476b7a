"""The article list at scale, and the estimated count of big lists on PostgreSQL (README, "The
admin at scale"): no whole-table COUNT, GROUP BY or DISTINCT over the articles, filter choices
read from the outlets table and an index, and PostgreSQL's estimate past the exact limit."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sources.admin import paging
from sources.admin.filters import distinct_values, published_years
from sources.audit import system_user
from sources.models import Article
from sources.services import article_update
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

ARTICLES = reverse("admin:sources_article_changelist")


@pytest.fixture
def client():
    client = Client()
    client.force_login(make_user("Editors"))
    return client


def grow(count, *, start=0):
    articles = []
    for number in range(start, start + count):
        articles.append(
            make_article(
                f"Report {number}: the candidate stood again.",
                outlet=f"Outlet {number % 3}",
                published=f"{2010 + number % 3}-05-0{1 + number % 9}",
            )
        )
    return articles


def article_queries(captured):
    return [query["sql"] for query in captured if '"sources_article"' in query["sql"]]


def test_the_article_list_never_counts_groups_or_scans_every_article(
    client, django_assert_max_num_queries
):
    grow(3)
    client.get(ARTICLES)
    with CaptureQueriesContext(connection) as few:
        response = client.get(ARTICLES)

    shown = [row.pk for row in response.context["cl"].result_list]
    expected = Article.objects.order_by("-published_on", "-id").values_list("pk", flat=True)
    assert shown == list(expected)
    sqls = article_queries(few.captured_queries)
    assert not [sql for sql in sqls if sql.startswith("SELECT COUNT(") and "LIMIT" not in sql]
    # The passages of each row are counted for the page, not over a join of every article.
    assert not [sql for sql in sqls if 'JOIN "sources_passage"' in sql]
    assert not [sql for sql in sqls if "DISTINCT" in sql]
    # The page's rows, with their outlets (the filters' walks read one column).
    page = next(sql for sql in sqls if "ORDER BY" in sql and '"sources_outlet"' in sql)
    page = page.split("ORDER BY")[-1]
    assert '"published_on" DESC' in page and '"title"' not in page

    grow(9, start=3)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(ARTICLES)


def test_the_article_list_costs_the_same_queries_past_the_exact_limit(
    client, monkeypatch, django_assert_max_num_queries
):
    # 3 articles are counted exactly, 12 past the limit: PostgreSQL's estimate, and on
    # SQLite a count that goes on in the same statement.
    monkeypatch.setattr(paging, "EXACT_UP_TO", 5)
    grow(3)
    client.get(ARTICLES)
    with CaptureQueriesContext(connection) as few:
        client.get(ARTICLES)
        client.get(ARTICLES, {"year": "2011"})

    grow(9, start=3)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(ARTICLES)
        client.get(ARTICLES, {"year": "2011"})
    assert response.context["cl"].result_count >= 12


def test_a_count_asks_the_same_queries_below_and_past_the_limit():
    grow(4)
    every = Article.objects.all()

    with CaptureQueriesContext(connection) as below:
        assert paging.count_rows(every, exact_up_to=10).number == 4
    with CaptureQueriesContext(connection) as past:
        counted = paging.count_rows(every, exact_up_to=2)

    assert len(below.captured_queries) == len(past.captured_queries)
    assert len(past.captured_queries) == (2 if connection.vendor == "postgresql" else 1)
    assert counted.number >= 3
    assert paging.count_rows(every.filter(pk__in=[])) == paging.RowCount(0, exact=True)


def test_the_article_filters_read_outlets_years_and_languages_without_a_distinct(client):
    first = grow(4)[0]
    article_update(article=first, language="zh-Hans", acting_user=system_user())

    with CaptureQueriesContext(connection) as captured:
        response = client.get(ARTICLES)

    specs = {str(spec.title): spec for spec in response.context["cl"].filter_specs}
    assert [name for _pk, name in specs["outlet"].lookup_choices] == [
        "Outlet 0",
        "Outlet 1",
        "Outlet 2",
    ]
    assert [value for value, _label in specs["year published"].lookup_choices] == [
        "2012",
        "2011",
        "2010",
        "unknown",
    ]
    assert [value for value, _label in specs["language"].lookup_choices] == ["zh-Hans"]
    assert not [query for query in captured if "DISTINCT" in query["sql"]]
    in_2011 = client.get(ARTICLES, {"year": "2011"}).context["cl"].result_list
    assert {article.published_on.year for article in in_2011} == {2011}
    chinese = client.get(ARTICLES, {"language__exact": "zh-Hans"}).context["cl"].result_list
    assert [article.language for article in chinese] == ["zh-Hans"]


def test_the_index_walks_stop_at_their_limit():
    grow(3)

    assert published_years(Article.objects.all(), limit=2) == [2012, 2011]
    assert (
        distinct_values(Article.objects.all(), "title", limit=2)
        == sorted(Article.objects.values_list("title", flat=True))[:2]
    )


def test_the_counts_of_passages_are_read_for_the_page(client):
    article = grow(1)[0]

    response = client.get(ARTICLES)

    row = response.context["cl"].result_list[0]
    assert row.pk == article.pk and row.passage_count == 0 and row.attention_count == 0


@pytest.mark.postgres
def test_on_postgresql_a_big_list_reads_the_planner_estimate(client, monkeypatch):
    grow(6)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sources_article")
    everything = Article.objects.all()

    whole = paging.planner_estimate(everything)
    filtered = paging.planner_estimate(everything.filter(published_on__year=2011))

    assert whole == 6  # pg_class.reltuples, as ANALYZE left it, read by the planner
    assert filtered is not None and 1 <= filtered <= 6  # EXPLAIN's row estimate
    assert paging.count_rows(everything, exact_up_to=10) == paging.RowCount(6, exact=True)
    estimated = paging.count_rows(everything, exact_up_to=2)
    assert not estimated.exact and estimated.number >= 3

    monkeypatch.setattr(paging, "EXACT_UP_TO", 2)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(ARTICLES)

    cl = response.context["cl"]
    assert cl.paginator.estimated and cl.result_count >= 3
    assert "about 6 articles" in response.text and len(cl.result_list) == 6
    assert any(query["sql"].startswith("EXPLAIN") for query in captured)
    searched = client.get(ARTICLES, {"year": "2011"})
    assert searched.status_code == 200


def test_past_the_limit_sqlite_counts_exactly(monkeypatch):
    grow(3)
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL estimates: see the test above")

    assert paging.planner_estimate(Article.objects.all()) is None
    assert paging.count_rows(Article.objects.all(), exact_up_to=1) == paging.RowCount(3, True)
