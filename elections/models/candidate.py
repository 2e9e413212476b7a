from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sources.identifiers import wikidata_field, wikidata_unique


class CandidateQuerySet(models.QuerySet):
    def published(self):
        """Candidates the public may see."""
        return self.filter(state=Candidate.State.PUBLISHED, merged_into__isnull=True)

    def active(self):
        """Candidates not merged into another."""
        return self.filter(merged_into__isnull=True)


class Candidate(models.Model):
    """A person who stood, or tried to stand, for election.

    Facts about the person live here; facts about a run for office live on the `Candidacy`.
    `search_text` holds every name form folded for search (see `elections.names`), rebuilt by
    the services whenever a name changes.
    """

    class Gender(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        REVIEW = "review", _("in review")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    display_name = models.CharField(
        max_length=200,
        help_text=_("The name readers know: Xu Yan."),
        verbose_name=_("display name"),
    )
    name_zh = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("The name in Chinese characters: 徐琰."),
        verbose_name=_("name zh"),
    )
    gender = models.CharField(
        max_length=10, choices=Gender.choices, blank=True, verbose_name=_("gender")
    )
    birth_year = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("birth year")
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text=_("The last part of the profile's address, after /candidates/."),
        verbose_name=_("slug"),
    )
    state = models.CharField(
        max_length=10,
        choices=State.choices,
        default=State.DRAFT,
        db_index=True,
        verbose_name=_("state"),
    )
    weibo = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Weibo account name or address."),
        verbose_name=_("weibo"),
    )
    wikidata = wikidata_field()
    notes = models.TextField(
        blank=True,
        help_text=_("Internal notes for editors; never shown to the public."),
        verbose_name=_("notes"),
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="absorbed",
        help_text=_(
            "Set when this record was merged into another; its address then redirects there."
        ),
        verbose_name=_("merged into"),
    )
    search_text = models.TextField(blank=True, editable=False, verbose_name=_("search text"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    revision = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text=_("Counts saves, to catch lost updates."),
        verbose_name=_("revision"),
    )
    history = HistoricalRecords(excluded_fields=["search_text"])

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["display_name"]
        indexes = [
            # The public list in name order, and name searches, read from the index alone.
            models.Index(
                fields=["state", "merged_into", "display_name", "id", "search_text"],
                name="candidate_public_list_idx",
            ),
        ]
        constraints = [wikidata_unique("candidate")]
        permissions = [
            ("publish_candidate", "Can publish and withdraw candidates"),
            ("merge_candidate", "Can merge two candidates who are one person"),
            ("import_sheets", "Can import spreadsheets (candidates, claims, articles, places ...)"),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.name_zh})" if self.name_zh else self.display_name

    def get_absolute_url(self):
        return reverse("elections:candidate-detail", kwargs={"slug": self.slug})


class CandidateName(models.Model):
    """One form of a candidate's name, as printed somewhere, with the passage it came from."""

    class Kind(models.TextChoices):
        HANS = "zh-Hans", _("Chinese characters (simplified)")
        HANT = "zh-Hant", _("Chinese characters (traditional)")
        PINYIN = "pinyin", _("pinyin")
        ENGLISH = "english", _("as printed in the English-language press")
        WADE_GILES = "wade-giles", _("Wade–Giles")
        OTHER = "other", _("other romanization or spelling")

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="names", verbose_name=_("candidate")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.ENGLISH, verbose_name=_("kind")
    )
    passage = models.ForeignKey(
        "sources.Passage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The passage this form was printed in, when it came from a press report."),
        verbose_name=_("passage"),
    )
    note = models.CharField(max_length=300, blank=True, verbose_name=_("note"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("candidate name")
        verbose_name_plural = _("candidate names")
        ordering = ["candidate", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "name"], name="candidate_name_unique"),
        ]

    def __str__(self):
        return self.name


class CandidateMerge(models.Model):
    """The record of one merge of two candidates who are one person, with what to undo it."""

    survivor = models.ForeignKey(
        Candidate,
        on_delete=models.PROTECT,
        related_name="merges_received",
        verbose_name=_("survivor"),
    )
    absorbed = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="merges_given", verbose_name=_("absorbed")
    )
    moved = models.JSONField(
        default=dict,
        help_text=_("What moved from the absorbed record, to undo the merge."),
        verbose_name=_("moved"),
    )
    note = models.TextField(blank=True, verbose_name=_("note"))
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("performed by"),
    )
    performed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("performed at"))
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("undone by"),
    )
    undone_at = models.DateTimeField(null=True, blank=True, verbose_name=_("undone at"))

    class Meta:
        verbose_name = _("candidate merge")
        verbose_name_plural = _("candidate merges")
        ordering = ["-performed_at"]

    def __str__(self):
        return gettext("%(absorbed)s merged into %(survivor)s") % {
            "absorbed": self.absorbed.display_name,
            "survivor": self.survivor.display_name,
        }
