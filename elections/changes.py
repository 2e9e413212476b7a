"""The log of the public record's changes (`PublicEvent`), written as the record changes.

Why it is derived at settling rather than written by each service: the public record
changes through many doors (a reviewer's verification, a verdict, a re-anchoring in
`sources` that loses a passage, a publication, a merge, a sheet import, raw SQL), and one
function already sees every change of every candidate the public sees, in the transaction
that made it: `elections.tallies.settle`, which recomputes each candidate a write touched
from the public record (`elections.public`). Each candidate's digest keeps what the public
saw of it (`CandidateDigest.record`: its public facts with their values, its public disputes
with their state and verdict, and the facts withdrawn from it with why); settling compares
that with what the public sees now and appends an event for each difference:

- a fact (a public claim) appeared: verified; or shown again after its passage was found
  again or a verdict reinstated it; or verified again with a corrected value;
- a fact disappeared: rejected, overruled by a verdict, its passage no longer found in the
  article (lost evidence), returned to review (its value or passage changed), or removed;
- a fact's value changed while public (corrected);
- a public dispute was resolved (with its verdict and note) or reopened;
- a candidate was published, withdrawn, or merged into another record (the event is then
  the survivor's, and names no other record).

Facts that came with a record merged into this one add no fact events: the merge says it.
Publication adds none either: a newly published profile's facts came with it. The accepted
correction of a published profile is written by `proposal_accept` itself (it knows which
fields changed). Editors' notes are never kept here; a verdict's note is public.

`tallies.rebuild` (and the first settling of a digest kept before this log) fills the
records without writing events: it would date every fact at the rebuild.
"""

from typing import Any

from django.utils import timezone

from elections.models import Claim, Contradiction, PublicEvent
from elections.models.claim import ANCHORED_STATUSES
from elections.models.event import event_uid

Kind, Why = PublicEvent.Kind, PublicEvent.Why


def _event(kind: str, candidate_id: int, at: Any, subject: object = "", **fields: Any):
    return PublicEvent(
        uid=event_uid(kind, candidate_id, subject, at.isoformat()),
        at=at,
        kind=kind,
        candidate_id=candidate_id,
        **fields,
    )


def public_records(
    *,
    listed: set[int],
    facts: dict[int, dict[str, list[str]]],
    disputed: set[int],
    digests: dict[int, Any],
    using: str,
) -> tuple[dict[int, dict[str, Any]], dict[int, str]]:
    """What the public sees of each listed candidate now, as `CandidateDigest.record`
    keeps it, and the notes of the disputes in it. `facts` are the public claims of each,
    by id, as [property, value]; `disputed` the candidates with a public dispute. The
    disputes are read (one query) only for candidates that have or had one."""
    from elections.public import public_disputes

    wanted = sorted(
        pk
        for pk in listed
        if pk in disputed or ((getattr(digests.get(pk), "record", None) or {}).get("disputes"))
    )
    disputes: dict[int, dict[str, list[str]]] = {}
    notes: dict[int, str] = {}
    if wanted:
        for candidate_id, pk, prop, status, verdict, note in (
            public_disputes()
            .using(using)
            .filter(candidate_id__in=wanted)
            .order_by()
            .values_list("candidate_id", "pk", "property", "status", "verdict", "verdict_note")
        ):
            disputes.setdefault(candidate_id, {})[str(pk)] = [prop, status, verdict]
            notes[pk] = note
    records = {}
    for pk in listed:
        before = getattr(digests.get(pk), "record", None) or {}
        records[pk] = {
            "claims": facts.get(pk, {}),
            "disputes": disputes.get(pk, {}),
            "gone": dict(before.get("gone", {})),
        }
    return records, notes


def _why_withdrawn(candidate_id: int, state: tuple | None) -> str:
    if state is None:
        return Why.REMOVED
    owner, review_state, overruled, anchor_status = state
    if owner != candidate_id:
        return Why.REMOVED
    if anchor_status not in ANCHORED_STATUSES:
        return Why.EVIDENCE_LOST
    if review_state == Claim.State.REJECTED:
        return Why.REJECTED
    if overruled:
        return Why.VERDICT
    return Why.RETURNED


def _why_shown_again(gone: list[str] | None, value: str) -> str:
    if not gone:
        return Why.VERIFIED
    _prop, old_value, why = gone
    if old_value != value:
        return Why.CORRECTION
    return {
        Why.EVIDENCE_LOST: Why.EVIDENCE_FOUND,
        Why.VERDICT: Why.VERDICT,
    }.get(why, Why.VERIFIED)


