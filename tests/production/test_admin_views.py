"""The admin's own views and change pages that write, on PostgreSQL outside a test transaction:
review buttons, a dispute's verdict, the passage queue, the annotate view and its claim
panel, and the change pages (a candidate with its inlines, an article's text, an outlet, an
election, a place).

Merging and undoing a merge are in test_merge.py; sheet imports in test_sheet_imports.py.
"""

import pytest
from django.urls import reverse

from elections.models import Candidate, CandidateName, Claim, Contradiction, Property
from sources.models import AnchorStatus, Article, ArticleVersion, Passage
from sources.services import article_set_text
from tests.factories import make_article, make_election, make_place
from tests.production.checks import Generation, assert_history_names, client_of, moment
from tests.production.scenarios import (
    REPORT,
    TYPO,
    changeform_data,
    disagreeing_claims,
    edit_article_text,
    fuzzy_passage,
    one_person_twice,
    select_passage,
)

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_verifies_and_rejects_claims_on_their_pages(editor, reviewer):
    _, _, (first, second) = one_person_twice(editor)
    client = client_of(reviewer)
    since, generation = moment(), Generation()

    verified = client.post(reverse("admin:elections_claim_verify", args=[first.pk]))
    rejected = client.post(
        reverse("admin:elections_claim_reject", args=[second.pk]),
        {"reason": "The passage names her sister."},
    )

    assert verified.status_code == rejected.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.reviewed_by) == (Claim.State.VERIFIED, reviewer)
    assert (second.state, second.reviewed_by) == (Claim.State.REJECTED, reviewer)
    assert_history_names(reviewer, since, Claim)
    assert generation.changed()


def test_a_reviewer_resolves_a_dispute_with_a_verdict(editor, reviewer):
    _, first, second = disagreeing_claims(editor)
    contradiction = Contradiction.objects.get(status=Contradiction.Status.OPEN)
    url = reverse("admin:elections_contradiction_change", args=[contradiction.pk])
    client = client_of(reviewer)
    since = moment()

    shown = client.get(url)
    seen = shown.context["form"]["revision"].value()
    response = client.post(
        url, {"verdict": "one_right:1", "note": "Her registration gives 1964.", "revision": seen}
    )

    assert shown.status_code == 200
    assert response.status_code == 302
    contradiction.refresh_from_db()
    assert contradiction.status == Contradiction.Status.RESOLVED
    assert (contradiction.verdict, contradiction.resolved_by) == ("one_right", reviewer)
    overruled = dict(Claim.objects.values_list("pk", "overruled"))
    assert overruled == {first.pk: False, second.pk: True}
    assert_history_names(reviewer, since, Contradiction)


def test_an_editor_confirms_a_proposed_span_in_the_queue(editor):
    client = client_of(editor)
    passage = fuzzy_passage(client)
    since = moment()

    listed = client.get(reverse("admin:sources_passage_queue"))
    response = client.post(reverse("admin:sources_passage_queue"), {"passage": passage.pk})

    assert listed.status_code == 200
    assert response.status_code == 302
    passage.refresh_from_db()
    assert (passage.anchor_status, passage.exact) == (
        AnchorStatus.EXACT,
        "her landlord wants the shop back",
    )
    assert_history_names(editor, since, Passage)


def test_an_editor_selects_and_reselects_passages_in_the_annotate_view(editor):
    client = client_of(editor)
    article = make_article(REPORT, outlet="Hangzhou Daily")
    since = moment()

    passage = select_passage(client, article, "runs a bookshop in Hangzhou")
    url = reverse("admin:sources_article_annotate", args=[article.pk])
    # Found word for word, the passage is not selected again; once its words are gone it is.
    refused = client.post(
        f"{url}?reselect={passage.pk}",
        {"start": 0, "end": 8, "exact": "Wang Lin", "note": ""},
    )
    article_set_text(
        article=article,
        text=REPORT.replace("runs a bookshop in Hangzhou", "sells books"),
        acting_user=editor,
    )
    start = article.text.index("Police have called on her")
    response = client.post(
        f"{url}?reselect={passage.pk}",
        {"start": start, "end": start + 25, "exact": "Police have called on her", "note": ""},
    )

    assert refused.status_code == 400
    assert "cannot be selected again" in refused.content.decode()
    assert response.status_code == 302
    passage.refresh_from_db()
    assert (passage.start, passage.exact) == (start, "Police have called on her")
    assert passage.created_by == editor
    assert_history_names(editor, since, Passage)


