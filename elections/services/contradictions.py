"""Disputes: reconciled when claims change, flagged by hand, resolved with one verdict.

`disputes_reconcile` is the one writer of what `elections.disputes.reconcile` decides: it
reads the standing claims of every question a change touched, reconciles each question, and
writes the plans in bulk. Every path calls it: a claim saved, changed, verified, rejected, a
sheet of claims, a merge and its undoing, re-anchored passages, and the full re-detection
(`contradictions_redetect_all`), which reconciles every question at once. Its queries depend
on how many candidates a change touches, not on how many claims the database holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, override
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from elections import disputes
from elections.disputes import DisputeState, Fact, Judgement, Plan, Question
from elections.models import Claim, Contradiction
from elections.models.contradiction import DisputeClaim
from sources.audit import Reason, acting, read_only, service, service_step
from sources.dates import PartialDate

CHUNK = 500

FACT_COLUMNS = (
    "id",
    "candidate_id",
    "candidacy_id",
    "property",
    "value_key",
    "normalized",
    "as_of",
    "as_of_precision",
    "article__outlet_id",
    "overruled",
)

_DISPUTE_FIELDS = [
    "status",
    "closed_reason",
    "reopened_at",
    "group_count",
    "revision",
    "candidate",
    "candidacy",
    "updated_at",
]


def _fact(row: Sequence[Any]) -> Fact:
    return Fact(
        id=row[0],
        candidate_id=row[1],
        candidacy_id=row[2],
        property=row[3],
        value_key=row[4],
        normalized=row[5] or {},
        as_of=PartialDate.from_stored(row[6], row[7]),
        outlet_id=row[8],
    )


def _fact_of(claim: Claim) -> Fact:
    """A claim instance as reconciliation reads it."""
    return Fact(
        id=claim.pk,
        candidate_id=claim.candidate_id,
        candidacy_id=claim.candidacy_id,
        property=claim.property,
        value_key=claim.value_key,
        normalized=claim.normalized or {},
        as_of=claim.as_of_date,
        outlet_id=claim.article.outlet_id,
    )


@read_only
def question_of_claim(claim: Claim) -> Question | None:
    """The question `claim` answers (`elections.disputes.question_of`)."""
    return disputes.question_of(_fact_of(claim))


def _states(
    found: Iterable[Contradiction],
) -> tuple[dict[str, Contradiction], dict[int, DisputeState]]:
    by_question = {dispute.question: dispute for dispute in found}
    states = {
        dispute.pk: DisputeState(
            dispute.status,
            dispute.origin,
            dispute.verdict,
            flagged_claims=list(dispute.flagged_claims or []),
        )
        for dispute in by_question.values()
    }
    if states:
        ids = list(states)
        for first in range(0, len(ids), CHUNK):
            for member in DisputeClaim.objects.filter(
                contradiction_id__in=ids[first : first + CHUNK]
            ).values_list("contradiction_id", "claim_id", "group", "judged", "judged_value", "new"):
                state = states[member[0]]
                state.groups[member[1]] = member[2]
                state.new[member[1]] = member[5]
                state.judged[member[1]] = Judgement(member[3], member[4])
    return by_question, states


class _Writes:
    """The writes of many plans, made in bulk once every question is reconciled."""

    def __init__(self) -> None:
        self.created: list[Contradiction] = []
        self.updated: list[Contradiction] = []
        self.pending: list[tuple[Contradiction, list[disputes.Member]]] = []
        self.cleared_disputes: set[int] = set()
        self.overruled: dict[int, str] = {}
        self.upheld: set[int] = set()
        self.counts = {"opened": 0, "reopened": 0, "closed": 0, "regrouped": 0}

    def add(self, question: Question, plan: Plan, dispute: Contradiction | None) -> None:
        now = timezone.now()
        if plan.status is None:
            self.upheld |= plan.upheld
            return
        if dispute is None:
            dispute = Contradiction(
                question=question.key,
                candidate_id=question.candidate_id,
                candidacy_id=question.candidacy_id,
                property=question.property,
                on_date=question.on_date,
                status=plan.status,
                group_count=plan.group_count,
            )
            self.created.append(dispute)
            self.pending.append((dispute, plan.members))
            self.counts["opened"] += 1
        elif plan.changed or dispute.candidate_id != question.candidate_id:
            if plan.status != dispute.status:
                key = {disputes.OPEN: "reopened", disputes.CLOSED: "closed"}.get(plan.status)
                if key:
                    self.counts[key] += 1
            else:
                self.counts["regrouped"] += 1
            dispute.status = plan.status
            dispute.group_count = plan.group_count
            dispute.candidate_id, dispute.candidacy_id = (
                question.candidate_id,
                question.candidacy_id,
            )
            if plan.reopened and dispute.verdict:
                dispute.reopened_at = now
            if plan.closed_reason:
                dispute.closed_reason = plan.closed_reason
            dispute.revision += 1
            dispute.updated_at = now
            self.updated.append(dispute)
            self.cleared_disputes.add(dispute.pk)
            self.pending.append((dispute, plan.members))
        label = f"dispute on {question.key}"
        for claim_id in plan.overruled:
            self.overruled[claim_id] = label
        self.upheld |= plan.upheld

    def write(self, acting_user: User) -> None:
        if self.created:
            bulk_create_with_history(
                self.created,
                Contradiction,
                batch_size=CHUNK,
                default_user=acting_user,
                default_change_reason=Reason.CONTRADICTION_DETECTED.value,
            )
        if self.updated:
            bulk_update_with_history(
                self.updated,
                Contradiction,
                _DISPUTE_FIELDS,
                batch_size=CHUNK,
                default_user=acting_user,
                default_change_reason=Reason.CONTRADICTION_REOPENED.value,
            )
        members = [
            DisputeClaim(
                contradiction_id=dispute.pk,
                claim_id=member.claim_id,
                group=member.group,
                judged=member.judged,
                judged_value=member.judged_value,
                new=member.new,
            )
            for dispute, planned in self.pending
            for member in planned
        ]
        claim_ids = [member.claim_id for member in members]
        cleared = sorted(self.cleared_disputes)
        for first in range(0, len(cleared), CHUNK):
            DisputeClaim.objects.filter(
                contradiction_id__in=cleared[first : first + CHUNK]
            ).delete()
        for first in range(0, len(claim_ids), CHUNK):
            # A claim that moved to another question leaves its old dispute's groups.
            DisputeClaim.objects.filter(claim_id__in=claim_ids[first : first + CHUNK]).delete()
        DisputeClaim.objects.bulk_create(members, batch_size=CHUNK)
        self._write_claims(acting_user)

    def _write_claims(self, acting_user: User) -> None:
        ids = sorted(set(self.overruled) | self.upheld)
        if not ids:
            return
        from sources.services.history import history_bulk_insert

        now = timezone.now()
        for first in range(0, len(ids), CHUNK):
            claims = list(Claim.objects.filter(pk__in=ids[first : first + CHUNK]).order_by("pk"))
            for claim in claims:
                wrong = claim.pk in self.overruled
                claim.overruled = wrong
                claim.overruled_reason = (
                    f"Found wrong in the {self.overruled[claim.pk]}" if wrong else ""
                )
                claim.revision += 1
                claim.updated_at = now
            Claim.objects.bulk_update(
                claims, ["overruled", "overruled_reason", "revision", "updated_at"]
            )
            history_bulk_insert(
                claims, Claim, user=acting_user, reason=Reason.CLAIM_OVERRULED, updated=True
            )


def _reconcile_candidates(
    candidate_ids: Sequence[int], questions: set[str] | None, writes: _Writes
) -> None:
    """Reconcile the questions of `candidate_ids` (only those in `questions`, when given)."""
    facts: dict[str, list[Fact]] = {}
    asked: dict[str, Question] = {}
    overruled: set[int] = set()
    rows = (
        Claim.objects.filter(candidate_id__in=candidate_ids)
        .exclude(state=Claim.State.REJECTED)
        .values_list(*FACT_COLUMNS)
    )
    for row in rows:
        fact = _fact(row)
        question = disputes.question_of(fact)
        if question is None or (questions is not None and question.key not in questions):
            continue
        asked.setdefault(question.key, question)
        facts.setdefault(question.key, []).append(fact)
        if row[9]:
            overruled.add(fact.id)
    # The disputes of these candidates, and those of the questions their claims answer now
    # (a dispute keeps the candidate it was opened for until reconciled: a merge moves claims).
    own = Q(candidate_id__in=candidate_ids)
    if questions is not None:
        own &= Q(question__in=questions)
    by_question, states = _states(Contradiction.objects.filter(own | Q(question__in=list(facts))))
    for key in set(facts) | set(by_question):
        if questions is not None and key not in questions:
            continue
        dispute = by_question.get(key)
        question = asked.get(key) or Question(
            key,
            dispute.candidate_id,  # type: ignore[union-attr]
            dispute.candidacy_id,  # type: ignore[union-attr]
            dispute.property,  # type: ignore[union-attr]
            dispute.on_date,  # type: ignore[union-attr]
        )
        plan = disputes.reconcile(
            facts.get(key, []),
            states[dispute.pk] if dispute is not None else None,
            overruled=overruled & {fact.id for fact in facts.get(key, [])},
        )
        writes.add(question, plan, dispute)


@service_step
def disputes_reconcile(
    *, claim_ids: Iterable[int] = (), candidate_ids: Iterable[int] = (), acting_user: User
) -> dict[str, int]:
    """Reconcile every question the claims `claim_ids` answer or answered, and every question
    of the candidates `candidate_ids`; returns counts of disputes opened, reopened, closed
    and regrouped."""
    claim_ids = sorted(set(claim_ids))
    whole = set(candidate_ids)
    questions: set[str] = set()
    touched: set[int] = set()
    for first in range(0, len(claim_ids), CHUNK):
        chunk = claim_ids[first : first + CHUNK]
        for row in Claim.objects.filter(pk__in=chunk).values_list(*FACT_COLUMNS):
            fact = _fact(row)
            touched.add(fact.candidate_id)
            question = disputes.question_of(fact)
            if question is not None:
                questions.add(question.key)
        for question_key, candidate_id in DisputeClaim.objects.filter(
            claim_id__in=chunk
        ).values_list("contradiction__question", "contradiction__candidate_id"):
            questions.add(question_key)
            touched.add(candidate_id)
    writes = _Writes()
    if whole:
        ordered = sorted(whole)
        for first in range(0, len(ordered), CHUNK):
            _reconcile_candidates(ordered[first : first + CHUNK], None, writes)
    partial = sorted(touched - whole)
    for first in range(0, len(partial), CHUNK):
        _reconcile_candidates(partial[first : first + CHUNK], questions, writes)
    writes.write(acting_user)
    return writes.counts


@service_step
def contradictions_detect(*, claim: Claim, acting_user: User) -> dict[str, int]:
    """Reconcile the questions `claim` answers or answered: a batch of one."""
    return disputes_reconcile(claim_ids=[claim.pk], acting_user=acting_user)


def _all_candidates(chunk_size: int) -> Iterator[list[int]]:
    ids = Claim.objects.order_by("candidate_id").values_list("candidate_id", flat=True).distinct()
    batch: list[int] = []
    for candidate_id in ids.iterator(chunk_size=chunk_size):
        batch.append(candidate_id)
        if len(batch) == chunk_size:
            yield batch
            batch = []
    if batch:
        yield batch


@service(perm="elections.change_contradiction", action="re-run contradiction detection")
def contradictions_redetect_all(*, acting_user: User, chunk_size: int = CHUNK) -> dict[str, int]:
    """Reconcile every question of every candidate: create, regroup, reopen and close
    disputes to match the rules; returns counts."""
    writes = _Writes()
    seen: set[int] = set()
    for batch in _all_candidates(chunk_size):
        seen.update(batch)
        _reconcile_candidates(batch, None, writes)
    # Disputes of candidates with no claims left (merged away) close too.
    orphans = sorted(
        set(
            Contradiction.objects.exclude(status=Contradiction.Status.CLOSED).values_list(
                "candidate_id", flat=True
            )
        )
        - seen
    )
    for first in range(0, len(orphans), chunk_size):
        _reconcile_candidates(orphans[first : first + chunk_size], None, writes)
    writes.write(acting_user)
    return writes.counts


def _question_of_claims(claims: Sequence[Claim]) -> Question:
    questions = {question_of_claim(claim) for claim in claims}
    if None in questions or len({q.key for q in questions if q is not None}) != 1:
        raise ValidationError(
            gettext(
                "Only claims that answer the same question (the same candidate and property; "
                "for a status, the same candidacy and date) can be in one dispute."
            )
        )
    question = questions.pop()
    assert question is not None
    return question


@service(perm="elections.flag_contradiction", action="flag contradictions")
def contradiction_flag(
    *, claim_a: Claim, claim_b: Claim, note: str, acting_user: User
) -> Contradiction:
    """An editor marks two claims as disagreeing where the rules saw nothing, or adds them to
    the dispute already open on their question. Creates the question's dispute, or joins it
    (reopening it if it was resolved or closed); the note is added to its flag notes."""
    if claim_a.pk == claim_b.pk:
        raise ValidationError(gettext("A claim cannot contradict itself."))
    if claim_a.candidate_id != claim_b.candidate_id or disputes.question_property(
        claim_a.property
    ) != disputes.question_property(claim_b.property):
        raise ValidationError(
            gettext("Only claims about the same candidate and property can contradict each other.")
        )
    if not (note or "").strip():
        raise ValidationError({"flag_note": gettext("Say what the two claims disagree on.")})
    claims = [claim_a, claim_b]
    if any(claim.state == Claim.State.REJECTED for claim in claims):
        raise ValidationError(gettext("A rejected claim takes no part in a dispute."))
    if claim_a.value_key == claim_b.value_key and claim_a.as_of == claim_b.as_of:
        raise ValidationError(
            gettext("These claims say the same thing (%(value)s); there is nothing to dispute.")
            % {"value": claim_a.value_key}
        )
    question = _question_of_claims(claims)
    dispute = Contradiction.objects.select_for_update().filter(question=question.key).first()
    stamp = f"{timezone.now():%Y-%m-%d} {acting_user.get_username()}: {note.strip()}"
    if dispute is None:
        dispute = Contradiction(
            question=question.key,
            candidate_id=question.candidate_id,
            candidacy_id=question.candidacy_id,
            property=question.property,
            on_date=question.on_date,
        )
    dispute.origin = Contradiction.Origin.FLAGGED
    if dispute.status != Contradiction.Status.OPEN:
        if dispute.verdict:
            dispute.reopened_at = timezone.now()
        dispute.status = Contradiction.Status.OPEN
    dispute.flagged_claims = sorted({*(dispute.flagged_claims or []), claim_a.pk, claim_b.pk})
    dispute.flagged_by = acting_user
    dispute.flag_note = f"{dispute.flag_note}\n{stamp}".strip() if dispute.flag_note else stamp
    dispute.revision = (dispute.revision or 0) + 1
    dispute.full_clean(exclude=["question"])
    acting(dispute, acting_user, Reason.CONTRADICTION_FLAGGED).save()
    disputes_reconcile(claim_ids=[claim_a.pk, claim_b.pk], acting_user=acting_user)
    dispute.refresh_from_db()
    return dispute


@service(perm="elections.resolve_contradiction", action="resolve contradictions")
def contradiction_resolve(
    *,
    contradiction: Contradiction,
    verdict: str,
    note: str,
    right_group: int | None = None,
    revision: int | None = None,
    acting_user: User,
) -> Contradiction:
    """A reviewer gives one verdict for the whole question: one version right (its group,
    `right_group`, numbered as shown), every version wrong, all true at different times, or
    not a contradiction. The claims of the groups found wrong are overruled: they stay on
    record as what was printed and leave the facts shown as true; the others stand.

    `revision` is the dispute's revision the reviewer saw: if its groups changed since, the
    verdict is refused rather than applied to versions the reviewer did not see.
    """
    if verdict not in Contradiction.Verdict.values:
        raise ValidationError(
            {"verdict": gettext("%(verdict)s is not a verdict.") % {"verdict": repr(verdict)}}
        )
    if not (note or "").strip():
        raise ValidationError({"verdict_note": gettext("A verdict needs a note saying why.")})
    dispute = Contradiction.objects.select_for_update().get(pk=contradiction.pk)
    if dispute.status != Contradiction.Status.OPEN:
        raise ValidationError(
            gettext("Dispute #%(number)s is %(status)s, not open.")
            % {"number": dispute.pk, "status": dispute.get_status_display()}
        )
    if revision is not None and revision != dispute.revision:
        raise ValidationError(
            gettext(
                "Dispute #%(number)s changed since you opened it (a version was added, changed "
                "or removed); look at its versions again before giving a verdict."
            )
            % {"number": dispute.pk}
        )
    members = list(
        DisputeClaim.objects.select_related("claim__article")
        .filter(contradiction=dispute)
        .order_by("group", "claim_id")
    )
    groups = sorted({member.group for member in members})
    if verdict == Contradiction.Verdict.ONE_RIGHT and right_group not in groups:
        raise ValidationError({"right_group": gettext("Say which version is right.")})
    sides = disputes.verdict_sides(verdict, max(groups, default=0), right_group)
    # Every claim of the question, locked: the verdict sets their overruled flags.
    list(
        Claim.objects.select_for_update()
        .filter(pk__in=[m.claim_id for m in members])
        .values_list("pk", flat=True)
    )
    for member in members:
        member.judged = sides.get(member.group, disputes.RIGHT)
        member.judged_value = _fact_of(member.claim).stamp
        member.new = False
    DisputeClaim.objects.bulk_update(members, ["judged", "judged_value", "new"])
    # The reason is stored, so it is written in English whatever the reviewer's language.
    with override("en"):
        label = str(Contradiction.Verdict(verdict).label)
    changed: list[Claim] = []
    for member in members:
        claim = member.claim
        wrong = member.judged == disputes.WRONG
        reason = f"Dispute #{dispute.pk}, {label}: {note.strip()}" if wrong else ""
        if claim.overruled != wrong or claim.overruled_reason != reason:
            claim.overruled, claim.overruled_reason = wrong, reason
            claim.revision += 1
            acting(claim, acting_user, Reason.CLAIM_OVERRULED).save()
            changed.append(claim)
    dispute.status = Contradiction.Status.RESOLVED
    dispute.verdict, dispute.verdict_note = verdict, note.strip()
    dispute.resolved_by, dispute.resolved_at = acting_user, timezone.now()
    dispute.reopened_at = None
    dispute.revision += 1
    dispute.full_clean(exclude=["question"])
    acting(dispute, acting_user, Reason.CONTRADICTION_RESOLVED).save()
    from .claims import candidacy_refresh_status

    for candidacy in {claim.candidacy for claim in changed if claim.candidacy is not None}:
        candidacy_refresh_status(candidacy)
    return dispute


@read_only
def dispute_groups(contradiction: Contradiction) -> list[list[DisputeClaim]]:
    """The dispute's value groups in order, each a list of its members (claims loaded)."""
    groups: dict[int, list[DisputeClaim]] = {}
    for member in (
        DisputeClaim.objects.filter(contradiction=contradiction)
        .select_related("claim__article__outlet", "claim__passage")
        .order_by("group", "claim_id")
    ):
        groups.setdefault(member.group, []).append(member)
    return [groups[number] for number in sorted(groups)]


