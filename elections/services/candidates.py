"""Candidates: creating and changing them, their names, their candidacies, publishing them."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from elections.models import (
    Candidacy,
    Candidate,
    CandidateName,
    CandidateProposal,
    Claim,
    Contradiction,
    Election,
    Property,
)
from elections.names import search_text
from sources.audit import Reason, acting, read_only, service, service_step
from sources.identifiers import validate_wikidata_qid, wikidata_qid
from sources.models import Passage
from sources.services.changes import apply_given
from sources.services.unset import UNSET, Unset
from sources.slugs import unique_slug

from .proposals import proposal_if_reviewed, shown


@service_step
def candidate_refresh_search(candidate: Candidate) -> str:
    """Rebuild the folded search text from every name form of `candidate` (one UPDATE)."""
    names = [candidate.display_name, candidate.name_zh]
    names += list(CandidateName.objects.filter(candidate=candidate).values_list("name", flat=True))
    candidate.search_text = search_text(name for name in names if name)
    Candidate.objects.filter(pk=candidate.pk).update(search_text=candidate.search_text)
    return candidate.search_text


def _attr(obj: CandidateName, field: str) -> object:
    """A name form's field as a proposal compares it: its passage by id."""
    return obj.passage_id if field == "passage" else getattr(obj, field)


def _stored(value: object) -> object:
    return value.pk if isinstance(value, Passage) else value


@service(perm="elections.add_candidate", action="add candidates")
def candidate_create(
    *,
    display_name: str,
    name_zh: str = "",
    gender: str = "",
    birth_year: int | None = None,
    slug: str = "",
    weibo: str = "",
    notes: str = "",
    wikidata: str = "",
    acting_user: User,
) -> Candidate:
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
        wikidata=wikidata_qid(wikidata),
    )
    candidate.full_clean()
    acting(candidate, acting_user, Reason.CANDIDATE_CREATED).save()
    candidate_refresh_search(candidate)
    return candidate


@service(perm="elections.change_candidate", action="change candidates")
def candidate_update(
    *,
    candidate: Candidate,
    display_name: str | Unset = UNSET,
    name_zh: str | Unset = UNSET,
    gender: str | Unset = UNSET,
    birth_year: int | Unset | None = UNSET,
    weibo: str | Unset = UNSET,
    notes: str | Unset = UNSET,
    slug: str | Unset = UNSET,
    wikidata: str | Unset = UNSET,
    expected_revision: int | None = None,
    acting_user: User,
) -> Candidate:
    """Change a profile's own fields (those given), counting a revision.

    With `expected_revision` (the revision a form was opened at), a profile saved by someone
    else since is refused rather than overwritten. The publication state changes only
    through its own services (submit, publish, withdraw).
    """
    current = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if expected_revision is not None and current.revision != expected_revision:
        raise ValidationError(
            gettext(
                "Someone else changed this candidate after you opened it; reload it to see their "
                "change."
            )
        )
    if current.merged_into_id:
        raise ValidationError(
            gettext("%(candidate)s was merged into another record.")
            % {"candidate": current.display_name}
        )
    given = {
        "display_name": " ".join(display_name.split()) if display_name is not UNSET else UNSET,
        "name_zh": "".join(name_zh.split()) if name_zh is not UNSET else UNSET,
        "gender": gender,
        "birth_year": birth_year,
        "weibo": weibo,
        "slug": slug,
        "wikidata": wikidata_qid(wikidata) if wikidata is not UNSET else UNSET,
    }
    if given["wikidata"] is not UNSET:
        # Checked before a proposal records it: a reviewer should not be asked to accept
        # what could never be saved.
        try:
            validate_wikidata_qid(given["wikidata"])
        except ValidationError as error:
            raise ValidationError({"wikidata": error.messages}) from error
    public = {
        name: value
        for name, value in given.items()
        if value is not UNSET and getattr(current, name) != value
    }
    proposal = proposal_if_reviewed(
        candidate=current,
        operation="candidate_update",
        arguments={
            "fields": public,
            "old": {name: shown(getattr(current, name)) for name in public},
        },
        changes=[(name, getattr(current, name), value) for name, value in public.items()],
        acting_user=acting_user,
    )
    if proposal is not None:
        # The published fields wait for a reviewer; internal notes are the editors' own.
        current.proposal = proposal
        if notes is UNSET or notes == current.notes:
            return current
        given = {}
    apply_given(current, {**given, "notes": notes})
    if not current.display_name:
        current.display_name = current.name_zh
    current.revision += 1
    current.full_clean()
    acting(current, acting_user, Reason.CANDIDATE_CHANGED).save()
    candidate_refresh_search(current)
    return current


