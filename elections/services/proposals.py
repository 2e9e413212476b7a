"""Proposed changes to published candidates: recorded, then accepted or rejected by a reviewer.

A published profile shows what a reviewer last saw. Every service that changes a
candidate's own fields (names, other names, gender, year of birth, Weibo account,
candidacies, status steps entered by hand) asks `proposal_if_reviewed` first: for a published
candidate it records the change as a `CandidateProposal` (old -> new for the reviewer, and the
arguments to replay it) and the service makes no change; for a draft, a candidate in review or
a withdrawn one it returns None and the service goes on. The sheet importer does the same for
each row about a published candidate (operation "sheet_row").

`proposal_accept` replays the change through the very service that would have made it, with
the gate open (`_applying`), acting as the reviewer; the proposal keeps its author. A reviewer
may not accept their own proposal (the four-eyes rule, `SOURCEBOOK_FOUR_EYES`), and a proposal
whose old values are no longer the record's (someone changed them since) is refused: it
would overwrite a change its author never saw.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from elections.changes import profile_corrected
from elections.models import (
    Candidacy,
    CandidacyStatus,
    Candidate,
    CandidateName,
    CandidateProposal,
    Election,
    Place,
)
from sources.audit import Reason, acting, read_only, service, service_step
from sources.dates import PartialDate
from sources.models import Passage

_applying: contextvars.ContextVar[bool] = contextvars.ContextVar("applying", default=False)
_collected: contextvars.ContextVar[list[CandidateProposal] | None] = contextvars.ContextVar(
    "collected_proposals", default=None
)

# How a proposal names a field for reviewers (stored in English in `changes`; shown in the
# reviewer's language by the field's `name`).
FIELD_LABELS = {
    "display_name": _("name"),
    "name_zh": _("Chinese name"),
    "gender": _("gender"),
    "birth_year": _("year of birth"),
    "weibo": _("Weibo"),
    "slug": _("address (slug)"),
    "wikidata": _("Wikidata QID"),
    "votes": _("votes"),
    "election": _("election"),
    "status": _("status"),
    "on": _("date"),
    "kind": _("kind"),
    "name": _("other name"),
    "passage": _("passage"),
}


@read_only
def field_label(name: str) -> str:
    """How a proposal names the field `name`, in the language active."""
    return str(FIELD_LABELS.get(name, name))


@read_only
def needs_review(candidate: Candidate) -> bool:
    """Whether a change to `candidate`'s own fields waits for a reviewer: it is published, and
    no accepted proposal is being applied."""
    return candidate.state == Candidate.State.PUBLISHED and not _applying.get()


@read_only
@contextmanager
def collect_proposals() -> Iterator[list[CandidateProposal]]:
    """Gather the proposals recorded inside (the admin tells the editor about them); it
    writes nothing itself."""
    found: list[CandidateProposal] = []
    token = _collected.set(found)
    try:
        yield found
    finally:
        _collected.reset(token)


@read_only
def shown(value: Any) -> str:
    """A field's value as a proposal records and compares it: text, a date in ISO form."""
    if value is None:
        return ""
    if isinstance(value, PartialDate):
        return value.isoformat()
    return str(value)


@service_step
def proposal_if_reviewed(
    *,
    candidate: Candidate,
    operation: str,
    arguments: dict[str, Any],
    changes: list[tuple[str, Any, Any]],
    acting_user: User,
) -> CandidateProposal | None:
    """Record the change as a proposal when `candidate` is published, and return it; else
    None, and the calling service makes the change. `changes` are (field, old, new)."""
    if not needs_review(candidate) or not changes:
        return None
    if operation not in REPLAY:
        raise ValueError(f"{operation!r} is not a change a proposal can replay")
    waiting = CandidateProposal.objects.filter(
        candidate=candidate,
        operation=operation,
        arguments=arguments,
        state=CandidateProposal.State.PENDING,
    ).first()
    if waiting is not None:
        # The same change proposed again (a sheet imported twice) is the proposal waiting.
        return waiting
    with override("en"):  # stored: in English whatever the proposer's language
        english = {name: field_label(name) for name, _old, _new in changes}
    proposal = CandidateProposal(
        candidate=candidate,
        operation=operation,
        arguments=arguments,
        changes=[
            {
                "field": english[name],
                "name": name,
                "old": shown(old),
                "new": shown(new),
            }
            for name, old, new in changes
        ],
        proposed_by=acting_user,
    )
    acting(proposal, acting_user, Reason.PROPOSED).save()
    collected = _collected.get()
    if collected is not None:
        collected.append(proposal)
    return proposal


def _pending(proposal: CandidateProposal) -> CandidateProposal:
    current = CandidateProposal.objects.select_for_update().get(pk=proposal.pk)
    if current.state != CandidateProposal.State.PENDING:
        raise ValidationError(
            gettext("Proposal #%(number)s was %(state)s already.")
            % {"number": current.pk, "state": current.get_state_display()}
        )
    return current


