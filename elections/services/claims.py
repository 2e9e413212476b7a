"""Claims: recording what a passage says about a candidate, and reviewing it."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from elections import normalizers
from elections.models import Candidacy, CandidacyStatus, Candidate, Claim, Property
from elections.models.claim import CANDIDACY_PROPERTIES
from elections.normalizers.base import NormalizationError
from sources.audit import Reason, acting, read_only, service, service_step
from sources.dates import PartialDate
from sources.models import AnchorStatus, Article, Passage
from sources.services import passage_for_quote
from sources.services.unset import UNSET, Unset

from .contradictions import contradictions_detect
from .course import steps_renumber
from .record import claims_shaped

if TYPE_CHECKING:
    # The sheet importer reads rows into drafts with these same helpers (`.bulk.reading`).
    from .bulk.reading import ClaimDraft


def _apply_as_of(claim: "Claim | ClaimDraft", as_of: PartialDate | None) -> None:
    """Set the claim's date: the one given, else its article's publication date."""
    claim.as_of_explicit = as_of is not None
    date = as_of if as_of is not None else claim.article.published
    if date is None:
        claim.as_of, claim.as_of_precision = None, "day"
    else:
        claim.as_of, claim.as_of_precision = date.earliest(), date.precision


def _apply_candidacy(claim: "Claim | ClaimDraft", candidacy: Candidacy | None) -> None:
    """Status and votes are about one run for office: the given one, or the only one."""
    if claim.property in CANDIDACY_PROPERTIES and candidacy is None:
        name = claim.candidate.display_name
        candidacies = list(claim.candidate.candidacies.all()[:2])
        if not candidacies:
            raise ValidationError(
                {
                    "candidacy": gettext(
                        "%(candidate)s has no candidacy yet: record the election first."
                    )
                    % {"candidate": name}
                }
            )
        if len(candidacies) > 1:
            raise ValidationError(
                {
                    "candidacy": gettext(
                        "%(candidate)s stood in more than one election: choose the candidacy."
                    )
                    % {"candidate": name}
                }
            )
        candidacy = candidacies[0]
    if candidacy is not None and candidacy.candidate_id != claim.candidate_id:
        raise ValidationError(
            {"candidacy": gettext("That candidacy belongs to another candidate.")}
        )
    claim.candidacy = candidacy


def _apply_value(claim: Claim) -> None:
    """Normalize the printed value; an unreadable value is the editor's error to fix."""
    try:
        result = normalizers.normalize(claim.property, claim.value, as_of=claim.as_of_date)
    except NormalizationError as error:
        raise ValidationError({"value": str(error)}) from error
    claim.value_key, claim.normalized = result.key[:500], result.data


class DuplicateClaim(ValidationError):
    """The claim being recorded is one already recorded: `existing`, with the same candidate,
    property and value (its normalized key, `Claim.value_key`) citing an overlapping span of
    the same article."""

    def __init__(self, existing: Claim) -> None:
        self.existing = existing
        super().__init__(
            gettext(
                "This is the same claim as claim #%(number)s (%(state)s): the same candidate, "
                "property and value, citing overlapping words of this article. Nothing new was "
                "recorded; open that claim to change it."
            )
            % {"number": existing.pk, "state": existing.get_state_display()},
            code="duplicate_claim",
        )


def _spans_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two [start, end) spans of one text share a code point."""
    return a[0] < b[1] and b[0] < a[1]


def _same_claim(claim: Claim, passage: Passage) -> Claim | None:
    """The claim already recorded that `claim` would repeat (see `DuplicateClaim`), if any.

    The value compared is the normalized key, not the printed words: "38" and "38岁" quoted
    from one sentence are one fact from one source, however each editor typed it. An orphaned
    passage's span no longer points into the article's current text, so it matches nothing.
    """
    return (
        Claim.objects.filter(
            candidate_id=claim.candidate_id,
            property=claim.property,
            value_key=claim.value_key,
            article_id=passage.article_id,
            passage__start__lt=passage.end,
            passage__end__gt=passage.start,
        )
        .exclude(passage__anchor_status=AnchorStatus.ORPHANED)
        .order_by("pk")
        .first()
    )


def _sync_status_step(claim: Claim, user: User) -> None:
    """Keep the candidacy's dated history in step with a status claim."""
    if claim.property != Property.STATUS:
        return
    candidacy = claim.candidacy
    if candidacy is None:
        return
    step = CandidacyStatus.objects.filter(claim=claim).first() or CandidacyStatus(
        claim=claim, created_by=user
    )
    step.candidacy = candidacy
    step.status = claim.normalized.get("status") or claim.value_key
    printed = claim.normalized.get("on") if claim.normalized.get("dated_in_value") else None
    date = PartialDate.parse_iso(printed) if printed else claim.as_of_date
    if date is None:
        date = PartialDate.from_date(timezone.localdate())
    step.on, step.precision = date.earliest(), date.precision
    step.full_clean()
    acting(step, user, Reason.STATUS_REPORTED).save()
    candidacy_steps_changed(candidacy)


