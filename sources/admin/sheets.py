"""Import and export of sheets in the admin (django-import-export), for every app's lists.

`SheetAdminMixin` gives a model admin django-import-export's import (upload, preview of
what each row will create, update or skip, then confirm) and export (of the list as
filtered) with the project's sheet formats: CSV in UTF-8, GB18030 or another encoding
(detected when unambiguous, or chosen as a format) and XLSX, cells neutralized on export.
Only users with the importers' permission (`elections.import_sheets`: the Importers group,
and superusers) see the import button; the import pages answer 403 to anyone else. A file over
`SOURCEBOOK_IMPORT_MAX_BYTES` is refused on the upload form, before it is read.

Between the preview and the confirm the sheet is kept in the database
(`sources.uploads.SheetUploadStorage`), under a token issued to the uploader: the confirm
reads it back for the same user only, before it expires, and deletes it. The confirm step
accepts only what its preview could have sent: a format and a resource that exist (else
400 with the form), and an upload of this user still waiting (else 400, "upload it again").

A sheet over `SOURCEBOOK_SHEET_TASK_BYTES` is checked as a task (`sources.tasks.sheet_preview`):
the upload is kept as above and the importer taken to the run's page, whose progress bar
counts the rows checked; once it succeeded, its preview page (`import/preview/<run id>/`, for
the run's owner only, while the upload is there) shows the preview the run kept, with the
confirm form, which imports the sheet as a task as well (`sources.tasks.sheet_confirm`).

The preview reads the same at any size (`sources.admin.previews`): the counts first, then the rows
with problems, each with its reasons written in the row and its bad cells marked, then the
other rows; each list is cut at a hundred rows, saying how many more there are. The
problems download as CSV (`import/errors/<token>/`) for the uploader only.

The export reads the list's filters from its query string, as the list does. The export
form's own field names there (`?format=0`, as an old bookmark of the export page has it)
are not filters and are left out; any other parameter the list cannot filter by answers
400, where the library let the lookup error out as a 500.
"""

import copy
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm

from sources.models import TaskRun
from sources.resources.base import IMPORT_PERMISSION
from sources.services.uploads import UploadMissing, upload_delete, upload_read
from sources.sheets import EXPORT_FORMATS, IMPORT_FORMATS, SheetError, check_size
from sources.uploads import SheetUploadStorage, uploads_by

from .previews import SheetPreview, errors_csv

UPLOAD_AGAIN = _("The uploaded sheet is no longer there: upload it again.")
# A run's label is stored with the run: translated when the run starts, in the language of
# the request that started it.


class SheetImportForm(ImportForm):
    """The upload form, refusing a file over the size limit before it is read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size, name=upload.name)
        except SheetError as error:
            raise ValidationError(str(error), code="too_large") from None
        return upload


# The query of a problems download that names the CSV a task kept, not a sheet to check.
KEPT = "kept=1"


def _index(value, count):
    """`value` if it is the index of one of `count` choices, else None."""
    value = str(value or "")
    # ASCII digits only: "²" is a digit to str.isdigit, and not to int().
    return value if value.isascii() and value.isdigit() and int(value) < count else None


class SheetConfirmImportForm(ConfirmImportForm):
    """The confirm step's form, refusing a format or resource the admin does not offer."""

    format_count = 0
    resource_count = 0

    def _index(self, name, count):
        value = _index(self.cleaned_data[name], count)
        if value is None:
            raise ValidationError(gettext("Start the import again."), code="invalid")
        return value

    def clean_format(self):
        return self._index("format", self.format_count)

    def clean_resource(self):
        if not self.cleaned_data["resource"]:
            return ""
        return self._index("resource", self.resource_count)


# The admin.


# The export form's fields, never filters of the list being exported.
EXPORT_FORM_FIELDS = ("format", "resource", "export_items")


