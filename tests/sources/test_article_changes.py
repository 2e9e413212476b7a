"""Changing an article's fields: `article_update`, its revision check, and the article form,
which refuses a save made on top of someone else's later one and says what they changed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from sources.audit import Reason, system_user
from sources.dates import PartialDate
from sources.models import Article, ArticleVersion
from sources.services import article_create, article_set_text, article_update, outlet_for_name
from tests.factories import make_user
from tests.sources.test_admin import change_data

pytestmark = pytest.mark.django_db

TEXT = "Lawyer Liu Bo, 38, collected signatures in Haidian.\n\nVoting is due in November."


@pytest.fixture
def article():
    return article_create(
        outlet=outlet_for_name(name="Harbour Daily", acting_user=system_user()),
        title="Lawyer collects signatures",
        text=TEXT,
        published=PartialDate(2011, 11),
        acting_user=system_user(),
    )


@pytest.fixture
def editor():
    return make_user("Editors", username="editor")


@pytest.fixture
def second_editor():
    return make_user("Editors", username="second-editor")


def last_record(article):
    return Article.history.filter(id=article.pk).order_by("-history_date", "-history_id").first()


def test_an_update_changes_the_fields_given_and_names_the_editor(article, editor):
    updated = article_update(
        article=article,
        title="  Lawyer   gathers signatures ",
        published=PartialDate(2011, 11, 2),
        notes="checked by phone",
        acting_user=editor,
    )

    stored = Article.objects.get()
    assert stored.title == "Lawyer gathers signatures"
    assert stored.published == PartialDate(2011, 11, 2)
    assert (stored.notes, stored.text, stored.version) == ("checked by phone", TEXT, 1)
    assert stored.revision == updated.revision == 2
    record = last_record(article)
    assert (record.history_user, record.history_change_reason) == (editor, Reason.ARTICLE_CHANGED)


def test_an_update_that_changes_nothing_writes_nothing(article, editor):
    article_update(article=article, title=article.title, expected_revision=1, acting_user=editor)

    assert Article.objects.get().revision == 1
    assert Article.history.count() == 1


def test_a_reader_may_not_change_an_article(article):
    reader = make_user("Reviewers")

    with pytest.raises(PermissionDenied, match="You may not change articles"):
        article_update(article=article, title="Renamed", acting_user=reader)
    assert Article.objects.get().title == "Lawyer collects signatures"


def test_every_save_of_the_text_counts_as_a_revision(article, editor):
    article_set_text(article=article, text=TEXT + "\n\nUpdated.", acting_user=editor)
    article_set_text(article=article, boilerplate="Voting is due in November.", acting_user=editor)
    article_set_text(article=article, boilerplate="Voting is due in November.", acting_user=editor)

    assert Article.objects.get().revision == article.revision == 3


def test_a_stale_update_is_refused_with_what_changed_since(article, editor, second_editor):
    article_update(article=article, title="Renamed by the first", acting_user=editor)
    article_set_text(article=article, text=TEXT + "\n\nUpdated.", acting_user=editor)

    with pytest.raises(ValidationError) as refused:
        article_update(
            article=article, byline="Staff", expected_revision=1, acting_user=second_editor
        )

    message = refused.value.messages[0]
    assert "revision 1, now 3" in message
    assert "title: “Lawyer collects signatures” → “Renamed by the first”" in message
    assert "text version: “1” → “2”" in message
    stored = Article.objects.get()
    assert (stored.byline, stored.revision) == ("", 3)


# The article form in the admin


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_field_edit_in_the_admin_goes_through_the_service_with_the_editor(article, editor):
    url = reverse("admin:sources_article_change", args=[article.pk])

    response = logged_in(editor).post(url, change_data(article, byline="Staff reporter"))

    assert response.status_code == 302
    stored = Article.objects.get()
    assert (stored.byline, stored.revision, stored.version) == ("Staff reporter", 2, 1)
    record = last_record(article)
    assert (record.history_user, record.history_change_reason) == (editor, Reason.ARTICLE_CHANGED)


def test_the_admin_refuses_a_stale_save_and_says_what_changed(article, editor, second_editor):
    url = reverse("admin:sources_article_change", args=[article.pk])
    opened = change_data(article)  # both editors open the form at revision 1
    first = logged_in(editor).post(url, {**opened, "title": "Renamed by the first"})
    assert first.status_code == 302

    second = logged_in(second_editor).post(url, {**opened, "notes": "my own note"})

    assert second.status_code == 200
    errors = " ".join(second.context["adminform"].form.non_field_errors())
    assert "Someone else saved this article after you opened it" in errors
    assert "title: “Lawyer collects signatures” → “Renamed by the first”" in errors
    stored = Article.objects.get()
    assert (stored.title, stored.notes, stored.revision) == ("Renamed by the first", "", 2)


def test_the_admin_refuses_a_save_that_would_revert_another_editors_text(
    article, editor, second_editor
):
    url = reverse("admin:sources_article_change", args=[article.pk])
    opened = change_data(article)
    edited = TEXT.replace("Haidian", "Haidian district")
    assert logged_in(editor).post(url, {**opened, "source_text": edited}).status_code == 302

    second = logged_in(second_editor).post(url, {**opened, "title": "Renamed"})

    assert second.status_code == 200
    errors = " ".join(second.context["adminform"].form.non_field_errors())
    assert "text version: “1” → “2”" in errors
    stored = Article.objects.get()
    assert (stored.title, stored.version) == ("Lawyer collects signatures", 2)
    assert "Haidian district" in stored.text
    assert stored.versions.count() == 2
    assert not ArticleVersion.objects.filter(created_by=second_editor).exists()


def test_the_form_carries_the_revision_it_was_opened_at(article, editor):
    article_update(article=article, title="Renamed", acting_user=editor)
    url = reverse("admin:sources_article_change", args=[article.pk])

    form = logged_in(editor).get(url).context["adminform"].form

    assert form["opened_revision"].initial == 2
