from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CandidateProposal(models.Model):
    """A change to a published candidate's own fields, waiting for a reviewer.

    The public sees a published profile as a reviewer last saw it: an editor's or an
    importer's change to its names, other names, gender, year of birth, Weibo account,
    candidacies or status steps is recorded here instead of being made (DESIGN.md, "The
    public record"). `changes` says it for reviewers as old -> new; `operation` and
    `arguments` are what `elections.services.proposals` replays through the service that
    would have made the change, once a reviewer other than its author accepts it.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("awaiting review")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    candidate = models.ForeignKey(
        "elections.Candidate",
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name=_("candidate"),
    )
    operation = models.CharField(max_length=40, editable=False, verbose_name=_("operation"))
    arguments = models.JSONField(default=dict, editable=False, verbose_name=_("arguments"))
    changes = models.JSONField(
        default=list,
        editable=False,
        help_text=_("What it changes, for reviewers: a list of {field, old, new}."),
        verbose_name=_("changes"),
    )
    state = models.CharField(
        max_length=10,
        choices=State.choices,
        default=State.PENDING,
        db_index=True,
        verbose_name=_("state"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("proposed at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    review_note = models.TextField(blank=True, verbose_name=_("review note"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("candidate proposal")
        verbose_name_plural = _("candidate proposals")
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["state", "candidate"])]

    def __str__(self):
        return gettext("Proposal #%(number)s for %(candidate)s: %(summary)s") % {
            "number": self.pk,
            "candidate": self.candidate,
            "summary": self.summary,
        }

    @property
    def summary(self) -> str:
        return "; ".join(
            f"{change['field']}: {change.get('old') or '—'} → {change.get('new') or '—'}"
            for change in self.changes
        )
