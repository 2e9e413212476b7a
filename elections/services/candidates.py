"""Candidates: creating them, their names, their candidacies, and publishing them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from elections.models import Candidacy, Candidate, CandidateName, Claim, Contradiction
from elections.names import search_text
from sources.slugs import unique_slug

from .permissions import acting, require_perm


def candidate_refresh_search(candidate):
    """Rebuild the folded search text from every name form of `candidate` (one UPDATE)."""
    names = [candidate.display_name, candidate.name_zh]
    names += list(CandidateName.objects.filter(candidate=candidate).values_list("name", flat=True))
    candidate.search_text = search_text(name for name in names if name)
    Candidate.objects.filter(pk=candidate.pk).update(search_text=candidate.search_text)
    return candidate.search_text


@transaction.atomic
def candidate_create(
    *,
    display_name,
    created_by=None,
    name_zh="",
    gender="",
    birth_year=None,
    slug="",
    weibo="",
    notes="",
):
    """Create a draft candidate; the slug comes from the name unless given."""
    display_name = " ".join((display_name or "").split()) or "".join((name_zh or "").split())
    candidate = Candidate(
        display_name=display_name,
        name_zh="".join((name_zh or "").split()),
        gender=gender,
        birth_year=birth_year,
        slug=slug or unique_slug(Candidate, display_name or name_zh),
        weibo=weibo,
        notes=notes,
    )
    candidate.full_clean()
    acting(candidate, created_by, "created").save()
    candidate_refresh_search(candidate)
    return candidate


@transaction.atomic
def candidate_add_name(
    *, candidate, name, kind=CandidateName.Kind.ENGLISH, passage=None, added_by=None, note=""
):
    """Record another form of the candidate's name (as printed, with its passage); idempotent."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "A name cannot be empty."})
    existing = CandidateName.objects.filter(candidate=candidate, name=name).first()
    if existing is not None:
        return existing
    form = CandidateName(candidate=candidate, name=name, kind=kind, passage=passage, note=note)
    form.full_clean()
    acting(form, added_by, "name added").save()
    candidate_refresh_search(candidate)
    return form


@transaction.atomic
def candidacy_for(*, candidate, election, acting_user=None):
    """Return the candidate's candidacy in `election`, creating it when there is none."""
    candidacy, created = Candidacy.objects.get_or_create(candidate=candidate, election=election)
    if created:
        acting(candidacy, acting_user, "candidacy recorded")
    return candidacy


def open_public_contradictions(candidate):
    """Open contradictions touching a claim of `candidate` that the public would see."""
    public = Claim.objects.filter(candidate=candidate, state=Claim.State.VERIFIED, overruled=False)
    return Contradiction.objects.filter(status=Contradiction.Status.OPEN).filter(
        Q(claim_a__in=public) | Q(claim_b__in=public)
    )


def _set_state(candidate, state, user, reason):
    candidate.state = state
    candidate.revision += 1
    candidate.full_clean()
    acting(candidate, user, reason).save()
    return candidate


@transaction.atomic
def candidate_submit_for_review(*, candidate, submitted_by):
    """An editor hands a draft to the reviewers."""
    require_perm(submitted_by, "elections.change_candidate", "submit candidates for review")
    if candidate.state not in (Candidate.State.DRAFT, Candidate.State.WITHDRAWN):
        raise ValidationError(
            f"{candidate.display_name} is {candidate.get_state_display()}, not a draft."
        )
    return _set_state(candidate, Candidate.State.REVIEW, submitted_by, "submitted for review")


@transaction.atomic
def candidate_publish(*, candidate, published_by):
    """Publish a profile; refused while a claim the public would see has an open contradiction."""
    require_perm(published_by, "elections.publish_candidate", "publish candidates")
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.merged_into_id:
        raise ValidationError(f"{candidate.display_name} was merged into another record.")
    blocking = list(open_public_contradictions(candidate).values_list("pk", "property"))
    if blocking:
        listed = ", ".join(f"#{pk} ({prop})" for pk, prop in blocking)
        raise ValidationError(
            f"{candidate.display_name} cannot be published while verified claims have open "
            f"contradictions: {listed}. Resolve them first."
        )
    candidate.published_at = timezone.now()
    return _set_state(candidate, Candidate.State.PUBLISHED, published_by, "published")


@transaction.atomic
def candidate_withdraw(*, candidate, withdrawn_by, reason=""):
    """Take a profile off the public site at once."""
    require_perm(withdrawn_by, "elections.publish_candidate", "withdraw candidates")
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    return _set_state(candidate, Candidate.State.WITHDRAWN, withdrawn_by, reason or "withdrawn")
