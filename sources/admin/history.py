"""History pages to read, never to post: who did what, when and why."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from sources.admin.widgets import CheckedAutocompleteMixin


def _valid_id(field, value):
    """`value` as `field` stores it, or 404: a history page of no possible row is not found."""
    try:
        return field.to_python(unquote(value))
    except (ValidationError, ValueError, TypeError):
        raise Http404("No such record.") from None


class ReadOnlyHistoryAdmin(CheckedAutocompleteMixin, SimpleHistoryAdmin):
    """django-simple-history's history pages, without revert.

    Every change goes through the services (which keep versions, re-anchor passages, check
    permissions and rules); a revert would write around them. The library saves a posted
    past version even when its revert button is hidden, so posts to it are refused.
    """

    def revert_disabled(self, request, obj=None):
        return True

    def history_view(self, request, object_id, extra_context=None):
        _valid_id(self.model._meta.pk, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        _valid_id(self.model._meta.pk, object_id)
        _valid_id(self.model.history.model._meta.pk, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    @staticmethod
    def adopt_saved(obj, saved):
        """After a service saved `saved` in place of the unsaved `obj` the admin built, give
        `obj` the row, since the admin goes on with it (logging, the redirect)."""
        for field in type(saved)._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding, obj._state.db = False, saved._state.db
