"""A service's refusal, shown to the editor on the form they posted.

The admin's saves go through the services; when one refuses (ValidationError,
PermissionDenied, an anchoring error), `save_model` raises `ServiceRefused`: the admin's
transaction rolls back whatever the form had written, and the same form is shown again with
the service's message on the field it names and what the editor typed kept. The elections
admin shares the idea (`elections.admin.base`); `sources` cannot import it from there.
"""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpResponseRedirect

from sources.anchoring import AnchoringError

# What a refused service call can raise; each becomes a message for the editor.
REFUSALS = (ValidationError, PermissionDenied, AnchoringError)


class ServiceRefused(Exception):
    """Raised from `save_model` or `delete_model` to roll back and say why."""

    def __init__(self, error):
        super().__init__(str(error))
        self.error = error if isinstance(error, ValidationError) else ValidationError(str(error))

    @property
    def message(self):
        return " ".join(self.error.messages)


def add_refusal(form, error):
    """Put a refusal on `form`: on the fields it names that the form has, the rest on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        if field in form.fields:
            form.add_error(field, field_errors)
        else:
            for message in ValidationError(field_errors).messages:
                prefix = "" if field == NON_FIELD_ERRORS else f"{field.replace('_', ' ')}: "
                form.add_error(None, f"{prefix}{message}")


class ServiceFormMixin:
    """Shows a refusal raised in `save_model` as errors of the form that was posted, and one
    raised in `delete_model` as a message on the object's page.

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

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceRefused as refused:
            messages.error(request, f"Not deleted. {refused.message}")
            return HttpResponseRedirect(request.path.rsplit("delete/", 1)[0])

    def delete_each(self, request, queryset, delete):
        """Delete each object of `queryset` with the service `delete(obj, user)`, reporting
        every refusal; the others are deleted (each service call is its own savepoint)."""
        for obj in queryset:
            try:
                delete(obj, request.user)
            except REFUSALS as error:
                messages.error(request, f"Not deleted: {obj}. {ServiceRefused(error).message}")
