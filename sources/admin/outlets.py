"""Outlets in the admin: the publishers articles come from.

Every save and delete goes through the outlet services (`outlet_create`, `outlet_update`,
`outlet_delete`), which record who made the change in the outlet's history. An outlet that
articles come from cannot be deleted (the admin lists them as protected, and the service
refuses); only an outlet made by mistake, with no articles, can, by whoever holds the
delete permission (superusers: no role has it).
"""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from sources.models import Outlet
from sources.resources import OutletResource
from sources.services import outlet_create, outlet_delete, outlet_update

from .history import ReadOnlyHistoryAdmin
from .refusals import REFUSALS, ServiceDeleteMixin, ServiceFormMixin, ServiceRefused
from .sheets import SheetAdminMixin

# The fields of the outlet form, each handed to the services by name.
FORM_FIELDS = ["name", "slug", "kind", "homepage", "country", "language", "wikidata", "notes"]


@admin.register(Outlet)
class OutletAdmin(SheetAdminMixin, ServiceDeleteMixin, ServiceFormMixin, admin.ModelAdmin):
    resource_classes = [OutletResource]
    list_display = ["name", "kind", "country", "language", "article_count", "updated_at"]
    list_filter = ["kind", "language", "country"]
    search_fields = ["name", "slug", "homepage", "notes"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "slug", "kind", "homepage", "country", "language", "wikidata"]},
        ),
        (_("Internal"), {"fields": ["notes", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in FORM_FIELDS if name in form.cleaned_data}
        try:
            if change:
                changed = {name: data[name] for name in form.changed_data if name in data}
                outlet = outlet_update(outlet=obj, acting_user=request.user, **changed)
            else:
                outlet = outlet_create(acting_user=request.user, **data)
        except REFUSALS as error:
            raise ServiceRefused(error) from error
        ReadOnlyHistoryAdmin.adopt_saved(obj, outlet)

    def delete_object(self, obj, user):
        outlet_delete(outlet=obj, acting_user=user)

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, outlet):
        return outlet.article_count
