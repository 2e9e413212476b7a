"""Merging two candidate records that are one person, and undoing it.

Nothing is lost in a merge: the absorbed record stays (hidden, its address redirecting to the
survivor), its names, claims and candidacies move to the survivor, its disputes are
reconciled, and the `CandidateMerge` row records exactly what moved (and the disputes as they
were) so that `candidate_merge_undo` puts it back.
"""

from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from simple_history.utils import bulk_update_with_history

from elections.models import (
    Candidacy,
    CandidacyStatus,
    Candidate,
    CandidateMerge,
    CandidateName,
    Claim,
    Contradiction,
)
from sources.audit import Reason, acting, service

from .candidates import candidate_refresh_search
from .claims import candidacy_refresh_status
from .contradictions import disputes_reconcile, disputes_restore, disputes_snapshot
from .course import steps_renumber

_ModelT = TypeVar("_ModelT", bound=models.Model)


def _move(
    model: type[_ModelT],
    ids: list[int],
    fields: list[str],
    user: User,
    reason: Reason,
    **values: Any,
) -> list[_ModelT]:
    """Set `values` on the rows `ids` of `model`, with a history record for each."""
    # `_default_manager` is `objects` on every model moved here; the stubs know no `objects`
    # on a model class in general.
    rows = list(model._default_manager.filter(pk__in=ids))
    for row in rows:
        for name, value in values.items():
            setattr(row, name, value)
    if rows:
        bulk_update_with_history(
            rows, model, fields, default_user=user, default_change_reason=Reason(reason).value
        )
    return rows


def _refresh_statuses(candidate: Candidate) -> None:
    """Put the candidate's steps in course order and re-read each candidacy's status: folded
    candidacies joined their steps."""
    steps_renumber(candidate_ids=[candidate.pk])
    for candidacy in candidate.candidacies.all():
        candidacy_refresh_status(candidacy)


@service(perm="elections.merge_candidate", action="merge candidates")
def candidate_merge(
    *, survivor: Candidate, absorbed: Candidate, note: str = "", acting_user: User
) -> CandidateMerge:
    """Merge `absorbed` into `survivor`; returns the CandidateMerge that records it."""
    merged_by = acting_user
    survivor = Candidate.objects.select_for_update().get(pk=survivor.pk)
    absorbed = Candidate.objects.select_for_update().get(pk=absorbed.pk)
    if survivor.pk == absorbed.pk:
        raise ValidationError(gettext("A candidate cannot be merged into itself."))
    if survivor.merged_into_id or absorbed.merged_into_id:
        raise ValidationError(gettext("One of these records was already merged into another."))
    disputes = disputes_snapshot([survivor.pk, absorbed.pk])

    known = set(survivor.names.values_list("name", flat=True)) | {
        survivor.display_name,
        survivor.name_zh,
    }
    names_moved = [form.pk for form in absorbed.names.all() if form.name not in known]
    _move(CandidateName, names_moved, ["candidate"], merged_by, Reason.MERGED, candidate=survivor)
    known |= set(CandidateName.objects.filter(pk__in=names_moved).values_list("name", flat=True))
    names_added = []
    for name, kind in (
        (absorbed.display_name, CandidateName.Kind.ENGLISH),
        (absorbed.name_zh, CandidateName.Kind.HANS),
    ):
        if name and name not in known:
            form = acting(
                CandidateName(
                    candidate=survivor, name=name, kind=kind, note="from a merged record"
                ),
                merged_by,
                Reason.MERGED,
            )
            form.save()
            names_added.append(form.pk)
            known.add(name)

    folded, candidacies_moved = [], []
    survivor_runs = {run.election_id: run for run in survivor.candidacies.all()}
    for run in absorbed.candidacies.all():
        target = survivor_runs.get(run.election_id)
        if target is None:
            candidacies_moved.append(run.pk)
            continue
        steps = list(run.statuses.values_list("pk", flat=True))
        claims = list(run.claims.values_list("pk", flat=True))
        _move(CandidacyStatus, steps, ["candidacy"], merged_by, Reason.MERGED, candidacy=target)
        _move(Claim, claims, ["candidacy"], merged_by, Reason.MERGED, candidacy=target)
        folded.append(
            {
                "id": run.pk,
                "election": run.election_id,
                "status": run.status,
                "votes": run.votes,
                "notes": run.notes,
                "into": target.pk,
                "statuses": steps,
                "claims": claims,
            }
        )
        acting(run, merged_by, Reason.MERGED).delete()
    _move(Candidacy, candidacies_moved, ["candidate"], merged_by, Reason.MERGED, candidate=survivor)

    claims_moved = list(absorbed.claims.values_list("pk", flat=True))
    _move(Claim, claims_moved, ["candidate"], merged_by, Reason.MERGED, candidate=survivor)
    # The claims now answer the survivor's questions: each is reconciled, the absorbed
    # record's disputes close, and undoing the merge puts back what they were.
    before = set(Contradiction.objects.values_list("pk", flat=True).filter(candidate=survivor))
    disputes_reconcile(candidate_ids=[survivor.pk, absorbed.pk], acting_user=merged_by)
    created = sorted(
        set(Contradiction.objects.filter(candidate=survivor).values_list("pk", flat=True)) - before
    )

    moved = {
        "absorbed_state": absorbed.state,
        "names_moved": names_moved,
        "names_added": names_added,
        # As the record shows them, even after an undo has removed the names it added.
        "name_texts": list(
            CandidateName.objects.filter(pk__in=[*names_moved, *names_added])
            .order_by("pk")
            .values_list("name", flat=True)
        ),
        "candidacies_moved": candidacies_moved,
        "candidacies_folded": folded,
        "claims_moved": claims_moved,
        "disputes": disputes,
        "contradictions_created": created,
    }
    absorbed.merged_into, absorbed.state = survivor, Candidate.State.WITHDRAWN
    absorbed.revision += 1
    acting(absorbed, merged_by, Reason.MERGED, f"into {survivor.slug}").save()
    _refresh_statuses(survivor)
    candidate_refresh_search(survivor)
    candidate_refresh_search(absorbed)
    return CandidateMerge.objects.create(
        survivor=survivor, absorbed=absorbed, moved=moved, note=note, performed_by=merged_by
    )