def record_events(
    *,
    digests: dict[int, Any],
    merged_into: dict[int, int | None],
    records: dict[int, dict[str, Any]],
    notes: dict[int, str],
    using: str,
) -> int:
    """Append the events of the difference between each digest's record (before) and
    `records` (after, for the candidates listed now; the "gone" of each is updated here);
    `merged_into` holds every candidate still present. Returns how many were written."""
    at = timezone.now()
    events: list[PublicEvent] = []
    moved: set[str] = set()
    for pk, digest in digests.items():
        if digest.listed and pk not in records and merged_into.get(pk):
            moved |= set((digest.record or {}).get("claims", {}))
    withdrawn: dict[int, tuple[int, str, str]] = {}
    for pk in sorted(digests):
        digest = digests[pk]
        before = digest.record
        if pk not in merged_into or before is None:
            continue  # deleted, or kept from before this log: nothing to compare with
        if not digest.listed:
            if pk in records:
                events.append(_event(Kind.PUBLISHED, pk, at))
            continue
        if pk not in records:
            survivor = merged_into[pk]
            if survivor:
                events.append(_event(Kind.MERGED, survivor, at, f"from {pk}"))
            else:
                events.append(_event(Kind.WITHDRAWN, pk, at))
            continue
        after = records[pk]
        shown_before, shown_now = before.get("claims", {}), after["claims"]
        for claim in sorted(shown_now.keys() - shown_before.keys(), key=int):
            prop, value = shown_now[claim]
            gone = after["gone"].pop(claim, None)
            if claim in moved:
                continue
            why = _why_shown_again(gone, value)
            kind = Kind.FACT_CORRECTED if why == Why.CORRECTION else Kind.FACT_VERIFIED
            events.append(
                _event(
                    kind, pk, at, claim, claim_id=int(claim), why=why, property=prop, value=value
                )
            )
        for claim in sorted(shown_before.keys() & shown_now.keys(), key=int):
            prop, value = shown_now[claim]
            if shown_before[claim][1] != value:
                events.append(
                    _event(
                        Kind.FACT_CORRECTED,
                        pk,
                        at,
                        claim,
                        claim_id=int(claim),
                        why=Why.CORRECTION,
                        property=prop,
                        value=value,
                    )
                )
        for claim in shown_before.keys() - shown_now.keys():
            prop, value = shown_before[claim]
            withdrawn[int(claim)] = (pk, prop, value)
        disputes_before = before.get("disputes", {})
        for dispute, (prop, status, verdict) in sorted(after["disputes"].items()):
            old = disputes_before.get(dispute)
            resolved = Contradiction.Status.RESOLVED
            if status == resolved and (old is None or old[1] != resolved or old[2] != verdict):
                kind, note = Kind.DISPUTE_RESOLVED, notes.get(int(dispute), "")
            elif status == Contradiction.Status.OPEN and old is not None and old[1] == resolved:
                kind, note, verdict = Kind.DISPUTE_REOPENED, "", ""
            else:
                continue
            events.append(
                _event(
                    kind,
                    pk,
                    at,
                    f"dispute {dispute}",
                    contradiction_id=int(dispute),
                    property=prop,
                    verdict=verdict,
                    note=note,
                )
            )
    if withdrawn:
        states = {
            pk: (owner, state, overruled, anchor)
            for pk, owner, state, overruled, anchor in Claim.objects.using(using)
            .filter(pk__in=sorted(withdrawn))
            .values_list("pk", "candidate_id", "state", "overruled", "passage__anchor_status")
        }
        for claim, (pk, prop, value) in sorted(withdrawn.items()):
            why = _why_withdrawn(pk, states.get(claim))
            records[pk]["gone"][str(claim)] = [prop, value, why]
            events.append(
                _event(
                    Kind.FACT_WITHDRAWN,
                    pk,
                    at,
                    claim,
                    claim_id=claim,
                    why=why,
                    property=prop,
                    value=value,
                )
            )
    if events:
        PublicEvent.objects.using(using).bulk_create(events)
    return len(events)


def profile_corrected(*, candidate_id: int, fields: list[str], subject: str) -> PublicEvent:
    """Log the accepted correction of a published profile: which of its fields (by name)
    changed, not their values (a proposal's values and notes are the reviewers')."""
    event = _event(
        Kind.PROFILE_CORRECTED,
        candidate_id,
        timezone.now(),
        subject,
        fields=sorted({name for name in fields if name}),
    )
    event.save()
    return event