@read_only
def proposals_reviewable_by(
    proposals: QuerySet[CandidateProposal], reviewer: User
) -> QuerySet[CandidateProposal]:
    """`proposals` without those `reviewer` may not accept: their own (the four-eyes rule of
    `proposal_accept`), so that a review queue never offers what it would refuse."""
    if not settings.SOURCEBOOK_FOUR_EYES:
        return proposals
    return proposals.exclude(proposed_by=reviewer)


@service(perm="elections.publish_candidate", action="accept proposed changes")
def proposal_accept(
    *, proposal: CandidateProposal, note: str = "", acting_user: User
) -> CandidateProposal:
    """Make the proposed change to the published record; refused to its own author and when
    the record changed since."""
    current = _pending(proposal)
    if settings.SOURCEBOOK_FOUR_EYES and current.proposed_by_id == acting_user.pk:
        raise PermissionDenied(
            gettext("You proposed #%(number)s; another reviewer must accept it (four-eyes rule).")
            % {"number": current.pk}
        )
    candidate = Candidate.objects.select_for_update().get(pk=current.candidate_id)
    if candidate.merged_into_id:
        raise ValidationError(
            gettext("%(candidate)s was merged into another record.")
            % {"candidate": candidate.display_name}
        )
    token = _applying.set(True)
    try:
        REPLAY[current.operation](candidate, current.arguments, acting_user)
    finally:
        _applying.reset(token)
    current.state = CandidateProposal.State.ACCEPTED
    current.reviewed_by, current.reviewed_at = acting_user, timezone.now()
    profile_corrected(
        candidate_id=candidate.pk,
        fields=[change.get("name", "") for change in current.changes],
        subject=f"proposal {current.pk}",
    )
    current.review_note = (note or "").strip()
    acting(current, acting_user, Reason.PROPOSAL_ACCEPTED, current.review_note).save()
    return current


@service(perm="elections.publish_candidate", action="reject proposed changes")
def proposal_reject(
    *, proposal: CandidateProposal, note: str, acting_user: User
) -> CandidateProposal:
    """Refuse a proposed change, saying why; the published record stays as it is."""
    if not (note or "").strip():
        raise ValidationError({"review_note": gettext("Say why the change is refused.")})
    current = _pending(proposal)
    current.state = CandidateProposal.State.REJECTED
    current.reviewed_by, current.reviewed_at = acting_user, timezone.now()
    current.review_note = note.strip()
    acting(current, acting_user, Reason.PROPOSAL_REJECTED, current.review_note).save()
    return current


# Replaying: each operation calls the service that would have made the change.


def _stale(what: str) -> ValidationError:
    return ValidationError(
        gettext(
            "The record changed since this was proposed (%(what)s); reject it, and propose the "
            "change again on the record as it is now."
        )
        % {"what": what}
    )


def _check_old(obj: Any, names: dict[str, Any], old: dict[str, str]) -> None:
    for name in names:
        value = getattr(obj, f"{name}_id" if name in ("election", "passage") else name)
        if name in old and shown(value) != old[name]:
            raise _stale(
                gettext("%(field)s is now “%(value)s”")
                % {"field": field_label(name), "value": shown(value)}
            )


def _old(proposal_arguments: dict[str, Any]) -> dict[str, str]:
    return proposal_arguments.get("old", {})


def _replay_candidate_update(candidate: Candidate, arguments: dict[str, Any], user: User) -> None:
    from .candidates import candidate_update

    fields = arguments["fields"]
    _check_old(candidate, fields, _old(arguments))
    candidate_update(candidate=candidate, acting_user=user, **fields)


def _replay_name_add(candidate: Candidate, arguments: dict[str, Any], user: User) -> None:
    from .candidates import candidate_add_name

    given = arguments.get("passage")
    passage = Passage.objects.filter(pk=given).first() if given else None
    candidate_add_name(
        candidate=candidate,
        name=arguments["name"],
        kind=arguments["kind"],
        passage=passage,
        note=arguments.get("note", ""),
        acting_user=user,
    )


def _name_of(candidate: Candidate, arguments: dict[str, Any]) -> CandidateName:
    form = CandidateName.objects.filter(pk=arguments["name_id"], candidate=candidate).first()
    if form is None:
        raise _stale(gettext("that other name was removed"))
    return form


def _replay_name_update(candidate: Candidate, arguments: dict[str, Any], user: User) -> None:
    from .candidates import candidate_name_update

    form = _name_of(candidate, arguments)
    fields = dict(arguments["fields"])
    _check_old(form, fields, _old(arguments))
    if "passage" in fields:
        fields["passage"] = Passage.objects.filter(pk=fields["passage"]).first()
    candidate_name_update(candidate_name=form, acting_user=user, **fields)


def _replay_name_remove(candidate: Candidate, arguments: dict[str, Any], user: User) -> None:
    from .candidates import candidate_name_remove

    candidate_name_remove(candidate_name=_name_of(candidate, arguments), acting_user=user)


def _candidacy_of(candidate: Candidate, arguments: dict[str, Any]) -> Candidacy:
    run = Candidacy.objects.filter(pk=arguments["candidacy_id"], candidate=candidate).first()
    if run is None:
        raise _stale(gettext("that candidacy was removed"))
    return run


