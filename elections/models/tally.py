"""What the public pages count and sort by, kept as the record changes (`elections.tallies`).

Derived data only: every row here can be rebuilt from the record (`manage.py
settle_public_tallies --rebuild`). Writing these tables changes no public data by itself, so
they carry no public-cache trigger (`elections.cache.NEVER_PUBLIC`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CandidateDigest(models.Model):
    """One candidate as the public list filters, sorts and counts it, kept up to date.

    `listed` is whether the public sees the candidate (published, not merged). The other
    columns are read from the public record (`elections.public`): the latest public status
    and its place in a candidacy's course, the first province stood in (by name), when a
    public claim of it was last verified, whether a public dispute is about it, how many
    facts it has, and its names folded for the name search. Its `ledger` (`DigestLedger`)
    lists what it counts for in `PublicTally`, so that a change adjusts those counts by the
    difference instead of recounting every candidate.

    The candidate is referenced without a database constraint: a deleted candidate's digest
    stays until it is settled, so that its counts can be taken back.
    """

    candidate = models.OneToOneField(
        "elections.Candidate",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="digest",
        verbose_name=_("candidate"),
    )
    listed = models.BooleanField(default=False, verbose_name=_("listed"))
    name = models.CharField(max_length=200, blank=True, verbose_name=_("name"))
    gender = models.CharField(max_length=10, blank=True, verbose_name=_("gender"))
    status = models.CharField(max_length=20, blank=True, verbose_name=_("status"))
    status_rank = models.PositiveSmallIntegerField(default=0, verbose_name=_("status rank"))
    province = models.CharField(max_length=200, null=True, blank=True, verbose_name=_("province"))
    last_verified = models.DateTimeField(null=True, blank=True, verbose_name=_("last verified"))
    disputed = models.BooleanField(default=False, verbose_name=_("disputed"))
    facts = models.PositiveIntegerField(default=0, verbose_name=_("facts"))
    search_text = models.TextField(
        blank=True,
        default="",
        help_text=_(
            "The candidate's names folded for search (`Candidate.search_text`), kept here so "
            "that a name search reads the listed candidates alone, from an index of its own."
        ),
        verbose_name=_("search text"),
    )

    class Meta:
        verbose_name = _("candidate digest")
        verbose_name_plural = _("candidate digests")
        # Each sort and single filter of the public list reads one page from an index.
        indexes = [
            models.Index(fields=["listed", "name", "candidate"], name="digest_name_idx"),
            models.Index(
                fields=["listed", "status_rank", "name", "candidate"], name="digest_rank_idx"
            ),
            models.Index(
                fields=["listed", "status", "name", "candidate"], name="digest_status_idx"
            ),
            models.Index(
                fields=["listed", "province", "name", "candidate"], name="digest_province_idx"
            ),
            models.Index(
                fields=["listed", "last_verified", "name", "candidate"],
                name="digest_verified_idx",
            ),
            models.Index(
                fields=["listed", "disputed", "name", "candidate"], name="digest_disputed_idx"
            ),
            models.Index(
                fields=["listed", "gender", "name", "candidate"], name="digest_gender_idx"
            ),
        ]

    def __str__(self):
        return f"digest of candidate {self.candidate_id}"

    @property
    def kept_ledger(self) -> "DigestLedger | None":
        """Its ledger, or None when it has none yet (read with `select_related("ledger")`)."""
        try:
            return self.ledger
        except DigestLedger.DoesNotExist:
            return None

    @property
    def record(self):
        """What the public saw of it, as its ledger keeps it (`elections.changes`): None until
        first settled, {} for a digest with no ledger yet."""
        ledger = self.kept_ledger
        return {} if ledger is None else ledger.record


class DigestLedger(models.Model):
    """What settling remembers of a candidate beside its digest, to change by the difference:
    what it counts for in `PublicTally` (`tallies`) and what the public saw of it (`record`).

    Kept apart from the digest, which the lists read: these two are most of a candidate's
    bookkeeping (about 1.1 kB of 1.3 kB at 2M claims), and in the digest they made every
    page of it hold five candidates, so that a name search matching thousands of them read
    thousands of pages, more than a server's buffers keep. A digest without a ledger (new)
    counts for nothing yet and has an empty record.
    """

    digest = models.OneToOneField(
        CandidateDigest,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="ledger",
        verbose_name=_("digest"),
    )
    tallies = models.JSONField(default=list, blank=True, verbose_name=_("tallies"))
    record = models.JSONField(
        null=True,
        default=dict,
        blank=True,
        help_text=_(
            "What the public saw of it, to tell what a change changed (`PublicEvent`): its "
            "facts, its disputes and the facts withdrawn from it. None until first settled."
        ),
        verbose_name=_("record"),
    )

    class Meta:
        verbose_name = _("digest ledger")
        verbose_name_plural = _("digest ledgers")

    def __str__(self):
        return f"ledger of candidate {self.digest_id}"


class PublicTally(models.Model):
    """One count the public pages show, kept up to date: `kind`, `subject` (an outlet's,
    article's or place's id, or 0) and `part` name it (`elections.tallies` lists them)."""

    kind = models.CharField(max_length=20, verbose_name=_("kind"))
    subject = models.BigIntegerField(default=0, verbose_name=_("subject"))
    part = models.CharField(max_length=40, blank=True, verbose_name=_("part"))
    value = models.BigIntegerField(default=0, verbose_name=_("value"))

    class Meta:
        verbose_name = _("public tally")
        verbose_name_plural = _("public tallies")
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject", "part"], name="public_tally_key")
        ]
        # The counts of one kind and part across subjects: an outlet's candidates (kind
        # reported) and the candidates of its disputes (kind took part), by its id as part.
        indexes = [models.Index(fields=["kind", "part", "subject"], name="public_tally_part_idx")]

    def __str__(self):
        return f"{self.kind} {self.subject} {self.part}: {self.value}"


class TallyPending(models.Model):
    """A candidate whose digest may be out of date: written by database triggers on every
    table the digests read, settled (read, recomputed and deleted) before the writing
    transaction commits, or by the next reader when the write came from outside a service.

    No uniqueness: two transactions marking the same candidate never wait for each other.
    """

    id = models.BigAutoField(primary_key=True)
    candidate_id = models.BigIntegerField(verbose_name=_("candidate"))

    class Meta:
        verbose_name = _("pending tally")
        verbose_name_plural = _("pending tallies")

    def __str__(self):
        return f"candidate {self.candidate_id} to settle"
