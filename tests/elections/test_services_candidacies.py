"""Candidates' own fields, their names, their candidacies and status steps entered by hand,
through the services: refusals, the history naming the user and the reason, and the status
read again after every change of the course."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from elections.models import Candidacy, CandidacyStatus, CandidateName, Property
from elections.services import (
    candidacy_create,
    candidacy_remove,
    candidacy_step_add,
    candidacy_step_remove,
    candidacy_step_update,
    candidacy_update,
    candidate_add_name,
    candidate_name_remove,
    candidate_name_update,
    candidate_update,
)
from sources.dates import PartialDate
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


def latest_record(model, pk):
    return model.history.filter(id=pk).order_by("-history_date", "-pk").first()


def holding(*codenames):
    """An editor who also holds these permissions (no role holds the delete ones)."""
    user = make_user("Editors")
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def xinyu():
    return make_place("Xinyu", "新余市", code="360500")


# The profile's own fields.


def test_an_update_counts_a_revision_refreshes_the_search_and_names_the_editor(editor, liu):
    updated = candidate_update(
        candidate=liu, display_name=" Liu  Ping (Xinyu) ", birth_year=1964, acting_user=editor
    )

    assert (updated.display_name, updated.birth_year, updated.revision) == (
        "Liu Ping (Xinyu)",
        1964,
        2,
    )
    assert "liupingxinyu" in updated.search_text
    record = latest_record(type(liu), liu.pk)
    assert (record.history_user, record.history_change_reason) == (editor, "candidate changed")


def test_an_update_from_a_stale_revision_is_refused(editor, liu):
    candidate_update(candidate=liu, weibo="liuping", acting_user=editor)

    with pytest.raises(ValidationError, match="Someone else changed this candidate"):
        candidate_update(candidate=liu, notes="mine", expected_revision=1, acting_user=editor)


def test_reviewers_and_importers_do_not_edit_profiles(liu):
    for role in ("Reviewers", "Importers"):
        with pytest.raises(PermissionDenied, match="You may not change candidates"):
            candidate_update(candidate=liu, gender="female", acting_user=make_user(role))
    liu.refresh_from_db()
    assert liu.gender == "" and liu.revision == 1


def test_a_slug_taken_by_another_candidate_is_refused(editor, liu):
    make_candidate("Xu Yan", slug="xu-yan")
    with pytest.raises(ValidationError):
        candidate_update(candidate=liu, slug="xu-yan", acting_user=editor)


# Other names.


def test_a_name_changed_or_removed_is_recorded_and_the_search_follows(editor, liu):
    name = candidate_add_name(candidate=liu, name="Liu Pin", acting_user=editor)

    candidate_name_update(candidate_name=name, name="Liou Ping", acting_user=editor)
    liu.refresh_from_db()
    assert "liouping" in liu.search_text and "liupin " not in f"{liu.search_text} "
    assert latest_record(CandidateName, name.pk).history_change_reason == "name changed"

    name_id = name.pk
    candidate_name_remove(candidate_name=name, acting_user=editor)
    liu.refresh_from_db()
    assert "liouping" not in liu.search_text
    removed = CandidateName.history.get(id=name_id, history_type="-")
    assert (removed.history_user, removed.history_change_reason) == (editor, "name removed")


def test_reviewers_do_not_change_names(editor, liu):
    name = candidate_add_name(candidate=liu, name="Liu Pin", acting_user=editor)
    with pytest.raises(PermissionDenied):
        candidate_name_remove(candidate_name=name, acting_user=make_user("Reviewers"))
    assert CandidateName.objects.filter(pk=name.pk).exists()


# Candidacies.


def test_a_candidacy_is_recorded_once(editor, liu, xinyu):
    election = make_election(xinyu)
    run = candidacy_create(
        candidate=liu, election=election, notes="independent", acting_user=editor
    )

    assert latest_record(Candidacy, run.pk).history_user == editor
    with pytest.raises(ValidationError, match="already has a candidacy"):
        candidacy_create(candidate=liu, election=election, acting_user=editor)


def test_votes_and_notes_are_changed_with_a_record(editor, liu, xinyu):
    run = make_candidacy(liu, make_election(xinyu))

    candidacy_update(candidacy=run, votes=1520, acting_user=editor)

    run.refresh_from_db()
    assert (run.votes, run.notes) == (1520, "")
    record = latest_record(Candidacy, run.pk)
    assert (record.history_user, record.history_change_reason) == (editor, "candidacy changed")


def test_a_candidacy_moved_to_another_election_of_the_candidate_is_refused(editor, liu, xinyu):
    first = make_candidacy(liu, make_election(xinyu))
    second = make_candidacy(
        liu, make_election(make_place("Yushui", "渝水区", level="county", code="360502"))
    )
    with pytest.raises(ValidationError, match="already has a candidacy"):
        candidacy_update(candidacy=second, election=first.election, acting_user=editor)


def test_a_candidacy_is_removed_with_its_steps_by_hand_but_never_with_claims(editor, liu, xinyu):
    remover = holding("delete_candidacy")
    run = make_candidacy(liu, make_election(xinyu))
    step = candidacy_step_add(
        candidacy=run, status="declared", on=PartialDate(2011, 5), acting_user=editor
    )
    claimed = make_candidacy(
        liu, make_election(make_place("Yushui", "渝水区", level="county", code="360502"))
    )
    make_claim(liu, Property.VOTES, "1520", make_article("She won 1520 votes."), candidacy=claimed)

    with pytest.raises(PermissionDenied, match="You may not remove candidacies"):
        candidacy_remove(candidacy=run, acting_user=editor)
    with pytest.raises(ValidationError, match="1 claim"):
        candidacy_remove(candidacy=claimed, acting_user=remover)

    run_id = run.pk
    candidacy_remove(candidacy=run, note="recorded in the wrong election", acting_user=remover)

    assert not Candidacy.objects.filter(pk=run_id).exists()
    assert not CandidacyStatus.objects.filter(pk=step.pk).exists()
    removed = Candidacy.history.get(id=run_id, history_type="-")
    assert removed.history_user == remover
    assert removed.history_change_reason == "candidacy removed: recorded in the wrong election"
    assert Candidacy.objects.filter(pk=claimed.pk).exists()


# Status steps entered by hand.


def test_steps_by_hand_are_added_changed_and_removed_with_the_status_read_again(editor, liu, xinyu):
    remover = holding("delete_candidacystatus")
    run = make_candidacy(liu, make_election(xinyu))

    declared = candidacy_step_add(
        candidacy=run, status="declared", on=PartialDate(2011, 5), acting_user=editor
    )
    result = candidacy_step_add(
        candidacy=run,
        status="defeated",
        on=PartialDate(2011, 11, 8),
        note="official notice",
        acting_user=editor,
    )
    run.refresh_from_db()
    assert run.status == "defeated"
    assert (result.created_by, latest_record(CandidacyStatus, result.pk).history_change_reason) == (
        editor,
        "status step added",
    )

    # Redated before the declaration, the result is no longer the latest step.
    candidacy_step_update(step=result, on=PartialDate(2011, 4), acting_user=editor)
    run.refresh_from_db()
    assert run.status == "declared"
    assert latest_record(CandidacyStatus, result.pk).history_change_reason == "status step changed"

    declared_id = declared.pk
    candidacy_step_remove(step=declared, acting_user=remover)
    run.refresh_from_db()
    assert run.status == "defeated"
    removed = CandidacyStatus.history.get(id=declared_id, history_type="-")
    assert (removed.history_user, removed.history_change_reason) == (
        remover,
        "status step removed",
    )


def test_a_step_reported_by_a_claim_is_changed_only_through_its_claim(editor, liu, xinyu):
    run = make_candidacy(liu, make_election(xinyu))
    make_claim(liu, Property.STATUS, "declared", make_article("Liu Ping declared."), by=editor)
    step = CandidacyStatus.objects.get(candidacy=run)
    superuser = make_user(superuser=True)

    with pytest.raises(ValidationError, match="changes with the claim"):
        candidacy_step_update(step=step, status="elected", acting_user=superuser)
    with pytest.raises(ValidationError, match="changes with the claim"):
        candidacy_step_remove(step=step, acting_user=superuser)
    step.refresh_from_db()
    assert step.status == "declared"


def test_reviewers_do_not_enter_steps(liu, xinyu):
    run = make_candidacy(liu, make_election(xinyu))
    with pytest.raises(PermissionDenied, match="You may not add status steps"):
        candidacy_step_add(
            candidacy=run,
            status="elected",
            on=PartialDate(2011),
            acting_user=make_user("Reviewers"),
        )
    assert not CandidacyStatus.objects.exists()
