"""The desk: each person's work, by role, on the admin's index page (reads only).

A *queue* is one kind of work: passages awaiting a claim, claims awaiting review, open
disputes, proposals awaiting review, candidates ready to publish, facts withdrawn because
their evidence was lost, and the person's running tasks. Each names who sees it (the
permission its work needs, so a person holding several roles sees each role's queues and a
superuser sees them all), the records in it (`queryset(user)`, in the order they are worked
through), the page where each one's work is done, and the full list in the admin.

The rules come from where they are written, never again here: the four-eyes rule of
`claim_verify` (`claims_reviewable_by`) and of `proposal_accept` (`proposals_reviewable_by`),
the publication rule of `candidate_publish` (`open_public_contradictions`), and the public
record's anchoring (`ClaimQuerySet.anchored`).

Every queue costs two queries (its count and its first items) however many records it holds;
`desk_for(user)` reads only the queues the user sees, and `next_in(key, user)` is what the
review pages send a reviewer to once an item is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Model, OuterRef, QuerySet
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from elections.admin.filters import question_label
from elections.models import Candidate, CandidateProposal, Claim, Contradiction
from elections.models.claim import ANCHORED_STATUSES
from elections.services.candidates import open_public_contradictions
from elections.services.claims import claims_reviewable_by
from elections.services.proposals import proposals_reviewable_by
from sources.audit import Reason
from sources.models import AnchorStatus, Passage, TaskRun

# How many items each section shows before its link to the full list.
SHOWN = 5
# The article texts a passage's or a claim's row never needs (they can be long).
ARTICLE_TEXTS = ("article__text", "article__source_text", "article__boilerplate")
LOST_STATUSES = (AnchorStatus.FUZZY, AnchorStatus.ORPHANED)
RUNNING = (TaskRun.State.QUEUED, TaskRun.State.RUNNING)


@dataclass(frozen=True)
class Item:
    """One piece of work: what it is, and the page where it is done."""

    pk: int
    label: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Section:
    """A queue as one person sees it: how many, the first few, and the full list."""

    key: str
    title: str
    count: int
    items: list[Item]
    list_url: str
    empty: str


def _short(text: str, limit: int = 80) -> str:
    return Truncator(" ".join(str(text).split())).chars(limit)


# What each queue holds.


def passages_awaiting(user: Any) -> QuerySet[Passage]:
    """Saved passages that support no claim yet, whose words are still in their article
    (exact or relocated): an editor selected them as evidence and has still to say what they
    are evidence of. Fuzzy and orphaned ones are the passage queue's, not this one's."""
    return (
        Passage.objects.filter(anchor_status__in=ANCHORED_STATUSES)
        .filter(~Exists(Claim.objects.filter(passage=OuterRef("pk"))))
        .order_by("created_at", "pk")
    )


def claims_to_review(user: Any) -> QuerySet[Claim]:
    """Unverified claims `user` may verify (never one they recorded or shaped), whose passage
    is anchored: a claim whose evidence was lost waits for an editor first."""
    waiting = Claim.objects.filter(state=Claim.State.UNVERIFIED).anchored()
    return claims_reviewable_by(waiting, user).order_by("created_at", "pk")


def disputes_open(user: Any) -> QuerySet[Contradiction]:
    """Disputes not resolved (reopened ones included), the oldest first."""
    return Contradiction.objects.filter(status=Contradiction.Status.OPEN).order_by(
        "created_at", "pk"
    )


def proposals_to_review(user: Any) -> QuerySet[CandidateProposal]:
    """Proposals on published candidates awaiting review, never `user`'s own."""
    pending = CandidateProposal.objects.filter(state=CandidateProposal.State.PENDING)
    return proposals_reviewable_by(pending, user).order_by("proposed_at", "pk")


