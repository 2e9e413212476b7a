"""The candidate list's filters, search and sort, read from the query string of /candidates/.

Every choice offered comes from published data only: the provinces and cities where a
published candidate stood, the outlets a public claim cites. The choice lists are read once
per request, and the filters compare slugs, so a filter costs no query of its own.
"""

import django_filters
from django import forms
from django.db.models import F, Func, Q
from django.db.models.lookups import In
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from elections import public
from elections.models import Candidacy, Candidate, CandidateDigest, Place, Status
from elections.names import search_patterns
from sources.models import Outlet

# Orders of the kept digests (`elections.models.CandidateDigest`), each read from an index.
SORTS = {
    "name": ("name", "pk"),
    "province": (F("province").asc(nulls_last=True), "name", "pk"),
    "status": ("status_rank", "name", "pk"),
    "verified": (F("last_verified").desc(nulls_last=True), "name", "pk"),
}


class Unindexed(Func):
    """A column as a sort key that no index provides, on PostgreSQL (`name || ''`,
    `status_rank + 0`): for a list narrowed by a name search, a place or an outlet.

    Such a filter reads every match anyway (the total comes with the page), and the matches
    come from their own index (the trigram index of names, the candidacies of a place), so
    sorting them is the cost of the matches. Given an index in the sort's order, PostgreSQL
    walks it instead, through every listed candidate, expecting the page to fill early: it
    does not, the window count needing every match (and the matches of a surname all sort
    together, late in the alphabet for Wang). SQLite reads the matches first either way.
    """

    template = "%(expressions)s"

    def as_postgresql(self, compiler, connection, **extra_context):
        kind = self.output_field.get_internal_type()
        if kind.endswith("IntegerField"):
            template = "(%(expressions)s + 0)"
        elif kind == "DateTimeField":
            template = "(%(expressions)s + interval '0 seconds')"
        else:
            template = "(%(expressions)s || '')"
        return self.as_sql(compiler, connection, template=template, **extra_context)


class Among(In):
    """`pk__among=<subquery of ids>`: `IN`, written on PostgreSQL as `= ANY(ARRAY(...))`.

    With `IN`, PostgreSQL (expecting fewer matches than a common surname has) hashes the
    matches and reads every listed digest to join them: 90,000 at 100,000 candidates, a
    cost that grows with the record. The array is read first, and each match is then found
    by its key, so the cost is that of the matches. SQLite looks the matches up either way.
    """

    lookup_name = "among"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


CandidateDigest._meta.pk.register_lookup(Among)


# The same orders for a list whose filter reads every match (`reads_every_match`).
SORTS_OF_MATCHES = {
    "name": (Unindexed("name"), "pk"),
    "province": (Unindexed("province").asc(nulls_last=True), "name", "pk"),
    "status": (Unindexed("status_rank"), "name", "pk"),
    "verified": (Unindexed("last_verified").desc(nulls_last=True), "name", "pk"),
}
SORT_CHOICES = [
    ("name", _("Name")),
    ("province", _("Province")),
    ("status", _("Status")),
    ("verified", _("Recently verified")),
]
NOT_REPORTED = "none"
SUBQUERY_FILTERS = ("q", "province", "city", "outlet")


def _attributes(attrs):
    """HTML attributes, each name and value escaped; True stands alone, False and None are
    left out (as Django's widget templates write them)."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )


class LeanSelect(forms.Select):
    """A select written out in Python, with the markup of Django's own template.

    Django renders a template for every option; a list page offers about a hundred options
    (cities, outlets), which made the form cost more than the rest of the page together.
    Every name, value and label is escaped here.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.format_value(value)
        attributes = _attributes(self.build_attrs(self.attrs, attrs))
        parts = [f'<select name="{escape(name)}"{attributes}>']
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(f'\n  <optgroup label="{escape(option_value)}">')
                parts.extend(self._option(value, text, chosen) for value, text in label)
                parts.append("\n  </optgroup>")
            else:
                parts.append(self._option(option_value, label, chosen))
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every interpolated part is escaped

    def _option(self, value, label, chosen):
        value = "" if value is None else str(value)
        selected = ""
        if value in chosen:
            selected = " selected"
            chosen.clear()  # one option only, as in Django's Select
        extra = self.option_attributes(label)
        return f'\n  <option value="{escape(value)}"{selected}{extra}>{escape(label)}</option>'

    def option_attributes(self, label):
        """Attributes an option adds beyond its value and selection, as HTML."""
        return ""


class LangSelect(LeanSelect):
    """A select whose options in Chinese characters carry their `lang` (示例日报)."""

    def option_attributes(self, label):
        lang = public.text_lang(str(label))
        return f' lang="{lang}"' if lang else ""


def _stood_in(**place):
    """Ids of the candidates with a candidacy in `place`, for `pk__in`."""
    return Candidacy.objects.filter(**place).order_by().values("candidate_id")


