"""Merging two candidate records in the admin, and undoing it, on PostgreSQL outside a test
transaction: the merge takes row locks, which need the service's own transaction."""

import pytest
from django.urls import reverse

from elections.models import Candidate, CandidateMerge, CandidateName, Claim
from tests.production.checks import (
    Generation,
    assert_history_names,
    client_of,
    moment,
    run_action,
)
from tests.production.scenarios import one_person_twice

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def merge_in_the_admin(client, survivor, absorbed):
    """The reviewer selects both records, chooses the survivor and says why."""
    asked = run_action(client, Candidate, "merge_candidates", [survivor, absorbed])
    assert asked.status_code == 200
    assert "Record that survives" in asked.content.decode()
    return run_action(
        client,
        Candidate,
        "merge_candidates",
        [survivor, absorbed],
        survivor=survivor.pk,
        note="The same shop owner in Xihu; both reports give her phone number.",
    )


def test_a_reviewer_merges_two_records_in_the_admin(editor, reviewer):
    xu, ruiyan, claims = one_person_twice(editor)
    client, since, generation = client_of(reviewer), moment(), Generation()

    response = merge_in_the_admin(client, xu, ruiyan)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:elections_candidate_change", args=[xu.pk])
    merge = CandidateMerge.objects.get()
    assert (merge.survivor, merge.absorbed, merge.performed_by) == (xu, ruiyan, reviewer)
    ruiyan.refresh_from_db()
    assert ruiyan.merged_into == xu
    assert set(Claim.objects.filter(candidate=xu)) == set(claims)
    assert CandidateName.objects.filter(candidate=xu, name="Xu Ruiyan").exists()
    assert_history_names(reviewer, since, Candidate, Claim, CandidateName)
    assert generation.changed()


def test_a_reviewer_undoes_a_merge_from_its_page(editor, reviewer):
    xu, ruiyan, claims = one_person_twice(editor)
    client = client_of(reviewer)
    merge_in_the_admin(client, xu, ruiyan)
    merge = CandidateMerge.objects.get()
    since, generation = moment(), Generation()

    response = client.post(
        reverse("admin:elections_candidatemerge_undo", args=[merge.pk]), {"confirm": "yes"}
    )

    assert response.status_code == 302
    merge.refresh_from_db()
    assert merge.undone_by == reviewer and merge.undone_at is not None
    ruiyan.refresh_from_db()
    assert ruiyan.merged_into is None
    assert list(Claim.objects.filter(candidate=ruiyan)) == [claims[1]]
    assert not CandidateName.objects.filter(candidate=xu, name="Xu Ruiyan").exists()
    assert_history_names(reviewer, since, Candidate, Claim)
    assert generation.changed()


def test_a_reviewer_undoes_merges_from_the_list(editor, reviewer):
    xu, ruiyan, claims = one_person_twice(editor)
    client = client_of(reviewer)
    merge_in_the_admin(client, xu, ruiyan)
    merge = CandidateMerge.objects.get()
    since = moment()

    asked = run_action(client, CandidateMerge, "undo_merges", [merge])
    response = run_action(client, CandidateMerge, "undo_merges", [merge], note="")

    assert asked.status_code == 200
    assert response.status_code == 302
    merge.refresh_from_db()
    assert merge.undone_by == reviewer
    assert Claim.objects.get(pk=claims[1].pk).candidate == ruiyan
    assert_history_names(reviewer, since, Candidate, Claim)
