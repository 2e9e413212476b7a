"""Sidebar filters shared by the article and passage changelists."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sources.models import Article, Passage


class PublishedYearFilter(admin.SimpleListFilter):
    """Articles by the year they were published, whatever the date's precision."""

    title = _("year published")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Article.objects.dates("published_on", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years] + [("unknown", gettext("unknown"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "unknown":
            return queryset.filter(published_on__isnull=True)
        if value and value.isdigit():
            return queryset.filter(published_on__year=int(value))
        return queryset


class ArticleNeedsAttentionFilter(admin.SimpleListFilter):
    """Articles with passages whose anchoring an editor must look at (fuzzy or orphaned)."""

    title = _("passages needing attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", gettext("some")), ("no", gettext("none"))]

    def queryset(self, request, queryset):
        waiting = Exists(Passage.objects.needing_attention().filter(article=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(waiting)
        if self.value() == "no":
            return queryset.filter(~waiting)
        return queryset


class PassageNeedsAttentionFilter(admin.SimpleListFilter):
    """Passages whose anchoring an editor must look at: fuzzy matches and orphans."""

    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", gettext("yes")), ("no", gettext("no"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.needing_attention()
        if self.value() == "no":
            return queryset.exclude(pk__in=Passage.objects.needing_attention().values("pk"))
        return queryset
