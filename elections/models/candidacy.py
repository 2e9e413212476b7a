from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sources.dates import PartialDate, Precision


class Status(models.TextChoices):
    """Where a candidacy stands; the Chinese words are those of the import sheets."""

    DECLARED = "declared", _("declared")
    SEEKING_NOMINATION = "seeking_nomination", _("seeking nomination")
    PRELIMINARY = "preliminary", _("preliminary candidate")
    OFFICIAL = "official", _("official candidate")
    ELECTED = "elected", _("elected")
    DEFEATED = "defeated", _("defeated")
    WITHDREW = "withdrew", _("withdrew")
    BARRED = "barred", _("barred")


# The labels above are translated for the language of the page; the English words, which import
# sheets and printed reports use and open data is written in, are kept here beside the Chinese.
STATUS_EN = {
    Status.DECLARED: "declared",
    Status.SEEKING_NOMINATION: "seeking nomination",
    Status.PRELIMINARY: "preliminary candidate",
    Status.OFFICIAL: "official candidate",
    Status.ELECTED: "elected",
    Status.DEFEATED: "defeated",
    Status.WITHDREW: "withdrew",
    Status.BARRED: "barred",
}

STATUS_ZH = {
    Status.DECLARED: "宣布参选",
    Status.SEEKING_NOMINATION: "寻求提名",
    Status.PRELIMINARY: "初步候选人",
    Status.OFFICIAL: "正式候选人",
    Status.ELECTED: "当选",
    Status.DEFEATED: "落选",
    Status.WITHDREW: "退选",
    Status.BARRED: "被取消资格",
}


class Candidacy(models.Model):
    """A candidate standing in one election; `status` is the latest of its dated history."""

    candidate = models.ForeignKey(
        "elections.Candidate",
        on_delete=models.CASCADE,
        related_name="candidacies",
        verbose_name=_("candidate"),
    )
    election = models.ForeignKey(
        "elections.Election",
        on_delete=models.PROTECT,
        related_name="candidacies",
        verbose_name=_("election"),
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        blank=True,
        help_text=_("The latest status."),
        verbose_name=_("status"),
    )
    votes = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("votes"))
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("candidacy")
        verbose_name_plural = _("candidacies")
        ordering = ["candidate", "election"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "election"], name="candidacy_unique"),
        ]
        # Whether an election has a published candidate (the list's place choices, the
        # places the public record names) stops at its first candidacy: without the
        # candidate in the index, PostgreSQL read every candidacy of each election.
        indexes = [
            models.Index(fields=["election", "candidate"], name="candidacy_election_idx"),
        ]

    def __str__(self):
        return gettext("%(candidate)s in %(election)s") % {
            "candidate": self.candidate.display_name,
            "election": self.election,
        }


class CandidacyStatus(models.Model):
    """One dated step in a candidacy's history, sourced by the claim that reported it."""

    candidacy = models.ForeignKey(
        Candidacy, on_delete=models.CASCADE, related_name="statuses", verbose_name=_("candidacy")
    )
    status = models.CharField(max_length=20, choices=Status.choices, verbose_name=_("status"))
    on = models.DateField(
        help_text=_("The date, or the first day of the period it is known to."),
        verbose_name=_("on"),
    )
    precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY, verbose_name=_("precision")
    )
    claim = models.ForeignKey(
        "elections.Claim",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="status_steps",
        help_text=_("The claim that reported this step."),
        verbose_name=_("claim"),
    )
    note = models.TextField(blank=True, verbose_name=_("note"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    sequence = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text=_(
            "The step's place in its candidate's course, counted across candidacies; "
            "kept by elections.services.course, which explains the order."
        ),
        verbose_name=_("sequence"),
    )
    history = HistoricalRecords(excluded_fields=["sequence"])

    class Meta:
        verbose_name = _("candidacy status")
        verbose_name_plural = _("candidacy statuses")
        ordering = ["candidacy", "sequence", "id"]

    def __str__(self):
        return f"{self.get_status_display()} ({self.date.display()})"

    @property
    def date(self):
        return PartialDate.from_stored(self.on, self.precision)
