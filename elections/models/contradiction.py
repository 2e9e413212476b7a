import builtins

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Contradiction(models.Model):
    """A dispute: one question on which outlets' claims fall into value groups that cannot
    all be true (DESIGN.md, "Dispute"; the code keeps the older name).

    The question is a subject and a property (`question`, unique): a candidate's city, a
    candidate's year of birth (ages and years of birth answer one question), a candidacy's
    votes, a candidacy's status on one date. Its claims are grouped into value groups
    (`members`, one row per claim); how they are grouped and when the question is in dispute
    is decided by `elections.disputes.reconcile`, the one function every write path calls.

    Detected when claims are saved or imported (`origin=detected`), or flagged by an editor
    where the rules see nothing. A reviewer resolves it with one verdict for the whole
    question; the claims of the groups it finds wrong are overruled. A claim joining a judged
    group takes that group's side and adds no work; a claim making a new group reopens the
    question (`reopened_at`) with the previous verdict kept beside it until a reviewer gives a
    new one. A detected dispute whose question no longer holds two groups from two outlets
    while open is closed. `revision` counts changes of its groups, so that a verdict given on
    a page showing older groups is refused.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed (no longer holds)")

    class Origin(models.TextChoices):
        DETECTED = "detected", _("detected automatically")
        FLAGGED = "flagged", _("flagged by an editor")

    class Verdict(models.TextChoices):
        ONE_RIGHT = "one_right", _("one version is right")
        ALL_WRONG = "all_wrong", _("every version is wrong")
        DIFFERENT_TIMES = "different_times", _("all true, at different times")
        NOT_CONTRADICTION = "not_contradiction", _("not a contradiction")

    question = models.CharField(
        max_length=100,
        unique=True,
        editable=False,
        help_text=_("The question disputed: its subject, property and, for a status, its date."),
        verbose_name=_("question"),
    )
    candidate = models.ForeignKey(
        "elections.Candidate",
        on_delete=models.CASCADE,
        related_name="contradictions",
        verbose_name=_("candidate"),
    )
    candidacy = models.ForeignKey(
        "elections.Candidacy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contradictions",
        help_text=_("For a question about a run for office (status, votes): which run."),
        verbose_name=_("candidacy"),
    )
    property = models.CharField(max_length=20, verbose_name=_("property"))
    on_date = models.CharField(
        max_length=10,
        blank=True,
        help_text=_("For a status: the date the statuses disagree on."),
        verbose_name=_("on date"),
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.OPEN,
        db_index=True,
        verbose_name=_("status"),
    )
    origin = models.CharField(
        max_length=10, choices=Origin.choices, default=Origin.DETECTED, verbose_name=_("origin")
    )
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("flagged by"),
    )
    flag_note = models.TextField(blank=True, verbose_name=_("flag note"))
    flagged_claims = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text=_(
            "For a property the rules never compare (occupation, employer...): the claims "
            "an editor flagged as disagreeing; only they, and claims printing their values, "
            "take part."
        ),
        verbose_name=_("flagged claims"),
    )
    verdict = models.CharField(
        max_length=20, choices=Verdict.choices, blank=True, verbose_name=_("verdict")
    )
    verdict_note = models.TextField(blank=True, verbose_name=_("verdict note"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    reopened_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "When a version no verdict judged reopened the question; the previous "
            "verdict stays beside it until a new one."
        ),
        verbose_name=_("reopened at"),
    )
    closed_reason = models.TextField(blank=True, verbose_name=_("closed reason"))
    group_count = models.PositiveSmallIntegerField(
        default=0, editable=False, verbose_name=_("group count")
    )
    revision = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text=_("Counts changes of its groups and state."),
        verbose_name=_("revision"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contradiction")
        verbose_name_plural = _("contradictions")
        ordering = ["-created_at"]
        permissions = [
            ("flag_contradiction", "Can flag a contradiction by hand"),
            ("resolve_contradiction", "Can resolve contradictions"),
        ]

    def __str__(self):
        return f"{self.candidate.display_name}: {self.property} ({self.get_status_display()})"

    @builtins.property  # the field `property` shadows the builtin inside the class
    def is_reopened(self) -> bool:
        """Open again after a verdict, because a version it did not judge appeared."""
        return self.status == self.Status.OPEN and bool(self.verdict)


class DisputeClaim(models.Model):
    """A claim of a disputed question, in one of its value groups.

    `group` numbers the groups from 1 in the order their first claim was recorded. `judged`
    is what the verdict found of the claim's group (right or wrong) and `judged_value` the
    claim's value as the verdict saw it: a claim whose value changed since carries no
    judgement, and a claim joining a judged group takes the group's. `new` marks a group
    that appeared after the verdict.
    """

    class Judged(models.TextChoices):
        NONE = "", _("not judged")
        RIGHT = "right", _("found right")
        WRONG = "wrong", _("found wrong")

    contradiction = models.ForeignKey(
        Contradiction,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("contradiction"),
    )
    claim = models.OneToOneField(
        "elections.Claim",
        on_delete=models.CASCADE,
        related_name="dispute_membership",
        verbose_name=_("claim"),
    )
    group = models.PositiveSmallIntegerField(verbose_name=_("group"))
    judged = models.CharField(
        max_length=5, choices=Judged.choices, blank=True, default="", verbose_name=_("judged")
    )
    judged_value = models.CharField(
        max_length=540, blank=True, default="", verbose_name=_("judged value")
    )
    new = models.BooleanField(default=False, verbose_name=_("new"))

    class Meta:
        verbose_name = _("dispute claim")
        verbose_name_plural = _("dispute claims")
        ordering = ["contradiction", "group", "claim"]
        indexes = [models.Index(fields=["contradiction", "group"])]

    def __str__(self):
        return gettext("#%(dispute)s group %(group)s: claim #%(claim)s") % {
            "dispute": self.contradiction_id,
            "group": self.group,
            "claim": self.claim_id,
        }
