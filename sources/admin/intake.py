"""Getting reports in from the admin: files uploaded (one or many), a page fetched from its
address (kept as fetched: its archived copy, `sources.fetching`) and text pasted, through the
very pipeline of `import_articles` (`sources.importing.ArticleImport`).

Whatever comes in is read as the command reads files: saved HTML pages through trafilatura,
Markdown, plain text in UTF-8 or GB18030, Word documents, PDFs and scans through
`sources.documents`. Pasted text is read in the format chosen for it, so pasted HTML is an
HTML page, never its tags. The import is all or nothing (one bad file and nothing is
written, every problem listed), an article already there is never duplicated, and the
outlet, title, address, date, byline and language given on the form fill what a file does
not say itself. Who may add articles may use it (`sources.add_article`).
"""

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sources.fetching import FetchRefused, fetch
from sources.importing import ArticleEntry, ArticleImport, ImportFailed
from sources.models import Article

PASTED = _("the pasted text")
PASTED_FORMATS = [
    (Article.Format.HTML, _("a saved HTML page (its source)")),
    (Article.Format.MARKDOWN, _("Markdown")),
    (Article.Format.TEXT, _("plain text")),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (Django's recipe for an <input type=file multiple>)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class IntakeForm(forms.Form):
    files = MultipleFileField(
        required=False,
        help_text=_(
            "Saved web pages (.html), Word documents, PDFs, scans (PNG, JPEG, TIFF), "
            "Markdown or plain text. Several at once are imported together."
        ),
    )
    address = forms.URLField(
        label=_("Or fetch a report from its address"),
        required=False,
        max_length=2000,
        help_text=_(
            "The page is kept as it was fetched (its archived copy), and cited beside the address."
        ),
    )
    pasted = forms.CharField(
        label=_("Or paste a report"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "class": "vLargeTextField"}),
    )
    pasted_format = forms.ChoiceField(
        label=_("What is pasted"),
        choices=PASTED_FORMATS,
        initial=Article.Format.HTML,
        required=False,
    )
    outlet = forms.CharField(
        required=False, max_length=200, help_text=_("Where a report does not name its outlet.")
    )
    title = forms.CharField(
        required=False, max_length=500, help_text=_("Where a report does not give its title.")
    )
    url = forms.URLField(required=False, max_length=2000, label=_("Address of the original"))
    published = forms.CharField(
        required=False, max_length=10, help_text=_("YYYY, YYYY-MM or YYYY-MM-DD.")
    )
    byline = forms.CharField(required=False, max_length=300)
    language = forms.CharField(required=False, max_length=35, help_text=_("en, zh-Hans, zh-Hant…"))

    def clean(self):
        data = super().clean()
        if not (data.get("files") or (data.get("pasted") or "").strip() or data.get("address")):
            raise forms.ValidationError(
                gettext("Choose files to upload, give an address to fetch, or paste a report.")
            )
        limit = settings.SOURCEBOOK_IMPORT_MAX_BYTES
        for upload in data.get("files") or ():
            if upload.size > limit:
                self.add_error(
                    "files",
                    gettext(
                        "%(name)s is %(size)s bytes, more than the %(limit)s a report "
                        "may be (SOURCEBOOK_IMPORT_MAX_BYTES)."
                    )
                    % {"name": upload.name, "size": f"{upload.size:,}", "limit": f"{limit:,}"},
                )
        return data


def intake_view(model_admin, request):
    """The intake page: the form, then the import, all or nothing."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = IntakeForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        problems, landing = _import(request, form.cleaned_data)
        if not problems:
            return HttpResponseRedirect(landing)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": gettext("Import reports"),
        "form": form,
        "problems": problems,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/sources/article/intake.html", context)


def _import(request, data):
    """Import what the form holds; ([problems], "") or ([], where to go next)."""
    importer = ArticleImport(acting_user=request.user)
    defaults = importer.defaults(
        outlet=data["outlet"],
        title=data["title"],
        url=data["url"],
        published=data["published"],
        byline=data["byline"],
        language=data["language"],
    )
    for upload in data.get("files") or ():
        name = PurePath(upload.name or "report").name
        importer.add_entry(
            ArticleEntry(path=PurePath(name), label=name, data=upload.read(), **defaults)
        )
    if data.get("address"):
        try:
            fetched = fetch(data["address"])
        except FetchRefused as refused:
            return [
                gettext("%(address)s: not fetched: %(reason)s")
                % {"address": data["address"], "reason": refused}
            ], ""
        fetched_defaults = {**defaults, "url": defaults.get("url") or data["address"]}
        html = "html" in fetched.content_type.lower()
        importer.add_entry(
            ArticleEntry(
                path=PurePath("fetched"),
                label=data["address"],
                data=fetched.data,
                source_format=Article.Format.HTML if html else None,
                archive=fetched,
                **fetched_defaults,
            )
        )
    pasted = (data.get("pasted") or "").strip()
    if pasted:
        importer.add_entry(
            ArticleEntry(
                path=PurePath("pasted"),
                label=str(PASTED),
                data=pasted.encode("utf-8"),
                source_format=data.get("pasted_format") or Article.Format.HTML,
                **defaults,
            )
        )
    try:
        result = importer.run()
    except ImportFailed as failed:
        return failed.problems, ""
    messages.success(request, result.summary())
    touched = [*result.created, *result.changed, *result.unchanged]
    if len(touched) == 1:
        return [], reverse("admin:sources_article_annotate", args=[touched[0].pk])
    return [], reverse("admin:sources_article_changelist")
