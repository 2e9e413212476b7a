"""A service's refusal, shown to the editor on the form they posted.

The admin's saves go through the services; when one refuses (ValidationError,
PermissionDenied, an anchoring error), `save_model` raises `ServiceRefused`: the admin's
transaction rolls back whatever the form had written, and the same form is shown again with
the service's message on the field it names and what the editor typed kept. The admins of
both apps share these (`elections.admin.base` re-exports them); `sources` imports nothing
from `elections`.
"""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from sources.anchoring import AnchoringError

# What a refused service call can raise; each becomes a message for the editor.
REFUSALS = (ValidationError, PermissionDenied, AnchoringError)


def as_validation_error(error):
    """A refusal of any kind as a ValidationError, keeping the fields it names."""
    if isinstance(error, ValidationError):
        return error
    return ValidationError(str(error))


def refusal_message(error):
    """One line for an admin message: every message of the refusal, joined."""
    return " ".join(as_validation_error(error).messages)


class ServiceRefused(Exception):
    """Raised from `save_model` or `delete_model` to roll back and say why."""

    def __init__(self, error):
        super().__init__(str(error))
        self.error = as_validation_error(error)

    @property
    def message(self):
        return refusal_message(self.error)


def add_refusal(form, error):
    """Put a refusal on `form`: on the fields it names that the form has, the rest on top."""
    error = as_validation_error(error)
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        if field in form.fields:
            form.add_error(field, field_errors)
        else:
            for message in ValidationError(field_errors).messages:
                if field == NON_FIELD_ERRORS:
                    form.add_error(None, message)
                else:
                    form.add_error(
                        None,
                        _("%(field)s: %(message)s")
                        % {"field": field.replace("_", " "), "message": message},
                    )


class ServiceFormMixin:
    """Shows a service's refusal in `save_model` as errors of the form that was posted.

    The first pass runs inside the admin's transaction, so raising `ServiceRefused` rolls back
    whatever was written; the second pass binds the same POST data to a form that carries the
    refusal as errors, so nothing is saved and the editor keeps what they typed.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            request._service_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form_class

        class RefusedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                add_refusal(self, refusal)
                return cleaned

        RefusedForm.__name__ = form_class.__name__
        return RefusedForm

    def save_formset(self, request, form, formset, change):
        """An inline whose formset has `save_through_services(user)` saves through it."""
        save = getattr(formset, "save_through_services", None)
        if save is None:
            super().save_formset(request, form, formset, change)
            return
        try:
            save(request.user)
        except REFUSALS as error:
            raise ServiceRefused(error) from error


class ServiceDeleteMixin:
    """Deletes through the service an admin names in `delete_object(obj, user)`.

    A refusal on the object's page is shown there as a message; in the list's "delete
    selected", every refused object is reported and the others are deleted (each service
    call is its own savepoint).
    """

    def delete_object(self, obj, user):
        # An admin that names no service deletes nothing: refused, never deleted directly.
        raise PermissionDenied(
            _("%(things)s are not deleted.")
            % {"things": str(obj._meta.verbose_name_plural).capitalize()}
        )

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceRefused as refused:
            messages.error(request, _("Not deleted. %(reason)s") % {"reason": refused.message})
            return HttpResponseRedirect(request.path.rsplit("delete/", 1)[0])

    def delete_model(self, request, obj):
        try:
            self.delete_object(obj, request.user)
        except REFUSALS as error:
            raise ServiceRefused(error) from error

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            try:
                self.delete_object(obj, request.user)
            except REFUSALS as error:
                messages.error(
                    request,
                    _("Not deleted: %(object)s. %(reason)s")
                    % {"object": obj, "reason": refusal_message(error)},
                )
