"""The full re-detection as a task and as the `redetect` command: the same end state as the
service `contradictions_redetect_all`, all or nothing, with progress, and cancellable."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from elections.models import Contradiction, DisputeClaim, Property
from elections.services import contradictions_redetect_all
from elections.tasks import candidates_to_reconcile
from sources.audit import system_user, unit_of_work
from sources.models import TaskRun
from sources.services.tasks import task_cancel_request
from sources.tasks import run_here, start
from tests.factories import make_article, make_candidate, make_claim, make_user

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self):
        return True


def age_conflicts(count, editor):
    """`count` candidates, each with two outlets printing ages that cannot both be true."""
    candidates = []
    for number in range(count):
        candidate = make_candidate(f"Candidate {number}")
        for outlet, age in (("A", "27"), ("B", "35")):
            article = make_article(f"Candidate {number}, {age}.", outlet=outlet, published="2011")
            make_claim(candidate, Property.AGE, age, article, by=editor)
        candidates.append(candidate)
    return candidates


def disputes():
    """Every dispute as (candidate, question, status, groups of claim ids)."""
    members = {}
    for dispute_id, group, claim_id in DisputeClaim.objects.order_by(
        "contradiction", "group", "claim"
    ).values_list("contradiction", "group", "claim"):
        members.setdefault(dispute_id, {}).setdefault(group, []).append(claim_id)
    return sorted(
        (
            dispute.candidate_id,
            dispute.question,
            dispute.status,
            [members.get(dispute.pk, {})[group] for group in sorted(members.get(dispute.pk, {}))],
        )
        for dispute in Contradiction.objects.all()
    )


@pytest.fixture
def reviewer():
    return make_user("Reviewers")


def expected_end_state():
    """What the service makes of the database now, without keeping it."""

    class Undo(Exception):
        pass

    try:
        with unit_of_work():
            contradictions_redetect_all(acting_user=system_user())
            state = disputes()
            raise Undo
    except Undo:
        return state


def test_redetection_as_a_task_matches_the_service(editor, reviewer):
    age_conflicts(3, editor)
    Contradiction.objects.all().delete()
    expected = expected_end_state()
    assert len(expected) == 3 and not Contradiction.objects.exists()

    run = start("contradictions_redetect_all", owner=reviewer, arguments={"chunk_size": 2})

    assert run.state == TaskRun.State.SUCCEEDED
    assert run.result == {"opened": 3, "reopened": 0, "closed": 0, "regrouped": 0}
    assert (run.done, run.total) == (3, 3)
    assert disputes() == expected


def test_a_redetection_killed_midway_keeps_nothing_and_runs_again(editor, reviewer):
    age_conflicts(3, editor)
    Contradiction.objects.all().delete()
    expected = expected_end_state()
    reported = []

    def killed_after_the_first_chunk(done, total):
        reported.append((done, total))
        if done == 1:
            # What the first chunk wrote is there, inside the run's transaction...
            assert Contradiction.objects.count() == 1
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_here(
            "contradictions_redetect_all",
            owner=reviewer,
            arguments={"chunk_size": 1},
            observer=killed_after_the_first_chunk,
        )

    # ...and gone with it: nothing half-written.
    assert reported == [(0, 3), (1, 3)]
    assert not Contradiction.objects.exists()
    killed = TaskRun.objects.get()
    assert killed.state == TaskRun.State.FAILED
    assert killed.error.startswith("KeyboardInterrupt")

    again = run_here("contradictions_redetect_all", owner=reviewer, arguments={"chunk_size": 1})

    assert again.state == TaskRun.State.SUCCEEDED
    assert disputes() == expected


def test_a_cancelled_redetection_keeps_nothing(editor, reviewer):
    age_conflicts(3, editor)
    Contradiction.objects.all().delete()

    def cancel_after_the_first_chunk(done, total):
        if done == 1:
            task_cancel_request(run=TaskRun.objects.get(), acting_user=reviewer)

    run = run_here(
        "contradictions_redetect_all",
        owner=reviewer,
        arguments={"chunk_size": 1},
        observer=cancel_after_the_first_chunk,
    )

    assert run.state == TaskRun.State.CANCELLED
    assert (run.done, run.total) == (1, 3)
    assert not Contradiction.objects.exists()


def test_redetection_closes_the_disputes_of_candidates_left_without_claims(editor, reviewer):
    (candidate,) = age_conflicts(1, editor)
    assert candidates_to_reconcile() == [candidate.pk]
    dispute = Contradiction.objects.get()
    candidate.claims.all().delete()
    assert candidates_to_reconcile() == [candidate.pk]

    run = start("contradictions_redetect_all", owner=reviewer)

    assert run.result["closed"] == 1
    dispute.refresh_from_db()
    assert dispute.status == Contradiction.Status.CLOSED
    assert candidates_to_reconcile() == []


def test_reviewers_start_redetection_in_the_admin_and_editors_see_it(client, editor, reviewer):
    age_conflicts(2, editor)
    Contradiction.objects.all().delete()
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:sources_taskrun_start", args=["contradictions_redetect_all"]), follow=True
    )

    assert response.status_code == 200
    assert Contradiction.objects.count() == 2
    run = TaskRun.objects.get()
    assert run.owner == reviewer and run.state == TaskRun.State.SUCCEEDED
    client.force_login(editor)
    listing = client.get(reverse("admin:sources_taskrun_changelist")).content.decode()
    assert "Re-detect every contradiction" in listing
    assert "/start/" not in listing
    refused = client.post(
        reverse("admin:sources_taskrun_start", args=["contradictions_redetect_all"])
    )
    assert refused.status_code == 403


def test_redetect_in_a_pipe_prints_its_summary_and_no_bar(editor):
    age_conflicts(2, editor)
    Contradiction.objects.all().delete()
    out, err = io.StringIO(), io.StringIO()

    call_command("redetect", stdout=out, stderr=err)

    assert out.getvalue().startswith(
        "Re-detected the disputes of 2 candidate(s): 2 opened, 0 reopened, 0 closed, 0 regrouped"
    )
    assert err.getvalue() == ""
    assert Contradiction.objects.count() == 2


def test_redetect_on_a_terminal_draws_a_progress_bar(editor):
    age_conflicts(3, editor)
    terminal = Terminal()

    call_command("redetect", "--chunk-size", "1", stdout=io.StringIO(), stderr=terminal)

    assert "Re-detecting" in terminal.getvalue()
    assert "3/3" in terminal.getvalue()


def test_redetect_that_fails_says_so_and_keeps_nothing(editor, monkeypatch):
    age_conflicts(2, editor)
    Contradiction.objects.all().delete()

    def broken(**kwargs):
        raise RuntimeError("the rules are broken")

    monkeypatch.setattr("elections.tasks.disputes_reconcile", broken)

    with pytest.raises(CommandError, match=r"failed, nothing changed\. RuntimeError: the rules"):
        call_command("redetect", stdout=io.StringIO(), stderr=io.StringIO())
    assert not Contradiction.objects.exists()
