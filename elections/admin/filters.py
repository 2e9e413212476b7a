"""Sidebar filters of the candidate, claim and dispute lists, and the search by name."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from elections.models import Candidacy, Contradiction, DisputeClaim, Election, Place, Property
from elections.names import query_keys
from sources.dates import PartialDate, PartialDateError
from sources.models import Outlet


def name_search(term, *, prefix=""):
    """A condition finding candidates by any form of their name, as `query_keys` reads `term`.

    Matches when the folded query is in the candidate's `search_text` ("liu ping", "liuping",
    "刘萍"), or when every word of it is ("Ping Liu"). `prefix` reaches the candidate from
    another model ("candidate__"). None when the term holds nothing to look for.
    """
    field = f"{prefix}search_text__contains"
    whole = query_keys(term)
    if not whole:
        return None
    condition = Q(*(Q(**{field: key}) for key in whole))
    words = [query_keys(word) for word in term.split()]
    if len(words) > 1 and all(words):
        condition |= Q(*(Q(**{field: key}) for keys in words for key in keys))
    return condition


def open_contradictions_of_claim():
    """An Exists saying whether the outer claim is in a value group of an open dispute."""
    return Exists(
        DisputeClaim.objects.filter(
            claim=OuterRef("pk"), contradiction__status=Contradiction.Status.OPEN
        )
    )


class YesNoFilter(admin.SimpleListFilter):
    """A filter with the choices yes and no; a subclass says what yes means in `condition()`."""

    def lookups(self, request, model_admin):
        return [("yes", gettext("yes")), ("no", gettext("no"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(self.condition())
        if self.value() == "no":
            return queryset.filter(~self.condition())
        return queryset


class CandidacyProvinceFilter(admin.SimpleListFilter):
    """Candidates by the province of an election they stood in."""

    title = _("province of a candidacy")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        # From the elections (a small table) that have a candidacy, each one an index probe,
        # rather than from every candidacy.
        contested = Election.objects.filter(
            Exists(Candidacy.objects.filter(election=OuterRef("pk")))
        ).values("place__province")
        provinces = Place.objects.filter(level=Place.Level.PROVINCE, pk__in=contested).order_by(
            "code", "name"
        )
        return [(str(province.pk), str(province)) for province in provinces]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            runs = Candidacy.objects.filter(
                candidate=OuterRef("pk"), election__place__province_id=int(value)
            )
            return queryset.filter(Exists(runs))
        return queryset


class HasOpenContradictionsFilter(YesNoFilter):
    """Candidates with an open dispute on one of their questions."""

    title = _("open disputes")
    parameter_name = "contradicted"

    def condition(self):
        return Exists(
            Contradiction.objects.filter(candidate=OuterRef("pk"), status=Contradiction.Status.OPEN)
        )


class DisputedFilter(YesNoFilter):
    """Claims that are in a value group of an open dispute."""

    title = _("disputed (open dispute)")
    parameter_name = "disputed"

    def condition(self):
        return open_contradictions_of_claim()


class RecordedByFilter(admin.SimpleListFilter):
    """Claims recorded by the person looking, or by others (whom a reviewer may verify)."""

    title = _("recorded by")
    parameter_name = "recorded_by"

    def lookups(self, request, model_admin):
        return [
            ("me", pgettext("recorded by", "me")),
            ("others", pgettext("recorded by", "others")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(created_by=request.user)
        if self.value() == "others":
            return queryset.exclude(created_by=request.user)
        return queryset


class ContradictionStatusFilter(admin.SimpleListFilter):
    """Disputes by status; the open ones unless another choice is made.

    "reopened" is the open disputes that had a verdict before a new version appeared.
    """

    title = _("status")
    parameter_name = "status"
    DEFAULT = Contradiction.Status.OPEN
    REOPENED = "reopened"

    def lookups(self, request, model_admin):
        return [
            *Contradiction.Status.choices,
            (self.REOPENED, gettext("reopened: new version since the verdict")),
            ("all", pgettext("disputes", "all")),
        ]

    def choices(self, changelist):
        chosen = self.value() or self.DEFAULT
        for value, label in self.lookup_choices:
            yield {
                "selected": chosen == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.DEFAULT
        if value == "all":
            return queryset
        if value == self.REOPENED:
            return queryset.filter(status=Contradiction.Status.OPEN).exclude(verdict="")
        if value in Contradiction.Status.values:
            return queryset.filter(status=value)
        return queryset.none()


def question_label(property, on_date=""):
    """The property a dispute asks about, as a reader says it; a status with its date."""
    if property == Property.BIRTH_YEAR:
        return gettext("year of birth (and age)")
    label = Property(property).label if property in Property.values else property
    if on_date:
        try:
            when = PartialDate.parse_iso(on_date).display()
        except PartialDateError:  # "undated": a status whose date is not known
            when = on_date
        return gettext("%(property)s on %(date)s") % {"property": label, "date": when}
    return label


class ContradictionPropertyFilter(admin.SimpleListFilter):
    """Disputes by the property of their question (ages are asked as the year of birth)."""

    title = _("property")
    parameter_name = "property"

    def lookups(self, request, model_admin):
        asked = set(Contradiction.objects.order_by().values_list("property", flat=True).distinct())
        return [(value, question_label(value)) for value in Property.values if value in asked]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(property=self.value())
        return queryset


class ContradictionOutletFilter(admin.SimpleListFilter):
    """Disputes with a claim from the outlet in any of their value groups."""

    title = _("outlet")
    parameter_name = "outlet"

    def lookups(self, request, model_admin):
        outlets = Outlet.objects.filter(
            Exists(DisputeClaim.objects.filter(claim__article__outlet=OuterRef("pk")))
        ).order_by("name")
        return [(str(outlet.pk), outlet.name) for outlet in outlets]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(
                Exists(
                    DisputeClaim.objects.filter(
                        contradiction=OuterRef("pk"), claim__article__outlet_id=int(value)
                    )
                )
            )
        return queryset


class DeskFilter(admin.SimpleListFilter):
    """A list as one section of the person's desk shows it (the admin's index: what they have
    to do, `elections.desk`); a subclass names the desk's queues of its model."""

    title = _("your desk")
    parameter_name = "desk"
    queues: tuple[str, ...] = ()

    def lookups(self, request, model_admin):
        from elections.desk import QUEUES

        return [(key, QUEUES[key].title) for key in self.queues]

    def queryset(self, request, queryset):
        from elections.desk import QUEUES

        if self.value() in self.queues:
            chosen = QUEUES[self.value()].queryset(request.user)
            return queryset.filter(pk__in=chosen.values("pk"))
        return queryset


def desk_filter(*queues):
    """A `DeskFilter` for the desk's `queues` of one model."""
    return type("DeskFilter", (DeskFilter,), {"queues": queues})
