"""Creating passages from a span or a quote, an editor confirming or re-selecting them, their
notes, and deleting one nothing cites."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from sources.anchoring import AmbiguousQuote, AnchoringError, QuoteNotFound
from sources.audit import Reason, system_user
from sources.models import AnchorStatus, Passage
from sources.services import (
    article_create,
    article_set_text,
    outlet_for_name,
    passage_confirm,
    passage_create_from_quote,
    passage_create_from_span,
    passage_delete,
    passage_for_quote,
    passage_reselect,
    passage_set_note,
)
from tests.factories import make_candidate, make_claim, make_user

TEXT = (
    "Chen Hui, 45, a retired teacher, collected signatures from more than 300 voters in her "
    "neighbourhood.\n\n"
    "Officials told her the nomination was late. Chen said she filed it on time, aged 45."
)
CHINESE = "独立候选人🙂陈慧，45岁，退休教师。她说：“我会坚持。”"


@pytest.fixture
def editor(db):
    return make_user("Editors", username="editor")


@pytest.fixture
def second_editor(db):
    return make_user("Editors", username="second-editor")


def make_article(text=TEXT, title="Teacher seeks a seat"):
    return article_create(
        outlet=outlet_for_name(name="The Daily Ledger", acting_user=system_user()),
        title=title,
        text=text,
        acting_user=system_user(),
    )


@pytest.mark.django_db
def test_passage_from_span_holds_exactly_those_code_points(editor):
    article = make_article()
    passage = passage_create_from_span(article=article, start=0, end=8, acting_user=editor)
    passage.refresh_from_db()
    assert (passage.start, passage.end, passage.exact) == (0, 8, "Chen Hui")
    assert (passage.prefix, passage.suffix) == ("", TEXT[8:40])
    assert passage.anchor_status == AnchorStatus.EXACT
    assert passage.anchored_version == 1
    assert passage.history.get().history_user == editor


@pytest.mark.django_db
def test_chinese_and_emoji_offsets_survive_the_database():
    article = make_article(CHINESE)
    passage = passage_create_from_quote(
        article=article, exact="陈慧，45岁", acting_user=system_user()
    )
    passage.refresh_from_db()
    assert (passage.start, passage.end) == (6, 12)
    assert CHINESE[passage.start : passage.end] == passage.exact
    assert passage.prefix == "独立候选人🙂"


@pytest.mark.django_db
def test_span_outside_the_text_is_refused_and_nothing_is_saved():
    article = make_article()
    with pytest.raises(AnchoringError):
        passage_create_from_span(
            article=article, start=10, end=len(TEXT) + 5, acting_user=system_user()
        )
    assert not Passage.objects.exists()


@pytest.mark.django_db
def test_span_chosen_in_an_older_text_is_refused():
    article = make_article()
    stale = type(article).objects.get(pk=article.pk)
    article_set_text(article=article, text="Update.\n\n" + TEXT, acting_user=system_user())
    with pytest.raises(AnchoringError, match="now version 2"):
        passage_create_from_span(article=stale, start=0, end=8, acting_user=system_user())


@pytest.mark.django_db
def test_passage_from_quote_with_prefix_picks_the_second_occurrence():
    article = make_article()
    passage = passage_create_from_quote(
        article=article, exact="45", prefix="aged ", acting_user=system_user()
    )
    assert passage.start == TEXT.rindex("45")


@pytest.mark.django_db
def test_ambiguous_quote_is_an_error_counting_the_occurrences():
    article = make_article()
    with pytest.raises(AmbiguousQuote, match="occurs 2 times"):
        passage_create_from_quote(article=article, exact="45", acting_user=system_user())
    assert not Passage.objects.exists()


@pytest.mark.django_db
def test_quote_not_found_is_an_error_quoting_the_closest_text():
    article = make_article()
    with pytest.raises(QuoteNotFound) as caught:
        passage_create_from_quote(
            article=article, exact="a retired teecher", acting_user=system_user()
        )
    assert "a retired teacher" in str(caught.value)
    assert caught.value.closest.strip() == "a retired teacher"


@pytest.mark.django_db
def test_passage_for_quote_reuses_the_passage_at_the_same_words(editor):
    article = make_article()
    first, created = passage_for_quote(
        article=article, exact="a retired teacher", acting_user=system_user()
    )
    again, created_again = passage_for_quote(
        article=article, exact="a retired\nteacher", acting_user=editor
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Passage.objects.count() == 1


@pytest.mark.django_db
def test_passage_for_quote_makes_a_new_passage_for_other_words():
    article = make_article()
    first, _ = passage_for_quote(
        article=article, exact="a retired teacher", acting_user=system_user()
    )
    other, created = passage_for_quote(
        article=article, exact="retired teacher", acting_user=system_user()
    )
    assert created and other.pk != first.pk


@pytest.mark.django_db
def test_empty_span_is_refused_by_the_database_too():
    article = make_article()
    passage = passage_create_from_span(article=article, start=0, end=8, acting_user=system_user())
    with pytest.raises(IntegrityError), transaction.atomic():
        Passage.objects.filter(pk=passage.pk).update(end=0)


@pytest.mark.django_db
def test_confirm_makes_a_fuzzy_match_exact_with_the_new_words(editor, second_editor):
    article = make_article(TEXT.replace("neighbourhood", "neighbourhod"))
    passage = passage_create_from_quote(
        article=article, exact="voters in her neighbourhod", acting_user=editor
    )
    article_set_text(article=article, text=TEXT, acting_user=editor)
    passage.refresh_from_db()
    assert passage.anchor_status == AnchorStatus.FUZZY
    assert passage.exact == "voters in her neighbourhod"

    confirmed = passage_confirm(passage=passage, acting_user=second_editor)
    confirmed.refresh_from_db()
    assert confirmed.anchor_status == AnchorStatus.EXACT
    assert confirmed.exact == "voters in her neighbourhood"
    assert TEXT[confirmed.start : confirmed.end] == confirmed.exact
    assert confirmed.similarity is None
    assert confirmed.anchored_version == 2
    assert confirmed.history.first().history_user == second_editor


@pytest.mark.django_db
def test_confirming_an_orphan_is_refused():
    article = make_article()
    passage = passage_create_from_quote(
        article=article, exact="Officials told her", acting_user=system_user()
    )
    article_set_text(article=article, text=TEXT.split("\n\n")[0], acting_user=system_user())
    passage.refresh_from_db()
    assert passage.anchor_status == AnchorStatus.ORPHANED
    with pytest.raises(AnchoringError, match="orphaned"):
        passage_confirm(passage=passage, acting_user=system_user())


@pytest.mark.django_db
def test_reselect_points_an_orphan_at_new_words_and_records_the_editor(editor):
    article = make_article()
    passage = passage_create_from_quote(
        article=article, exact="Officials told her", acting_user=system_user()
    )
    article_set_text(
        article=article,
        text=TEXT.replace("Officials told her", "A clerk said"),
        acting_user=system_user(),
    )
    passage.refresh_from_db()
    assert passage.anchor_status == AnchorStatus.ORPHANED

    article.refresh_from_db()
    start = article.text.index("A clerk said")
    reselected = passage_reselect(passage=passage, start=start, end=start + 12, acting_user=editor)
    reselected.refresh_from_db()
    assert reselected.exact == "A clerk said"
    assert reselected.anchor_status == AnchorStatus.EXACT
    assert reselected.anchored_version == 2
    assert reselected.history.first().history_user == editor


@pytest.mark.django_db
def test_reselect_refuses_a_span_outside_the_text():
    article = make_article()
    passage = passage_create_from_quote(
        article=article, exact="Officials told her", acting_user=system_user()
    )
    article_set_text(
        article=article,
        text=TEXT.replace("Officials told her", "A clerk said"),
        acting_user=system_user(),
    )
    with pytest.raises(AnchoringError, match="not inside"):
        passage_reselect(passage=passage, start=0, end=10_000, acting_user=system_user())
    passage.refresh_from_db()
    assert passage.exact == "Officials told her"


@pytest.mark.django_db
def test_reselect_refuses_a_passage_found_word_for_word(editor):
    article = make_article()
    passage = passage_create_from_quote(
        article=article, exact="Officials told her", acting_user=system_user()
    )
    with pytest.raises(AnchoringError, match="only fuzzy and orphaned passages"):
        passage_reselect(passage=passage, start=0, end=8, acting_user=editor)
    passage.refresh_from_db()
    assert (passage.exact, passage.anchor_status) == ("Officials told her", AnchorStatus.EXACT)


@pytest.mark.django_db
def test_similarity_above_100_is_invalid():
    article = make_article()
    passage = passage_create_from_span(article=article, start=0, end=8, acting_user=system_user())
    passage.similarity = 101
    with pytest.raises(ValidationError):
        passage.full_clean()


def last_record(passage_pk):
    return Passage.history.filter(id=passage_pk).order_by("-history_date", "-history_id").first()


@pytest.mark.django_db
def test_an_editor_sets_a_note_on_record_and_the_span_stays(editor):
    passage = passage_create_from_quote(
        article=make_article(), exact="a retired teacher", acting_user=system_user()
    )

    noted = passage_set_note(
        passage=passage, note="  named in the headline\r\n", acting_user=editor
    )

    stored = Passage.objects.get()
    assert stored.note == noted.note == "named in the headline"
    assert (stored.start, stored.end, stored.exact) == (passage.start, passage.end, passage.exact)
    record = last_record(passage.pk)
    assert (record.history_user, record.history_change_reason) == (editor, Reason.PASSAGE_CHANGED)


@pytest.mark.django_db
def test_a_reader_may_not_set_a_note():
    passage = passage_create_from_quote(
        article=make_article(), exact="a retired teacher", acting_user=system_user()
    )

    with pytest.raises(PermissionDenied, match="You may not change passages"):
        passage_set_note(passage=passage, note="mine", acting_user=make_user("Reviewers"))
    assert Passage.objects.get().note == ""


@pytest.mark.django_db
def test_a_passage_nothing_cites_is_deleted_on_record_and_a_cited_one_is_kept(editor):
    superuser = make_user(superuser=True, username="chief")
    article = make_article()
    stray = passage_create_from_quote(article=article, exact="Officials", acting_user=editor)
    claim = make_claim(make_candidate("Chen Hui"), "age", "45", article, "Chen Hui, 45")

    with pytest.raises(PermissionDenied, match="You may not delete passages"):
        passage_delete(passage=stray, acting_user=editor)
    with pytest.raises(ValidationError, match="is cited by 1 record"):
        passage_delete(passage=claim.passage, acting_user=superuser)
    passage_delete(passage=stray, acting_user=superuser)

    assert list(Passage.objects.all()) == [claim.passage]
    record = last_record(stray.pk)
    assert (record.history_type, record.history_user) == ("-", superuser)
    assert record.history_change_reason == Reason.PASSAGE_DELETED