def _replay_candidacy_create(candidate: Candidate, arguments: dict[str, Any], user: User) -> None:
    from .candidacies import candidacy_create

    candidacy_create(
        candidate=candidate,
        election=Election.objects.get(pk=arguments["election"]),
        votes=arguments.get("votes"),
        notes=arguments.get("notes", ""),
        acting_user=user,
    )


def _replay_candidacy_update(candidate: Candidate, arguments: dict[str, Any], user: User) -> None:
    from .candidacies import candidacy_update

    run = _candidacy_of(candidate, arguments)
    fields = dict(arguments["fields"])
    _check_old(run, fields, _old(arguments))
    if "election" in fields:
        fields["election"] = Election.objects.get(pk=fields["election"])
    candidacy_update(candidacy=run, acting_user=user, **fields)


def _replay_candidacy_remove(candidate: Candidate, arguments: dict[str, Any], user: User) -> None:
    from .candidacies import candidacy_remove

    candidacy_remove(
        candidacy=_candidacy_of(candidate, arguments),
        note=arguments.get("note", ""),
        acting_user=user,
    )


def _step_of(candidate: Candidate, arguments: dict[str, Any]) -> CandidacyStatus:
    step = CandidacyStatus.objects.filter(
        pk=arguments["step_id"], candidacy__candidate=candidate
    ).first()
    if step is None:
        raise _stale(gettext("that status step was removed"))
    return step


def _replay_step_add(candidate: Candidate, arguments: dict[str, Any], user: User) -> None:
    from .candidacies import candidacy_step_add

    candidacy_step_add(
        candidacy=_candidacy_of(candidate, arguments),
        status=arguments["status"],
        on=PartialDate.parse(arguments["on"]),
        note=arguments.get("note", ""),
        acting_user=user,
    )


def _replay_step_update(candidate: Candidate, arguments: dict[str, Any], user: User) -> None:
    from .candidacies import candidacy_step_update

    step = _step_of(candidate, arguments)
    fields = dict(arguments["fields"])
    if "on" in fields:
        if shown(step.date) != _old(arguments).get("on", shown(step.date)):
            raise _stale(gettext("its date is now %(date)s") % {"date": shown(step.date)})
        fields["on"] = PartialDate.parse(fields["on"])
    _check_old(step, {k: v for k, v in fields.items() if k != "on"}, _old(arguments))
    candidacy_step_update(step=step, acting_user=user, **fields)


def _replay_step_remove(candidate: Candidate, arguments: dict[str, Any], user: User) -> None:
    from .candidacies import candidacy_step_remove

    candidacy_step_remove(step=_step_of(candidate, arguments), acting_user=user)


def _replay_sheet_row(candidate: Candidate, arguments: dict[str, Any], user: User) -> None:
    """A sheet row's changes: fields, other names, and a status in an election of a place."""
    from .bulk.candidates import elections_for_places, name_kind, sheet_status_date
    from .candidacies import candidacy_step_add
    from .candidates import candidacy_for, candidate_add_name, candidate_update

    fields = arguments.get("fields", {})
    if fields:
        _check_old(candidate, fields, _old(arguments))
        candidate_update(candidate=candidate, acting_user=user, **fields)
    for name in arguments.get("names", []):
        candidate_add_name(candidate=candidate, name=name, kind=name_kind(name), acting_user=user)
    status = arguments.get("status")
    if status:
        place = Place.objects.get(pk=status["place"])
        election = elections_for_places(places=[place], acting_user=user)[place.pk]
        run = candidacy_for(candidate=candidate, election=election, acting_user=user)
        if not run.statuses.filter(status=status["status"]).exists():
            candidacy_step_add(
                candidacy=run,
                status=status["status"],
                on=sheet_status_date(election, status["status"]),
                note="given by an import sheet",
                acting_user=user,
            )


REPLAY: dict[str, Callable[[Candidate, dict[str, Any], User], None]] = {
    "candidate_update": _replay_candidate_update,
    "name_add": _replay_name_add,
    "name_update": _replay_name_update,
    "name_remove": _replay_name_remove,
    "candidacy_create": _replay_candidacy_create,
    "candidacy_update": _replay_candidacy_update,
    "candidacy_remove": _replay_candidacy_remove,
    "step_add": _replay_step_add,
    "step_update": _replay_step_update,
    "step_remove": _replay_step_remove,
    "sheet_row": _replay_sheet_row,
}


@service_step
def sheet_rows_propose(
    *,
    rows: list[tuple[Candidate, dict[str, Any], list[tuple[str, Any, Any]]]],
    acting_user: User,
) -> list[CandidateProposal]:
    """The proposals of a sheet's rows about published candidates: (candidate, arguments,
    changes) each, replayed on acceptance by the "sheet_row" operation."""
    made = []
    for candidate, arguments, changes in rows:
        proposal = proposal_if_reviewed(
            candidate=candidate,
            operation="sheet_row",
            arguments=arguments,
            changes=changes,
            acting_user=acting_user,
        )
        if proposal is not None:
            made.append(proposal)
    return made