def candidates_ready(user: Any) -> QuerySet[Candidate]:
    """Candidates submitted for review that `candidate_publish` would publish: not merged
    away, and none of their verified, anchored claims in an open dispute."""
    blocking = open_public_contradictions(OuterRef(OuterRef("pk")))  # type: ignore[arg-type]
    return (
        Candidate.objects.filter(state=Candidate.State.REVIEW, merged_into__isnull=True)
        .filter(~Exists(blocking))
        .order_by("updated_at", "pk")
    )


def facts_withdrawn(user: Any) -> QuerySet[Claim]:
    """Claims sent back to review because the words they cite moved (the history reason
    "claim returned to review", written by `claims_back_to_review`) whose passage is still a
    fuzzy match or an orphan: off the public record until an editor confirms or re-selects
    the passage. Rejected claims are left out."""
    returned = Claim.history.model.objects.filter(
        id=OuterRef("pk"), history_change_reason=Reason.CLAIM_RETURNED.value
    )
    return (
        Claim.objects.filter(passage__anchor_status__in=LOST_STATUSES)
        .exclude(state=Claim.State.REJECTED)
        .filter(Exists(returned))
        .order_by("-updated_at", "-pk")
    )


def tasks_running(user: Any) -> QuerySet[TaskRun]:
    """`user`'s own tasks, queued or running, the newest first."""
    return TaskRun.objects.filter(owner_id=user.pk, state__in=RUNNING).order_by(
        "-created_at", "-pk"
    )


# How each queue's items are shown, and where their work is done.


def _passage_item(passage: Passage) -> Item:
    annotate = reverse("admin:sources_article_annotate", args=[passage.article_id])
    article = passage.article
    return Item(
        passage.pk,
        f"“{_short(passage.exact, 70)}”",
        f"{annotate}#passage-{passage.pk}",
        f"{_short(article.title, 60)} · {article.outlet}",
    )


def _claim_item(claim: Claim) -> Item:
    return Item(
        claim.pk,
        f"#{claim.pk} {_short(claim, 90)}",
        reverse("admin:elections_claim_change", args=[claim.pk]),
        str(claim.article.outlet),
    )


def _dispute_item(dispute: Contradiction) -> Item:
    return Item(
        dispute.pk,
        f"#{dispute.pk} {dispute.candidate.display_name}: "
        f"{question_label(dispute.property, dispute.on_date)}",
        reverse("admin:elections_contradiction_change", args=[dispute.pk]),
        str(_("reopened")) if dispute.is_reopened else "",
    )


def _proposal_item(proposal: CandidateProposal) -> Item:
    return Item(
        proposal.pk,
        f"#{proposal.pk} {proposal.candidate.display_name}: {_short(proposal.summary, 80)}",
        reverse("admin:elections_candidateproposal_change", args=[proposal.pk]),
    )


def _candidate_item(candidate: Candidate) -> Item:
    return Item(
        candidate.pk,
        candidate.display_name + (f" ({candidate.name_zh})" if candidate.name_zh else ""),
        reverse("admin:elections_candidate_change", args=[candidate.pk]),
    )


def _withdrawn_item(claim: Claim) -> Item:
    annotate = reverse("admin:sources_article_annotate", args=[claim.article_id])
    return Item(
        claim.pk,
        f"#{claim.pk} {_short(claim, 90)}",
        f"{annotate}?reselect={claim.passage_id}",
        str(claim.passage.get_anchor_status_display()),
    )


def _task_item(run: TaskRun) -> Item:
    return Item(
        run.pk,
        _short(run.label or run.kind, 80),
        reverse("admin:sources_taskrun_change", args=[run.pk]),
        f"{run.get_state_display()} · {run.percent}%",
    )


@dataclass(frozen=True)
class Queue:
    key: str
    title: Any
    empty: Any
    perms: tuple[str, ...]  # all of them needed
    queryset: Callable[[Any], QuerySet]
    shape: Callable[[QuerySet], QuerySet]
    item: Callable[[Any], Item]
    list_url: Callable[[Any], str]

    def visible_to(self, user: Any) -> bool:
        return bool(user.is_active and user.is_staff) and all(
            user.has_perm(perm) for perm in self.perms
        )


