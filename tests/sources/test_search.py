"""Full-text search over articles: Chinese by bigrams, English by words, ranked, highlighted,
on whichever database the suite runs (SQLite's FTS5 or PostgreSQL's GIN index)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sources.audit import system_user
from sources.models import Article
from sources.search import highlights, query_phrases, search_articles, terms
from sources.services import article_set_text
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


def found(query, articles=None):
    return list(search_articles(articles or Article.objects.all(), query))


def test_chinese_is_split_into_bigrams_and_other_words_are_folded():
    assert terms("独立候选人刘萍, ＬＩＵ Ping 2011年") == [
        "独立",
        "立候",
        "候选",
        "选人",
        "人刘",
        "刘萍",
        "liu",
        "ping",
        "2011",
        "年",
    ]
    assert query_phrases("刘萍 刘萍 liu") == [["刘萍"], ["liu"]]
    assert query_phrases(" ,;! ") == []


def test_a_name_inside_a_run_of_chinese_is_found():
    wanted = make_article("新余市的独立候选人刘萍表示将继续参选。")
    make_article("另一篇报道提到刘平和萍乡。")
    assert found("刘萍") == [wanted]
    assert found("独立候选人") == [wanted]
    # The bigrams of a word must stand side by side: 刘 and 萍 apart are no match.
    assert found("萍刘") == []


def test_every_word_of_the_query_must_match_and_case_does_not_matter():
    both = make_article("Liu Ping ran as an independent candidate in Xinyu.")
    make_article("Liu Ping was not mentioned with that city.")
    assert found("XINYU liu") == [both]
    assert found("independent Beijing") == []


def test_results_are_ranked_by_how_well_they_match():
    once = make_article("Yao Lifa stood again. " + "Other news. " * 40)
    often = make_article("Yao Lifa, Yao Lifa and again Yao Lifa.")
    results = found("Yao Lifa")
    assert results == [often, once]
    assert results[0].rank > results[1].rank


def test_the_title_is_searched_too():
    article = make_article("正文没有这个词。", title="潜江选举观察")
    assert found("潜江") == [article]


def test_a_revised_text_is_searched_as_revised():
    article = make_article("The first version names Wuhan.")
    article_set_text(
        article=article, text="The second version names Shenzhen.", acting_user=system_user()
    )
    assert found("Wuhan") == []
    assert found("Shenzhen") == [article]


def test_a_query_without_words_finds_nothing_and_the_callers_filter_is_kept():
    kept = make_article("Xu Chunliu in Beijing.", outlet="Kept")
    make_article("Xu Chunliu elsewhere.", outlet="Left out")
    assert found("!!!") == []
    assert found("Chunliu", Article.objects.filter(outlet__name="Kept")) == [kept]


def test_query_syntax_of_the_database_is_taken_as_words():
    article = make_article('He said "NEAR" and OR, then AND NOT.')
    # FTS5 and tsquery operators in a query are words like any other, never syntax.
    assert found('"NEAR" OR') == [article]
    assert found("NOT*") == [article]
    assert found("ping)") == []


def test_highlights_mark_the_words_in_context_and_escape_the_text():
    text = "<b>bold</b> words first. " + "filler " * 30 + "Then Liu Ping spoke; liu ping again."
    excerpts = highlights(text, "liu ping", width=30)
    assert len(excerpts) == 1
    html = str(excerpts[0].html)
    assert "<mark>Liu</mark> <mark>Ping</mark>" in html
    assert "<mark>liu</mark> <mark>ping</mark>" in html
    assert html.startswith("…")
    first = str(highlights(text, "bold")[0].html)
    assert "&lt;b&gt;<mark>bold</mark>&lt;/b&gt;" in first
    assert "<b>" not in first


def test_chinese_highlights_mark_the_whole_word():
    html = str(highlights("报道说独立候选人刘萍在新余。", "刘萍 新余")[0].html)
    assert html == "报道说独立候选人<mark>刘萍</mark>在<mark>新余</mark>。"


@pytest.mark.postgres
def test_postgresql_reads_the_gin_index():
    make_article("An article about Jiangxi.")
    with connection.cursor() as cursor:
        # A table of one row is read whole whatever its indexes; forbid that to see the plan.
        cursor.execute("SET enable_seqscan = off")
        plan = search_articles(Article.objects.all(), "Jiangxi").explain()
        cursor.execute("RESET enable_seqscan")
    assert "sources_article_search_gin" in plan


def test_the_index_follows_deleted_articles():
    article = make_article("Guo Huojia in Xinyu.")
    assert found("huojia") == [article]
    if connection.vendor == "sqlite":  # PostgreSQL indexes the column itself
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM sources_article_fts WHERE sources_article_fts MATCH 'huojia'"
            )
            assert cursor.fetchall() == [(article.pk,)]
    Article.objects.filter(pk=article.pk).delete()
    assert found("huojia") == []


# The admin's article list searches the full text.


def admin_search(client, query, **params):
    response = client.get("/admin/sources/article/", {"q": query, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_the_admin_list_finds_chinese_inside_the_text_best_first_with_excerpts(client):
    client.force_login(make_user("Editors"))
    once = make_article("報道說刘萍在新余。" + "其他新闻。" * 30, title="一篇")
    often = make_article("刘萍、刘萍和刘萍。", title="三次")
    make_article("没有这个名字。", title="没有")
    page = admin_search(client, "刘萍")
    assert page.index(f"/admin/sources/article/{often.pk}/change/") < page.index(
        f"/admin/sources/article/{once.pk}/change/"
    )
    assert "2 results" in page
    assert "<mark>刘萍</mark>" in page
    assert "没有这个名字" not in page


def test_the_admin_search_reads_the_byline_and_address_and_keeps_a_chosen_sort(client):
    client.force_login(make_user("Editors"))
    article = make_article("Nothing to see.", url="https://example.org/xinyu-report")
    assert f"/admin/sources/article/{article.pk}/change/" in admin_search(client, "xinyu")
    assert "in the title, byline or address" in admin_search(client, "xinyu")
    # A column chosen to sort by wins over the rank.
    assert f"/admin/sources/article/{article.pk}/change/" in admin_search(client, "xinyu", o="1")


def test_the_admin_search_reads_a_fixed_number_of_queries(client, django_assert_num_queries):
    client.force_login(make_user("Editors"))
    make_article("Yao Lifa in Qianjiang.")
    with CaptureQueriesContext(connection) as few:
        admin_search(client, "Qianjiang")
    for number in range(10):
        make_article(f"Yao Lifa in Qianjiang, report {number}.", outlet=f"Outlet {number}")
    with django_assert_num_queries(len(few.captured_queries)):
        assert "11 articles" in admin_search(client, "Qianjiang")