class SheetAdminMixin(ImportExportMixin):
    """Sheet import (importers only) and export (of the filtered list) for a model admin.

    Put it first among the admin's bases and set `resource_classes`.
    """

    import_form_class = SheetImportForm
    confirm_form_class = SheetConfirmImportForm
    # Named here as in settings, so that no setting puts an upload in a temp folder again.
    tmp_storage_class = SheetUploadStorage
    # The sheet formats decode CSV themselves (sources.sheets.encodings); the library must not.
    from_encoding = None

    def get_urls(self):
        info = self.get_model_info()
        errors = path(
            "import/errors/<str:token>/",
            self.admin_site.admin_view(require_GET(self.import_errors_view)),
            name="{}_{}_import_errors".format(*info),
        )
        preview = path(
            "import/preview/<int:run_id>/",
            self.admin_site.admin_view(require_GET(self.import_preview_view)),
            name="{}_{}_import_preview".format(*info),
        )
        return [errors, preview, *super().get_urls()]

    def get_import_formats(self):
        return list(IMPORT_FORMATS)

    def get_export_formats(self):
        return list(EXPORT_FORMATS)

    def create_confirm_form(self, request, import_form=None):
        form = super().create_confirm_form(request, import_form)
        form.format_count = len(self.get_import_formats())
        form.resource_count = len(self.get_import_resource_classes(request))
        return form

    def write_to_tmp_storage(self, import_file, input_format):
        storage = self.get_tmp_storage_class()(
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
            file_name=PurePath(import_file.name or "").name,
            **self.get_tmp_storage_class_kwargs(),
        )
        storage.save(b"".join(import_file.chunks()))
        return storage

    def import_action(self, request, **kwargs):
        with uploads_by(request.user):
            queued = self._preview_as_task(request)
            if queued is not None:
                return queued
            response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        # The library names the stored upload on the uploaded file itself.
        upload = request.FILES.get("import_file") if request.method == "POST" else None
        token = getattr(upload, "tmp_storage_name", None)
        if context is None or token is None:
            return response
        result = context.get("result")
        if result is None:
            # Unreadable: nothing to confirm, and no problem by row to download.
            upload_delete(token=token, acting_user=request.user)
            return response
        form = context["form"]
        errors_url = ""
        if result.has_errors() or result.has_validation_errors():
            errors_url = self._errors_url(
                token, form.cleaned_data["format"], form.cleaned_data.get("resource")
            )
        resource_class = self.choose_import_resource_class(form, request)
        context["preview"] = SheetPreview.of(
            result,
            columns=getattr(resource_class, "columns", ()),
            file_name=PurePath(upload.name or "").name,
            errors_url=errors_url,
        )
        return response

    def _errors_url(self, token, format_index, resource_index):
        url = reverse(
            "admin:{}_{}_import_errors".format(*self.get_model_info()),
            args=[token],
            current_app=self.admin_site.name,
        )
        return url + "?" + urlencode({"format": format_index, "resource": resource_index or 0})

    def _preview_as_task(self, request):
        """Above `SOURCEBOOK_SHEET_TASK_BYTES`, the uploaded sheet is kept and checked as a
        task (`sources.tasks.sheet_preview`), and the importer is taken to its run's page;
        None for a smaller sheet, a form the library refuses itself, or no importer."""
        if request.method != "POST" or not self.has_import_permission(request):
            return None
        form = self.create_import_form(request)
        if not form.is_valid():
            return None
        import_file = form.cleaned_data["import_file"]
        if import_file.size <= settings.SOURCEBOOK_SHEET_TASK_BYTES:
            return None
        format_index = int(form.cleaned_data["format"])
        input_format = self.get_import_formats()[format_index]()
        storage = self.write_to_tmp_storage(import_file, input_format)
        file_name = PurePath(import_file.name or "").name
        from sources.tasks import start

        run = start(
            "sheet_preview",
            owner=request.user,
            arguments={
                "upload": storage.name,
                "model": self.model._meta.label_lower,
                "resource": int(form.cleaned_data.get("resource") or 0),
                "format": format_index,
                "file_name": file_name,
            },
            label=gettext("Check %(file)s before its import into %(things)s")
            % {
                "file": file_name or gettext("a sheet"),
                "things": self.model._meta.verbose_name_plural,
            },
        )
        messages.info(
            request,
            gettext(
                "The sheet is checked as a task (run #%(id)s); its progress shows here, "
                "then a link to its preview."
            )
            % {"id": run.pk},
        )
        return HttpResponseRedirect(reverse("admin:sources_taskrun_change", args=[run.pk]))

    def import_preview_view(self, request, run_id):
        """The preview a `sheet_preview` run kept, for the run's owner: the counts and rows,
        with the confirm form when the sheet has no problem (the confirm goes through
        `process_import`), else the problems and the upload form."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        run = TaskRun.objects.filter(
            pk=run_id, kind="sheet_preview", owner_id=request.user.pk
        ).first()
        arguments = run.arguments if run is not None else None
        model = self.model._meta.label_lower
        if not isinstance(arguments, dict) or arguments.get("model") != model:
            raise Http404("No such preview.")
        if run.state != TaskRun.State.SUCCEEDED or not isinstance(run.result, dict):
            messages.info(
                request, gettext("The sheet's check has not succeeded: no preview to show.")
            )
            return HttpResponseRedirect(reverse("admin:sources_taskrun_change", args=[run.pk]))
        token = arguments.get("upload", "")
        try:
            upload_read(token=token, owner=request.user)
        except UploadMissing:
            # Confirmed already, or expired.
            return self._upload_again(request)
        format_index = _index(str(arguments.get("format")), len(self.get_import_formats()))
        resource_index = _index(
            str(arguments.get("resource")), len(self.get_import_resource_classes(request))
        )
        if format_index is None or resource_index is None:
            raise Http404("No such preview.")
        data = run.result.get("preview") or {}
        errors_url = ""
        if data.get("has_problems"):
            kept = run.result.get("problems_upload")
            errors_url = (
                self._errors_url(kept, format_index, resource_index) + "&" + KEPT
                if kept
                else self._errors_url(token, format_index, resource_index)
            )
        context = self._import_context(request)
        context["preview"] = SheetPreview.from_json(data, errors_url=errors_url)
        context["preview_run"] = run
        if not errors_url:
            confirm_form = self.get_confirm_form_class(request)(
                initial={
                    "import_file_name": token,
                    "original_file_name": arguments.get("file_name", ""),
                    "format": format_index,
                    "resource": resource_index,
                }
            )
            context["confirm_form"] = confirm_form
            context["media"] = self.media + confirm_form.media
        return TemplateResponse(request, [self.import_template_name], context)

    def process_import(self, request, **kwargs):
        with uploads_by(request.user):
            queued = self._confirm_as_task(request)
            if queued is not None:
                return queued
            try:
                response = super().process_import(request, **kwargs)
            except UploadMissing:
                # Confirmed already, expired, another user's, or a name never issued.
                return self._upload_again(request)
        if isinstance(response, TemplateResponse):
            # The confirm form itself was refused (a format or resource never offered).
            response.status_code = 400
        return response

    def _confirm_as_task(self, request):
        """Above `SOURCEBOOK_SHEET_TASK_BYTES`, the confirmed sheet is imported as a task
        (`sources.tasks.sheet_confirm`) and the importer is taken to its run's page, where
        its progress shows; None for a smaller sheet, or a form the library refuses itself."""
        form = self.create_confirm_form(request)
        if not form.is_valid():
            return None
        token = form.cleaned_data["import_file_name"]
        try:
            stored = upload_read(token=token, owner=request.user)
        except UploadMissing:
            return self._upload_again(request)
        if stored.size <= settings.SOURCEBOOK_SHEET_TASK_BYTES:
            return None
        from sources.tasks import start

        run = start(
            "sheet_confirm",
            owner=request.user,
            arguments={
                "upload": token,
                "model": self.model._meta.label_lower,
                "resource": int(form.cleaned_data["resource"] or 0),
                "format": int(form.cleaned_data["format"]),
                "file_name": stored.file_name,
            },
            label=gettext("Import %(file)s into %(things)s")
            % {
                "file": stored.file_name or gettext("a sheet"),
                "things": self.model._meta.verbose_name_plural,
            },
        )
        messages.info(
            request,
            gettext("The sheet is imported as a task (run #%(id)s); its progress shows here.")
            % {"id": run.pk},
        )
        return HttpResponseRedirect(reverse("admin:sources_taskrun_change", args=[run.pk]))

    def _upload_again(self, request):
        """The import page, its upload form empty, saying the sheet must be uploaded again."""
        context = {**self._import_context(request), "upload_again": UPLOAD_AGAIN}
        return TemplateResponse(request, [self.import_template_name], context, status=400)

    def _import_context(self, request):
        """What the import page shows around a preview: its upload form, empty."""
        resources = [
            resource_class(**self.get_import_resource_kwargs(request))
            for resource_class in self.get_import_resource_classes(request)
        ]
        form_class = self.get_import_form_class(request)
        form = form_class(self.get_import_formats(), self.get_import_resource_classes(request))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "fields_list": [
                (
                    resource.get_display_name(),
                    [field.column_name for field in resource.get_user_visible_fields()],
                )
                for resource in resources
            ],
        }
        request.current_app = self.admin_site.name
        return context

    @staticmethod
    def _chosen(request, name, count):
        value = _index(request.GET.get(name, "0"), count)
        if value is None:
            raise BadRequest("Start the import again.")
        return int(value)

    @staticmethod
    def _errors_file_name(upload):
        stem = PurePath(upload.file_name or "sheet").stem or "sheet"
        return f"{stem} problems.csv"

    def import_errors_view(self, request, token):
        """The problems of the uploader's previewed sheet, as CSV: the upload is read again
        and checked again (a dry run), so the file says what the preview said. A big sheet's
        check (a task) kept its problems as CSV already (`KEPT` in the query): that file is
        sent as it is, costing the request nothing."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.GET.get(KEPT.split("=")[0]) == "1":
            try:
                kept = upload_read(token=token, owner=request.user)
            except UploadMissing:
                raise Http404("No such file: check the sheet again.") from None
            response = HttpResponse(bytes(kept.data), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = content_disposition_header(True, kept.file_name)
            return response
        formats = self.get_import_formats()
        resources = self.get_import_resource_classes(request)
        input_format = formats[self._chosen(request, "format", len(formats))](
            encoding=self.from_encoding
        )
        resource_class = resources[self._chosen(request, "resource", len(resources))]
        try:
            upload = upload_read(token=token, owner=request.user)
        except UploadMissing:
            raise Http404("No such upload: upload the sheet again.") from None
        try:
            dataset = input_format.create_dataset(bytes(upload.data))
        except Exception as error:
            # As the preview: whatever the reader raises, the file is not a sheet of this format.
            raise BadRequest("The sheet cannot be read in this format.") from error
        resource = resource_class(**self.get_import_resource_kwargs(request))
        result = resource.import_data(
            dataset,
            dry_run=True,
            raise_errors=False,
            file_name=upload.file_name,
            user=request.user,
        )
        response = HttpResponse(errors_csv(result), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(
            True, self._errors_file_name(upload)
        )
        return response

    def get_export_queryset(self, request):
        filters = request.GET.copy()
        for name in EXPORT_FORM_FIELDS:
            filters.pop(name, None)
        # A shallow copy: the view goes on reading the request it was given.
        listed = copy.copy(request)
        listed.GET = filters
        try:
            return super().get_export_queryset(listed)
        except IncorrectLookupParameters as error:
            raise BadRequest("The list cannot be filtered by these parameters.") from error

    def has_import_permission(self, request):
        return request.user.has_perm(IMPORT_PERMISSION)

    def has_export_permission(self, request):
        # The library lets any staff member export any list unless a setting names one
        # permission for all; an export shows what the list shows, so it takes the same.
        return self.has_view_permission(request)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SheetError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)
