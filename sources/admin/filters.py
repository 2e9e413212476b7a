"""Sidebar filters shared by the article and passage changelists.

The choices of a filter come from small tables, or from an index read a few entries at a
time: never from a DISTINCT over every article (see `distinct_values`).
"""

import datetime

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sources.models import Article, Passage

# A filter lists at most this many values read from an index.
MAX_CHOICES = 60


def distinct_values(queryset, field, *, limit=MAX_CHOICES):
    """The distinct non-empty values of `field` in `queryset`, in order, at most `limit`.

    Read by skipping through an index on `field` (a "loose index scan"): one query per
    value, each reading one index entry, rather than a DISTINCT over every row, which
    PostgreSQL computes by reading them all. For columns with a handful of values.
    """
    values = []
    rows = queryset.exclude(**{f"{field}__isnull": True}).exclude(**{field: ""}).order_by(field)
    rows = rows.values_list(field, flat=True)
    while len(values) < limit:
        following = rows.filter(**{f"{field}__gt": values[-1]}) if values else rows
        value = following.first()
        if value is None:
            break
        values.append(value)
    return values


def published_years(queryset, *, limit=MAX_CHOICES):
    """The years `queryset`'s articles were published in, latest first, at most `limit`:
    one query per year, each reading one entry of the index on `published_on`."""
    years = []
    dates = queryset.filter(published_on__isnull=False).order_by("-published_on")
    dates = dates.values_list("published_on", flat=True)
    while len(years) < limit:
        earlier = dates.filter(published_on__lt=datetime.date(years[-1], 1, 1)) if years else dates
        day = earlier.first()
        if day is None:
            break
        years.append(day.year)
    return years


class PublishedYearFilter(admin.SimpleListFilter):
    """Articles by the year they were published, whatever the date's precision."""

    title = _("year published")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = published_years(Article.objects.all())
        return [(str(year), str(year)) for year in years] + [("unknown", gettext("unknown"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "unknown":
            return queryset.filter(published_on__isnull=True)
        if value and value.isdigit():
            return queryset.filter(published_on__year=int(value))
        return queryset


class LanguageFilter(admin.SimpleListFilter):
    """Articles by the language code they were filed under (en, zh-Hans, zh-Hant)."""

    title = _("language")
    parameter_name = "language__exact"

    def lookups(self, request, model_admin):
        return [(code, code) for code in distinct_values(Article.objects.all(), "language")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(language=self.value())
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
