"""What the elections admin classes share.

The services are the one way to write: an admin's `save_model` calls them, and when a service
refuses (ValidationError, PermissionDenied, an anchoring error) the save is rolled back and the
same form is shown again with the service's message on the field it names (the refusal
helpers are those of `sources.admin.refusals`, re-exported here). History is shown but never
reverted, since a revert would write past the services.

Deleting is not offered unless an admin names the service that removes (`remove_object`):
a record of the newsroom is corrected, rejected, withdrawn or merged, and its history kept,
rather than erased. An admin that offers it removes one object at a time from its page
(no bulk "delete selected"), and a refusal is shown on that page.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sources.admin.history import ReadOnlyHistoryAdmin
from sources.admin.refusals import (  # noqa: F401 (re-exported to the elections admin)
    REFUSALS,
    ServiceFormMixin,
    ServiceRefused,
    add_refusal,
    as_validation_error,
    refusal_message,
)
from sources.dates import PartialDate, PartialDateError
from sources.services.changes import field_shown, stale_revision_refusal

# The stylesheet of the elections admin pages (citations, badges, side-by-side passages).
ADMIN_CSS = {"all": ["elections/admin.css"]}


class RemovalRefused(Exception):
    """Raised from `delete_model` when the removing service refuses, to show why."""

    def __init__(self, error):
        super().__init__(refusal_message(error))


class ServiceHistoryAdmin(ServiceFormMixin, ReadOnlyHistoryAdmin):
    """An admin whose changes go through the services and whose history is read-only.

    Deleting is offered only by an admin that defines `remove_object(request, obj)`, which
    calls the service that removes; see the module docstring.
    """

    remove_object = None

    class Media:
        css = ADMIN_CSS

    def has_delete_permission(self, request, obj=None):
        if self.remove_object is None:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # One object at a time, from its page, where a refusal can be shown.
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except RemovalRefused as refused:
            messages.error(request, gettext("Not deleted: %(why)s") % {"why": refused})
            opts = self.opts
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            return HttpResponseRedirect(url)

    def delete_model(self, request, obj):
        try:
            self.remove_object(request, obj)
        except REFUSALS as error:
            raise RemovalRefused(error) from error

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


# The message of an object a bulk action refused, whole for each verb so that it translates.
REFUSED_MESSAGES = {
    "verified": _("Not verified: %(object)s (#%(number)s). %(why)s"),
    "rejected": _("Not rejected: %(object)s (#%(number)s). %(why)s"),
}


def report_refused(request, refused, *, verb):
    """One error message per refused object: `(object, why)` pairs from a bulk service."""
    for obj, why in refused:
        messages.error(
            request,
            REFUSED_MESSAGES[verb] % {"object": obj, "number": obj.pk, "why": why},
        )


def intermediate_page(model_admin, request, template, *, title, queryset, action, **context):
    """The page an action shows before it acts (a reason, a note, a choice), as the admin's own
    delete confirmation does: it posts back to the list with the same selection."""
    from django.contrib.admin import helpers

    opts = model_admin.opts
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": opts,
            "app_label": opts.app_label,
            "title": title,
            "queryset": queryset,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            **context,
        },
    )


class PartialDateField(forms.CharField):
    """A date known to a year, a month or a day, typed as YYYY, YYYY-MM or YYYY-MM-DD.

    Cleans to a `PartialDate`, or None when left empty.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"size": 12, "placeholder": "YYYY-MM-DD"})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, PartialDate):
            return value.isoformat()
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return PartialDate.parse(text)
        except PartialDateError as error:
            raise ValidationError(
                gettext("%(error)s; write YYYY, YYYY-MM or YYYY-MM-DD."),
                code="invalid",
                params={"error": str(error)},
            ) from error


def changes_since(model, pk, revision, fields):
    """What changed in the row `pk` of `model` since its `revision`: (label, old, new) triples.

    The state at `revision` is read from the row's history, so this works for any model with
    a `revision` counter and django-simple-history; empty when that state is not on record.
    """
    record = model.history.filter(id=pk, revision=revision).order_by("-history_date", "-pk").first()
    if record is None:
        return []
    then, now = record.instance, model.objects.get(pk=pk)
    changes = []
    for name in fields:
        field = model._meta.get_field(name)
        old, new = getattr(then, field.attname), getattr(now, field.attname)
        if old != new:
            changes.append((field.verbose_name, field_shown(then, field), field_shown(now, field)))
    return changes


def lost_update_error(model, pk, opened, current, fields):
    """The refusal of a save made on a form opened at revision `opened` when it is `current`."""
    changes = changes_since(model, pk, opened, fields)
    return stale_revision_refusal(model._meta.verbose_name, opened, current, changes)


def without_field(fieldsets, name):
    """`fieldsets` without the field `name` (a form-only field a read-only page cannot show)."""
    result = []
    for title, options in fieldsets:
        fields = []
        for entry in options["fields"]:
            if isinstance(entry, (list, tuple)):
                entry = tuple(field for field in entry if field != name)
                if entry:
                    fields.append(entry)
            elif entry != name:
                fields.append(entry)
        result.append((title, {**options, "fields": fields}))
    return result


def html_list(items, empty="–"):
    """A <ul> of already escaped or plain items (plain ones are escaped), or `empty`."""
    if not items:
        return empty
    return format_html(
        '<ul class="sb-plain-list">{}</ul>',
        format_html_join("", "<li>{}</li>", ((item,) for item in items)),
    )
