"""Creating passages from a span or a quote, and an editor confirming or re-selecting them."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sources.anchoring import AmbiguousQuote, AnchoringError, QuoteNotFound
from sources.models import AnchorStatus, Passage
from sources.services import (
    article_create,
    article_set_text,
    outlet_for_name,
    passage_confirm,
    passage_create_from_quote,
    passage_create_from_span,
    passage_for_quote,
    passage_reselect,
)

TEXT = (
    "Chen Hui, 45, a retired teacher, collected signatures from more than 300 voters in her "
    "neighbourhood.\n\n"
    "Officials told her the nomination was late. Chen said she filed it on time, aged 45."
)
CHINESE = "独立候选人🙂陈慧，45岁，退休教师。她说：“我会坚持。”"


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user("editor", password="x")


@pytest.fixture
def reviewer(db):
    return get_user_model().objects.create_user("reviewer", password="x")


def make_article(text=TEXT, title="Teacher seeks a seat"):
    return article_create(outlet=outlet_for_name("The Daily Ledger"), title=title, text=text)


@pytest.mark.django_db
def test_passage_from_span_holds_exactly_those_code_points(editor):
    article = make_article()
    passage = passage_create_from_span(article=article, start=0, end=8, created_by=editor)
    passage.refresh_from_db()
    assert (passage.start, passage.end, passage.exact) == (0, 8, "Chen Hui")
    assert (passage.prefix, passage.suffix) == ("", TEXT[8:40])
    assert passage.anchor_status == AnchorStatus.EXACT
    assert passage.anchored_version == 1
    assert passage.history.get().history_user == editor


@pytest.mark.django_db
def test_chinese_and_emoji_offsets_survive_the_database():
    article = make_article(CHINESE)
    passage = passage_create_from_quote(article=article, exact="陈慧，45岁")
    passage.refresh_from_db()
    assert (passage.start, passage.end) == (6, 12)
    assert CHINESE[passage.start : passage.end] == passage.exact
    assert passage.prefix == "独立候选人🙂"


@pytest.mark.django_db
def test_span_outside_the_text_is_refused_and_nothing_is_saved():
    article = make_article()
    with pytest.raises(AnchoringError):
        passage_create_from_span(article=article, start=10, end=len(TEXT) + 5)
    assert not Passage.objects.exists()


@pytest.mark.django_db
def test_span_chosen_in_an_older_text_is_refused():
    article = make_article()
    stale = type(article).objects.get(pk=article.pk)
    article_set_text(article=article, text="Update.\n\n" + TEXT)
    with pytest.raises(AnchoringError, match="now version 2"):
        passage_create_from_span(article=stale, start=0, end=8)


@pytest.mark.django_db
def test_passage_from_quote_with_prefix_picks_the_second_occurrence():
    article = make_article()
    passage = passage_create_from_quote(article=article, exact="45", prefix="aged ")
    assert passage.start == TEXT.rindex("45")


@pytest.mark.django_db
def test_ambiguous_quote_is_an_error_counting_the_occurrences():
    article = make_article()
    with pytest.raises(AmbiguousQuote, match="occurs 2 times"):
        passage_create_from_quote(article=article, exact="45")
    assert not Passage.objects.exists()


@pytest.mark.django_db
def test_quote_not_found_is_an_error_quoting_the_closest_text():
    article = make_article()
    with pytest.raises(QuoteNotFound) as caught:
        passage_create_from_quote(article=article, exact="a retired teecher")
    assert "a retired teacher" in str(caught.value)
    assert caught.value.closest.strip() == "a retired teacher"


@pytest.mark.django_db
def test_passage_for_quote_reuses_the_passage_at_the_same_words(editor):
    article = make_article()
    first, created = passage_for_quote(article=article, exact="a retired teacher")
    again, created_again = passage_for_quote(
        article=article, exact="a retired\nteacher", created_by=editor
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Passage.objects.count() == 1


@pytest.mark.django_db
def test_passage_for_quote_makes_a_new_passage_for_other_words():
    article = make_article()
    first, _ = passage_for_quote(article=article, exact="a retired teacher")
    other, created = passage_for_quote(article=article, exact="retired teacher")
    assert created and other.pk != first.pk


@pytest.mark.django_db
def test_empty_span_is_refused_by_the_database_too():
    article = make_article()
    passage = passage_create_from_span(article=article, start=0, end=8)
    with pytest.raises(IntegrityError), transaction.atomic():
        Passage.objects.filter(pk=passage.pk).update(end=0)


@pytest.mark.django_db
def test_confirm_makes_a_fuzzy_match_exact_with_the_new_words(editor, reviewer):
    article = make_article(TEXT.replace("neighbourhood", "neighbourhod"))
    passage = passage_create_from_quote(
        article=article, exact="voters in her neighbourhod", created_by=editor
    )
    article_set_text(article=article, text=TEXT, changed_by=editor)
    passage.refresh_from_db()
    assert passage.anchor_status == AnchorStatus.FUZZY
    assert passage.exact == "voters in her neighbourhod"

    confirmed = passage_confirm(passage=passage, confirmed_by=reviewer)
    confirmed.refresh_from_db()
    assert confirmed.anchor_status == AnchorStatus.EXACT
    assert confirmed.exact == "voters in her neighbourhood"
    assert TEXT[confirmed.start : confirmed.end] == confirmed.exact
    assert confirmed.similarity is None
    assert confirmed.anchored_version == 2
    assert confirmed.history.first().history_user == reviewer


@pytest.mark.django_db
def test_confirming_an_orphan_is_refused():
    article = make_article()
    passage = passage_create_from_quote(article=article, exact="Officials told her")
    article_set_text(article=article, text=TEXT.split("\n\n")[0])
    passage.refresh_from_db()
    assert passage.anchor_status == AnchorStatus.ORPHANED
    with pytest.raises(AnchoringError, match="orphaned"):
        passage_confirm(passage=passage, confirmed_by=None)


@pytest.mark.django_db
def test_reselect_points_an_orphan_at_new_words_and_records_the_editor(editor):
    article = make_article()
    passage = passage_create_from_quote(article=article, exact="Officials told her")
    article_set_text(article=article, text=TEXT.replace("Officials told her", "A clerk said"))
    passage.refresh_from_db()
    assert passage.anchor_status == AnchorStatus.ORPHANED

    article.refresh_from_db()
    start = article.text.index("A clerk said")
    reselected = passage_reselect(passage=passage, start=start, end=start + 12, changed_by=editor)
    reselected.refresh_from_db()
    assert reselected.exact == "A clerk said"
    assert reselected.anchor_status == AnchorStatus.EXACT
    assert reselected.anchored_version == 2
    assert reselected.history.first().history_user == editor


@pytest.mark.django_db
def test_reselect_refuses_a_span_outside_the_text():
    article = make_article()
    passage = passage_create_from_quote(article=article, exact="Officials told her")
    with pytest.raises(AnchoringError):
        passage_reselect(passage=passage, start=0, end=10_000, changed_by=None)
    passage.refresh_from_db()
    assert passage.exact == "Officials told her"


@pytest.mark.django_db
def test_similarity_above_100_is_invalid():
    article = make_article()
    passage = passage_create_from_span(article=article, start=0, end=8)
    passage.similarity = 101
    with pytest.raises(ValidationError):
        passage.full_clean()