@service_step
def candidacy_steps_changed(candidacy: Candidacy) -> None:
    """After a status step of `candidacy` was added, redated or moved: put its candidate's
    steps in course order again (`elections.services.course`), then re-read the status."""
    steps_renumber(candidate_ids=[candidacy.candidate_id])
    candidacy_refresh_status(candidacy)


@service_step
def candidacy_refresh_status(candidacy: Candidacy) -> None:
    """Set the candidacy's current status to the latest step, in course order, not taken back
    by review (a claim rejected or overruled)."""
    latest = (
        CandidacyStatus.objects.filter(candidacy=candidacy)
        .exclude(claim__state=Claim.State.REJECTED)
        .exclude(claim__overruled=True)
        .order_by("-sequence", "-id")
        .values_list("status", flat=True)
        .first()
    )
    candidacy.status = latest or ""
    type(candidacy).objects.filter(pk=candidacy.pk).update(status=candidacy.status)


@service(perm="elections.add_claim", action="record claims")
def claim_create(
    *,
    candidate: Candidate,
    property: str,
    value: str,
    passage: Passage,
    as_of: PartialDate | None = None,
    candidacy: Candidacy | None = None,
    note: str = "",
    acting_user: User,
) -> Claim:
    """Record what `passage` says about `candidate`; detect contradictions it makes.

    `as_of` (a PartialDate) is the date the claim holds for; by default its article's date.
    A claim already recorded with the same candidate, property and value (normalized key)
    citing an overlapping span of the same article is not recorded again: `DuplicateClaim`
    is raised, carrying that claim, and nothing is written.
    """
    claim = Claim(
        candidate=candidate,
        property=property,
        value=" ".join(str(value or "").split()),
        passage=passage,
        article=passage.article,
        note=note,
        created_by=acting_user,
    )
    _apply_as_of(claim, as_of)
    _apply_candidacy(claim, candidacy)
    _apply_value(claim)
    # Claims on one article are recorded one at a time: two servers recording the same words
    # at once would otherwise both find no claim there and both record it.
    Article.objects.select_for_update().only("pk").get(pk=passage.article_id)
    existing = _same_claim(claim, passage)
    if existing is not None:
        raise DuplicateClaim(existing)
    claim.full_clean()
    acting(claim, acting_user, Reason.CLAIM_RECORDED).save()
    _sync_status_step(claim, acting_user)
    contradictions_detect(claim=claim, acting_user=acting_user)
    return claim


@service(perm="elections.add_claim", action="record claims")
def claim_create_from_quote(
    *,
    candidate: Candidate,
    property: str,
    value: str,
    article: Article,
    quote: str,
    prefix: str = "",
    suffix: str = "",
    acting_user: User,
    **options: Any,
) -> Claim:
    """Record a claim from an article and the words that say it (the quote becomes a passage).

    As `claim_create`, raises `DuplicateClaim` for a claim already recorded; the passage made
    for the quote is then not kept either (the service is one transaction)."""
    passage, _ = passage_for_quote(
        article=article, exact=quote, prefix=prefix, suffix=suffix, acting_user=acting_user
    )
    return claim_create(
        candidate=candidate,
        property=property,
        value=value,
        passage=passage,
        acting_user=acting_user,
        **options,
    )


@service(perm="elections.change_claim", action="change claims")
def claim_update(
    *,
    claim: Claim,
    value: str | Unset = UNSET,
    as_of: PartialDate | Unset | None = UNSET,
    note: str | Unset = UNSET,
    candidacy: Candidacy | Unset | None = UNSET,
    expected_revision: int | None = None,
    acting_user: User,
) -> Claim:
    """Change a claim; what it says changing sends it back to review and re-runs detection.

    What it says is its printed value, word for word (a value that reads the same to its
    normalizer, "28" and "28 years old, a convicted fraudster", is still another thing to
    print), its date and its candidacy: a verified claim whose printed value changes at all
    returns to review. `as_of=None` returns the claim to its article's date. With
    `expected_revision`, a claim saved by someone else since it was read is refused rather
    than overwritten.
    """
    claim = (
        Claim.objects.select_for_update().select_related("article", "candidate").get(pk=claim.pk)
    )
    if expected_revision is not None and claim.revision != expected_revision:
        raise ValidationError(
            gettext(
                "Someone else changed this claim after you opened it; reload it to see their "
                "change."
            )
        )
    printed = claim.value
    before = (
        claim.value_key,
        claim.normalized,
        claim.as_of,
        claim.as_of_precision,
        claim.candidacy_id,
    )
    if value is not UNSET:
        claim.value = " ".join(str(value or "").split())
    if as_of is not UNSET:
        _apply_as_of(claim, as_of)
    if note is not UNSET:
        claim.note = note
    if candidacy is not UNSET:
        _apply_candidacy(claim, candidacy)
    _apply_value(claim)
    changed = before != (
        claim.value_key,
        claim.normalized,
        claim.as_of,
        claim.as_of_precision,
        claim.candidacy_id,
    )
    says_other = changed or claim.value != printed
    if says_other and claim.state == Claim.State.VERIFIED:
        claim.state, claim.reviewed_by, claim.reviewed_at = Claim.State.UNVERIFIED, None, None
    claim.revision += 1
    claim.full_clean()
    acting(claim, acting_user, Reason.CLAIM_CHANGED).save()
    if says_other:
        claims_shaped(claim_ids=[claim.pk], acting_user=acting_user)
    if changed:
        _sync_status_step(claim, acting_user)
        contradictions_detect(claim=claim, acting_user=acting_user)
    return claim


