from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sources.dates import PartialDate, Precision

# The fields full-text search reads, in this order (sources.search).
SEARCHED = ("title", "byline", "url", "text")


class Article(models.Model):
    """One published piece, with its normalized text.

    `text` is what passages point into: normalized once on the way in (see `sources.text`).
    `source_text` is the same before the editor's boilerplate lines are removed, so that a
    change of boilerplate can be re-applied. Every change of `text` adds an `ArticleVersion`;
    every save adds one to `revision`, so that a form opened before someone else's save is
    refused instead of silently undoing it.
    """

    class Format(models.TextChoices):
        TEXT = "text", _("plain text")
        MARKDOWN = "markdown", _("Markdown")
        HTML = "html", _("saved HTML page")
        DOCX = "docx", _("Word document")
        PDF = "pdf", _("PDF")
        OCR = "ocr", _("scan read by OCR")

    outlet = models.ForeignKey(
        "sources.Outlet",
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("outlet"),
    )
    title = models.CharField(
        max_length=500,
        help_text=_("The headline, or a descriptive title when the outlet's is unknown."),
        verbose_name=_("title"),
    )
    url = models.URLField(
        max_length=1000,
        blank=True,
        help_text=_("The original's address; unique when given."),
        verbose_name=_("url"),
    )
    byline = models.CharField(max_length=300, blank=True, verbose_name=_("byline"))
    language = models.CharField(
        max_length=20,
        blank=True,
        help_text=_("BCP 47 code: en, zh-Hans, zh-Hant."),
        verbose_name=_("language"),
    )
    published_on = models.DateField(
        null=True,
        blank=True,
        help_text=_("The first day of the period the date is known to."),
        verbose_name=_("published on"),
    )
    published_precision = models.CharField(
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text=_("Whether the date is known to the year, the month or the day."),
        verbose_name=_("published precision"),
    )
    source_format = models.CharField(
        max_length=10, choices=Format.choices, default=Format.TEXT, verbose_name=_("source format")
    )
    archived_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("When its latest archived copy was fetched (ArchivedCopy), if it has one."),
        verbose_name=_("archived at"),
    )
    source_name = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("The file it was imported from."),
        verbose_name=_("source name"),
    )
    source_text = models.TextField(
        blank=True,
        help_text=_("The normalized text before boilerplate is removed."),
        verbose_name=_("source text"),
    )
    boilerplate = models.TextField(
        blank=True,
        help_text=_(
            "Lines to remove from the text (photo credits, sign-offs), one per line; "
            "every occurrence of each is removed."
        ),
        verbose_name=_("boilerplate"),
    )
    text = models.TextField(
        help_text=_("The normalized text that passages point into."), verbose_name=_("text")
    )
    version = models.PositiveIntegerField(
        default=1, help_text=_("The number of the current text version."), verbose_name=_("version")
    )
    notes = models.TextField(
        blank=True,
        help_text=_("Internal notes for editors; never shown to the public."),
        verbose_name=_("notes"),
    )
    revision = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text=_("Counts saves, to catch lost updates."),
        verbose_name=_("revision"),
    )
    # A database default too: rows written by older code or raw SQL (a restored backup, a
    # migration's historical model) start with no terms rather than failing.
    search_terms = models.TextField(
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text=_(
            "The search terms of the title, byline, address and text (sources.search), kept "
            "by save()."
        ),
        verbose_name=_("search terms"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    history = HistoricalRecords(excluded_fields=["source_text", "text", "search_terms"])

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"], condition=~Q(url=""), name="article_url_unique_when_given"
            ),
        ]
        indexes = [
            models.Index(fields=["outlet", "title"]),
            # The admin's list, newest first, read in index order (and the years it filters
            # by, read one entry a year); its languages, read one entry a language.
            models.Index(fields=["published_on", "id"], name="article_published_idx"),
            models.Index(fields=["language"], name="article_language_idx"),
        ]
        permissions = [("annotate_article", "Can select passages in an article")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.refresh_search_terms()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(SEARCHED) & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_terms"}
        super().save(*args, **kwargs)

    def refresh_search_terms(self):
        """Make `search_terms` follow the fields searched (a batch insert calls this)."""
        from sources.search import search_terms

        self.search_terms = search_terms(*(getattr(self, name) for name in SEARCHED))

    @property
    def published(self):
        """The publication date as a PartialDate (None when unknown)."""
        return PartialDate.from_stored(self.published_on, self.published_precision)

    @published.setter
    def published(self, value):
        if value is None:
            self.published_on, self.published_precision = None, Precision.DAY
        else:
            self.published_on, self.published_precision = value.earliest(), value.precision


class ArticleVersion(models.Model):
    """One version of an article's text, kept whenever the text changes."""

    class Reason(models.TextChoices):
        IMPORT = "import", _("imported")
        REIMPORT = "reimport", _("re-imported with a changed text")
        EDIT = "edit", _("edited")
        BOILERPLATE = "boilerplate", _("boilerplate changed")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="versions", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(verbose_name=_("number"))
    text = models.TextField(verbose_name=_("text"))
    reason = models.CharField(
        max_length=20, choices=Reason.choices, default=Reason.IMPORT, verbose_name=_("reason")
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

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="article_version_number_unique"
            ),
        ]

    def __str__(self):
        return gettext("%(article)s (version %(number)s)") % {
            "article": self.article,
            "number": self.number,
        }


class ArchivedCopy(models.Model):
    """A report as it was fetched from its address (`sources.fetching`): the bytes, when, from
    where, and their SHA-256, kept because reports vanish from the web. Citations link it
    beside the original address."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="archived_copies", verbose_name=_("article")
    )
    url = models.URLField(
        max_length=2000, help_text=_("The address it was fetched from."), verbose_name=_("url")
    )
    final_url = models.URLField(
        max_length=2000,
        help_text=_("Where it was found, after redirects."),
        verbose_name=_("final url"),
    )
    fetched_at = models.DateTimeField(verbose_name=_("fetched at"))
    content_type = models.CharField(max_length=200, blank=True, verbose_name=_("content type"))
    size = models.PositiveBigIntegerField(default=0, verbose_name=_("size"))
    sha256 = models.CharField(max_length=64, verbose_name=_("sha256"))
    data = models.BinaryField(verbose_name=_("data"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("archived copy")
        ordering = ["-fetched_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "sha256"], name="archived_copy_once")
        ]
        verbose_name_plural = _("archived copies")

    def __str__(self):
        return gettext("%(url)s as fetched on %(when)s") % {
            "url": self.final_url,
            "when": f"{self.fetched_at:%Y-%m-%d %H:%M}",
        }
