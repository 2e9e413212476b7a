import builtins

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sources.anchoring import AnchorStatus
from sources.dates import PartialDate, Precision


class Property(models.TextChoices):
    """What a claim is about; how each is compared is given by `elections.normalizers`."""

    NAME_ZH = "name_zh", _("name in Chinese characters")
    GENDER = "gender", _("gender")
    BIRTH_YEAR = "birth_year", _("year of birth")
    AGE = "age", _("age")
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    DISTRICT = "district", _("district or county")
    OCCUPATION = "occupation", _("occupation")
    EMPLOYER = "employer", _("employer")
    PLATFORM = "platform", _("platform")
    PRESSURE = "pressure", _("pressure from the authorities")
    FOLLOWERS = "followers", _("microblog followers")
    STATUS = "status", _("candidacy status")
    VOTES = "votes", _("votes")


CANDIDACY_PROPERTIES = frozenset({Property.STATUS, Property.VOTES})

# Where a passage must be found in its article's current text for its claims to be public:
# the same words (exact, or relocated to another place). A fuzzy match an editor confirms
# becomes exact; an unconfirmed fuzzy match and an orphan cite words the article may no
# longer hold.
ANCHORED_STATUSES = (AnchorStatus.EXACT, AnchorStatus.RELOCATED)


class ClaimQuerySet(models.QuerySet):
    def public(self):
        """Claims the public may see: verified, about a published candidate, citing a
        passage anchored in its article's current text."""
        return self.filter(
            state=Claim.State.VERIFIED,
            candidate__state="published",
            candidate__merged_into__isnull=True,
        ).anchored()

    def anchored(self):
        """Claims whose passage is found, word for word, in its article's current text."""
        return self.filter(passage__anchor_status__in=ANCHORED_STATUSES)

    def standing(self):
        """Claims not overruled by a contradiction's verdict."""
        return self.filter(overruled=False)


class Claim(models.Model):
    """One thing a passage says about a candidate or a candidacy.

    `value` is what the outlet printed; `normalized` is the comparable form the property's
    normalizer made of it (a place id, a birth-date range, a number, a status), and
    `value_key` a short text of it for display and equality. `as_of` is the date the claim
    holds for: the article's date unless an editor set it (`as_of_explicit`).

    Verification says the passage really says this; a contradiction's verdict may then
    overrule a verified claim (`overruled`, with the reason), which keeps it on record as what
    was printed but takes it out of the facts shown as true.
    """

    class State(models.TextChoices):
        UNVERIFIED = "unverified", _("unverified")
        VERIFIED = "verified", _("verified")
        REJECTED = "rejected", _("rejected")

    candidate = models.ForeignKey(
        "elections.Candidate",
        on_delete=models.CASCADE,
        related_name="claims",
        verbose_name=_("candidate"),
    )
    candidacy = models.ForeignKey(
        "elections.Candidacy",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="claims",
        help_text=_("For a fact about a run for office (status, votes): which run."),
        verbose_name=_("candidacy"),
    )
    property = models.CharField(
        max_length=20, choices=Property.choices, db_index=True, verbose_name=_("property")
    )
    value = models.CharField(
        max_length=500, help_text=_("The value as the outlet printed it."), verbose_name=_("value")
    )
    value_key = models.CharField(
        max_length=500,
        blank=True,
        editable=False,
        help_text=_("The normalized value."),
        verbose_name=_("value key"),
    )
    normalized = models.JSONField(
        default=dict, blank=True, editable=False, verbose_name=_("normalized")
    )
    passage = models.ForeignKey(
        "sources.Passage",
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("passage"),
    )
    article = models.ForeignKey(
        "sources.Article",
        on_delete=models.PROTECT,
        related_name="claims",
        editable=False,
        help_text=_("The passage's article, kept here so that lists filter by it without a join."),
        verbose_name=_("article"),
    )
    as_of = models.DateField(null=True, blank=True, verbose_name=_("as of"))
    as_of_precision = models.CharField(
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        verbose_name=_("as of precision"),
    )
    as_of_explicit = models.BooleanField(
        default=False,
        help_text=_("Set by an editor rather than taken from the article."),
        verbose_name=_("as of explicit"),
    )
    note = models.TextField(blank=True, verbose_name=_("note"))
    state = models.CharField(
        max_length=12,
        choices=State.choices,
        default=State.UNVERIFIED,
        db_index=True,
        verbose_name=_("state"),
    )
    rejection_reason = models.TextField(blank=True, verbose_name=_("rejection reason"))
    overruled = models.BooleanField(
        default=False,
        help_text=_("A contradiction's verdict found it wrong."),
        verbose_name=_("overruled"),
    )
    overruled_reason = models.TextField(blank=True, verbose_name=_("overruled reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claims_created",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    shaped_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        editable=False,
        related_name="claims_shaped",
        help_text=_(
            "Who besides its recorder shaped what it says or cites: changed its printed "
            "value, re-pointed its passage or edited the article words it cites. None of them, "
            "nor its recorder, may verify it (the four-eyes rule)."
        ),
        verbose_name=_("shaped by"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claims_reviewed",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    revision = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text=_("Counts saves, to catch lost updates."),
        verbose_name=_("revision"),
    )
    history = HistoricalRecords(excluded_fields=["normalized"])

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["candidate", "property", "as_of", "id"]
        indexes = [
            models.Index(fields=["candidate", "property"]),
            models.Index(fields=["state", "candidate"]),
            models.Index(fields=["article"]),
            # The latest verified facts, newest first, without sorting every verified claim.
            models.Index(fields=["state", "reviewed_at", "id"], name="claim_review_order_idx"),
        ]
        permissions = [("verify_claim", "Can verify and reject claims")]

    def __str__(self):
        return f"{self.candidate.display_name}: {self.get_property_display()} = {self.value}"

    @builtins.property  # the field `property` shadows the builtin inside the class
    def as_of_date(self):
        return PartialDate.from_stored(self.as_of, self.as_of_precision)