_SNAPSHOT_FIELDS = (
    "id",
    "question",
    "candidate_id",
    "candidacy_id",
    "property",
    "on_date",
    "status",
    "origin",
    "flagged_by_id",
    "flag_note",
    "flagged_claims",
    "verdict",
    "verdict_note",
    "resolved_by_id",
    "resolved_at",
    "reopened_at",
    "closed_reason",
    "group_count",
    "revision",
)


@read_only
def disputes_snapshot(candidate_ids: Sequence[int]) -> dict[str, Any]:
    """The disputes of `candidate_ids`, their groups and their claims' overruled flags, as
    JSON, so that undoing a merge puts them back exactly (`disputes_restore`)."""
    rows = list(
        Contradiction.objects.filter(candidate_id__in=candidate_ids).values(*_SNAPSHOT_FIELDS)
    )
    for row in rows:
        for name in ("resolved_at", "reopened_at"):
            row[name] = row[name].isoformat() if row[name] else None
    members = list(
        DisputeClaim.objects.filter(contradiction_id__in=[row["id"] for row in rows]).values(
            "contradiction_id", "claim_id", "group", "judged", "judged_value", "new"
        )
    )
    overruled = list(
        Claim.objects.filter(candidate_id__in=candidate_ids, overruled=True).values_list(
            "id", "overruled_reason"
        )
    )
    return {"disputes": rows, "members": members, "overruled": overruled}