@service(perm="elections.add_candidatename", action="add names")
def candidate_add_name(
    *,
    candidate: Candidate,
    name: str,
    kind: str = CandidateName.Kind.ENGLISH,
    passage: Passage | None = None,
    note: str = "",
    acting_user: User,
) -> CandidateName:
    """Record another form of the candidate's name (as printed, with its passage); idempotent."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": gettext("A name cannot be empty.")})
    existing = CandidateName.objects.filter(candidate=candidate, name=name).first()
    if existing is not None:
        return existing
    form = CandidateName(candidate=candidate, name=name, kind=kind, passage=passage, note=note)
    form.proposal = proposal_if_reviewed(  # type: ignore[attr-defined]
        candidate=candidate,
        operation="name_add",
        arguments={"name": name, "kind": kind, "passage": form.passage_id, "note": note},
        changes=[("name", None, f"{name} ({CandidateName.Kind(kind).label})")],
        acting_user=acting_user,
    )
    if form.proposal is not None:  # type: ignore[attr-defined]
        return form  # not saved: it waits for a reviewer
    form.full_clean()
    acting(form, acting_user, Reason.NAME_ADDED).save()
    candidate_refresh_search(candidate)
    return form


@service(perm="elections.change_candidatename", action="change names")
def candidate_name_update(
    *,
    candidate_name: CandidateName,
    name: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    passage: Passage | Unset | None = UNSET,
    note: str | Unset = UNSET,
    acting_user: User,
) -> CandidateName:
    """Change one form of a candidate's name (the fields given); the search follows."""
    current = CandidateName.objects.select_for_update().get(pk=candidate_name.pk)
    if name is not UNSET:
        name = " ".join(name.split())
        if not name:
            raise ValidationError({"name": gettext("A name cannot be empty.")})
    given = {"name": name, "kind": kind, "passage": passage, "note": note}
    fields = {
        field: _stored(value)
        for field, value in given.items()
        if value is not UNSET and _attr(current, field) != _stored(value)
    }
    current.proposal = proposal_if_reviewed(  # type: ignore[attr-defined]
        candidate=current.candidate,
        operation="name_update",
        arguments={
            "name_id": current.pk,
            "fields": fields,
            "old": {field: shown(_attr(current, field)) for field in fields},
        },
        changes=[
            (field, _attr(current, field), given[field]) for field in fields if field != "note"
        ]
        or [("note", current.note, note)],
        acting_user=acting_user,
    )
    if current.proposal is not None:  # type: ignore[attr-defined]
        return current
    apply_given(current, given)
    current.full_clean()
    acting(current, acting_user, Reason.NAME_CHANGED).save()
    candidate_refresh_search(current.candidate)
    return current


@service(perm="elections.delete_candidatename", action="remove names")
def candidate_name_remove(
    *, candidate_name: CandidateName, acting_user: User
) -> CandidateProposal | None:
    """Remove a form of a candidate's name (one recorded by mistake); the search follows.
    For a published candidate, returns the proposal that waits for a reviewer instead."""
    candidate = candidate_name.candidate
    proposal = proposal_if_reviewed(
        candidate=candidate,
        operation="name_remove",
        arguments={"name_id": candidate_name.pk},
        changes=[("name", candidate_name.name, None)],
        acting_user=acting_user,
    )
    if proposal is not None:
        return proposal
    acting(candidate_name, acting_user, Reason.NAME_REMOVED).delete()
    candidate_refresh_search(candidate)
    return None


@service(perm="elections.add_candidacy", action="record candidacies")
def candidacy_for(*, candidate: Candidate, election: Election, acting_user: User) -> Candidacy:
    """Return the candidate's candidacy in `election`, creating it when there is none."""
    candidacy = Candidacy.objects.filter(candidate=candidate, election=election).first()
    if candidacy is None:
        candidacy = Candidacy(candidate=candidate, election=election)
        candidacy.full_clean()
        acting(candidacy, acting_user, Reason.CANDIDACY_RECORDED).save()
    return candidacy


@read_only
def open_public_contradictions(candidate: Candidate) -> QuerySet[Contradiction]:
    """Open disputes with a claim of `candidate` in their groups that the public would see."""
    # What publishing would show: the rule of elections.public, but for a candidate not yet
    # published. An overruled claim counts: a reopened dispute may yet find it right.
    public = Claim.objects.filter(candidate=candidate, state=Claim.State.VERIFIED).anchored()
    return Contradiction.objects.filter(
        status=Contradiction.Status.OPEN, members__claim__in=public
    ).distinct()


def _set_state(
    candidate: Candidate, state: str, user: User, reason: Reason, note: str = ""
) -> Candidate:
    candidate.state = state
    candidate.revision += 1
    candidate.full_clean()
    acting(candidate, user, reason, note).save()
    return candidate


@service(perm="elections.change_candidate", action="submit candidates for review")
def candidate_submit_for_review(*, candidate: Candidate, acting_user: User) -> Candidate:
    """An editor hands a draft to the reviewers."""
    if candidate.state not in (Candidate.State.DRAFT, Candidate.State.WITHDRAWN):
        raise ValidationError(
            gettext("%(candidate)s is %(state)s, not a draft.")
            % {"candidate": candidate.display_name, "state": candidate.get_state_display()}
        )
    return _set_state(candidate, Candidate.State.REVIEW, acting_user, Reason.SUBMITTED)


@service(perm="elections.publish_candidate", action="publish candidates")
def candidate_publish(*, candidate: Candidate, acting_user: User) -> Candidate:
    """Publish a profile; refused while a claim the public would see has an open contradiction."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.merged_into_id:
        raise ValidationError(
            gettext("%(candidate)s was merged into another record.")
            % {"candidate": candidate.display_name}
        )
    blocking = list(open_public_contradictions(candidate).values_list("pk", "property"))
    if blocking:
        listed = ", ".join(f"#{pk} ({Property(prop).label})" for pk, prop in blocking)
        raise ValidationError(
            gettext(
                "%(candidate)s cannot be published while verified claims are in open "
                "disputes: %(disputes)s. Resolve them first."
            )
            % {"candidate": candidate.display_name, "disputes": listed}
        )
    candidate.published_at = timezone.now()
    return _set_state(candidate, Candidate.State.PUBLISHED, acting_user, Reason.PUBLISHED)


@service(perm="elections.publish_candidate", action="withdraw candidates")
def candidate_withdraw(*, candidate: Candidate, note: str = "", acting_user: User) -> Candidate:
    """Take a profile off the public site at once; `note` says why, in its history."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    return _set_state(candidate, Candidate.State.WITHDRAWN, acting_user, Reason.WITHDRAWN, note)
