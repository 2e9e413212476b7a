"""Who may do what: the services check it themselves, whoever calls them."""

from django.core.exceptions import PermissionDenied


def require_perm(user, perm, action):
    """Raise PermissionDenied naming `action` unless `user` holds `perm` (app_label.codename)."""
    if user is None or not user.has_perm(perm):
        raise PermissionDenied(f"You may not {action}.")


def acting(instance, user, reason=""):
    """Mark `instance` so that its next history record names `user` and `reason`."""
    instance._history_user = user
    if reason:
        instance._change_reason = reason[:100]
    return instance
