"""Passages in the admin, and the queue of passages whose anchoring needs an editor.

Passages are made by selecting words in the annotate view, so there is no add form here;
only the note can be changed by hand (`passage_set_note`), and a passage nothing cites can be
deleted by whoever holds the delete permission (`passage_delete`; superusers only). The
queue shows each fuzzy match or orphan with the words the editor once selected beside what
the current text holds, and offers to confirm a fuzzy match (`passage_confirm`) or to
re-select the passage in the annotate view (`passage_reselect`).
"""

from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sources.anchoring import AnchoringError
from sources.models import AnchorStatus, Passage
from sources.services import passage_confirm, passage_delete, passage_set_note

from .annotate import can_annotate
from .display import context_around, fits
from .filters import PassageNeedsAttentionFilter
from .history import ReadOnlyHistoryAdmin
from .refusals import REFUSALS, ServiceDeleteMixin, ServiceFormMixin, ServiceRefused

QUEUE_PAGE_SIZE = 50
ARTICLE_TEXTS = ("article__text", "article__source_text", "article__boilerplate")


@dataclass(frozen=True)
class QueueRow:
    """One passage in the queue: the words once selected, and where they may be now."""

    passage: Passage
    selected: tuple[str, str, str]
    proposed: tuple[str, str, str] | None
    reselect_url: str


def _queue_row(passage):
    article = passage.article
    proposed = None
    if (
        passage.anchor_status == AnchorStatus.FUZZY
        and passage.anchored_version == article.version
        and fits(passage, article.text)
    ):
        proposed = context_around(article.text, passage.start, passage.end)
    annotate = reverse("admin:sources_article_annotate", args=[article.pk])
    return QueueRow(
        passage=passage,
        selected=(passage.prefix, passage.exact, passage.suffix),
        proposed=proposed,
        reselect_url=f"{annotate}?reselect={passage.pk}",
    )


def _confirm(request, passages):
    """Confirm each fuzzy match among `passages`; return how many were confirmed."""
    confirmed = 0
    for passage in passages:
        if passage.anchor_status != AnchorStatus.FUZZY:
            messages.warning(
                request,
                gettext("Passage %(id)s is not a fuzzy match; left as is.") % {"id": passage.pk},
            )
            continue
        try:
            passage_confirm(passage=passage, acting_user=request.user)
        except AnchoringError as error:
            messages.error(
                request,
                gettext("Passage %(id)s could not be confirmed: %(error)s")
                % {"id": passage.pk, "error": error},
            )
        else:
            confirmed += 1
    return confirmed


class PassageChangeList(ChangeList):
    """The passage list, without loading the texts of the articles it names."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer(*ARTICLE_TEXTS)


@admin.register(Passage)
class PassageAdmin(ServiceDeleteMixin, ServiceFormMixin, ReadOnlyHistoryAdmin):
    list_display = ["quote", "article", "anchor_status", "note_excerpt", "created_by", "updated_at"]
    list_select_related = ["article", "created_by"]
    list_filter = [
        PassageNeedsAttentionFilter,
        "anchor_status",
        ("article__outlet", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["exact", "note", "article__title", "article__outlet__name"]
    readonly_fields = [
        "article_link",
        "quote_in_context",
        "start",
        "end",
        "anchor_status",
        "anchored_version",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fields = ["article_link", "quote_in_context", "note", *readonly_fields[2:]]
    actions = ["confirm_proposed_spans"]

    def get_changelist(self, request, **kwargs):
        return PassageChangeList

    def has_add_permission(self, request):
        # A passage is made by selecting its words in the annotate view, never typed in.
        return False

    def has_annotate_permission(self, request):
        return can_annotate(request.user)

    def save_model(self, request, obj, form, change):
        # Only the note is edited here; the span changes through the services alone, so a
        # form built on an old historical version cannot put old offsets back.
        try:
            passage = passage_set_note(
                passage=obj, note=form.cleaned_data["note"], acting_user=request.user
            )
        except REFUSALS as error:
            raise ServiceRefused(error) from error
        self.adopt_saved(obj, passage)

    def delete_object(self, obj, user):
        passage_delete(passage=obj, acting_user=user)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_queue"
        view = self.admin_site.admin_view(self.queue_view)
        return [path("queue/", view, name=name), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "queue_count": Passage.objects.needing_attention().count(),
            "queue_url": reverse("admin:sources_passage_queue"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def queue_view(self, request):
        """The passages whose anchoring needs an editor, old words beside the current text."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            if not can_annotate(request.user):
                raise PermissionDenied
            passage_id = request.POST.get("passage", "")
            passage = get_object_or_404(Passage, pk=int(passage_id) if passage_id.isdigit() else 0)
            if _confirm(request, [passage]):
                messages.success(
                    request,
                    gettext("Passage %(id)s now quotes the proposed span.") % {"id": passage.pk},
                )
            return HttpResponseRedirect(request.get_full_path())
        queryset = Passage.objects.needing_attention().select_related(
            "article", "article__outlet", "created_by"
        )
        article_id = request.GET.get("article", "")
        if article_id.isdigit():
            queryset = queryset.filter(article_id=int(article_id))
        queryset = queryset.defer("article__source_text", "article__boilerplate")
        page = Paginator(
            queryset.order_by("article__title", "article_id", "start"), QUEUE_PAGE_SIZE
        ).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "title": gettext("Passages needing attention"),
            "page": page,
            "rows": [_queue_row(passage) for passage in page.object_list],
            "can_annotate": can_annotate(request.user),
            "article_id": article_id if article_id.isdigit() else "",
            "changelist_url": reverse("admin:sources_passage_changelist"),
        }
        return TemplateResponse(request, "admin/sources/passage/queue.html", context)

    @admin.action(permissions=["annotate"], description=_("Confirm proposed spans"))
    def confirm_proposed_spans(self, request, queryset):
        confirmed = _confirm(request, queryset.select_related("article"))
        self.message_user(
            request,
            gettext("Confirmed %(count)s passage(s).") % {"count": confirmed},
            messages.SUCCESS,
        )

    @admin.display(description=_("quote"), ordering="exact")
    def quote(self, passage):
        return str(passage)

    @admin.display(description=_("note"))
    def note_excerpt(self, passage):
        return passage.note if len(passage.note) <= 60 else passage.note[:59] + "…"

    @admin.display(description=_("article"))
    def article_link(self, passage):
        change = reverse("admin:sources_article_change", args=[passage.article_id])
        annotate = reverse("admin:sources_article_annotate", args=[passage.article_id])
        return format_html(
            gettext(
                '<a href="{change}">{article}</a> '
                '(<a href="{annotate}#passage-{id}">in the annotate view</a>)'
            ),
            change=change,
            article=passage.article,
            annotate=annotate,
            id=passage.pk,
        )

    @admin.display(description=_("quote in the current text"))
    def quote_in_context(self, passage):
        text = passage.article.text
        if passage.anchor_status == AnchorStatus.ORPHANED or not fits(passage, text):
            return format_html(
                gettext("<em>Not found in the current text.</em> Selected words: “{words}”"),
                words=passage.exact,
            )
        before, span, after = context_around(text, passage.start, passage.end)
        return format_html(
            '<span class="passage-context">…{}<mark>{}</mark>{}…</span>', before, span, after
        )
