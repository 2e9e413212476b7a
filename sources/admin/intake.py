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

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sources import tasks
from sources.importing import ImportFailed
from sources.intake import FIELDS, intake_import, pack, runs_as_task
from sources.models import Article
from sources.services.uploads import upload_create_reports

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
    """Import what the form holds; ([problems], "") or ([], where to go next). A batch too
    big for a request goes to a task (`sources.intake.runs_as_task`); the next page is then
    the task's, with its progress."""
    fields = {name: data.get(name) or "" for name in FIELDS}
    files = [(upload.name or "report", upload.read()) for upload in data.get("files") or ()]
    if runs_as_task(files):
        upload = upload_create_reports(
            data=pack(files), file_name="reports.zip", acting_user=request.user
        )
        run = tasks.start(
            "articles_intake",
            owner=request.user,
            arguments={
                "upload": upload.token,
                "fields": fields,
                "address": data.get("address") or "",
                "pasted": data.get("pasted") or "",
                "pasted_format": data.get("pasted_format") or "",
            },
        )
        messages.info(
            request,
            gettext(
                "The %(count)s reports are imported by a task: its page shows how far it has "
                "got, and what it found wrong if anything (then nothing is imported)."
            )
            % {"count": len(files)},
        )
        return [], reverse("admin:sources_taskrun_change", args=[run.pk])
    try:
        result = intake_import(
            acting_user=request.user,
            fields=fields,
            files=files,
            address=data.get("address") or "",
            pasted=data.get("pasted") or "",
            pasted_format=data.get("pasted_format") or "",
        )
    except ImportFailed as failed:
        return failed.problems, ""
    messages.success(request, result.summary())
    touched = [*result.created, *result.changed, *result.unchanged]
    if len(touched) == 1:
        return [], reverse("admin:sources_article_annotate", args=[touched[0].pk])
    return [], reverse("admin:sources_article_changelist")
