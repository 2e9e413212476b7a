from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from sources.dates import PartialDate, Precision


class Status(models.TextChoices):
    """Where a candidacy stands; the Chinese words are those of the import sheets."""

    DECLARED = "declared", "declared"
    SEEKING_NOMINATION = "seeking_nomination", "seeking nomination"
    PRELIMINARY = "preliminary", "preliminary candidate"
    OFFICIAL = "official", "official candidate"
    ELECTED = "elected", "elected"
    DEFEATED = "defeated", "defeated"
    WITHDREW = "withdrew", "withdrew"
    BARRED = "barred", "barred"


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
        "elections.Candidate", on_delete=models.CASCADE, related_name="candidacies"
    )
    election = models.ForeignKey(
        "elections.Election", on_delete=models.PROTECT, related_name="candidacies"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, blank=True, help_text="The latest status."
    )
    votes = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "candidacies"
        ordering = ["candidate", "election"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "election"], name="candidacy_unique"),
        ]

    def __str__(self):
        return f"{self.candidate.display_name} in {self.election}"


class CandidacyStatus(models.Model):
    """One dated step in a candidacy's history, sourced by the claim that reported it."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="statuses")
    status = models.CharField(max_length=20, choices=Status.choices)
    on = models.DateField(help_text="The date, or the first day of the period it is known to.")
    precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    claim = models.ForeignKey(
        "elections.Claim",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="status_steps",
        help_text="The claim that reported this step.",
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sequence = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="The step's place in its candidate's course, counted across candidacies; "
        "kept by elections.services.course, which explains the order.",
    )
    history = HistoricalRecords(excluded_fields=["sequence"])

    class Meta:
        verbose_name_plural = "candidacy statuses"
        ordering = ["candidacy", "sequence", "id"]

    def __str__(self):
        return f"{self.get_status_display()} ({self.date.display()})"

    @property
    def date(self):
        return PartialDate.from_stored(self.on, self.precision)
