"""Contradictions: detected when a claim is saved, flagged by hand, resolved with a verdict.

Two claims contradict when they are about the same candidate (and, for status and votes, the
same candidacy) and property, come from different outlets, neither is rejected, and the
property's comparison (`elections.normalizers.conflicts`) says their values cannot both be
true. Detection compares a claim only with the claims of its own subject and property, so
saving one claim costs the same number of queries however large the database grows.
"""

from itertools import combinations
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from elections import normalizers
from elections.models import Claim, Contradiction
from elections.models.claim import CANDIDACY_PROPERTIES
from elections.normalizers.base import Normalized
from sources.audit import Reason, acting, read_only, service, service_step
from sources.dates import PartialDate

if TYPE_CHECKING:
    # Bulk detection compares rows read without building model instances (`.bulk`).
    from .bulk.contradictions import _Claim

_REOPEN_FIELDS = ["status", "verdict", "closed_reason", "updated_at"]


def _comparable(
    claim_a: "Claim | _Claim", claim_b: "Claim | _Claim", outlet_a: int, outlet_b: int
) -> bool:
    """Whether two claims of one subject and property are compared at all."""
    same_run = claim_a.candidacy_id == claim_b.candidacy_id
    return outlet_a != outlet_b and (claim_a.property not in CANDIDACY_PROPERTIES or same_run)


@read_only
def values_conflict(
    property: str,
    key_a: str,
    data_a: dict[str, Any],
    as_of_a: PartialDate | None,
    key_b: str,
    data_b: dict[str, Any],
    as_of_b: PartialDate | None,
) -> bool:
    """Whether two normalized values of `property` cannot both be true."""
    return normalizers.conflicts(
        property,
        Normalized(key_a, data_a),
        Normalized(key_b, data_b),
        a_as_of=as_of_a,
        b_as_of=as_of_b,
    )


def _claims_conflict(a: Claim, b: Claim) -> bool:
    return _comparable(a, b, a.article.outlet_id, b.article.outlet_id) and values_conflict(
        a.property, a.value_key, a.normalized, a.as_of_date, b.value_key, b.normalized, b.as_of_date
    )


def _pair(first_id: int, second_id: int) -> tuple[int, int]:
    return (first_id, second_id) if first_id < second_id else (second_id, first_id)


def _reopen(contradiction: Contradiction) -> None:
    contradiction.status, contradiction.verdict, contradiction.closed_reason = (
        Contradiction.Status.OPEN,
        "",
        "",
    )
    contradiction.updated_at = timezone.now()


def _close(contradiction: Contradiction, reason: str) -> None:
    contradiction.status, contradiction.closed_reason = Contradiction.Status.CLOSED, reason
    contradiction.updated_at = timezone.now()


@service_step
def contradictions_detect(
    *, claim: Claim, acting_user: User, values_changed: bool = False
) -> tuple[int, int]:
    """Open, reopen or close the contradictions between `claim` and its subject's other claims.

    A contradiction an editor flagged by hand stays open whatever the rules say. With
    `values_changed`, a resolved contradiction is reconsidered too: its verdict judged the old
    value. Returns (opened, closed) counts.
    """
    if claim.state == Claim.State.REJECTED:
        return 0, contradictions_close_for(
            claim=claim, reason=f"claim #{claim.pk} was rejected", acting_user=acting_user
        )
    existing = {
        (c.claim_a_id, c.claim_b_id): c
        for c in Contradiction.objects.filter(Q(claim_a=claim) | Q(claim_b=claim))
    }
    others = []
    if normalizers.is_compared(claim.property):
        others = list(
            Claim.objects.filter(candidate_id=claim.candidate_id, property=claim.property)
            .exclude(pk=claim.pk)
            .exclude(state=Claim.State.REJECTED)
            .select_related("article")
        )
    claim.article  # noqa: B018 - loads the claim's article (its outlet) once, before the loop
    created, changed = [], []
    seen = set()
    for other in others:
        pair = _pair(claim.pk, other.pk)
        seen.add(pair)
        current = existing.get(pair)
        holds = _claims_conflict(claim, other)
        if current is None:
            if holds:
                created.append(
                    Contradiction(
                        claim_a_id=pair[0],
                        claim_b_id=pair[1],
                        candidate_id=claim.candidate_id,
                        property=claim.property,
                    )
                )
        elif current.origin == Contradiction.Origin.DETECTED:
            status = current.status
            if status == Contradiction.Status.RESOLVED and not values_changed:
                continue
            if holds and status != Contradiction.Status.OPEN:
                _reopen(current)
                changed.append(current)
            elif not holds and status != Contradiction.Status.CLOSED:
                _close(current, f"no longer holds after claim #{claim.pk} changed")
                changed.append(current)
    for pair, current in existing.items():
        if (
            pair not in seen
            and current.status == Contradiction.Status.OPEN
            and current.origin == Contradiction.Origin.DETECTED
        ):
            _close(current, f"claim #{claim.pk} is no longer compared with the other")
            changed.append(current)
    if created:
        bulk_create_with_history(
            created,
            Contradiction,
            default_user=acting_user,
            default_change_reason=Reason.CONTRADICTION_DETECTED.value,
        )
    if changed:
        bulk_update_with_history(
            changed,
            Contradiction,
            _REOPEN_FIELDS,
            default_user=acting_user,
            default_change_reason=Reason.CONTRADICTION_REOPENED.value,
        )
    return len(created), sum(1 for c in changed if c.status == Contradiction.Status.CLOSED)


