"""History pages to read, never to post: who did what, when and why."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's history pages, without revert.

    Every change goes through the services (which keep versions, re-anchor passages, check
    permissions and rules); a revert would write around them. The library saves a posted
    past version even when its revert button is hidden, so posts to it are refused.
    """

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
