"""Articles and their text versions in the admin.

A new article goes through `article_create`. A change goes through `article_update` (the
other fields) and `article_set_text` (the text and boilerplate, so the old text is kept as a
version and every passage is re-anchored once), in the one transaction of the admin's post.
The form carries the revision it was opened at: a save on top of someone else's later one is
refused, the form shown again with what they changed, and nothing written.

Articles are never deleted here: their text versions cannot be, and claims cite them.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, SEARCH_VAR
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Length
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from sources.dates import PartialDate
from sources.extract import ExtractionError, extract_text
from sources.models import AnchorStatus, Article, ArticleVersion, Passage
from sources.resources import ArticleResource
from sources.search import MAX_QUERY_CHARS, highlights, search_articles
from sources.services import article_create, article_set_text, article_update
from sources.text import normalize_text

from .annotate import annotate_view, can_annotate
from .filters import ArticleNeedsAttentionFilter, LanguageFilter, PublishedYearFilter
from .history import ReadOnlyHistoryAdmin
from .intake import intake_view
from .paging import LargeListAdminMixin
from .refusals import REFUSALS, ServiceFormMixin, ServiceRefused
from .rows import LargeListChangeList
from .sheets import SheetAdminMixin

ATTENTION = [AnchorStatus.FUZZY, AnchorStatus.ORPHANED]
# The fields of the form `article_update` takes by their own names (the date is one more).
UPDATED_FIELDS = {
    "outlet",
    "title",
    "url",
    "byline",
    "language",
    "source_format",
    "source_name",
    "notes",
}
DATE_FIELDS = {"published_on", "published_precision"}


class ArticleAdminForm(forms.ModelForm):
    """The article form; `save_model` hands its fields to the services, with the revision
    the form was opened at."""

    opened_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = ["source_text", "boilerplate"]
        labels = {"source_text": _("Text")}
        help_texts = {
            "source_text": _(
                "The article's text before the boilerplate lines below are removed. "
                "Saving a change keeps the old text as a version and re-anchors every passage."
            )
        }
        widgets = {
            "source_text": forms.Textarea(attrs={"rows": 20, "class": "vLargeTextField"}),
            "boilerplate": forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "source_text" in self.fields:
            self.fields["source_text"].required = True
        if "source_format" in self.fields and not self.instance.pk:
            self.fields["source_format"].help_text = gettext(
                "Pasted HTML or Markdown is read as a page is: its text, never its tags."
            )
            # Text typed or pasted here is text, Markdown or HTML; documents and scans come
            # in as files (`import_articles`).
            pasted = (Article.Format.TEXT, Article.Format.MARKDOWN, Article.Format.HTML)
            self.fields["source_format"].choices = [
                choice for choice in self.fields["source_format"].choices if choice[0] in pasted
            ]
        if "opened_revision" in self.fields and self.instance.pk is not None:
            self.fields["opened_revision"].initial = self.instance.revision

    def clean_source_text(self):
        value = self.cleaned_data["source_text"]
        if not normalize_text(value):
            raise ValidationError(gettext("An article needs a text."), code="empty")
        return value

    def clean_boilerplate(self):
        return self.cleaned_data["boilerplate"].replace("\r\n", "\n")

    def clean(self):
        """Pasted HTML or Markdown becomes the text a reader sees, as `import_articles`
        makes it (`sources.extract`): never the tags or the markup."""
        data = super().clean()
        pasted, kind = data.get("source_text"), data.get("source_format")
        if (
            self.instance.pk
            or not pasted
            or kind
            not in (
                Article.Format.HTML,
                Article.Format.MARKDOWN,
            )
        ):
            return data
        try:
            extracted = extract_text(
                pasted.encode("utf-8"), name=gettext("the text"), source_format=kind
            )
        except ExtractionError as error:
            self.add_error("source_text", error.reason)
            return data
        data["source_text"] = extracted.text
        return data


def passages_counted(**condition):
    """The number of the outer article's passages (meeting `condition`) as a subquery: read
    for the rows of the page only, where a COUNT over a join would group every article."""
    counted = (
        Passage.objects.filter(article=OuterRef("pk"), **condition)
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class ArticleChangeList(LargeListChangeList):
    """The article list, without loading the texts it does not show; a search is full-text
    (`sources.search`), best match first unless a column is chosen to sort by, and then the
    text is read for the page's excerpts."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        unread = ["source_text", "boilerplate", "notes", "search_terms"]
        return queryset.defer(*unread) if self.query else queryset.defer("text", *unread)


