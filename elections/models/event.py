import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

# The namespace of the events' UUIDs: the same event (kind, candidate, fact or dispute, time)
# gets the same UUID whenever it is written, so a feed entry's id survives a backfill.
EVENT_NAMESPACE = uuid.UUID("0c6a3f6e-5b0e-4d43-9a39-2f1d6b6a8c11")


def event_uid(*parts: object) -> uuid.UUID:
    """The UUID of the event made of `parts` (its kind, candidate, subject and time)."""
    return uuid.uuid5(EVENT_NAMESPACE, "/".join(str(part) for part in parts))


class PublicEvent(models.Model):
    """One change of the public record, as /changes/ and /changes.atom list it.

    Written by `elections.tallies.settle` in the transaction that made the change, from the
    difference between what the public saw of a candidate before and after it (so every door
    that changes the public record writes one: a service, the admin, an import, a re-anchoring),
    and by `proposal_accept` for a correction of a published profile. What it names is read
    again when it is shown (`elections.public.changes`): an event about a candidate the public
    does not see now is not shown, and a fact's value or a verdict's note only while the
    public still sees them.
    """

    class Kind(models.TextChoices):
        FACT_VERIFIED = "fact_verified", _("fact verified")
        FACT_WITHDRAWN = "fact_withdrawn", _("fact withdrawn")
        FACT_CORRECTED = "fact_corrected", _("fact corrected")
        DISPUTE_RESOLVED = "dispute_resolved", _("dispute resolved")
        DISPUTE_REOPENED = "dispute_reopened", _("dispute reopened")
        PUBLISHED = "published", _("record published")
        WITHDRAWN = "withdrawn", _("record withdrawn")
        MERGED = "merged", _("records merged")
        PROFILE_CORRECTED = "profile_corrected", _("profile corrected")

    class Why(models.TextChoices):
        NONE = "", _("no reason given")
        VERIFIED = "verified", _("verified by a reviewer")
        VERDICT = "verdict", _("a verdict on a dispute")
        EVIDENCE_LOST = "evidence_lost", _("its passage is no longer found in the article")
        EVIDENCE_FOUND = "evidence_found", _("its passage is found in the article again")
        CORRECTION = "correction", _("its value was corrected and verified again")
        REJECTED = "rejected", _("rejected by a reviewer")
        RETURNED = "returned", _("returned to review")
        REMOVED = "removed", _("removed from the record")

    id = models.BigAutoField(primary_key=True)
    uid = models.UUIDField(unique=True, editable=False, verbose_name=_("UUID"))
    at = models.DateTimeField(verbose_name=_("at"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    why = models.CharField(
        max_length=20, choices=Why.choices, blank=True, default="", verbose_name=_("why")
    )
    candidate = models.ForeignKey(
        "elections.Candidate",
        on_delete=models.CASCADE,
        related_name="public_events",
        verbose_name=_("candidate"),
    )
    # The fact or dispute it is about, kept when that row is deleted (the event stays).
    claim = models.ForeignKey(
        "elections.Claim",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("claim"),
    )
    contradiction = models.ForeignKey(
        "elections.Contradiction",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("dispute"),
    )
    property = models.CharField(max_length=20, blank=True, verbose_name=_("property"))
    value = models.CharField(
        max_length=500,
        blank=True,
        help_text=_("The fact's value as the public saw it then."),
        verbose_name=_("value"),
    )
    verdict = models.CharField(max_length=20, blank=True, verbose_name=_("verdict"))
    note = models.TextField(
        blank=True, help_text=_("The verdict's note (public)."), verbose_name=_("note")
    )
    fields = models.JSONField(
        default=list,
        blank=True,
        help_text=_("For a corrected profile: the fields changed."),
        verbose_name=_("fields"),
    )

    class Meta:
        verbose_name = _("public event")
        verbose_name_plural = _("public events")
        ordering = ["-id"]
        indexes = [models.Index(fields=["candidate", "id"], name="public_event_candidate_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.candidate_id}, {self.at:%Y-%m-%d})"
