"""The annotate view: an article's text with its passages, where an editor selects a new one.

The browser sends the span as code-point offsets into the normalized text together with the
words it believes are there; the view saves the passage only when `text[start:end]` is
exactly those words, so a page loaded before the text changed cannot save a shifted span.
With `?reselect=<passage id>` the selection re-points that passage instead of adding one.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sources.anchoring import AnchoringError
from sources.models import AnchorStatus
from sources.services import passage_create_from_span, passage_reselect
from sources.services.passages import reselect_refusal

from .display import context_around, fits, highlighted_text

ANNOTATE_PERMISSION = "sources.annotate_article"


def can_annotate(user):
    """Whether `user` may select passages in articles (superusers always may)."""
    return user.is_active and user.has_perm(ANNOTATE_PERMISSION)


def _shorten(text, limit=80):
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SelectionForm(forms.Form):
    """A span of the article's text as the browser saw it, and the editor's note."""

    start = forms.IntegerField(
        min_value=0, help_text=_("Code point where the quote begins (the first is 0).")
    )
    end = forms.IntegerField(min_value=1, help_text=_("Code point after the quote's last."))
    exact = forms.CharField(
        strip=False,
        widget=forms.HiddenInput,
        error_messages={"required": _("Select the words to quote in the text first.")},
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What this passage is evidence of (optional)."),
    )

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article

    def clean_exact(self):
        # Browsers send every line break in a form as CRLF; the normalized text has LF only.
        return self.cleaned_data["exact"].replace("\r\n", "\n")

    def clean_note(self):
        return self.cleaned_data["note"].replace("\r\n", "\n")

    def clean(self):
        cleaned = super().clean()
        start, end, exact = cleaned.get("start"), cleaned.get("end"), cleaned.get("exact")
        if start is None or end is None or exact is None:
            return cleaned
        text = self.article.text
        if not start < end <= len(text):
            raise ValidationError(
                gettext(
                    "The span %(start)s–%(end)s is not inside the article's text of %(length)s "
                    "characters."
                ),
                code="outside",
                params={"start": start, "end": end, "length": len(text)},
            )
        found = text[start:end]
        if found != exact:
            raise ValidationError(
                gettext(
                    "The selected words do not match the article's text at %(start)s–%(end)s, "
                    "which reads “%(found)s” (you selected “%(exact)s”). The text may have "
                    "changed since the page was loaded: reload it and select again."
                ),
                code="mismatch",
                params={
                    "start": start,
                    "end": end,
                    "found": _shorten(found),
                    "exact": _shorten(exact),
                },
            )
        return cleaned


def _passage_to_reselect(request, article):
    value = request.GET.get("reselect")
    if not value:
        return None
    if not value.isdigit():
        raise Http404("No such passage.")
    passage = article.passages.filter(pk=int(value)).first()
    if passage is None:
        raise Http404("No such passage in this article.")
    return passage


def _initial(article, reselecting):
    """For a fuzzy match, start from the span the re-anchoring proposes."""
    if (
        reselecting is not None
        and reselecting.anchor_status == AnchorStatus.FUZZY
        and reselecting.anchored_version == article.version
        and fits(reselecting, article.text)
    ):
        return {"start": reselecting.start, "end": reselecting.end}
    return {}


def _save(request, form, article, reselecting):
    data = form.cleaned_data
    if reselecting is None:
        passage = passage_create_from_span(
            article=article,
            start=data["start"],
            end=data["end"],
            note=data["note"],
            acting_user=request.user,
        )
        messages.success(
            request,
            gettext("Saved passage %(id)s: “%(words)s”.")
            % {"id": passage.pk, "words": _shorten(passage.exact)},
        )
        return passage
    passage = passage_reselect(
        passage=reselecting, start=data["start"], end=data["end"], acting_user=request.user
    )
    messages.success(
        request,
        gettext("Passage %(id)s now points at “%(words)s”.")
        % {"id": passage.pk, "words": _shorten(passage.exact)},
    )
    return passage


def annotate_view(model_admin, request, object_id):
    """Show the article's text with its passages; on POST save the selected span."""
    article = model_admin.get_object(request, unquote(object_id))
    if article is None:
        raise Http404("No such article.")
    if not can_annotate(request.user):
        raise PermissionDenied
    reselecting = _passage_to_reselect(request, article)
    if request.method == "POST":
        form = SelectionForm(request.POST, article=article)
        if form.is_valid():
            try:
                passage = _save(request, form, article, reselecting)
            except AnchoringError as error:
                form.add_error(None, str(error))
            else:
                url = reverse("admin:sources_article_annotate", args=[article.pk])
                return HttpResponseRedirect(f"{url}#passage-{passage.pk}")
    else:
        form = SelectionForm(initial=_initial(article, reselecting), article=article)
        if reselecting is not None and reselect_refusal(reselecting):
            # Said before the editor selects anything; saving would be refused the same way.
            messages.error(request, reselect_refusal(reselecting))

    passages = list(article.passages.select_related("created_by").order_by("start", "end"))
    # An orphan's offsets belong to an older text, so it is listed but not highlighted.
    anchored = [
        passage
        for passage in passages
        if passage.anchor_status != AnchorStatus.ORPHANED
        and passage.anchored_version == article.version
    ]
    old_quote = None
    if reselecting is not None:
        old_quote = (reselecting.prefix, reselecting.exact, reselecting.suffix)
    proposed = None
    if reselecting is not None and _initial(article, reselecting):
        proposed = context_around(article.text, reselecting.start, reselecting.end)
    opts = model_admin.opts
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "app_label": opts.app_label,
        "title": gettext("Annotate: %(title)s") % {"title": article.title},
        "article": article,
        "form": form,
        "highlighted": highlighted_text(article.text, anchored, focus=reselecting),
        "text_length": len(article.text),
        "passages": passages,
        "reselecting": reselecting,
        "old_quote": old_quote,
        "proposed": proposed,
        "change_url": reverse("admin:sources_article_change", args=[article.pk]),
        "queue_url": reverse("admin:sources_passage_queue"),
    }
    context.update(model_admin.annotate_extra_context(request, article))
    status = 400 if form.is_bound and form.errors else 200
    return TemplateResponse(request, model_admin.annotate_template, context, status=status)
