"""What changed in the public record, as /changes/, /changes.atom and a profile's changes
read it (the log itself is written by `elections.changes`).

An event is shown only while its candidate is published (not withdrawn, not merged away):
a withdrawn record's past events vanish with it, and its withdrawal is not shown either (a
withdrawal named would say who was withdrawn). A fact's value is shown only while that fact
is still public with that value, a verdict's note only while its dispute is still public
with that verdict and note; otherwise the event says what happened without them. Pages are
read newest first by the events' ids (their primary key is the index), `before` an id.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from elections.models import Candidate, Claim, PublicEvent

from .base import public_claim_filter, public_disputes

CHANGES_PER_PAGE = 50
HIDDEN_KINDS = (PublicEvent.Kind.WITHDRAWN,)


def public_events() -> QuerySet[PublicEvent]:
    """The events the public may read, newest first, each with its candidate, and whether
    its fact (`fact_shown`) or its verdict (`verdict_shown`) is still public as it says."""
    fact = Claim.objects.filter(
        public_claim_filter(),
        pk=OuterRef("claim_id"),
        candidate_id=OuterRef("candidate_id"),
        value=OuterRef("value"),
    )
    verdict = public_disputes().filter(
        pk=OuterRef("contradiction_id"),
        verdict=OuterRef("verdict"),
        verdict_note=OuterRef("note"),
    )
    return (
        PublicEvent.objects.filter(
            candidate__state=Candidate.State.PUBLISHED, candidate__merged_into__isnull=True
        )
        .exclude(kind__in=HIDDEN_KINDS)
        .select_related("candidate")
        .only(
            "uid",
            "at",
            "kind",
            "why",
            "property",
            "value",
            "verdict",
            "note",
            "fields",
            "claim_id",
            "contradiction_id",
            "candidate__slug",
            "candidate__display_name",
            "candidate__name_zh",
        )
        .annotate(fact_shown=Exists(fact), verdict_shown=Exists(verdict.order_by()))
        .order_by("-id")
    )


@dataclass
class EventPage:
    events: list[PublicEvent]
    older: int | None  # the `before` of the next page, when there is one


def event_page(
    before: int | None = None,
    *,
    candidate: Candidate | None = None,
    size: int | None = None,
) -> EventPage:
    """A page of public events older than the event `before` (the newest when None), of
    `candidate` only when given: one query (and one more that settles what writes from
    outside every service left pending, whose events are then written first)."""
    from elections import tallies

    tallies.settled()
    events = public_events()
    if candidate is not None:
        events = events.filter(candidate=candidate)
    if before is not None:
        events = events.filter(pk__lt=before)
    size = size or CHANGES_PER_PAGE
    rows = list(events[: size + 1])
    older = rows[size - 1].pk if len(rows) > size else None
    return EventPage(rows[:size], older)
