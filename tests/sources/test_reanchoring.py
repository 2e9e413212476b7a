"""Passages found again after their article's text changes, through `article_set_text`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sources.audit import Reason, system_user
from sources.models import AnchorStatus, Article, ArticleVersion, Passage
from sources.services import (
    article_create,
    article_set_text,
    outlet_for_name,
    passage_confirm,
    passage_create_from_quote,
    passages_reanchor,
    passages_reanchor_many,
)
from tests.factories import make_user

TEXT = (
    "Liu Bo, 38, a lawyer in Shenzhen, said on Friday that he had collected enough signatures "
    "to stand for the district people's congress.\n\n"
    "He said two men from the street office had vistied his firm to ask about his clients.\n\n"
    '"The law gives me the right to stand," Liu said. His running mate, Qian Yu, 38, agreed.\n\n'
    "Voting in the district is due in November."
)


@pytest.fixture
def editor(db):
    return make_user("Editors", username="editor")


def make_article(text=TEXT, title="Lawyer collects signatures"):
    return article_create(
        outlet=outlet_for_name(name="Harbour Evening News", acting_user=system_user()),
        title=title,
        text=text,
        acting_user=system_user(),
    )


def quoted(article, exact, **context):
    return passage_create_from_quote(
        article=article, exact=exact, acting_user=system_user(), **context
    )


def fresh(passage):
    passage.refresh_from_db()
    return passage


@pytest.mark.django_db
def test_paragraph_inserted_before_relocates_passages_after_it(editor):
    article = make_article()
    before = quoted(article, "a lawyer in Shenzhen")
    after = quoted(article, "Voting in the district is due in November")
    inserted = "Several independents declared this week.\n\n"
    paragraphs = TEXT.split("\n\n")
    edited = "\n\n".join([paragraphs[0], inserted.strip(), *paragraphs[1:]])

    assert article_set_text(article=article, text=edited, acting_user=editor)

    assert fresh(before).anchor_status == AnchorStatus.EXACT
    after = fresh(after)
    assert after.anchor_status == AnchorStatus.RELOCATED
    assert after.start == TEXT.index("Voting in the") + len(inserted)
    assert article.text[after.start : after.end] == after.exact
    assert after.anchored_version == 2
    assert after.history.first().history_user == editor


@pytest.mark.django_db
def test_typo_fixed_inside_gives_fuzzy_and_confirm_makes_it_exact():
    article = make_article()
    passage = quoted(article, "had vistied his firm to ask about his clients")
    article_set_text(
        article=article, text=TEXT.replace("vistied", "visited"), acting_user=system_user()
    )

    passage = fresh(passage)
    assert passage.anchor_status == AnchorStatus.FUZZY
    assert passage.exact == "had vistied his firm to ask about his clients"
    assert (
        article.text[passage.start : passage.end] == "had visited his firm to ask about his clients"
    )
    assert passage.similarity >= 90
    assert list(Passage.objects.needing_attention()) == [passage]

    passage_confirm(passage=passage, acting_user=system_user())
    passage = fresh(passage)
    assert passage.anchor_status == AnchorStatus.EXACT
    assert passage.exact == "had visited his firm to ask about his clients"


@pytest.mark.django_db
def test_paragraph_deleted_orphans_its_passage_and_keeps_the_old_text():
    article = make_article()
    passage = quoted(article, "two men from the street office")
    second = TEXT.split("\n\n")[1]
    article_set_text(
        article=article, text=TEXT.replace(second + "\n\n", ""), acting_user=system_user()
    )

    passage = fresh(passage)
    assert passage.anchor_status == AnchorStatus.ORPHANED
    assert passage.exact == "two men from the street office"
    assert passage.anchored_version == 1
    old = ArticleVersion.objects.get(article=article, number=passage.anchored_version)
    assert old.text[passage.start : passage.end] == passage.exact


@pytest.mark.django_db
def test_white_space_only_changes_leave_no_passage_orphaned():
    article = make_article()
    passages = [
        quoted(article, "38", prefix="Liu Bo, "),
        quoted(article, "collected enough signatures to stand"),
        quoted(article, "Voting in the district"),
    ]
    rewrapped = TEXT.replace("enough signatures ", "enough\nsignatures   ").replace(
        "\n\nVoting", "\n\n\n\n  Voting"
    )
    rewrapped = rewrapped.replace("Liu Bo, 38, a", "Liu Bo,\n38, a")
    assert article_set_text(article=article, text=rewrapped, acting_user=system_user())

    statuses = [fresh(passage).anchor_status for passage in passages]
    assert statuses == [AnchorStatus.EXACT, AnchorStatus.RELOCATED, AnchorStatus.EXACT]
    assert fresh(passages[1]).exact == "collected enough\nsignatures to stand"


@pytest.mark.django_db
def test_references_unescaped_in_a_reimport_relocate_the_passage():
    article = make_article()
    # An import made before references were decoded left one in the stored text.
    legacy = TEXT.replace("people's", "people&rsquo;s")
    Article.objects.filter(pk=article.pk).update(text=legacy, source_text=legacy)
    article.refresh_from_db()
    passage = quoted(article, "the district people&rsquo;s congress")

    changed = article_set_text(
        article=article,
        text=TEXT.replace("people's", "people’s"),
        reason="reimport",
        acting_user=system_user(),
    )

    assert changed
    passage = fresh(passage)
    assert passage.anchor_status == AnchorStatus.RELOCATED
    assert passage.exact == "the district people’s congress"


@pytest.mark.django_db
def test_short_quote_occurring_twice_never_moves_to_the_other_occurrence():
    article = make_article()
    liu = quoted(article, "38", prefix="Liu Bo, ")
    qian = quoted(article, "38", prefix="Qian Yu, ")
    article_set_text(
        article=article,
        text=TEXT.replace("Liu Bo, 38, a lawyer", "Liu Bo, a lawyer"),
        acting_user=system_user(),
    )

    assert fresh(liu).anchor_status == AnchorStatus.ORPHANED
    qian = fresh(qian)
    assert qian.anchor_status == AnchorStatus.RELOCATED
    assert qian.prefix.endswith("Qian Yu, ")


@pytest.mark.django_db
def test_chinese_and_emoji_inserted_before_shift_offsets_by_code_points():
    text = "刘波，38岁，深圳律师。\n\n他说已经收集到足够的签名，可以参选区人大代表。"
    article = make_article(text, title="律师参选")
    passage = quoted(article, "他说已经收集到足够的签名")
    inserted = "🗳️🙂投票日定在十一月。\n\n"

    article_set_text(
        article=article,
        text=text.replace("\n\n他说", "\n\n" + inserted + "他说"),
        acting_user=system_user(),
    )

    passage = fresh(passage)
    assert passage.anchor_status == AnchorStatus.RELOCATED
    # 🗳️ is two code points and 🙂 one, so the paragraph is 14 code points long (20 in UTF-16).
    assert len(inserted) == 14
    assert passage.start == text.index("他说") + 14
    assert article.text[passage.start : passage.end] == "他说已经收集到足够的签名"


@pytest.mark.django_db
def test_unchanged_text_makes_no_version_and_touches_no_passage():
    article = make_article()
    passage = quoted(article, "a lawyer in Shenzhen")
    assert not article_set_text(article=article, text=TEXT + "\n", acting_user=system_user())
    assert article.version == 1
    assert fresh(passage).history.count() == 1


@pytest.mark.django_db
def test_every_version_is_kept_with_who_made_it(editor):
    article = make_article()
    article_set_text(article=article, text=TEXT + "\n\nUpdated.", acting_user=editor)
    article_set_text(article=article, text=TEXT + "\n\nUpdated twice.", acting_user=editor)
    versions = list(article.versions.order_by("number"))
    assert [version.number for version in versions] == [1, 2, 3]
    assert versions[0].text == TEXT
    assert versions[2].created_by == editor
    assert article.version == 3


@pytest.mark.django_db
def test_orphan_stays_orphaned_without_a_new_write_and_returns_when_its_words_do():
    article = make_article()
    passage = quoted(article, "two men from the street office")
    second = TEXT.split("\n\n")[1]
    article_set_text(
        article=article, text=TEXT.replace(second + "\n\n", ""), acting_user=system_user()
    )
    article_set_text(
        article=article, text=article.text + "\n\nOne more line.", acting_user=system_user()
    )
    assert fresh(passage).anchor_status == AnchorStatus.ORPHANED
    assert passage.history.count() == 2

    article_set_text(article=article, text=TEXT, acting_user=system_user())
    passage = fresh(passage)
    assert passage.anchor_status == AnchorStatus.RELOCATED
    assert passage.anchored_version == 4


def _articles_with_passages(count, per_article):
    """`count` articles with `per_article` + 2 passages each, ready to re-anchor after an edit."""
    changes = []
    for number in range(count):
        article = make_article(title=f"Lawyer collects signatures ({number})")
        sentences = [
            f"Sentence number {index} about the count in ward {number}."
            for index in range(per_article)
        ]
        text = "\n\n".join([TEXT, *sentences])
        article_set_text(article=article, text=text, acting_user=system_user())
        for sentence in sentences:
            quoted(article, sentence)
        quoted(article, "38", prefix="Liu Bo, ")
        quoted(article, "had vistied his firm")
        old_text = article.text
        edited = "A new first paragraph.\n\n" + old_text.replace("vistied", "visited")
        Article.objects.filter(pk=article.pk).update(text=edited, version=article.version + 1)
        article.refresh_from_db()
        changes.append((article, old_text))
    return changes


@pytest.mark.django_db
def test_reanchoring_many_articles_takes_as_many_queries_as_reanchoring_few(
    django_assert_num_queries, django_assert_max_num_queries
):
    few = _articles_with_passages(2, 2)
    many = _articles_with_passages(6, 9)
    user = system_user()
    # One query more than reading and writing the passages: the claims citing the fuzzy ones
    # are looked up to go back to review (elections, through sources.signals.passages_moved);
    # and one that settles the public tallies (no claim cites them: none pending).
    with django_assert_max_num_queries(7), CaptureQueriesContext(connection) as counted:
        passages_reanchor_many(changes=few, acting_user=user)
    with django_assert_num_queries(len(counted)):
        statuses = passages_reanchor_many(changes=many, acting_user=user)
    assert statuses == {AnchorStatus.RELOCATED: 6 * 10, AnchorStatus.FUZZY: 6}
    assert (
        Passage.history.filter(history_change_reason=Reason.PASSAGE_REANCHORED).count()
        == 2 * 4 + 6 * 11
    )


@pytest.mark.django_db
def test_editing_a_text_takes_as_many_queries_with_many_passages_as_with_one(
    django_assert_num_queries,
):
    def edited_article(passages):
        sentences = [f"Sentence number {index} about the count." for index in range(passages)]
        article = make_article("\n\n".join([TEXT, *sentences]), title=f"{passages} passages")
        for sentence in sentences:
            quoted(article, sentence)
        return article

    one, many = edited_article(1), edited_article(40)
    user = system_user()
    with CaptureQueriesContext(connection) as counted:
        article_set_text(
            article=one, text="A new first paragraph.\n\n" + one.text, acting_user=user
        )
    with django_assert_num_queries(len(counted)):
        article_set_text(
            article=many, text="A new first paragraph.\n\n" + many.text, acting_user=user
        )
    assert many.passages.filter(anchor_status=AnchorStatus.RELOCATED).count() == 40


@pytest.mark.django_db
def test_reanchoring_in_batches_reads_each_batch_once(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr("sources.services.passages.REANCHOR_BATCH", 2)
    changes = _articles_with_passages(5, 1)
    user = system_user()
    # Three batches (2, 2 and 1 articles), each read once and written in two statements,
    # inside one savepoint; then one look-up of the claims citing the fuzzy passages, and
    # one that settles the public tallies (none pending).
    with django_assert_num_queries(3 * 3 + 2 + 1 + 1):
        statuses = passages_reanchor_many(changes=changes, acting_user=user)
    assert statuses == {AnchorStatus.RELOCATED: 5 * 2, AnchorStatus.FUZZY: 5}


@pytest.mark.django_db
def test_reanchor_one_article_returns_the_statuses():
    article = make_article()
    quoted(article, "a lawyer in Shenzhen")
    quoted(article, "had vistied his firm")
    old_text = article.text
    Article.objects.filter(pk=article.pk).update(text=TEXT.replace("vistied", "visited"), version=2)
    article.refresh_from_db()
    statuses = passages_reanchor(article=article, old_text=old_text, acting_user=system_user())
    assert statuses == {AnchorStatus.EXACT: 1, AnchorStatus.FUZZY: 1}


@pytest.mark.django_db
def test_an_article_given_twice_is_refused():
    article = make_article()
    with pytest.raises(ValueError, match="only once"):
        passages_reanchor_many(
            changes=[(article, TEXT), (article, TEXT)], acting_user=system_user()
        )


@pytest.mark.django_db
def test_real_report_edited_three_ways(corpus):
    """A press report from the shared corpus: paragraphs inserted, corrected and deleted."""
    raw = (corpus / "washingtonpost-2011-xu-yan-candidates.txt").read_text(encoding="utf-8")
    article = make_article(raw, title="Independent candidates")
    paragraphs = article.text.split("\n\n")
    # One passage in each of three paragraphs, chosen by position rather than by wording.
    chosen = {index: paragraphs[index][:60].strip() for index in (2, 4, 6)}
    passages = {index: quoted(article, words) for index, words in chosen.items()}

    corrected = paragraphs[4][:20] + paragraphs[4][21:]
    edited = [
        "Editor's note: names are given in Chinese order.",
        *paragraphs[:4],
        corrected,
        paragraphs[5],
        *paragraphs[7:],
    ]
    article_set_text(article=article, text="\n\n".join(edited), acting_user=system_user())

    statuses = {index: fresh(passage).anchor_status for index, passage in passages.items()}
    assert statuses == {
        2: AnchorStatus.RELOCATED,
        4: AnchorStatus.FUZZY,
        6: AnchorStatus.ORPHANED,
    }
    moved = fresh(passages[2])
    assert article.text[moved.start : moved.end] == chosen[2]