def test_an_editor_records_a_claim_about_a_new_candidate_from_the_annotate_view(editor):
    client = client_of(editor)
    article = make_article(REPORT, outlet="Hangzhou Daily", published="2011-06-02")
    start = article.text.index("27")
    since, generation = moment(), Generation()

    response = client.post(
        reverse("admin:sources_article_annotate_claim", args=[article.pk]),
        {
            "start": start,
            "end": start + 2,
            "exact": "27",
            "version": article.version,
            "new_candidate": "true",
            "new_display_name": "Wang Lin",
            "property": Property.AGE,
            "value": "27",
        },
    )

    assert response.status_code == 201, response.content[:500]
    claim = Claim.objects.select_related("candidate", "passage").get()
    assert (claim.candidate.display_name, claim.value, claim.passage.exact) == (
        "Wang Lin",
        "27",
        "27",
    )
    assert claim.created_by == editor and claim.passage.created_by == editor
    assert_history_names(editor, since, Candidate, Passage, Claim)
    # A draft candidate, an unverified claim and its passage: nothing the public sees, so the
    # cached pages stay warm.
    assert not generation.changed()


def test_the_claim_panel_finds_candidates_and_reads_values(editor):
    xu, _, _ = one_person_twice(editor)
    article = make_article(REPORT, outlet="Hangzhou Daily")
    client = client_of(editor)

    found = client.get(reverse("admin:sources_article_annotate_candidates"), {"q": "Xu"})
    read = client.get(
        reverse("admin:sources_article_annotate_suggest", args=[article.pk]),
        {"property": Property.AGE, "exact": "27"},
    )

    assert found.status_code == read.status_code == 200
    assert xu.pk in [result["id"] for result in found.json()["results"]]
    assert read.json()


def test_an_editor_edits_a_candidate_and_adds_a_name_on_its_page(editor):
    xu, _, _ = one_person_twice(editor)
    url = reverse("admin:elections_candidate_change", args=[xu.pk])
    client = client_of(editor)
    data = changeform_data(client.get(url))
    since = moment()

    response = client.post(
        url,
        {
            **data,
            "birth_year": "1984",
            "names-TOTAL_FORMS": int(data["names-TOTAL_FORMS"]) + 1,
            f"names-{data['names-TOTAL_FORMS']}-name": "Hsu Yen",
            f"names-{data['names-TOTAL_FORMS']}-kind": CandidateName.Kind.WADE_GILES,
        },
    )

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    xu.refresh_from_db()
    assert xu.birth_year == 1984
    assert xu.names.filter(name="Hsu Yen").exists()
    assert_history_names(editor, since, Candidate, CandidateName)


def test_an_editor_corrects_an_article_text_on_its_page(editor):
    client = client_of(editor)
    article = make_article(REPORT, outlet="Hangzhou Daily")
    passage = select_passage(client, article, TYPO)
    since, generation = moment(), Generation()

    edit_article_text(client, article, REPORT.replace("landlrod", "landlord"))

    article.refresh_from_db()
    assert "her landlord wants" in article.text and article.version == 2
    version = ArticleVersion.objects.filter(article=article).latest("pk")
    assert (version.reason, version.created_by) == (ArticleVersion.Reason.EDIT, editor)
    passage.refresh_from_db()
    assert passage.anchor_status == AnchorStatus.FUZZY
    assert_history_names(editor, since, Article, Passage)
    assert generation.changed()


def an_outlet():
    return make_article("Words.", outlet="Harbour Daily").outlet, "notes", "Prints corrections."


def an_election():
    election = make_election(make_place("Xihu", "西湖区", level="county", code="330106"))
    return election, "polling", "2011-11-08"


def a_place():
    return make_place("Xihu", "西湖区", level="county", code="330106"), "pinyin", "Xīhú"


@pytest.mark.parametrize(
    ("build", "role"),
    [(an_outlet, "editor"), (an_election, "editor"), (a_place, "superuser")],
    ids=["outlet", "election", "place"],
)
def test_a_change_page_saves_an_edit(build, role, request):
    user = request.getfixturevalue(role)
    obj, field, value = build()
    model = type(obj)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    client = client_of(user)
    data = changeform_data(client.get(url))
    since = moment()

    response = client.post(url, {**data, field: value})

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    obj.refresh_from_db()
    shown = obj.polling.isoformat() if field == "polling" else getattr(obj, field)
    assert shown == value
    if hasattr(model, "history"):
        assert_history_names(user, since, model)
