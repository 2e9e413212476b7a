"""Candidacies and their status steps entered by hand.

A candidacy's status is the latest step of its course (`elections.services.course`): every
change of a step, or of the election a candidacy is in, puts the candidate's steps in order
again and re-reads the status (`candidacy_steps_changed`). Steps reported by claims change
with their claim (`claim_update`, `claim_reject`), never here; the services below edit the
steps an editor entered by hand (a result read in an official notice).
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext

from elections.models import (
    Candidacy,
    CandidacyStatus,
    Candidate,
    CandidateProposal,
    Claim,
    Election,
)
from sources.audit import Reason, acting, service
from sources.dates import PartialDate
from sources.services.changes import apply_given
from sources.services.unset import UNSET, Unset

from .claims import candidacy_steps_changed
from .course import steps_renumber
from .proposals import proposal_if_reviewed


def _refuse_second_run(candidate: Candidate, election: Election, exclude: int | None) -> None:
    others = Candidacy.objects.filter(candidate=candidate, election=election)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ValidationError(
            {
                "election": gettext("%(candidate)s already has a candidacy in %(election)s.")
                % {"candidate": candidate.display_name, "election": election}
            }
        )


@service(perm="elections.add_candidacy", action="record candidacies")
def candidacy_create(
    *,
    candidate: Candidate,
    election: Election,
    votes: int | None = None,
    notes: str = "",
    acting_user: User,
) -> Candidacy:
    """Record that `candidate` stood in `election`; refused when that is recorded already."""
    if candidate.merged_into_id:
        raise ValidationError(
            {
                "candidate": gettext("%(candidate)s was merged into another record.")
                % {"candidate": candidate.display_name}
            }
        )
    _refuse_second_run(candidate, election, None)
    candidacy = Candidacy(candidate=candidate, election=election, votes=votes, notes=notes)
    candidacy.proposal = proposal_if_reviewed(  # type: ignore[attr-defined]
        candidate=candidate,
        operation="candidacy_create",
        arguments={"election": election.pk, "votes": votes, "notes": notes},
        changes=[("election", None, election), *([("votes", None, votes)] if votes else [])],
        acting_user=acting_user,
    )
    if candidacy.proposal is not None:  # type: ignore[attr-defined]
        return candidacy  # not saved: it waits for a reviewer
    candidacy.full_clean()
    acting(candidacy, acting_user, Reason.CANDIDACY_RECORDED).save()
    return candidacy


@service(perm="elections.change_candidacy", action="change candidacies")
def candidacy_update(
    *,
    candidacy: Candidacy,
    election: Election | Unset = UNSET,
    votes: int | Unset | None = UNSET,
    notes: str | Unset = UNSET,
    acting_user: User,
) -> Candidacy:
    """Change the votes, notes or election of a candidacy (the fields given).

    Moving it to another election (one recorded wrongly) re-orders the candidate's steps,
    since the polling date orders them, and re-reads the status.
    """
    current = Candidacy.objects.select_for_update().select_related("candidate").get(pk=candidacy.pk)
    moved = election is not UNSET and election.pk != current.election_id
    if election is not UNSET:
        _refuse_second_run(current.candidate, election, current.pk)
    fields: dict[str, object] = {}
    if moved and election is not UNSET:
        fields["election"] = election.pk
    if votes is not UNSET and votes != current.votes:
        fields["votes"] = votes
    current.proposal = proposal_if_reviewed(  # type: ignore[attr-defined]
        candidate=current.candidate,
        operation="candidacy_update",
        arguments={
            "candidacy_id": current.pk,
            "fields": fields,
            "old": {
                name: str(getattr(current, f"{name}_id" if name == "election" else name) or "")
                for name in fields
            },
        },
        changes=[
            (name, current.election if name == "election" else current.votes, value)
            for name, value in (
                ("election", election if moved else None),
                ("votes", fields.get("votes")),
            )
            if name in fields
        ],
        acting_user=acting_user,
    )
    if current.proposal is not None:  # type: ignore[attr-defined]
        # The election and votes wait for a reviewer; internal notes are the editors' own.
        election, votes, moved = UNSET, UNSET, False
        if notes is UNSET or notes == current.notes:
            return current
    apply_given(current, {"election": election, "votes": votes, "notes": notes})
    current.full_clean()
    acting(current, acting_user, Reason.CANDIDACY_CHANGED).save()
    if moved:
        candidacy_steps_changed(current)
    return current


@service(perm="elections.delete_candidacy", action="remove candidacies")
def candidacy_remove(
    *, candidacy: Candidacy, note: str = "", acting_user: User
) -> CandidateProposal | None:
    """Remove a candidacy recorded by mistake, with its steps entered by hand.

    Refused while claims are about it: deleting it would delete them, and what a press
    report says is rejected by a reviewer, never erased. For a published candidate, returns
    the proposal that waits for a reviewer instead.
    """
    claims = Claim.objects.filter(candidacy=candidacy).count()
    if claims:
        raise ValidationError(
            ngettext(
                "%(count)d claim(s) are about this candidacy: reject them, or move them to "
                "another candidacy, before removing it.",
                "%(count)d claim(s) are about this candidacy: reject them, or move them to "
                "another candidacy, before removing it.",
                claims,
            )
            % {"count": claims}
        )
    proposal = proposal_if_reviewed(
        candidate=candidacy.candidate,
        operation="candidacy_remove",
        arguments={"candidacy_id": candidacy.pk, "note": note},
        changes=[("election", candidacy.election, None)],
        acting_user=acting_user,
    )
    if proposal is not None:
        return proposal
    for step in CandidacyStatus.objects.filter(candidacy=candidacy):
        acting(step, acting_user, Reason.CANDIDACY_REMOVED, note).delete()
    candidate_id = candidacy.candidate_id
    acting(candidacy, acting_user, Reason.CANDIDACY_REMOVED, note).delete()
    steps_renumber(candidate_ids=[candidate_id])
    return None


def _by_hand(step: CandidacyStatus) -> None:
    if step.claim_id is not None:
        raise ValidationError(
            gettext("This step was reported by claim #%(claim)s: it changes with the claim.")
            % {"claim": step.claim_id}
        )


@service(perm="elections.add_candidacystatus", action="add status steps")
def candidacy_step_add(
    *,
    candidacy: Candidacy,
    status: str,
    on: PartialDate,
    note: str = "",
    acting_user: User,
) -> CandidacyStatus:
    """Add a dated step entered by hand to a candidacy's course; re-read its status."""
    step = CandidacyStatus(
        candidacy=candidacy,
        status=status,
        on=on.earliest(),
        precision=on.precision,
        note=note,
        created_by=acting_user,
    )
    step.proposal = proposal_if_reviewed(  # type: ignore[attr-defined]
        candidate=candidacy.candidate,
        operation="step_add",
        arguments={
            "candidacy_id": candidacy.pk,
            "status": status,
            "on": on.isoformat(),
            "note": note,
        },
        changes=[("status", None, f"{status} on {on.isoformat()} in {candidacy.election}")],
        acting_user=acting_user,
    )
    if step.proposal is not None:  # type: ignore[attr-defined]
        return step  # not saved: it waits for a reviewer
    step.full_clean()
    acting(step, acting_user, Reason.STATUS_ADDED).save()
    candidacy_steps_changed(candidacy)
    return step