def _check_four_eyes(claim: Claim, reviewer: User) -> None:
    """Refuse a reviewer who shaped the claim: recorded it, changed its printed value,
    re-pointed its passage or edited the article words it cites (`Claim.shaped_by`)."""
    if not settings.SOURCEBOOK_FOUR_EYES:
        return
    if claim.created_by_id is not None and claim.created_by_id == reviewer.pk:
        raise PermissionDenied(
            gettext(
                "You recorded claim #%(number)s; another reviewer must verify it (four-eyes rule)."
            )
            % {"number": claim.pk}
        )
    if claim.shaped_by.filter(pk=reviewer.pk).exists():
        raise PermissionDenied(
            gettext(
                "You shaped claim #%(number)s (changed what it says, re-pointed its passage or "
                "edited the words it cites); another reviewer must verify it (four-eyes rule)."
            )
            % {"number": claim.pk}
        )


@read_only
def claims_reviewable_by(claims: QuerySet[Claim], reviewer: User) -> QuerySet[Claim]:
    """`claims` without those `reviewer` may not verify: the four-eyes rule of
    `_check_four_eyes` for a whole queue (the claims they recorded or shaped), so that a
    review queue never offers what `claim_verify` would refuse."""
    if not settings.SOURCEBOOK_FOUR_EYES:
        return claims
    return claims.exclude(created_by=reviewer).exclude(shaped_by=reviewer)


@service(perm="elections.verify_claim", action="verify claims")
def claim_verify(*, claim: Claim, acting_user: User) -> Claim:
    """A reviewer confirms that the passage says what the claim says."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _check_four_eyes(claim, acting_user)
    if claim.state == Claim.State.VERIFIED:
        return claim
    claim.state, claim.reviewed_by, claim.reviewed_at = (
        Claim.State.VERIFIED,
        acting_user,
        timezone.now(),
    )
    claim.rejection_reason = ""
    claim.revision += 1
    acting(claim, acting_user, Reason.CLAIM_VERIFIED).save()
    if claim.candidacy is not None:
        candidacy_refresh_status(claim.candidacy)
    return claim


@service(perm="elections.verify_claim", action="reject claims")
def claim_reject(*, claim: Claim, reason: str, acting_user: User) -> Claim:
    """A reviewer finds that the passage does not say this; it leaves its dispute's groups."""
    if not (reason or "").strip():
        raise ValidationError({"rejection_reason": gettext("Say why the claim is rejected.")})
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    claim.state, claim.reviewed_by, claim.reviewed_at = (
        Claim.State.REJECTED,
        acting_user,
        timezone.now(),
    )
    claim.rejection_reason = reason.strip()
    claim.revision += 1
    acting(claim, acting_user, Reason.CLAIM_REJECTED).save()
    # A rejected claim leaves its question's value groups; the dispute is reconciled.
    contradictions_detect(claim=claim, acting_user=acting_user)
    if claim.candidacy is not None:
        candidacy_refresh_status(claim.candidacy)
    return claim


@service(perm="elections.verify_claim", action="verify claims")
def claims_verify(
    *, claims: Iterable[Claim], acting_user: User
) -> tuple[list[Claim], list[tuple[Claim, str]]]:
    """Verify many claims; returns (verified, refused) where refused pairs a claim with why.

    Each claim is verified in a savepoint of its own, so one refusal keeps the others."""
    verified: list[Claim] = []
    refused: list[tuple[Claim, str]] = []
    for claim in claims:
        try:
            verified.append(claim_verify(claim=claim, acting_user=acting_user))
        except (PermissionDenied, ValidationError) as error:
            refused.append((claim, _message(error)))
    return verified, refused


@service(perm="elections.verify_claim", action="reject claims")
def claims_reject(
    *, claims: Iterable[Claim], reason: str, acting_user: User
) -> tuple[list[Claim], list[tuple[Claim, str]]]:
    """Reject many claims with one reason; returns (rejected, refused)."""
    rejected: list[Claim] = []
    refused: list[tuple[Claim, str]] = []
    for claim in claims:
        try:
            rejected.append(claim_reject(claim=claim, reason=reason, acting_user=acting_user))
        except (PermissionDenied, ValidationError) as error:
            refused.append((claim, _message(error)))
    return rejected, refused


def _message(error: PermissionDenied | ValidationError) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error)
