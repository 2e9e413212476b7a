"""The project's admin site: every admin post runs as one unit of work.

Django's admin opens a transaction around a form and its inlines; the services called from
`save_model`, `save_formset`, actions and the custom views nest in it (see
`sources.audit.unit_of_work`), so one form, one action or one custom view commits or rolls
back whole, and the services' durable transactions are kept for callers that own no
transaction of their own (commands, tasks).
"""

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import BadRequest
from django.utils.translation import gettext

from sources.audit import unit_of_work


def _check_selected(request):
    """A list action names rows by id; anything else is a bad request, not a crash later."""
    # Imported here: this module is loaded with the apps, before the admin's widgets may be.
    from sources.admin.widgets import DATABASE_INTEGERS

    for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
        if not (value.isascii() and value.isdigit() and 0 < int(value) <= DATABASE_INTEGERS[-1]):
            raise BadRequest("A list action names its rows by their ids.")


def _tell_proposed(request, proposed):
    """Say which changes were recorded as proposals rather than made: the candidate is
    published, and its public record changes only when another reviewer accepts them."""
    if not proposed:
        return
    from django.contrib import messages

    listed = "; ".join(f"#{proposal.pk}: {proposal.summary}" for proposal in proposed)
    messages.warning(
        request,
        gettext(
            "%(candidate)s is published: your change waits for another reviewer to accept it, "
            "and the public record stays as it was until then (%(proposals)s)."
        )
        % {"candidate": proposed[0].candidate, "proposals": listed},
    )


class SourcebookAdminSite(admin.AdminSite):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Imported here: the site is made while apps load, before forms may be.
        from config.forms import SignInForm

        # The admin's own sign-in page is the site's only one.
        self.login_form = SignInForm

    def index(self, request, extra_context=None):
        """The desk (each person's work, by role: `elections.desk`) above the app list."""
        # Imported here: the site is made while apps load.
        from elections.desk import desk_for

        extra_context = {"desk": desk_for(request.user), **(extra_context or {})}
        return super().index(request, extra_context)

    def admin_view(self, view, cacheable=False):
        wrapped = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if request.method in ("GET", "HEAD", "OPTIONS"):
                return wrapped(request, *args, **kwargs)
            _check_selected(request)
            # Imported here: the site is made while apps load.
            from elections.services.proposals import collect_proposals

            try:
                with unit_of_work(), collect_proposals() as proposed:
                    response = wrapped(request, *args, **kwargs)
            except OverflowError as error:
                # A posted record id beyond any integer the database holds (SQLite's driver
                # refuses it before the query runs): the form's input was bad, nothing failed.
                raise BadRequest("A number in the form is larger than any record's.") from error
            _tell_proposed(request, proposed)
            return response

        inner.__name__ = getattr(view, "__name__", "admin_view")
        inner.__wrapped__ = wrapped
        for attribute in ("csrf_exempt", "login_required"):
            if hasattr(wrapped, attribute):
                setattr(inner, attribute, getattr(wrapped, attribute))
        return inner


class SourcebookAdminConfig(AdminConfig):
    default_site = "config.admin.SourcebookAdminSite"

    def ready(self):
        # Before the admin's modules import django-import-export's formats: imported first
        # from here, tablib's formats (openpyxl, numpy, PyYAML) load when a sheet is read or
        # written, not in every process that serves pages (`sources.sheets.formats`).
        import sources.sheets.formats  # noqa: F401

        super().ready()
        from django.contrib.auth import get_user_model
        from django.contrib.auth.admin import UserAdmin

        class AccountAdmin(UserAdmin):
            """People's accounts are deactivated, never deleted: the history of every record
            names who changed it, and a deleted account would blank those names."""

            def has_delete_permission(self, request, obj=None):
                return False

        user_model = get_user_model()
        if self.module.site.is_registered(user_model):
            self.module.site.unregister(user_model)
        self.module.site.register(user_model, AccountAdmin)