@service_step
def disputes_restore(
    *, snapshot: dict[str, Any], candidate_ids: Sequence[int], acting_user: User
) -> None:
    """Put back the disputes of `candidate_ids` as `snapshot` holds them: disputes opened
    since are deleted (their history stays), the others take their recorded state and
    groups, and the claims their overruled flags; then every question of the candidates is
    reconciled, so that a change made meanwhile still counts."""
    from django.utils.dateparse import parse_datetime

    recorded = {row["id"]: row for row in snapshot["disputes"]}
    current = list(Contradiction.objects.filter(candidate_id__in=candidate_ids))
    current += list(
        Contradiction.objects.filter(pk__in=list(recorded)).exclude(candidate_id__in=candidate_ids)
    )
    now = timezone.now()
    restored = []
    for dispute in current:
        row = recorded.get(dispute.pk)
        if row is None:
            # Opened by the merge: it asked a question of claims that stand apart again.
            acting(dispute, acting_user, Reason.MERGE_UNDONE).delete()
            continue
        for name, value in row.items():
            if name in ("resolved_at", "reopened_at"):
                value = parse_datetime(value) if value else None
            setattr(dispute, name, value)
        dispute.updated_at = now
        restored.append(dispute)
    current = restored
    DisputeClaim.objects.filter(contradiction__in=current).delete()
    if current:
        bulk_update_with_history(
            current,
            Contradiction,
            [name for name in _SNAPSHOT_FIELDS if name != "id"] + ["updated_at"],
            default_user=acting_user,
            default_change_reason=Reason.MERGE_UNDONE.value,
        )
    DisputeClaim.objects.filter(claim_id__in=[m["claim_id"] for m in snapshot["members"]]).delete()
    DisputeClaim.objects.bulk_create([DisputeClaim(**member) for member in snapshot["members"]])
    reasons = dict(snapshot["overruled"])
    claims = list(Claim.objects.filter(candidate_id__in=candidate_ids))
    for claim in claims:
        claim.overruled = claim.pk in reasons
        claim.overruled_reason = reasons.get(claim.pk, "")
    Claim.objects.bulk_update(claims, ["overruled", "overruled_reason"])
    disputes_reconcile(candidate_ids=candidate_ids, acting_user=acting_user)