@service_step
def contradictions_close_for(*, claim: Claim, reason: str, acting_user: User) -> int:
    """Close every open contradiction that `claim` is part of; returns how many."""
    open_ones = list(
        Contradiction.objects.filter(
            Q(claim_a=claim) | Q(claim_b=claim), status=Contradiction.Status.OPEN
        )
    )
    for contradiction in open_ones:
        _close(contradiction, reason)
    if open_ones:
        bulk_update_with_history(
            open_ones,
            Contradiction,
            _REOPEN_FIELDS,
            default_user=acting_user,
            default_change_reason=Reason.CONTRADICTION_CLOSED.value,
        )
    return len(open_ones)


@service(perm="elections.flag_contradiction", action="flag contradictions")
def contradiction_flag(
    *, claim_a: Claim, claim_b: Claim, note: str, acting_user: User
) -> Contradiction:
    """An editor marks two claims as contradicting where the rules saw nothing."""
    if claim_a.pk == claim_b.pk:
        raise ValidationError("A claim cannot contradict itself.")
    if claim_a.candidate_id != claim_b.candidate_id or claim_a.property != claim_b.property:
        raise ValidationError(
            "Only claims about the same candidate and property can contradict each other."
        )
    if not (note or "").strip():
        raise ValidationError({"flag_note": "Say what the two claims disagree on."})
    first, second = _pair(claim_a.pk, claim_b.pk)
    contradiction = (
        Contradiction.objects.select_for_update()
        .filter(claim_a_id=first, claim_b_id=second)
        .first()
    )
    if contradiction is not None and contradiction.status == Contradiction.Status.OPEN:
        raise ValidationError(
            f"These claims already have an open contradiction (#{contradiction.pk})."
        )
    if contradiction is None:
        contradiction = Contradiction(
            claim_a_id=first,
            claim_b_id=second,
            candidate_id=claim_a.candidate_id,
            property=claim_a.property,
        )
    _reopen(contradiction)
    contradiction.origin = Contradiction.Origin.FLAGGED
    contradiction.flagged_by, contradiction.flag_note = acting_user, note.strip()
    contradiction.full_clean()
    acting(contradiction, acting_user, Reason.CONTRADICTION_FLAGGED).save()
    return contradiction


@service(perm="elections.resolve_contradiction", action="resolve contradictions")
def contradiction_resolve(
    *, contradiction: Contradiction, verdict: str, note: str, acting_user: User
) -> Contradiction:
    """A reviewer decides: one side right, both wrong, not a contradiction, or different times.

    The claims a verdict finds wrong are marked overruled with the verdict and its note: they
    stay on record as what was printed, and leave the facts shown as true.
    """
    if verdict not in Contradiction.Verdict.values:
        raise ValidationError({"verdict": f"{verdict!r} is not a verdict."})
    if not (note or "").strip():
        raise ValidationError({"verdict_note": "A verdict needs a note saying why."})
    contradiction = Contradiction.objects.select_for_update().get(pk=contradiction.pk)
    if contradiction.status != Contradiction.Status.OPEN:
        raise ValidationError(
            f"Contradiction #{contradiction.pk} is {contradiction.get_status_display()}, not open."
        )
    claim_a = Claim.objects.select_for_update().get(pk=contradiction.claim_a_id)
    claim_b = Claim.objects.select_for_update().get(pk=contradiction.claim_b_id)
    losers_by_verdict: dict[str, list[Claim]] = {
        Contradiction.Verdict.A_RIGHT: [claim_b],
        Contradiction.Verdict.B_RIGHT: [claim_a],
        Contradiction.Verdict.BOTH_WRONG: [claim_a, claim_b],
    }
    losers = losers_by_verdict.get(verdict, [])
    label = Contradiction.Verdict(verdict).label
    for claim in losers:
        claim.overruled = True
        claim.overruled_reason = f"Contradiction #{contradiction.pk}, {label}: {note.strip()}"
        claim.revision += 1
        acting(claim, acting_user, Reason.CLAIM_OVERRULED).save()
    contradiction.status = Contradiction.Status.RESOLVED
    contradiction.verdict, contradiction.verdict_note = verdict, note.strip()
    contradiction.resolved_by, contradiction.resolved_at = acting_user, timezone.now()
    contradiction.full_clean()
    acting(contradiction, acting_user, Reason.CONTRADICTION_RESOLVED).save()
    for claim in losers:
        if claim.candidacy is not None:
            from .claims import candidacy_refresh_status

            candidacy_refresh_status(claim.candidacy)
    return contradiction