class CandidateFilter(django_filters.FilterSet):
    """Filters of the public candidate list; `sort` orders what the others leave."""

    q = django_filters.CharFilter(label=_("Name"), method="filter_name")
    province = django_filters.ChoiceFilter(
        label=_("Province"),
        empty_label=_("Any province"),
        method="filter_province",
        widget=LeanSelect,
    )
    city = django_filters.ChoiceFilter(
        label=_("City"), empty_label=_("Any city"), method="filter_city", widget=LeanSelect
    )
    status = django_filters.ChoiceFilter(
        label=_("Latest status"),
        empty_label=_("Any status"),
        choices=[*Status.choices, (NOT_REPORTED, _("no status reported"))],
        method="filter_status",
        widget=LeanSelect,
    )
    gender = django_filters.ChoiceFilter(
        label=_("Gender"),
        empty_label=_("Any gender"),
        choices=Candidate.Gender.choices,
        widget=LeanSelect,
    )
    outlet = django_filters.ChoiceFilter(
        label=_("Reported by"),
        empty_label=_("Any outlet"),
        method="filter_outlet",
        widget=LangSelect,
    )
    disputed = django_filters.ChoiceFilter(
        label=_("Disputed facts"),
        empty_label=pgettext_lazy("disputed facts", "Either"),
        choices=[("yes", _("outlets disagree")), ("no", _("no disagreement"))],
        method="filter_disputed",
        widget=LeanSelect,
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        empty_label=None,
        choices=SORT_CHOICES,
        method="filter_sort",
        widget=LeanSelect,
    )

    class Meta:
        model = CandidateDigest
        fields = ["q", "province", "city", "status", "gender", "outlet", "disputed", "sort"]

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = public.public_candidates()
        super().__init__(data, queryset, **kwargs)
        places = public.public_place_choices()
        self.filters["province"].extra["choices"] = places.provinces
        self.filters["city"].extra["choices"] = places.cities
        self.filters["outlet"].extra["choices"] = list(
            public.reporting_outlets().values_list("slug", "name")
        )

    @property
    def sort_key(self):
        """The sort in force: the one asked for when valid, else by name."""
        if not self.is_bound:
            return "name"
        self.form.errors  # noqa: B018 - validates the form, so that cleaned_data exists
        return self.form.cleaned_data.get("sort") or "name"

    @property
    def reads_every_match(self):
        """Whether listing a page reads every match anyway: a name search (its matches come
        from the trigram index of the digests' names), or a filter by the ids a subquery
        selects (a place, an outlet). Otherwise the page is read from an index of
        the digests and stops at the page's end."""
        if not self.is_bound:
            return False
        data = self.form.cleaned_data
        return any(data.get(name) for name in SUBQUERY_FILTERS)

    @property
    def kept_total(self):
        """The number of matches, when a kept count says it (the whole list, or a single
        filter by status, gender, disputes, province or outlet); else None (counted)."""
        from elections import tallies

        data = self.form.cleaned_data if self.is_bound and self.is_valid() else {}
        active = {name: value for name, value in data.items() if value and name != "sort"}
        if not active:
            return tallies.count(tallies.ALL, part="candidates")
        if len(active) != 1:
            return None
        ((name, value),) = active.items()
        if name == "status":
            return tallies.count(tallies.STATUS, part="" if value == NOT_REPORTED else value)
        if name == "gender":
            return tallies.count(tallies.GENDER, part=value)
        if name == "disputed":
            disputed = tallies.count(tallies.ALL, part="disputed")
            if value == "yes":
                return disputed
            return tallies.count(tallies.ALL, part="candidates") - disputed
        if name == "province":
            return tallies.count_of_slug(Place, tallies.PROVINCE, value, "")
        if name == "outlet":
            return tallies.count_of_slug(Outlet, tallies.OUTLET, value, "candidates")
        return None

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        sorts = SORTS_OF_MATCHES if self.reads_every_match else SORTS
        return queryset.order_by(*sorts[self.sort_key])

    def filter_name(self, queryset, name, value):
        patterns = search_patterns(value)
        if not patterns:
            return queryset.none()
        # The digests keep the listed candidates' folded names, with a trigram index of
        # their own on PostgreSQL: the matches are read from the digests alone.
        matches = Q()
        for pattern in patterns:
            matches |= Q(search_text__contains=pattern)
        return queryset.filter(matches)

    # Each filter below selects ids from the few rows that match (candidacies in a place,
    # claims of an outlet) or reads a digest's own columns, each with an index.

    def filter_province(self, queryset, name, value):
        return queryset.filter(pk__among=_stood_in(election__place__province__slug=value))

    def filter_city(self, queryset, name, value):
        return queryset.filter(pk__among=_stood_in(election__place__city__slug=value))

    def filter_status(self, queryset, name, value):
        return queryset.filter(status="" if value == NOT_REPORTED else value)

    def filter_outlet(self, queryset, name, value):
        reported = public.public_claims().filter(article__outlet__slug=value)
        return queryset.filter(pk__among=reported.order_by().values("candidate_id"))

    def filter_disputed(self, queryset, name, value):
        return queryset.filter(disputed=value == "yes")

    def filter_sort(self, queryset, name, value):
        # Ordering is applied last, in `filter_queryset`, after every filter has narrowed.
        return queryset