@service(perm="elections.merge_candidate", action="undo merges")
def candidate_merge_undo(*, merge: CandidateMerge, acting_user: User) -> CandidateMerge:
    """Put back everything `merge` moved: both records stand apart again as before."""
    undone_by = acting_user
    merge = CandidateMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at:
        raise ValidationError(gettext("This merge was already undone."))
    survivor = Candidate.objects.select_for_update().get(pk=merge.survivor_id)
    absorbed = Candidate.objects.select_for_update().get(pk=merge.absorbed_id)
    if survivor.merged_into_id:
        raise ValidationError(
            gettext("%(survivor)s was merged into another record since; undo that merge first.")
            % {"survivor": survivor.display_name}
        )
    moved = merge.moved
    _move(
        Claim,
        moved["claims_moved"],
        ["candidate"],
        undone_by,
        Reason.MERGE_UNDONE,
        candidate=absorbed,
    )
    _move(
        Candidacy,
        moved["candidacies_moved"],
        ["candidate"],
        undone_by,
        Reason.MERGE_UNDONE,
        candidate=absorbed,
    )
    for run in moved["candidacies_folded"]:
        restored = Candidacy(
            pk=run["id"],
            candidate=absorbed,
            election_id=run["election"],
            status=run["status"],
            votes=run["votes"],
            notes=run["notes"],
        )
        acting(restored, undone_by, Reason.MERGE_UNDONE).save(force_insert=True)
        _move(
            CandidacyStatus,
            run["statuses"],
            ["candidacy"],
            undone_by,
            Reason.MERGE_UNDONE,
            candidacy=restored,
        )
        _move(
            Claim, run["claims"], ["candidacy"], undone_by, Reason.MERGE_UNDONE, candidacy=restored
        )
    CandidateName.objects.filter(pk__in=moved["names_added"]).delete()
    _move(
        CandidateName,
        moved["names_moved"],
        ["candidate"],
        undone_by,
        Reason.MERGE_UNDONE,
        candidate=absorbed,
    )
    absorbed.merged_into, absorbed.state = None, moved["absorbed_state"]
    absorbed.revision += 1
    acting(absorbed, undone_by, Reason.MERGE_UNDONE).save()
    if "disputes" in moved:
        disputes_restore(
            snapshot=moved["disputes"],
            candidate_ids=[survivor.pk, absorbed.pk],
            acting_user=undone_by,
        )
    else:  # a merge recorded before disputes were kept whole
        disputes_reconcile(candidate_ids=[survivor.pk, absorbed.pk], acting_user=undone_by)
    _refresh_statuses(survivor)
    _refresh_statuses(absorbed)
    candidate_refresh_search(survivor)
    candidate_refresh_search(absorbed)
    merge.undone_at, merge.undone_by = timezone.now(), undone_by
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge
