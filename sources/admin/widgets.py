"""Autocomplete widgets that show back only a choice that can be a record.

Django's autocomplete widget looks up the posted value to show it again when a form comes
back with errors, and a value that is not an id ("abc", a number beyond the database's
integers) then fails inside the query while the page renders: a 500 for what is only bad
input. These widgets leave such a value out, so the form shows its own error instead.
"""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models

# The range of the database's largest integer column (PostgreSQL's and SQLite's).
DATABASE_INTEGERS = range(-(2**63), 2**63)


class _OnlyPossibleChoices:
    def _possible(self, values):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(getattr(remote, "field_name", None) or "pk")
        kept = []
        for value in values:
            try:
                python = target.to_python(value)
            except (ValidationError, ValueError, TypeError):
                continue
            integer = isinstance(target, models.IntegerField | models.AutoField)
            if integer and python is not None and python not in DATABASE_INTEGERS:
                continue
            kept.append(value)
        return kept

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, self._possible(value), attr)


class CheckedAutocompleteSelect(_OnlyPossibleChoices, AutocompleteSelect):
    pass


class CheckedAutocompleteSelectMultiple(_OnlyPossibleChoices, AutocompleteSelectMultiple):
    pass


class CheckedAutocompleteMixin:
    """For a ModelAdmin or an inline: its autocomplete fields use the checked widgets."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