@service(perm="elections.change_candidacystatus", action="change status steps")
def candidacy_step_update(
    *,
    step: CandidacyStatus,
    status: str | Unset = UNSET,
    on: PartialDate | Unset = UNSET,
    note: str | Unset = UNSET,
    acting_user: User,
) -> CandidacyStatus:
    """Change a step entered by hand (the fields given); re-order the course, re-read status."""
    current = CandidacyStatus.objects.select_for_update().get(pk=step.pk)
    _by_hand(current)
    fields: dict[str, object] = {}
    if status is not UNSET and status != current.status:
        fields["status"] = status
    if on is not UNSET and on != current.date:
        fields["on"] = on.isoformat()
    current.proposal = proposal_if_reviewed(  # type: ignore[attr-defined]
        candidate=current.candidacy.candidate,
        operation="step_update",
        arguments={
            "step_id": current.pk,
            "fields": fields,
            "old": {"status": current.status, "on": current.date.isoformat()},
        },
        changes=[
            (name, current.status if name == "status" else current.date.isoformat(), value)
            for name, value in fields.items()
        ],
        acting_user=acting_user,
    )
    if current.proposal is not None:  # type: ignore[attr-defined]
        status, on = UNSET, UNSET
        if note is UNSET or note == current.note:
            return current
    apply_given(
        current,
        {
            "status": status,
            "on": on.earliest() if on is not UNSET else UNSET,
            "precision": on.precision if on is not UNSET else UNSET,
            "note": note,
        },
    )
    current.full_clean()
    acting(current, acting_user, Reason.STATUS_CHANGED).save()
    candidacy_steps_changed(current.candidacy)
    return current


@service(perm="elections.delete_candidacystatus", action="remove status steps")
def candidacy_step_remove(*, step: CandidacyStatus, acting_user: User) -> CandidateProposal | None:
    """Remove a step entered by hand; re-order the course and re-read the status. For a
    published candidate, returns the proposal that waits for a reviewer instead."""
    _by_hand(step)
    candidacy = step.candidacy
    proposal = proposal_if_reviewed(
        candidate=candidacy.candidate,
        operation="step_remove",
        arguments={"step_id": step.pk},
        changes=[("status", f"{step.status} on {step.date.isoformat()}", None)],
        acting_user=acting_user,
    )
    if proposal is not None:
        return proposal
    acting(step, acting_user, Reason.STATUS_REMOVED).delete()
    candidacy_steps_changed(candidacy)
    return None
