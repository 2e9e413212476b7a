"""Import and export of sheets in the admin (django-import-export), for every app's lists.

`SheetAdminMixin` gives a model admin django-import-export's import (upload, preview of
what each row will create, update or skip, then confirm) and export (of the list as
filtered) with the project's sheet formats: CSV read in UTF-8 or GB18030 (detected, or
chosen as a format) and XLSX, cells neutralized on export. Only users with the importers'
permission (`elections.import_sheets`: the Importers group, and superusers) see the import
button; the import pages answer 403 to anyone else. A file over
`SOURCEBOOK_IMPORT_MAX_BYTES` is refused on the upload form, before it is read.

The confirm step accepts only what its preview could have sent: a format and a resource
that exist, and an uploaded file still waiting; anything else answers the form's errors or
400, where the library failed with a 500.

The export reads the list's filters from its query string, as the list does. The export
form's own field names there (`?format=0`, as an old bookmark of the export page has it)
are not filters and are left out; any other parameter the list cannot filter by answers
400, where the library let the lookup error out as a 500.
"""

import copy

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, ValidationError
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm

from sources.resources.base import IMPORT_PERMISSION
from sources.sheets import EXPORT_FORMATS, IMPORT_FORMATS, SheetError, check_size


class SheetImportForm(ImportForm):
    """The upload form, refusing a file over the size limit before it is read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size, name=upload.name)
        except SheetError as error:
            raise ValidationError(str(error), code="too_large") from None
        return upload


class SheetConfirmImportForm(ConfirmImportForm):
    """The confirm step's form, refusing a format or resource the admin does not offer."""

    format_count = 0
    resource_count = 0

    def _index(self, name, count):
        value = self.cleaned_data[name]
        if not value.isdigit() or int(value) >= count:
            raise ValidationError("Start the import again.", code="invalid")
        return value

    def clean_format(self):
        return self._index("format", self.format_count)

    def clean_resource(self):
        if not self.cleaned_data["resource"]:
            return ""
        return self._index("resource", self.resource_count)


# The export form's fields, never filters of the list being exported.
EXPORT_FORM_FIELDS = ("format", "resource", "export_items")


class SheetAdminMixin(ImportExportMixin):
    """Sheet import (importers only) and export (of the filtered list) for a model admin.

    Put it first among the admin's bases and set `resource_classes`.
    """

    import_form_class = SheetImportForm
    confirm_form_class = SheetConfirmImportForm
    # The sheet formats decode CSV themselves (UTF-8 or GB18030); the library must not.
    from_encoding = None

    def get_import_formats(self):
        return list(IMPORT_FORMATS)

    def get_export_formats(self):
        return list(EXPORT_FORMATS)

    def create_confirm_form(self, request, import_form=None):
        form = super().create_confirm_form(request, import_form)
        form.format_count = len(self.get_import_formats())
        form.resource_count = len(self.get_import_resource_classes(request))
        return form

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError as error:
            # The preview's upload is gone (confirmed twice, or a name that never was one).
            raise BadRequest("The uploaded sheet is no longer there: upload it again.") from error

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
