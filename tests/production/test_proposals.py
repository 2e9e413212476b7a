"""Proposals on PostgreSQL, outside any test transaction: an editor's change to a published
candidate through the admin waits; a second reviewer accepts it on its page; two reviewers
accepting at once apply it once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from elections.models import Candidate, CandidateName, CandidateProposal
from elections.services import candidate_publish, candidate_update
from elections.services.proposals import proposal_accept
from sources.audit import unit_of_work
from tests.factories import make_candidate, make_user
from tests.production.checks import Generation, assert_history_names, client_of, moment
from tests.production.scenarios import changeform_data

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(reviewer):
    xu = make_candidate("Xu Yan", name_zh="徐琰", birth_year=1984)
    return candidate_publish(candidate=xu, acting_user=reviewer)


def test_an_editors_change_in_the_admin_waits_and_a_second_reviewer_accepts_it(
    editor, reviewer, published
):
    url = reverse("admin:elections_candidate_change", args=[published.pk])
    client = client_of(editor)
    data = changeform_data(client.get(url))
    generation = Generation()

    response = client.post(
        url,
        {
            **data,
            "birth_year": "1985",
            "names-TOTAL_FORMS": int(data["names-TOTAL_FORMS"]) + 1,
            f"names-{data['names-TOTAL_FORMS']}-name": "Hsu Yen",
            f"names-{data['names-TOTAL_FORMS']}-kind": CandidateName.Kind.WADE_GILES,
        },
        follow=True,
    )

    assert response.status_code == 200
    said = " ".join(str(message) for message in response.context["messages"])
    assert "waits for another reviewer" in said
    published.refresh_from_db()
    assert published.birth_year == 1984 and not published.names.exists()
    proposals = list(CandidateProposal.objects.order_by("pk"))
    assert [p.operation for p in proposals] == ["candidate_update", "name_add"]
    assert {p.proposed_by for p in proposals} == {editor}

    since = moment()
    page = client_of(reviewer)
    for proposal in proposals:
        answer = page.post(
            reverse("admin:elections_candidateproposal_review", args=[proposal.pk]),
            {"decision": "accept", "note": "Matches the registration notice."},
        )
        assert answer.status_code == 302
    published.refresh_from_db()
    assert published.birth_year == 1985
    assert list(published.names.values_list("name", flat=True)) == ["Hsu Yen"]
    assert set(CandidateProposal.objects.values_list("state", flat=True)) == {"accepted"}
    assert_history_names(reviewer, since, Candidate, CandidateName, CandidateProposal)
    assert generation.changed()


def test_two_reviewers_accepting_one_proposal_at_once_apply_it_once(editor, published):
    proposal = candidate_update(candidate=published, birth_year=1985, acting_user=editor).proposal
    reviewers = [make_user("Reviewers"), make_user("Reviewers")]
    accepted, holding, outcome = threading.Event(), threading.Event(), {}

    def first():
        try:
            with unit_of_work():
                outcome["first"] = proposal_accept(proposal=proposal, acting_user=reviewers[0])
                accepted.set()
                holding.wait(20)
        finally:
            connection.close()

    def second():
        try:
            accepted.wait(20)
            try:
                outcome["second"] = proposal_accept(proposal=proposal, acting_user=reviewers[1])
            except ValidationError as refusal:
                outcome["second"] = refusal
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    accepted.wait(20)
    holding.set()
    for thread in threads:
        thread.join(30)

    assert isinstance(outcome["second"], ValidationError)
    assert "accepted already" in str(outcome["second"])
    stored = CandidateProposal.objects.get(pk=proposal.pk)
    assert (stored.state, stored.reviewed_by) == ("accepted", reviewers[0])
    assert Candidate.objects.get(pk=published.pk).birth_year == 1985
    assert Candidate.history.filter(id=published.pk, birth_year=1985).count() == 1
