from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Contradiction(models.Model):
    """Two claims about the same subject and property whose values cannot both be true.

    Detected when a claim is saved (`origin=detected`) or flagged by an editor. A reviewer
    resolves it with a verdict and a note; the system closes it when a change to either claim
    means it no longer holds. `claim_a` is always the claim with the lower id.
    """

    class Status(models.TextChoices):
        OPEN = "open", "open"
        RESOLVED = "resolved", "resolved"
        CLOSED = "closed", "closed (no longer holds)"

    class Origin(models.TextChoices):
        DETECTED = "detected", "detected automatically"
        FLAGGED = "flagged", "flagged by an editor"

    class Verdict(models.TextChoices):
        A_RIGHT = "a_right", "the first claim is right"
        B_RIGHT = "b_right", "the second claim is right"
        BOTH_WRONG = "both_wrong", "both are wrong"
        NOT_CONTRADICTION = "not_contradiction", "not a contradiction"
        DIFFERENT_TIMES = "different_times", "both true at different times"

    claim_a = models.ForeignKey("elections.Claim", on_delete=models.CASCADE, related_name="+")
    claim_b = models.ForeignKey("elections.Claim", on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(
        "elections.Candidate", on_delete=models.CASCADE, related_name="contradictions"
    )
    property = models.CharField(max_length=20)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.DETECTED)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    flag_note = models.TextField(blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    verdict_note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim_a", "claim_b"], name="contradiction_pair_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(claim_a__lt=models.F("claim_b")),
                name="contradiction_pair_ordered",
            ),
        ]
        permissions = [
            ("flag_contradiction", "Can flag a contradiction by hand"),
            ("resolve_contradiction", "Can resolve contradictions"),
        ]

    def __str__(self):
        return f"{self.candidate.display_name}: {self.property} ({self.get_status_display()})"