def _desk_list(url_name: str, key: str) -> Callable[[Any], str]:
    return lambda user: f"{reverse(url_name)}?desk={key}"


QUEUES: dict[str, Queue] = {
    queue.key: queue
    for queue in [
        Queue(
            "passages",
            _("Passages awaiting a claim"),
            _("Every saved passage supports a claim."),
            ("sources.annotate_article", "elections.add_claim"),
            passages_awaiting,
            lambda qs: qs.select_related("article__outlet").defer(*ARTICLE_TEXTS),
            _passage_item,
            lambda user: (
                reverse("admin:sources_passage_changelist")
                + "?claims__isnull=True&anchor_status__in=exact,relocated"
            ),
        ),
        Queue(
            "claims",
            _("Claims awaiting your review"),
            _("No claim awaits your review."),
            ("elections.verify_claim",),
            claims_to_review,
            lambda qs: qs.select_related("candidate", "article__outlet").defer(*ARTICLE_TEXTS),
            _claim_item,
            _desk_list("admin:elections_claim_changelist", "claims"),
        ),
        Queue(
            "disputes",
            _("Open disputes"),
            _("No dispute is open."),
            ("elections.resolve_contradiction",),
            disputes_open,
            lambda qs: qs.select_related("candidate"),
            _dispute_item,
            lambda user: reverse("admin:elections_contradiction_changelist") + "?status=open",
        ),
        Queue(
            "proposals",
            _("Proposals awaiting your review"),
            _("No proposal awaits your review."),
            ("elections.publish_candidate",),
            proposals_to_review,
            lambda qs: qs.select_related("candidate"),
            _proposal_item,
            _desk_list("admin:elections_candidateproposal_changelist", "proposals"),
        ),
        Queue(
            "ready",
            _("Candidates ready to publish"),
            _("No candidate in review is ready to publish."),
            ("elections.publish_candidate",),
            candidates_ready,
            lambda qs: qs,
            _candidate_item,
            _desk_list("admin:elections_candidate_changelist", "ready"),
        ),
        Queue(
            "withdrawn",
            _("Facts withdrawn for lost evidence"),
            _("No fact is waiting for its evidence."),
            ("sources.annotate_article",),
            facts_withdrawn,
            lambda qs: qs.select_related("candidate", "passage").defer(*ARTICLE_TEXTS),
            _withdrawn_item,
            _desk_list("admin:elections_claim_changelist", "withdrawn"),
        ),
        Queue(
            "tasks",
            _("Your running tasks"),
            _("None of your tasks is running."),
            ("sources.view_taskrun",),
            tasks_running,
            lambda qs: qs,
            _task_item,
            lambda user: (
                reverse("admin:sources_taskrun_changelist")
                + f"?owner__id__exact={user.pk}&state__in=queued,running"
            ),
        ),
    ]
}


def section(queue: Queue, user: Any) -> Section:
    """One queue for `user`: its count and first items, in two queries."""
    records = queue.queryset(user)
    count = records.count()
    items = [queue.item(obj) for obj in queue.shape(records)[:SHOWN]] if count else []
    return Section(
        queue.key, str(queue.title), count, items, queue.list_url(user), str(queue.empty)
    )


def desk_for(user: Any) -> list[Section]:
    """The sections of `user`'s desk, one per queue their roles work on."""
    return [section(queue, user) for queue in QUEUES.values() if queue.visible_to(user)]


def next_in(key: str, user: Any, *, done: Model | None = None) -> tuple[Item | None, int]:
    """The first item of queue `key` for `user` (leaving out `done`, the one just worked
    on, should it still be there) and how many remain in it, that one included."""
    queue = QUEUES[key]
    records = queue.queryset(user)
    if done is not None:
        records = records.exclude(pk=done.pk)
    first = queue.shape(records).first()
    if first is None:
        return None, 0
    return queue.item(first), records.count()