@service(perm="elections.change_contradiction", action="re-run contradiction detection")
def contradictions_redetect_all(*, acting_user: User, chunk_size: int = 5000) -> dict[str, int]:
    """Run detection over every claim at once: create, reopen and close to match the rules.

    Reads the claims in one ordered pass, compares within each subject and property, and
    writes in bulk; contradictions flagged by hand and resolved ones are left as they are.
    Returns a dict of counts.
    """
    compared = [prop for prop in normalizers.KIND if normalizers.is_compared(prop)]
    rows = (
        Claim.objects.filter(property__in=compared)
        .exclude(state=Claim.State.REJECTED)
        .order_by("candidate_id", "property", "id")
        .values_list(
            "id",
            "candidate_id",
            "candidacy_id",
            "property",
            "value_key",
            "normalized",
            "as_of",
            "as_of_precision",
            "article__outlet_id",
        )
    )
    conflicting: set[tuple[int, int]] = set()
    group: list[tuple[Any, ...]] = []
    group_key = None

    def flush(group: list[tuple[Any, ...]]) -> None:
        for a, b in combinations(group, 2):
            if a[8] == b[8] or (a[3] in CANDIDACY_PROPERTIES and a[2] != b[2]):
                continue
            if values_conflict(
                a[3],
                a[4],
                a[5],
                PartialDate.from_stored(a[6], a[7]),
                b[4],
                b[5],
                PartialDate.from_stored(b[6], b[7]),
            ):
                conflicting.add(_pair(a[0], b[0]))

    for row in rows.iterator(chunk_size=chunk_size):
        key = (row[1], row[3])
        if key != group_key:
            flush(group)
            group, group_key = [], key
        group.append(row)
    flush(group)

    existing = {
        (c.claim_a_id, c.claim_b_id): c
        for c in Contradiction.objects.all().only(
            "id", "claim_a_id", "claim_b_id", "status", "origin", "verdict", "closed_reason"
        )
    }
    claim_subjects: dict[int, tuple[int, str]] = {}
    missing = [pair for pair in conflicting if pair not in existing]
    if missing:
        for claim_id, candidate_id, property in (
            Claim.objects.filter(pk__in=[pair[0] for pair in missing])
            .values_list("id", "candidate_id", "property")
            .iterator(chunk_size=chunk_size)
        ):
            claim_subjects[claim_id] = (candidate_id, property)
    created = [
        Contradiction(
            claim_a_id=a,
            claim_b_id=b,
            candidate_id=claim_subjects[a][0],
            property=claim_subjects[a][1],
        )
        for a, b in missing
    ]
    changed = []
    for pair, current in existing.items():
        if current.origin != Contradiction.Origin.DETECTED:
            continue
        if pair in conflicting and current.status == Contradiction.Status.CLOSED:
            _reopen(current)
            changed.append(current)
        elif pair not in conflicting and current.status == Contradiction.Status.OPEN:
            _close(current, "no longer holds (re-detection)")
            changed.append(current)
    if created:
        bulk_create_with_history(
            created,
            Contradiction,
            batch_size=chunk_size,
            default_user=acting_user,
            default_change_reason=Reason.CONTRADICTION_DETECTED.value,
        )
    if changed:
        bulk_update_with_history(
            changed,
            Contradiction,
            _REOPEN_FIELDS,
            batch_size=chunk_size,
            default_user=acting_user,
            default_change_reason=Reason.CONTRADICTION_REOPENED.value,
        )
    return {
        "conflicting_pairs": len(conflicting),
        "created": len(created),
        "reopened": sum(1 for c in changed if c.status == Contradiction.Status.OPEN),
        "closed": sum(1 for c in changed if c.status == Contradiction.Status.CLOSED),
    }
