"""The sources admin: text edits through the services, the annotate view and the passage queue."""

import html
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from sources.admin.display import highlighted_text
from sources.audit import Reason, system_user
from sources.dates import PartialDate
from sources.models import AnchorStatus, Article, ArticleVersion, Passage
from sources.services import article_create, article_set_text, outlet_for_name

# Written for these tests: Chinese, an emoji outside the BMP, and a line break.
TEXT = (
    "独立候选人许艳😀在北京报名参选。\n\n"
    "She said the 🗳️ count on 8 November would be watched by her volunteers."
)
SCRIPT_TEXT = "An item <script>alert('text')</script> and 5 < 6 & 7 > 3."


def span_of(text, words):
    start = text.index(words)
    return start, start + len(words)


@pytest.fixture
def article(db):
    outlet = outlet_for_name(name="Test Gazette", acting_user=system_user())
    return article_create(
        outlet=outlet,
        title="A candidate registers",
        text=TEXT,
        url="https://example.org/registers",
        language="zh-Hans",
        published=PartialDate(2011, 11, 2),
        acting_user=system_user(),
    )


def make_staff(username, *codenames):
    user = User.objects.create_user(username, password="pw-for-tests", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def editor(db):
    return make_staff(
        "editor",
        "annotate_article",
        "view_article",
        "change_article",
        "view_passage",
        "change_passage",
    )


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def reader_client(db):
    client = Client()
    client.force_login(make_staff("reader", "view_article", "view_passage"))
    return client


def annotate_url(article, **query):
    url = reverse("admin:sources_article_annotate", args=[article.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def change_data(article, **changes):
    """The article change form as the admin posts it, with `changes` applied."""
    data = {
        "outlet": article.outlet_id,
        "title": article.title,
        "url": article.url,
        "byline": article.byline,
        "language": article.language,
        "published_on": article.published_on.isoformat() if article.published_on else "",
        "published_precision": article.published_precision,
        "source_text": article.source_text,
        "boilerplate": article.boilerplate,
        "source_format": article.source_format,
        "source_name": article.source_name,
        "notes": article.notes,
        "opened_revision": article.revision,
    }
    data.update(changes)
    return data


# Text edits in the admin


def test_text_edit_in_admin_keeps_a_version_and_reanchors_passages(admin_client, article):
    start, end = span_of(article.text, "许艳")
    passage = Passage.objects.create(
        article=article, start=start, end=end, exact="许艳", prefix="", suffix=""
    )
    new_text = "Reported from Beijing.\n\n" + TEXT
    url = reverse("admin:sources_article_change", args=[article.pk])

    response = admin_client.post(url, change_data(article, source_text=new_text))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.version == 2
    assert article.text.startswith("Reported from Beijing.")
    versions = list(article.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].text == TEXT
    assert versions[1].reason == ArticleVersion.Reason.EDIT
    assert versions[1].created_by.username == "admin"
    passage.refresh_from_db()
    assert passage.anchor_status == AnchorStatus.RELOCATED
    assert article.text[passage.start : passage.end] == "许艳"
    assert passage.start == start + len("Reported from Beijing.\n\n")


def test_text_edit_posted_with_crlf_line_breaks_is_not_a_new_version(admin_client, article):
    url = reverse("admin:sources_article_change", args=[article.pk])
    posted = article.source_text.replace("\n", "\r\n")

    response = admin_client.post(url, change_data(article, source_text=posted, title="Renamed"))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Renamed"
    assert article.version == 1
    assert article.versions.count() == 1


def test_boilerplate_edit_in_admin_removes_the_line_as_a_new_version(admin_client, db):
    article = article_create(
        outlet=outlet_for_name(name="Test Gazette", acting_user=system_user()),
        title="With a credit line",
        text="Photo: a staff photographer\n\nThe candidate spoke to voters.",
        acting_user=system_user(),
    )
    url = reverse("admin:sources_article_change", args=[article.pk])

    response = admin_client.post(
        url, change_data(article, boilerplate="Photo: a staff photographer")
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.text == "The candidate spoke to voters."
    assert article.source_text.startswith("Photo:")
    assert article.versions.get(number=2).reason == ArticleVersion.Reason.BOILERPLATE


def test_article_added_in_admin_is_normalized_as_version_one(admin_client, db):
    outlet = outlet_for_name(name="Test Gazette", acting_user=system_user())
    data = {
        "outlet": outlet.pk,
        "title": "  Added   by hand ",
        "url": "",
        "byline": "",
        "language": "en",
        "published_on": "2011-06-01",
        "published_precision": "month",
        "source_text": "First  line &amp; more.\r\n\r\n\r\n\r\nSecond line.",
        "boilerplate": "",
        "source_format": "text",
        "source_name": "",
        "notes": "checked by phone",
    }

    response = admin_client.post(reverse("admin:sources_article_add"), data)

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.title == "Added by hand"
    assert article.text == "First line & more.\n\nSecond line."
    assert article.published == PartialDate(2011, 6)
    assert article.notes == "checked by phone"
    assert [(v.number, v.reason) for v in article.versions.all()] == [
        (1, ArticleVersion.Reason.IMPORT)
    ]


def test_article_change_page_lists_versions_and_links_the_annotate_view(admin_client, article):
    article_set_text(
        article=article, text=TEXT + "\n\nA later correction.", acting_user=system_user()
    )

    response = admin_client.get(reverse("admin:sources_article_change", args=[article.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert annotate_url(article) in content
    for version in article.versions.all():
        assert reverse("admin:sources_articleversion_change", args=[version.pk]) in content


def test_article_list_filters_articles_with_passages_needing_attention(admin_client, article):
    calm = article_create(
        outlet=article.outlet,
        title="Nothing to fix",
        text="Calm words here.",
        acting_user=system_user(),
    )
    Passage.objects.create(
        article=article, start=0, end=2, exact="独立", anchor_status=AnchorStatus.ORPHANED
    )
    url = reverse("admin:sources_article_changelist")

    waiting = admin_client.get(url, {"attention": "yes"})
    settled = admin_client.get(url, {"attention": "no"})
    by_year = admin_client.get(url, {"year": "2011"})

    assert list(waiting.context["cl"].result_list) == [article]
    assert list(settled.context["cl"].result_list) == [calm]
    assert list(by_year.context["cl"].result_list) == [article]


def test_article_list_query_count_does_not_grow_with_articles(
    admin_client, article, django_assert_max_num_queries
):
    for number in range(15):
        extra = article_create(
            outlet=article.outlet,
            title=f"Extra {number}",
            text=f"Body {number}",
            acting_user=system_user(),
        )
        Passage.objects.create(article=extra, start=0, end=4, exact="Body")

    # Session, user, counts, one page of rows, and the filters' choices; none per row.
    with django_assert_max_num_queries(10):
        response = admin_client.get(reverse("admin:sources_article_changelist"))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 16


# The annotate view


def test_annotate_post_saves_the_exact_span_in_chinese_and_emoji_text(editor_client, article):
    words = "许艳😀在北京"
    start, end = span_of(article.text, words)

    response = editor_client.post(
        annotate_url(article), {"start": start, "end": end, "exact": words, "note": "her name"}
    )

    passage = Passage.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#passage-{passage.pk}")
    assert (passage.start, passage.end) == (5, 11)
    assert passage.exact == words
    assert passage.note == "her name"
    assert passage.created_by.username == "editor"
    page = editor_client.get(annotate_url(article)).content.decode()
    assert f'data-passages="{passage.pk}"' in page
    assert f'title="Passage {passage.pk}: her name">许艳😀在北京</mark>' in page


def test_annotate_span_across_a_line_break_posted_as_crlf_is_saved(editor_client, article):
    words = "报名参选。\n\nShe said"
    start, end = span_of(article.text, words)

    response = editor_client.post(
        annotate_url(article),
        {"start": start, "end": end, "exact": words.replace("\n", "\r\n"), "note": ""},
    )

    assert response.status_code == 302
    assert Passage.objects.get().exact == words


def test_annotate_rejects_a_span_that_does_not_hold_the_selected_words(editor_client, article):
    start, end = span_of(article.text, "许艳")

    response = editor_client.post(
        annotate_url(article), {"start": start + 1, "end": end + 1, "exact": "许艳", "note": ""}
    )

    assert response.status_code == 400
    assert not Passage.objects.exists()
    content = response.content.decode()
    assert "do not match the article" in content
    assert "艳😀" in content


def test_annotate_rejects_a_span_outside_the_text(editor_client, article):
    length = len(article.text)

    response = editor_client.post(
        annotate_url(article), {"start": length - 1, "end": length + 5, "exact": "x", "note": ""}
    )

    assert response.status_code == 400
    assert "is not inside the article" in response.content.decode()
    assert not Passage.objects.exists()


def test_annotate_escapes_script_in_the_article_text_and_the_note(editor_client, db):
    article = article_create(
        outlet=outlet_for_name(name="Test Gazette", acting_user=system_user()),
        title="<b>T</b>",
        text=SCRIPT_TEXT,
        acting_user=system_user(),
    )
    start, end = span_of(article.text, "alert")
    editor_client.post(
        annotate_url(article),
        {"start": start, "end": end, "exact": "alert", "note": "<script>note()</script>"},
    )

    content = editor_client.get(annotate_url(article)).content.decode()

    assert "<script>alert" not in content
    assert "<script>note()" not in content
    assert "<b>T</b>" not in content
    assert 'An item &lt;script&gt;<span class="passage-anchor"' in content
    assert "&lt;script&gt;note()&lt;/script&gt;" in content
    assert "5 &lt; 6 &amp; 7 &gt; 3." in content


def test_annotate_view_and_post_are_forbidden_without_the_permission(reader_client, article):
    start, end = span_of(article.text, "许艳")

    shown = reader_client.get(annotate_url(article))
    posted = reader_client.post(
        annotate_url(article), {"start": start, "end": end, "exact": "许艳", "note": ""}
    )

    assert shown.status_code == 403
    assert posted.status_code == 403
    assert not Passage.objects.exists()


def test_article_list_offers_annotate_only_to_annotators(editor_client, reader_client, article):
    url = reverse("admin:sources_article_changelist")
    link = annotate_url(article)

    assert link in editor_client.get(url).content.decode()
    assert link not in reader_client.get(url).content.decode()


def test_annotate_page_has_no_inline_script(editor_client, article):
    content = editor_client.get(annotate_url(article)).content.decode()

    assert " onclick=" not in content and " onload=" not in content
    for chunk in content.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert " src=" in tag, f"inline script: <script{tag}>"
    assert 'data-length="' + str(len(article.text)) + '"' in content


def test_annotate_view_query_count_does_not_grow_with_passages(
    editor_client, article, django_assert_max_num_queries
):
    for offset in range(30):
        Passage.objects.create(
            article=article, start=offset, end=offset + 3, exact=article.text[offset : offset + 3]
        )

    with django_assert_max_num_queries(8):
        response = editor_client.get(annotate_url(article))

    assert response.status_code == 200
    assert response.content.decode().count('class="passage-anchor"') == 30


# The passage queue


@pytest.fixture
def changed_article(article):
    """The article after a correction: one passage now fuzzy, one orphaned."""
    age = Passage.objects.create(
        article=article,
        start=article.text.index("8 November"),
        end=article.text.index("8 November") + len("8 November"),
        exact="8 November",
        prefix="the 🗳️ count on ",
        suffix=" would be watched",
    )
    name = Passage.objects.create(article=article, start=5, end=7, exact="许艳")
    article_set_text(
        article=article,
        text=TEXT.replace("8 November", "9 November").replace("许艳", "某人"),
        acting_user=system_user(),
    )
    article.refresh_from_db()
    # Whatever the re-anchoring decided, pin one fuzzy match (proposed in the current text)
    # and one orphan, the two cases the queue is for.
    Passage.objects.filter(pk=age.pk).update(
        anchor_status=AnchorStatus.FUZZY, anchored_version=article.version, similarity=90
    )
    Passage.objects.filter(pk=name.pk).update(anchor_status=AnchorStatus.ORPHANED)
    age.refresh_from_db()
    name.refresh_from_db()
    return article, age, name


def test_queue_shows_selected_words_beside_the_proposed_span(editor_client, changed_article):
    article, fuzzy, orphan = changed_article

    response = editor_client.get(reverse("admin:sources_passage_queue"))

    content = response.content.decode()
    assert response.status_code == 200
    assert [row.passage for row in response.context["rows"]] == [orphan, fuzzy]
    assert "<mark>8 November</mark>" in content
    assert '<mark class="passage-fuzzy">9 November</mark>' in content
    assert "90% alike" in content
    assert "<mark>许艳</mark>" in content
    assert "Not found in the current text." in content
    assert f"{annotate_url(article)}?reselect={orphan.pk}" in content


def test_queue_confirm_takes_the_proposed_words(editor_client, changed_article):
    article, fuzzy, _ = changed_article

    response = editor_client.post(reverse("admin:sources_passage_queue"), {"passage": fuzzy.pk})

    assert response.status_code == 302
    fuzzy.refresh_from_db()
    assert fuzzy.anchor_status == AnchorStatus.EXACT
    assert fuzzy.exact == "9 November"
    assert article.text[fuzzy.start : fuzzy.end] == "9 November"
    assert fuzzy.history.first().history_user.username == "editor"


def test_queue_confirm_leaves_an_orphan_alone(editor_client, changed_article):
    _, _, orphan = changed_article

    editor_client.post(reverse("admin:sources_passage_queue"), {"passage": orphan.pk})

    orphan.refresh_from_db()
    assert orphan.anchor_status == AnchorStatus.ORPHANED


def test_queue_confirm_is_forbidden_without_the_annotate_permission(reader_client, changed_article):
    _, fuzzy, _ = changed_article

    listed = reader_client.get(reverse("admin:sources_passage_queue"))
    posted = reader_client.post(reverse("admin:sources_passage_queue"), {"passage": fuzzy.pk})

    assert listed.status_code == 200
    assert "reselect=" not in listed.content.decode()
    assert posted.status_code == 403
    fuzzy.refresh_from_db()
    assert fuzzy.anchor_status == AnchorStatus.FUZZY


def test_reselect_in_the_annotate_view_repoints_the_orphan(editor_client, changed_article):
    article, _, orphan = changed_article
    start, end = span_of(article.text, "某人")
    url = annotate_url(article, reselect=orphan.pk)

    shown = editor_client.get(url)
    response = editor_client.post(url, {"start": start, "end": end, "exact": "某人", "note": ""})

    assert "Re-select passage" in shown.content.decode()
    assert response.status_code == 302
    assert Passage.objects.count() == 2
    orphan.refresh_from_db()
    assert (orphan.start, orphan.end, orphan.exact) == (start, end, "某人")
    assert orphan.anchor_status == AnchorStatus.EXACT
    assert orphan.anchored_version == article.version


def test_reselect_of_a_fuzzy_match_starts_from_the_proposed_span(editor_client, changed_article):
    article, fuzzy, _ = changed_article

    response = editor_client.get(annotate_url(article, reselect=fuzzy.pk))

    form = response.context["form"]
    assert (form["start"].value(), form["end"].value()) == (fuzzy.start, fuzzy.end)


def test_reselect_of_a_passage_of_another_article_is_not_found(editor_client, changed_article):
    _, fuzzy, _ = changed_article
    other = article_create(
        outlet=fuzzy.article.outlet, title="Other", text="Other words.", acting_user=system_user()
    )

    response = editor_client.get(annotate_url(other, reselect=fuzzy.pk))

    assert response.status_code == 404


def test_passage_list_action_confirms_fuzzy_matches(admin_client, changed_article):
    _, fuzzy, orphan = changed_article

    response = admin_client.post(
        reverse("admin:sources_passage_changelist"),
        {"action": "confirm_proposed_spans", "_selected_action": [fuzzy.pk, orphan.pk]},
    )

    assert response.status_code == 302
    fuzzy.refresh_from_db()
    orphan.refresh_from_db()
    assert fuzzy.anchor_status == AnchorStatus.EXACT
    assert orphan.anchor_status == AnchorStatus.ORPHANED


def test_queue_query_count_does_not_grow_with_passages(
    editor_client, changed_article, django_assert_max_num_queries
):
    article, _, _ = changed_article
    for offset in range(20):
        Passage.objects.create(
            article=article,
            start=offset,
            end=offset + 2,
            exact="xx",
            anchor_status=AnchorStatus.FUZZY,
        )

    with django_assert_max_num_queries(6):
        response = editor_client.get(reverse("admin:sources_passage_queue"))

    assert len(response.context["rows"]) == 22


def test_passage_list_links_the_queue_with_its_count(admin_client, changed_article):
    response = admin_client.get(reverse("admin:sources_passage_changelist"))

    assert response.context["queue_count"] == 2
    assert reverse("admin:sources_passage_queue") in response.content.decode()


def test_passage_change_form_edits_the_note_and_never_the_span(admin_client, admin_user, article):
    passage = Passage.objects.create(article=article, start=5, end=7, exact="许艳")
    url = reverse("admin:sources_passage_change", args=[passage.pk])

    response = admin_client.post(
        url, {"note": "named in the headline", "start": 0, "end": 3, "exact": "独立候"}
    )

    assert response.status_code == 302
    passage.refresh_from_db()
    assert passage.note == "named in the headline"
    assert (passage.start, passage.end, passage.exact) == (5, 7, "许艳")
    record = passage.history.first()
    assert (record.history_user, record.history_change_reason) == (
        admin_user,
        Reason.PASSAGE_CHANGED,
    )


def test_a_passage_deleted_in_the_admin_is_deleted_on_record(admin_client, admin_user, article):
    passage = Passage.objects.create(article=article, start=5, end=7, exact="许艳")

    response = admin_client.post(
        reverse("admin:sources_passage_delete", args=[passage.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Passage.objects.exists()
    record = Passage.history.filter(history_type="-").get()
    assert (record.history_user, record.history_change_reason) == (
        admin_user,
        Reason.PASSAGE_DELETED,
    )


def test_passage_list_query_count_does_not_grow_with_passages(
    admin_client, article, django_assert_max_num_queries
):
    for offset in range(25):
        Passage.objects.create(
            article=article, start=offset, end=offset + 1, exact=article.text[offset]
        )

    with django_assert_max_num_queries(10):
        response = admin_client.get(reverse("admin:sources_passage_changelist"))

    assert len(response.context["cl"].result_list) == 25


# The highlighted HTML


def fake_passage(pk, start, end, note=""):
    return SimpleNamespace(pk=pk, start=start, end=end, note=note, anchor_status=AnchorStatus.EXACT)


def visible_text(markup):
    return html.unescape(re.sub(r"<[^>]*>", "", str(markup)))


def test_overlapping_passages_share_the_segment_they_both_cover():
    markup = str(highlighted_text("abcdefghij", [fake_passage(1, 0, 5), fake_passage(2, 3, 8)]))

    assert '<mark class="passage" data-passages="1" title="Passage 1">abc</mark>' in markup
    assert 'data-passages="1 2" title="Passage 1\nPassage 2">de</mark>' in markup
    assert '<mark class="passage" data-passages="2" title="Passage 2">fgh</mark>' in markup
    assert markup.endswith("</mark>ij")


@given(
    text=st.text(alphabet=st.sampled_from("ab <>&\"'\n许艳😀🗳\ufe0f"), max_size=40),
    bounds=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=6),
)
def test_highlighted_html_shows_exactly_the_text_whatever_the_passages(text, bounds):
    passages = [
        fake_passage(number, min(a, b), max(a, b), note="<i>&</i>")
        for number, (a, b) in enumerate(bounds, start=1)
    ]

    markup = highlighted_text(text, passages)

    assert visible_text(markup) == text
    assert "<i>" not in str(markup)


def test_history_views_of_articles_and_passages_open(admin_client, changed_article):
    article, fuzzy, _ = changed_article

    article_history = admin_client.get(reverse("admin:sources_article_history", args=[article.pk]))
    passage_history = admin_client.get(reverse("admin:sources_passage_history", args=[fuzzy.pk]))

    assert article_history.status_code == 200
    assert passage_history.status_code == 200
    assert "revert to a previous version" not in passage_history.content.decode()


def test_a_past_version_cannot_be_posted_back(admin_client, changed_article):
    _, fuzzy, _ = changed_article
    old_note = fuzzy.history.last()
    url = reverse("admin:sources_passage_simple_history", args=[fuzzy.pk, old_note.history_id])

    assert admin_client.get(url).status_code == 200
    posted = admin_client.post(url, {"note": "reverted behind the services' back"})

    assert posted.status_code == 403
    assert Passage.objects.get(pk=fuzzy.pk).note == fuzzy.note
