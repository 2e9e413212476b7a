"""Changes to published candidates are proposals: the reviewed version stays public until a
reviewer other than the author accepts them. Drafts are edited freely."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from elections.models import Candidacy, Candidate, CandidateName, CandidateProposal
from elections.resources import CandidateResource
from elections.services import (
    candidacy_step_add,
    candidate_add_name,
    candidate_name_remove,
    candidate_publish,
    candidate_update,
    claim_verify,
)
from elections.services.proposals import proposal_accept, proposal_reject
from sources.dates import PartialDate
from tests.elections.fixtures_sheets import CANDIDATE_HEADER, csv_bytes, import_sheet, make_places
from tests.factories import (
    make_article,
    make_candidacy,
    make_candidate,
    make_claim,
    make_election,
    make_place,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(editor, reviewer):
    xu = make_candidate("Xu Yan", name_zh="徐琰", birth_year=1984)
    article = make_article("Xu Yan, 27, stands in Haidian.", outlet="Evening Ledger")
    claim_verify(claim=make_claim(xu, "age", "27", article, by=editor), acting_user=reviewer)
    return candidate_publish(candidate=xu, acting_user=reviewer)


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def public_views(client, candidate):
    """Everything the public reads of `candidate`, as text: the profile, the API, the CSV,
    Popolo and the page of the article its claim cites."""
    article = candidate.claims.get().article_id
    urls = [
        reverse("elections:candidate-detail", args=[candidate.slug]),
        reverse("elections:api-candidate-detail", args=[candidate.slug]),
        reverse("elections:export-claims"),
        reverse("elections:export-popolo"),
        reverse("elections:article-detail", args=[article]),
    ]
    seen = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = _body(response).decode()
        if url.endswith((".json", "/")) and response["Content-Type"].startswith("application"):
            body = json.dumps(json.loads(body), ensure_ascii=False)
        seen[url] = body
    return seen


def test_an_editors_change_to_a_published_candidate_waits_for_another_reviewer(
    client, published, editor, reviewer
):
    returned = candidate_update(
        candidate=published, display_name="Xu Yanyan", birth_year=1985, acting_user=editor
    )
    proposal = returned.proposal
    stored = Candidate.objects.get(pk=published.pk)
    assert (stored.display_name, stored.birth_year) == ("Xu Yan", 1984)
    assert proposal.state == CandidateProposal.State.PENDING
    assert [(c["field"], c["old"], c["new"]) for c in proposal.changes] == [
        ("name", "Xu Yan", "Xu Yanyan"),
        ("year of birth", "1984", "1985"),
    ]
    for url, body in public_views(client, published).items():
        assert "Xu Yan" in body and "Xu Yanyan" not in body, url
        assert "1985" not in body, url

    accepted = proposal_accept(proposal=proposal, note="Checked.", acting_user=reviewer)
    assert accepted.state == CandidateProposal.State.ACCEPTED
    assert accepted.reviewed_by == reviewer and accepted.proposed_by == editor
    stored.refresh_from_db()
    assert (stored.display_name, stored.birth_year) == ("Xu Yanyan", 1985)
    for url, body in public_views(client, stored).items():
        assert "Xu Yanyan" in body, url
    with pytest.raises(ValidationError, match="accepted already"):
        proposal_accept(proposal=proposal, acting_user=make_user("Reviewers"))


def test_a_dual_role_user_cannot_accept_their_own_proposal(published):
    both = make_user("Editors", "Reviewers")
    proposal = candidate_update(candidate=published, gender="male", acting_user=both).proposal
    with pytest.raises(PermissionDenied, match="four-eyes"):
        proposal_accept(proposal=proposal, acting_user=both)
    with pytest.raises(PermissionDenied):  # editors do not accept proposals
        proposal_accept(proposal=proposal, acting_user=make_user("Editors"))
    rejected = proposal_reject(
        proposal=proposal, note="No source says so.", acting_user=make_user("Reviewers")
    )
    assert rejected.state == CandidateProposal.State.REJECTED
    assert Candidate.objects.get(pk=published.pk).gender == ""


def test_internal_notes_are_saved_at_once_and_drafts_are_edited_freely(editor):
    draft = make_candidate("Liu Ping")
    changed = candidate_update(candidate=draft, birth_year=1964, acting_user=editor)
    assert not getattr(changed, "proposal", None) and changed.birth_year == 1964
    assert not CandidateProposal.objects.exists()


def test_notes_of_a_published_candidate_need_no_review(published, editor):
    changed = candidate_update(
        candidate=published, notes="Call her office.", birth_year=1990, acting_user=editor
    )
    stored = Candidate.objects.get(pk=published.pk)
    assert stored.notes == "Call her office." and stored.birth_year == 1984
    assert changed.proposal.changes == [
        {"field": "year of birth", "name": "birth_year", "old": "1984", "new": "1990"}
    ]


def test_names_candidacies_and_status_steps_wait_too(published, editor, reviewer):
    alias = candidate_add_name(candidate=published, name="Hsu Yen", acting_user=editor)
    assert alias.pk is None and alias.proposal.operation == "name_add"
    haidian = make_place("Haidian", "海淀区", level="county", code="110108")
    run = make_candidacy(published, make_election(haidian))
    step = candidacy_step_add(
        candidacy=run, status="barred", on=PartialDate(2011, 11, 1), acting_user=editor
    )
    assert step.pk is None and not run.statuses.exists()
    assert not CandidateName.objects.filter(candidate=published).exists()
    second = make_user("Reviewers")
    for proposal in CandidateProposal.objects.order_by("pk"):
        proposal_accept(proposal=proposal, acting_user=second)
    assert list(published.names.values_list("name", flat=True)) == ["Hsu Yen"]
    assert list(run.statuses.values_list("status", flat=True)) == ["barred"]
    name = published.names.get()
    removal = candidate_name_remove(candidate_name=name, acting_user=editor)
    assert isinstance(removal, CandidateProposal) and published.names.exists()


def test_a_proposal_on_values_changed_since_is_refused(published, editor, reviewer):
    first = candidate_update(candidate=published, birth_year=1985, acting_user=editor).proposal
    second = candidate_update(candidate=published, birth_year=1986, acting_user=editor).proposal
    proposal_accept(proposal=first, acting_user=reviewer)
    with pytest.raises(ValidationError, match="changed since"):
        proposal_accept(proposal=second, acting_user=reviewer)
    assert Candidate.objects.get(pk=published.pk).birth_year == 1985


def _row(**cells):
    return [cells.get(column, "") for column in CANDIDATE_HEADER]


def test_an_importers_sheet_row_about_a_published_candidate_is_a_proposal(client, reviewer):
    places = make_places()
    xu = make_candidate("Xu Yan", name_zh="徐琰")
    published = candidate_publish(candidate=xu, acting_user=reviewer)
    importer = make_user("Importers")
    sheet = csv_bytes(
        [
            CANDIDATE_HEADER,
            _row(
                slug="xu-yan",
                name="Xu Yan",
                aliases="Hsu Yen",
                birth_year="1983",
                province="Sichuan",
                city="Chengdu",
                status="declared",
                notes="Seen in Chengdu.",
            ),
        ]
    )
    preview = import_sheet(CandidateResource, sheet, user=importer, dry_run=True)
    (row,) = preview.rows
    assert "proposes, for a reviewer to accept" in row.diff[-1]
    assert "1983" in row.diff[-1] and "Hsu Yen" in row.diff[-1]
    for _ in range(2):  # importing twice proposes once
        import_sheet(CandidateResource, sheet, user=importer)
    stored = Candidate.objects.get(pk=published.pk)
    assert stored.birth_year is None and not stored.names.exists()
    assert not Candidacy.objects.filter(candidate=stored).exists()
    assert "Seen in Chengdu." in stored.notes  # internal notes need no review
    (proposal,) = CandidateProposal.objects.filter(candidate=stored)
    assert {change["field"] for change in proposal.changes} == {
        "year of birth",
        "other name",
        "status",
    }
    profile = client.get(reverse("elections:candidate-detail", args=["xu-yan"])).content.decode()
    assert "Hsu Yen" not in profile and "Chengdu" not in profile

    proposal_accept(proposal=proposal, acting_user=reviewer)
    stored.refresh_from_db()
    assert stored.birth_year == 1983
    assert list(stored.names.values_list("name", flat=True)) == ["Hsu Yen"]
    run = Candidacy.objects.get(candidate=stored)
    assert run.election.place == places["Chengdu"]
    assert list(run.statuses.values_list("status", flat=True)) == ["declared"]
