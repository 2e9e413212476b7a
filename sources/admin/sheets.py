"""Import and export of sheets in the admin (django-import-export), for every app's lists.

`SheetAdminMixin` gives a model admin django-import-export's import (upload, preview of
what each row will create, update or skip, then confirm) and export (of the list as
filtered) with the project's sheet formats: CSV read in UTF-8 or GB18030 (detected, or
chosen as a format) and XLSX, cells neutralized on export. Only users with the importers'
permission (`elections.import_sheets`: the Importers group, and superusers) see the import
button; the import pages answer 403 to anyone else. A file over
`SOURCEBOOK_IMPORT_MAX_BYTES` is refused on the upload form, before it is read.
"""

from django.core.exceptions import ValidationError
from import_export.admin import ImportExportMixin
from import_export.forms import ImportForm

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


class SheetAdminMixin(ImportExportMixin):
    """Sheet import (importers only) and export (of the filtered list) for a model admin.

    Put it first among the admin's bases and set `resource_classes`.
    """

    import_form_class = SheetImportForm
    # The sheet formats decode CSV themselves (UTF-8 or GB18030); the library must not.
    from_encoding = None

    def get_import_formats(self):
        return list(IMPORT_FORMATS)

    def get_export_formats(self):
        return list(EXPORT_FORMATS)

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
