"""Outlets in the admin: the publishers articles come from."""

from django.contrib import admin
from django.db.models import Count

from sources.models import Outlet
from sources.resources import OutletResource

from .sheets import SheetAdminMixin


@admin.register(Outlet)
class OutletAdmin(SheetAdminMixin, admin.ModelAdmin):
    resource_classes = [OutletResource]
    list_display = ["name", "kind", "country", "language", "article_count", "updated_at"]
    list_filter = ["kind", "language", "country"]
    search_fields = ["name", "slug", "homepage", "notes"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "homepage", "country", "language"]}),
        ("Internal", {"fields": ["notes", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, outlet):
        return outlet.article_count
