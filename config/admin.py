"""The project's admin site: every admin post runs as one unit of work.

Django's admin opens a transaction around a form and its inlines; the services called from
`save_model`, `save_formset`, actions and the custom views nest in it (see
`sources.audit.unit_of_work`), so one form, one action or one custom view commits or rolls
back whole, and the services' durable transactions are kept for callers that own no
transaction of their own (commands, tasks).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from sources.audit import unit_of_work


class SourcebookAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        wrapped = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if request.method in ("GET", "HEAD", "OPTIONS"):
                return wrapped(request, *args, **kwargs)
            with unit_of_work():
                return wrapped(request, *args, **kwargs)

        inner.__name__ = getattr(view, "__name__", "admin_view")
        inner.__wrapped__ = wrapped
        for attribute in ("csrf_exempt", "login_required"):
            if hasattr(wrapped, attribute):
                setattr(inner, attribute, getattr(wrapped, attribute))
        return inner


class SourcebookAdminConfig(AdminConfig):
    default_site = "config.admin.SourcebookAdminSite"
