"""Contradiction detection for many claims at once, a few queries per chunk of subjects.

`contradictions_detect_many` gives the contradictions that calling `contradictions_detect`
once per claim would give (for new claims, and for changed ones with `values_changed`),
reading each subject and property's claims once: its rules are those of
`elections.services.contradictions`, whose comparison functions it calls.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from elections import normalizers
from elections.models import Claim, Contradiction
from elections.services.contradictions import (
    _REOPEN_FIELDS,
    _close,
    _comparable,
    _pair,
    _reopen,
    values_conflict,
)
from sources.audit import Reason, service_step
from sources.dates import PartialDate

CHUNK = 500


class _Claim:
    """What detection reads of a claim, without building a model instance."""

    __slots__ = (
        "as_of",
        "candidacy_id",
        "id",
        "normalized",
        "outlet_id",
        "property",
        "state",
        "value_key",
    )

    as_of: PartialDate | None
    candidacy_id: int | None
    id: int
    normalized: dict[str, Any]
    outlet_id: int
    property: str
    state: str
    value_key: str

    def __init__(self, row: tuple[Any, ...]) -> None:
        (
            self.id,
            self.candidacy_id,
            self.property,
            self.value_key,
            self.normalized,
            as_of,
            precision,
            self.outlet_id,
            self.state,
        ) = row
        self.as_of = PartialDate.from_stored(as_of, precision)


def _conflict(a: _Claim, b: _Claim) -> bool:
    return _comparable(a, b, a.outlet_id, b.outlet_id) and values_conflict(
        a.property, a.value_key, a.normalized, a.as_of, b.value_key, b.normalized, b.as_of
    )


@service_step
def contradictions_detect_many(
    *, created_ids: Iterable[int] = (), changed_ids: Iterable[int] = (), acting_user: User
) -> tuple[int, int]:
    """Detect contradictions for new claims (`created_ids`) and changed ones (`changed_ids`).

    New claims open a contradiction with each claim of their subject and property they
    conflict with; a changed claim's detected contradictions are also reopened or closed to
    match its new value, resolved ones included (their verdict judged the old value), and
    those with a claim no longer compared are closed. Contradictions flagged by hand are
    left as they are. Returns (opened, closed) counts.
    """
    touched = set(created_ids) | set(changed_ids)
    changed = set(changed_ids)
    subjects: dict[int, set[str]] = {}
    ordered = sorted(touched)
    for first in range(0, len(ordered), CHUNK):
        rows = Claim.objects.filter(pk__in=ordered[first : first + CHUNK]).values_list(
            "candidate_id", "property"
        )
        for candidate_id, property in rows:
            subjects.setdefault(candidate_id, set()).add(property)
    created, updated = [], []
    candidate_ids = sorted(subjects)
    for first in range(0, len(candidate_ids), CHUNK):
        chunk = candidate_ids[first : first + CHUNK]
        made, moved = _detect_chunk(chunk, subjects, touched, changed)
        created += made
        updated += moved
    if created:
        bulk_create_with_history(
            created,
            Contradiction,
            batch_size=CHUNK,
            default_user=acting_user,
            default_change_reason=Reason.CONTRADICTION_DETECTED.value,
        )
    if updated:
        bulk_update_with_history(
            updated,
            Contradiction,
            _REOPEN_FIELDS,
            batch_size=CHUNK,
            default_user=acting_user,
            default_change_reason=Reason.CONTRADICTION_REOPENED.value,
        )
    closed = sum(1 for item in updated if item.status == Contradiction.Status.CLOSED)
    return len(created), closed


def _detect_chunk(
    candidate_ids: list[int], subjects: dict[int, set[str]], touched: set[int], changed: set[int]
) -> tuple[list[Contradiction], list[Contradiction]]:
    properties = set().union(*(subjects[candidate_id] for candidate_id in candidate_ids))
    groups: dict[tuple[int, str], list[_Claim]] = {}
    rows = Claim.objects.filter(
        candidate_id__in=candidate_ids, property__in=properties
    ).values_list(
        "id",
        "candidacy_id",
        "property",
        "value_key",
        "normalized",
        "as_of",
        "as_of_precision",
        "article__outlet_id",
        "state",
        "candidate_id",
    )
    for row in rows:
        if row[2] in subjects[row[9]]:
            groups.setdefault((row[9], row[2]), []).append(_Claim(row[:9]))
    existing: dict[tuple[int, int], Contradiction] = {}
    involving: dict[int, list[Contradiction]] = {}
    for contradiction in Contradiction.objects.filter(
        candidate_id__in=candidate_ids, property__in=properties
    ):
        pair = (contradiction.claim_a_id, contradiction.claim_b_id)
        existing[pair] = contradiction
        for claim_id in pair:
            involving.setdefault(claim_id, []).append(contradiction)
    created: list[Contradiction] = []
    updated: dict[int, Contradiction] = {}
    for (candidate_id, property), claims in groups.items():
        compared = normalizers.is_compared(property)
        standing = [claim for claim in claims if claim.state != Claim.State.REJECTED]
        for claim in claims:
            if claim.id not in touched:
                continue
            if claim.state == Claim.State.REJECTED:
                for contradiction in involving.get(claim.id, ()):
                    if contradiction.status == Contradiction.Status.OPEN:
                        _close(contradiction, f"claim #{claim.id} was rejected")
                        updated[contradiction.pk] = contradiction
                continue
            seen: set[tuple[int, int]] = set()
            for other in standing if compared else ():
                if other.id == claim.id:
                    continue
                pair = _pair(claim.id, other.id)
                seen.add(pair)
                holds = _conflict(claim, other)
                current = existing.get(pair)
                if current is None:
                    if holds:
                        existing[pair] = Contradiction(
                            claim_a_id=pair[0],
                            claim_b_id=pair[1],
                            candidate_id=candidate_id,
                            property=property,
                        )
                        created.append(existing[pair])
                    continue
                if current.pk is None or current.origin != Contradiction.Origin.DETECTED:
                    continue
                if current.status == Contradiction.Status.RESOLVED and claim.id not in changed:
                    continue
                if holds and current.status != Contradiction.Status.OPEN:
                    _reopen(current)
                    updated[current.pk] = current
                elif not holds and current.status != Contradiction.Status.CLOSED:
                    _close(current, f"no longer holds after claim #{claim.id} changed")
                    updated[current.pk] = current
            for current in involving.get(claim.id, ()):
                if (
                    (current.claim_a_id, current.claim_b_id) not in seen
                    and current.status == Contradiction.Status.OPEN
                    and current.origin == Contradiction.Origin.DETECTED
                ):
                    _close(current, f"claim #{claim.id} is no longer compared with the other")
                    updated[current.pk] = current
    return created, list(updated.values())
