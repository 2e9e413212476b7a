from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sources.anchoring import CONTEXT, AnchorStatus

__all__ = ["AnchorStatus", "Passage", "PassageQuerySet"]


class PassageQuerySet(models.QuerySet):
    def needing_attention(self):
        """Passages an editor must look at: fuzzy matches and orphans."""
        return self.filter(anchor_status__in=[AnchorStatus.FUZZY, AnchorStatus.ORPHANED])


class Passage(models.Model):
    """A span of an article's text, anchored the way W3C Web Annotation does.

    `start` and `end` count Unicode code points of the article's normalized text (end
    excluded); `exact` is the quoted words, `prefix` and `suffix` up to 32 characters of
    context on each side. When the text changes the passage is re-anchored and `anchor_status`
    says how (see `sources.anchoring.reanchoring`): for a fuzzy match `start`/`end` point at
    the proposed span while `exact`, `prefix` and `suffix` still hold what the editor
    selected, and `similarity` how alike the two are, until an editor confirms; an orphan
    keeps its last offsets for reference but `anchored_version` tells which text they belong
    to. Every change is recorded in `history`, with the acting user.
    """

    CONTEXT = CONTEXT

    article = models.ForeignKey(
        "sources.Article",
        on_delete=models.CASCADE,
        related_name="passages",
        verbose_name=_("article"),
    )
    start = models.PositiveIntegerField(
        help_text=_("First code point of the span in the article text."), verbose_name=_("start")
    )
    end = models.PositiveIntegerField(
        help_text=_("Code point after the span's last."), verbose_name=_("end")
    )
    exact = models.TextField(help_text=_("The quoted words."), verbose_name=_("exact"))
    prefix = models.CharField(
        max_length=CONTEXT,
        blank=True,
        help_text=_("Up to 32 characters before the quote."),
        verbose_name=_("prefix"),
    )
    suffix = models.CharField(
        max_length=CONTEXT,
        blank=True,
        help_text=_("Up to 32 characters after the quote."),
        verbose_name=_("suffix"),
    )
    note = models.TextField(
        blank=True, help_text=_("The editor's note on this passage."), verbose_name=_("note")
    )
    anchor_status = models.CharField(
        max_length=10,
        choices=AnchorStatus.choices,
        default=AnchorStatus.EXACT,
        verbose_name=_("anchor status"),
    )
    anchored_version = models.PositiveIntegerField(
        default=1,
        help_text=_("The article text version the offsets refer to."),
        verbose_name=_("anchored version"),
    )
    similarity = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "For a fuzzy match, how alike (0–100) the proposed span and the quoted "
            "words are; empty otherwise."
        ),
        verbose_name=_("similarity"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    history = HistoricalRecords()

    objects = PassageQuerySet.as_manager()

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        ordering = ["article", "start"]
        indexes = [models.Index(fields=["anchor_status"])]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="passage_span_not_empty"),
        ]

    def __str__(self):
        quote = self.exact if len(self.exact) <= 60 else self.exact[:57] + "…"
        return f"“{quote}”"

    @property
    def needs_attention(self):
        return self.anchor_status in (AnchorStatus.FUZZY, AnchorStatus.ORPHANED)
