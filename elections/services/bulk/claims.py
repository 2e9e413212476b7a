"""Claims written in bulk: `claim_create_from_quote` and `claim_update` for a whole sheet.

Rows are read with `ClaimReader` (see `.reading`), as `claim_create` reads one.
`claims_import` then writes what an import planned, a batch at a time: the passages
(`sources.services.bulk`), the claims and their history, the status steps of status claims,
the candidacies' current status, and contradiction detection for every new or changed claim
(`contradictions_detect_many`).
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from elections.models import CandidacyStatus, Claim, Property
from elections.services.claims import _apply_as_of
from elections.services.course import steps_renumber
from elections.services.record import claims_shaped
from sources import progress
from sources.audit import Reason, read_only, service
from sources.dates import PartialDate
from sources.models import Article
from sources.services.bulk import history_bulk_insert, passages_bulk_create, passages_existing

from .candidates import candidacies_refresh_status
from .contradictions import contradictions_detect_many
from .reading import ClaimReader

BATCH_SIZE = 1000
_UPDATED_FIELDS = [
    "value",
    "value_key",
    "normalized",
    "as_of",
    "as_of_precision",
    "as_of_explicit",
    "note",
    "state",
    "reviewed_by",
    "reviewed_at",
    "overruled",
    "overruled_reason",
    "revision",
    "updated_at",
]


@dataclass(slots=True)
class NewClaim:
    """A claim to create: its values read by ClaimReader, its passage given by a span."""

    candidate_id: int
    candidacy_id: int | None
    property: str
    value: str
    value_key: str
    normalized: dict
    article_id: int
    start: int
    end: int
    as_of: datetime.date | None
    as_of_precision: str
    as_of_explicit: bool
    note: str


@dataclass(slots=True)
class ClaimChange:
    """A change to a stored claim: new value, and the date and note when the sheet gives them.

    `as_of` is a PartialDate, or None to leave the date as it is; `note` None leaves it too.
    """

    claim_id: int
    value: str
    as_of: PartialDate | None = None
    note: str | None = None


def _step_date(claim: Claim) -> PartialDate:
    """The date `_sync_status_step` gives a status claim's step."""
    printed = claim.normalized.get("on") if claim.normalized.get("dated_in_value") else None
    date = PartialDate.parse_iso(printed) if printed else claim.as_of_date
    return date or PartialDate.from_date(timezone.localdate())


def _clean(claim: Claim) -> None:
    # The foreign keys were read in this transaction; checking them would cost a query each.
    claim.full_clean(
        exclude=["candidate", "candidacy", "passage", "article", "created_by", "reviewed_by"],
        validate_unique=False,
        validate_constraints=False,
    )


@service(perm="elections.import_sheets", action="import spreadsheets")
def claims_import(
    *,
    new: Sequence[Any],
    changes: Sequence[Any],
    articles: Mapping[int, Article],
    acting_user: User,
    batch_size: int = BATCH_SIZE,
) -> tuple[list[int], list[int], list[int]]:
    """Write the claims an import planned: `new` (NewClaim) and `changes` (ClaimChange).

    `articles` maps article ids to the articles (current text and version) the spans of
    `new` were found in, read in this transaction. Returns (created claim ids, changed
    claim ids, updated-but-unchanged ids).
    """
    created_by = acting_user
    reader = ClaimReader()
    created_ids: list[int] = []
    changed_ids: list[int] = []
    edited_ids: list[int] = []
    candidacies: set[int] = set()
    for first in range(0, len(new), batch_size):
        batch = new[first : first + batch_size]
        created = _create_batch(batch, articles, created_by)
        created_ids += [claim.pk for claim in created]
        candidacies |= _status_candidacies(created)
        progress.report("written", len(batch))
    for first in range(0, len(changes), batch_size):
        batch = changes[first : first + batch_size]
        changed, edited = _update_batch(batch, reader, created_by)
        changed_ids += [claim.pk for claim in changed]
        edited_ids += [claim.pk for claim in edited]
        candidacies |= _status_candidacies(changed)
        progress.report("written", len(batch))
    if candidacies:
        steps_renumber(candidacy_ids=candidacies)
        candidacies_refresh_status(candidacy_ids=candidacies)
    contradictions_detect_many(
        created_ids=created_ids, changed_ids=changed_ids, acting_user=created_by
    )
    return created_ids, changed_ids, edited_ids


def _status_candidacies(claims: list[Claim]) -> set[int]:
    """The candidacies whose status `claims` report."""
    return {
        claim.candidacy_id
        for claim in claims
        if claim.property == "status" and claim.candidacy_id is not None
    }


def _create_batch(
    batch: Sequence[NewClaim], articles: Mapping[int, Article], created_by: User
) -> list[Claim]:
    spans = {
        (item.article_id, item.start, item.end): articles[item.article_id].text[
            item.start : item.end
        ]
        for item in batch
    }
    passages = passages_existing(spans=spans)
    missing = [span for span in spans if span not in passages]
    if missing:
        made = passages_bulk_create(spans=missing, articles=articles, acting_user=created_by)
        passages.update({span: passage.pk for span, passage in made.items()})
    claims = []
    for item in batch:
        claim = Claim(
            candidate_id=item.candidate_id,
            candidacy_id=item.candidacy_id,
            property=item.property,
            value=item.value,
            value_key=item.value_key,
            normalized=item.normalized,
            passage_id=passages[item.article_id, item.start, item.end],
            article_id=item.article_id,
            as_of=item.as_of,
            as_of_precision=item.as_of_precision,
            as_of_explicit=item.as_of_explicit,
            note=item.note,
            created_by=created_by,
        )
        _clean(claim)
        claims.append(claim)
    Claim.objects.bulk_create(claims, batch_size=BATCH_SIZE)
    history_bulk_insert(claims, Claim, user=created_by, reason=Reason.CLAIM_RECORDED)
    steps = [
        _new_step(claim, claim.candidacy_id, created_by)
        for claim in claims
        if claim.property == Property.STATUS and claim.candidacy_id is not None
    ]
    if steps:
        CandidacyStatus.objects.bulk_create(steps, batch_size=BATCH_SIZE)
        history_bulk_insert(steps, CandidacyStatus, user=created_by, reason=Reason.STATUS_REPORTED)
    return claims


