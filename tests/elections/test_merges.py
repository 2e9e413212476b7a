"""Merging two records of one person keeps everything, and undoing it restores both."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from elections.models import (
    Candidacy,
    Candidate,
    CandidateMerge,
    CandidateName,
    Claim,
    Contradiction,
    Property,
)
from elections.services import candidate_add_name, candidate_merge, candidate_merge_undo
from tests.factories import (
    make_article,
    make_candidacy,
    make_candidate,
    make_claim,
    make_election,
    make_place,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_records(editor):
    """Xu Yan and Xu Ruiyan: one person, recorded twice, both standing in Hangzhou."""
    election = make_election(make_place("Xihu", "西湖区", level="county", code="330106"))
    xu = make_candidate("Xu Yan")
    ruiyan = make_candidate("Xu Ruiyan", name_zh="徐瑞琰")
    candidate_add_name(
        candidate=ruiyan, name="Hsu Jui-yen", kind=CandidateName.Kind.WADE_GILES, acting_user=editor
    )
    make_candidacy(xu, election)
    make_candidacy(ruiyan, election)
    other_run = make_candidacy(
        ruiyan, make_election(make_place("Gongshu", "拱墅区", level="county", code="330105"))
    )
    claims = [
        make_claim(
            xu,
            Property.AGE,
            "27",
            make_article("Xu Yan, 27.", outlet="A", published="2011"),
            by=editor,
        ),
        make_claim(
            ruiyan,
            Property.AGE,
            "35",
            make_article("Xu Ruiyan, 35.", outlet="B", published="2011"),
            by=editor,
        ),
        make_claim(
            ruiyan,
            Property.STATUS,
            "declared",
            make_article("He declared.", outlet="B", published="2011-05-26"),
            candidacy=ruiyan.candidacies.get(election=election),
            by=editor,
        ),
    ]
    return xu, ruiyan, election, other_run, claims


def snapshot(*candidates):
    """Everything about these candidates that a merge and its undo must not lose."""
    return {
        candidate.pk: {
            "names": sorted(
                CandidateName.objects.filter(candidate=candidate).values_list("name", flat=True)
            ),
            "claims": sorted(
                Claim.objects.filter(candidate=candidate).values_list("pk", "candidacy__election")
            ),
            "candidacies": sorted(
                Candidacy.objects.filter(candidate=candidate).values_list("election", "status")
            ),
            "contradictions": sorted(
                Contradiction.objects.filter(candidate=candidate).values_list("pk", "status")
            ),
            "state": Candidate.objects.get(pk=candidate.pk).state,
            "merged_into": Candidate.objects.get(pk=candidate.pk).merged_into_id,
        }
        for candidate in candidates
    }


def test_merge_moves_every_name_claim_and_candidacy_to_the_survivor(two_records, reviewer):
    xu, ruiyan, election, other_run, claims = two_records
    merge = candidate_merge(
        survivor=xu, absorbed=ruiyan, acting_user=reviewer, note="Same man, same bookshop."
    )

    assert set(Claim.objects.filter(candidate=xu).values_list("pk", flat=True)) == {
        c.pk for c in claims
    }
    assert set(xu.names.values_list("name", flat=True)) == {"Xu Ruiyan", "徐瑞琰", "Hsu Jui-yen"}
    runs = {run.election_id: run for run in Candidacy.objects.filter(candidate=xu)}
    assert set(runs) == {election.pk, other_run.election_id}
    assert Claim.objects.get(pk=claims[2].pk).candidacy == runs[election.pk]
    assert runs[election.pk].statuses.get().status == "declared"
    ruiyan.refresh_from_db()
    assert ruiyan.merged_into == xu and merge.performed_by == reviewer
    assert (
        Contradiction.objects.filter(candidate=xu, status="open", property="birth_year").count()
        == 1
    )
    xu.refresh_from_db()
    assert "xuruiyan" in xu.search_text and "徐瑞琰" in xu.search_text


def test_undo_restores_both_records_exactly(two_records, reviewer):
    xu, ruiyan, *_ = two_records
    before = snapshot(xu, ruiyan)
    merge = candidate_merge(survivor=xu, absorbed=ruiyan, acting_user=reviewer)
    candidate_merge_undo(merge=merge, acting_user=reviewer)
    assert snapshot(xu, ruiyan) == before
    merge.refresh_from_db()
    assert merge.undone_by == reviewer and merge.undone_at
    with pytest.raises(ValidationError):
        candidate_merge_undo(merge=merge, acting_user=reviewer)


def test_a_merge_is_recorded_in_the_history_of_both(two_records, reviewer):
    xu, ruiyan, *_ = two_records
    candidate_merge(survivor=xu, absorbed=ruiyan, acting_user=reviewer)
    assert CandidateMerge.objects.get().absorbed == ruiyan
    latest = Candidate.objects.get(pk=ruiyan.pk).history.first()
    assert latest.history_user == reviewer
    assert latest.history_change_reason == f"merged: into {xu.slug}"


def test_editors_cannot_merge_and_no_record_merges_into_itself(two_records, editor, reviewer):
    xu, ruiyan, *_ = two_records
    with pytest.raises(PermissionDenied):
        candidate_merge(survivor=xu, absorbed=ruiyan, acting_user=editor)
    with pytest.raises(ValidationError):
        candidate_merge(survivor=xu, absorbed=xu, acting_user=reviewer)
    candidate_merge(survivor=xu, absorbed=ruiyan, acting_user=reviewer)
    with pytest.raises(ValidationError):
        candidate_merge(survivor=ruiyan, absorbed=xu, acting_user=reviewer)