@admin.register(Article)
class ArticleAdmin(SheetAdminMixin, LargeListAdminMixin, ServiceFormMixin, ReadOnlyHistoryAdmin):
    """Articles: newest first (the index on `published_on` and `id` serves the order), counted
    and filtered without reading every article (`sources.admin.paging`)."""

    resource_classes = [ArticleResource]
    form = ArticleAdminForm
    # "Import reports" beside the list's own tools (sources.admin.intake).
    change_list_template = "admin/sources/article/change_list.html"
    list_display = [
        "title",
        "outlet",
        "published_display",
        "language",
        "version",
        "passage_count",
        "attention_count",
        "annotate_link",
    ]
    list_select_related = ["outlet"]
    ordering = ["-published_on", "-id"]
    list_filter = [
        # Every outlet, from the outlets table (not a DISTINCT over the articles).
        "outlet",
        LanguageFilter,
        "source_format",
        "published_precision",
        PublishedYearFilter,
        ArticleNeedsAttentionFilter,
    ]
    # The search box reads the full-text index (title, byline, address, text), not these
    # fields; they only make Django show the box.
    search_fields = ["title"]
    search_help_text = _(
        "Words or names in any script, found in the title, byline, address or text; Chinese "
        "is matched inside runs of characters. Every word must appear."
    )
    autocomplete_fields = ["outlet"]
    readonly_fields = ["version", "passages_summary", "versions_list", "created_at", "updated_at"]
    add_fieldsets = [
        (None, {"fields": ["outlet", "title", "url", "byline", "language"]}),
        (_("Publication"), {"fields": [("published_on", "published_precision")]}),
        (_("Text"), {"fields": ["source_text", "boilerplate", "source_format", "source_name"]}),
        (_("Internal"), {"fields": ["notes"]}),
    ]
    fieldsets = [
        (None, {"fields": ["outlet", "title", "url", "byline", "language"]}),
        (_("Publication"), {"fields": [("published_on", "published_precision")]}),
        (_("Text"), {"fields": ["source_text", "boilerplate", "version", "passages_summary"]}),
        (_("Text versions"), {"fields": ["versions_list"]}),
        (
            _("Import and notes"),
            {"fields": ["source_format", "source_name", "notes", "created_at", "updated_at"]},
        ),
        (None, {"fields": ["opened_revision"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if self.has_change_permission(request, obj):
            return self.fieldsets
        # A reader's page is read-only: there is no save to hold to a revision.
        return self.fieldsets[:-1]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                passage_count=passages_counted(),
                attention_count=passages_counted(anchor_status__in=ATTENTION),
            )
        )

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def get_list_display(self, request):
        shown = list(self.list_display)
        if not can_annotate(request.user):
            shown.remove("annotate_link")
        if request.GET.get(SEARCH_VAR, "").strip():
            shown.insert(1, "search_matches")
        return shown

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        found = search_articles(queryset, search_term)
        if ORDER_VAR in request.GET:  # a column chosen to sort by wins over the rank
            found = found.order_by(*queryset.query.order_by)
        return found.annotate(search_query=Value(search_term[:MAX_QUERY_CHARS])), False

    @admin.display(description=_("Where the words appear"))
    def search_matches(self, obj):
        excerpts = highlights(obj.text, getattr(obj, "search_query", ""), count=2)
        if not excerpts:
            return _("in the title, byline or address")
        return format_html_join(mark_safe("<br>"), "{}", ((excerpt.html,) for excerpt in excerpts))

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("intake/", wrap(self.intake_view), name=f"{info}_intake"),
            path("<path:object_id>/annotate/", wrap(self.annotate_view), name=f"{info}_annotate"),
            *super().get_urls(),
        ]

    def intake_view(self, request):
        """Upload reports or paste one (`sources.admin.intake`)."""
        return intake_view(self, request)

    # A later panel beside the selection (a claim about a candidate) extends this template's
    # `side_panels` block and adds its context through `annotate_extra_context`.
    annotate_template = "admin/sources/article/annotate.html"

    def annotate_view(self, request, object_id):
        return annotate_view(self, request, object_id)

    def annotate_extra_context(self, request, article):
        """More context for the annotate view's template; none by default."""
        return {}

    def save_model(self, request, obj, form, change):
        try:
            if change:
                self._update(request, obj, form)
            else:
                self._create(request, obj, form)
        except REFUSALS as error:
            raise ServiceRefused(error) from error

    def _update(self, request, obj, form):
        data = form.cleaned_data
        changes = {name: data[name] for name in form.changed_data if name in UPDATED_FIELDS}
        if DATE_FIELDS & set(form.changed_data):
            changes["published"] = PartialDate.from_stored(
                data.get("published_on"), data.get("published_precision")
            )
        # Checks the revision (and locks the row) even when only the text changed.
        article = article_update(
            article=obj,
            expected_revision=data.get("opened_revision"),
            acting_user=request.user,
            **changes,
        )
        source_text, boilerplate = data["source_text"], data["boilerplate"]
        text_changed = normalize_text(source_text) != article.source_text
        boilerplate_changed = boilerplate != article.boilerplate
        reanchored = False
        if text_changed or boilerplate_changed:
            reanchored = article_set_text(
                article=article,
                text=source_text if text_changed else None,
                boilerplate=boilerplate if boilerplate_changed else None,
                reason=ArticleVersion.Reason.EDIT
                if text_changed
                else ArticleVersion.Reason.BOILERPLATE,
                acting_user=request.user,
            )
        self.adopt_saved(obj, article)
        if reanchored:
            self._report_reanchoring(request, obj)

    def _create(self, request, obj, form):
        data = form.cleaned_data
        article = article_create(
            outlet=data["outlet"],
            title=data["title"],
            text=data["source_text"],
            url=data.get("url", ""),
            byline=data.get("byline", ""),
            language=data.get("language", ""),
            published=PartialDate.from_stored(
                data.get("published_on"), data.get("published_precision")
            ),
            source_format=data.get("source_format") or Article.Format.TEXT,
            source_name=data.get("source_name", ""),
            boilerplate=data.get("boilerplate", ""),
            notes=data.get("notes", ""),
            acting_user=request.user,
        )
        self.adopt_saved(obj, article)

    def _report_reanchoring(self, request, article):
        waiting = article.passages.needing_attention().count()
        if waiting:
            queue = reverse("admin:sources_passage_queue") + f"?article={article.pk}"
            messages.warning(
                request,
                format_html(
                    gettext(
                        "The text is now version {version}; the previous one is kept. "
                        '{count} passage(s) need an editor: <a href="{url}">open the queue</a>.'
                    ),
                    version=article.version,
                    count=waiting,
                    url=queue,
                ),
            )
        else:
            messages.info(
                request,
                gettext(
                    "The text is now version %(version)s; the previous one is kept. "
                    "Every passage was found again."
                )
                % {"version": article.version},
            )

    @admin.display(description=_("published"), ordering="published_on")
    def published_display(self, article):
        published = article.published
        return published.display() if published else "–"

    @admin.display(description=_("passages"), ordering="passage_count")
    def passage_count(self, article):
        return article.passage_count

    @admin.display(description=_("need attention"), ordering="attention_count")
    def attention_count(self, article):
        if not article.attention_count:
            return 0
        queue = reverse("admin:sources_passage_queue") + f"?article={article.pk}"
        return format_html('<a href="{}">{}</a>', queue, article.attention_count)

    @admin.display(description=_("annotate"))
    def annotate_link(self, article):
        url = reverse("admin:sources_article_annotate", args=[article.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Annotate"))

    @admin.display(description=_("passages"))
    def passages_summary(self, article):
        counts = article.passages.aggregate(
            total=Count("pk"), waiting=Count("pk", filter=Q(anchor_status__in=ATTENTION))
        )
        listing = reverse("admin:sources_passage_changelist") + f"?article__id__exact={article.pk}"
        queue = reverse("admin:sources_passage_queue") + f"?article={article.pk}"
        return format_html(
            gettext(
                '<a href="{listing}">{total} passage(s)</a>; '
                '<a href="{queue}">{waiting} need attention</a>'
            ),
            listing=listing,
            total=counts["total"],
            queue=queue,
            waiting=counts["waiting"],
        )

    @admin.display(description=_("versions"))
    def versions_list(self, article):
        versions = (
            article.versions.select_related("created_by")
            .defer("text")
            .annotate(length=Length("text"))
            .order_by("-number")
        )
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:sources_articleversion_change", args=[version.pk]),
                    version.number,
                    version.get_reason_display(),
                    version.created_by or "–",
                    version.created_at.strftime("%Y-%m-%d %H:%M"),
                    version.length,
                )
                for version in versions
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext("version"),
            gettext("reason"),
            pgettext("made by", "by"),
            gettext("when (UTC)"),
            gettext("characters"),
            rows,
        )


@admin.register(ArticleVersion)
class ArticleVersionAdmin(admin.ModelAdmin):
    """Past texts of articles, for reading only: versions are made by changing the text."""

    list_display = ["article", "number", "reason", "created_by", "created_at"]
    list_filter = ["reason"]
    list_select_related = ["article", "created_by"]
    search_fields = ["article__title", "text"]
    readonly_fields = ["article", "number", "reason", "created_by", "created_at", "text"]
    fields = readonly_fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("text", "article__text", "article__source_text", "article__boilerplate")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