def _new_step(claim: Claim, candidacy_id: int, user: User) -> CandidacyStatus:
    step = CandidacyStatus(claim=claim, candidacy_id=candidacy_id, created_by=user)
    _fill_step(step, claim)
    return step


def _fill_step(step: CandidacyStatus, claim: Claim) -> None:
    step.status = claim.normalized.get("status") or claim.value_key
    date = _step_date(claim)
    step.on, step.precision = date.earliest(), date.precision
    step.full_clean(
        exclude=["candidacy", "claim", "created_by"],
        validate_unique=False,
        validate_constraints=False,
    )


def _update_batch(
    batch: Sequence[ClaimChange], reader: ClaimReader, changed_by: User
) -> tuple[list[Claim], list[Claim]]:
    """`claim_update` for a batch of changes: returns (claims whose values changed, others)."""
    claims = {
        claim.pk: claim
        for claim in Claim.objects.select_for_update()
        .select_related("article", "candidate")
        .filter(pk__in=[change.claim_id for change in batch])
    }
    reader.preload((claims[change.claim_id].property, change.value) for change in batch)
    now = timezone.now()
    changed, edited = [], []
    shaped: list[int] = []
    for change in batch:
        claim = claims[change.claim_id]
        printed = claim.value
        before = (
            claim.value_key,
            claim.normalized,
            claim.as_of,
            claim.as_of_precision,
            claim.candidacy_id,
        )
        claim.value = " ".join(str(change.value or "").split())
        if change.as_of is not None:
            _apply_as_of(claim, change.as_of)
        if change.note is not None:
            claim.note = change.note
        reader.read_value(claim)
        after = (
            claim.value_key,
            claim.normalized,
            claim.as_of,
            claim.as_of_precision,
            claim.candidacy_id,
        )
        # As claim_update: a printed value changed at all goes back to review, and the
        # importer shaped the claim.
        if (before != after or claim.value != printed) and claim.state == Claim.State.VERIFIED:
            claim.state, claim.reviewed_by, claim.reviewed_at = Claim.State.UNVERIFIED, None, None
        if before != after or claim.value != printed:
            shaped.append(claim.pk)
        if before != after:
            claim.overruled, claim.overruled_reason = False, ""
            changed.append(claim)
        else:
            edited.append(claim)
        claim.revision += 1
        claim.updated_at = now
        _clean(claim)
    everything = changed + edited
    if everything:
        Claim.objects.bulk_update(everything, _UPDATED_FIELDS, batch_size=BATCH_SIZE)
        history_bulk_insert(
            everything, Claim, user=changed_by, reason=Reason.CLAIM_CHANGED, updated=True
        )
    if shaped:
        claims_shaped(claim_ids=shaped, acting_user=changed_by)
    _sync_steps([claim for claim in changed if claim.property == Property.STATUS], changed_by)
    return changed, edited


def _sync_steps(claims: list[Claim], user: User) -> None:
    """`_sync_status_step` for changed status claims: update their steps, or add them."""
    placed = [(claim, claim.candidacy_id) for claim in claims if claim.candidacy_id is not None]
    if not placed:
        return
    steps = {
        step.claim_id: step
        for step in CandidacyStatus.objects.filter(claim_id__in=[claim.pk for claim, _ in placed])
    }
    updated: list[CandidacyStatus] = []
    created: list[CandidacyStatus] = []
    for claim, candidacy_id in placed:
        step = steps.get(claim.pk)
        if step is None:
            created.append(_new_step(claim, candidacy_id, user))
            continue
        step.candidacy_id = candidacy_id
        _fill_step(step, claim)
        updated.append(step)
    if updated:
        fields = ["candidacy", "status", "on", "precision"]
        CandidacyStatus.objects.bulk_update(updated, fields, batch_size=BATCH_SIZE)
        history_bulk_insert(
            updated, CandidacyStatus, user=user, reason=Reason.STATUS_REPORTED, updated=True
        )
    if created:
        CandidacyStatus.objects.bulk_create(created, batch_size=BATCH_SIZE)
        history_bulk_insert(created, CandidacyStatus, user=user, reason=Reason.STATUS_REPORTED)


@read_only
def articles_for_quotes(*, article_ids: Iterable[int]) -> dict[int, Article]:
    """{id: Article} with the current text of each, locked until the transaction ends."""
    found: dict[int, Article] = {}
    ids = sorted(set(article_ids))
    for first in range(0, len(ids), 500):
        for article in (
            Article.objects.select_for_update()
            .filter(pk__in=ids[first : first + 500])
            .only(
                "id",
                "title",
                "url",
                "outlet_id",
                "published_on",
                "published_precision",
                "text",
                "version",
            )
        ):
            found[article.pk] = article
    return found
