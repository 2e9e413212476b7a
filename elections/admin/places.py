"""Places in the admin: the divisions `load_places` brings in, townships added by hand, aliases.

A search finds a place by any of its names as the lookups fold them (so "Hángzhōu", "杭州市"
and "hang zhou" all find Hangzhou), and by code. A place is saved by `place_create` or
`place_update`, which derive what was left blank and add the names made from the place's own;
a name is added by `place_name_add` and removed by `place_name_remove` (aliases only: the
generated names follow the place's own), never edited in place. Places are not deleted:
elections and claims point at them.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from elections.models import Place, PlaceName
from elections.places import fold_place_name
from elections.resources import PlaceResource
from elections.services import place_create, place_name_add, place_name_remove, place_update
from sources.admin.sheets import SheetAdminMixin

from .base import REFUSALS, ServiceHistoryAdmin, ServiceRefused
from .inlines import ServiceFormSet

# The fields of the place form the services save (province and city follow the parent).
PLACE_FIELDS = [
    "level",
    "name_zh",
    "short_zh",
    "name",
    "pinyin",
    "slug",
    "code",
    "wikidata",
    "parent",
]


class ProvinceFilter(admin.SimpleListFilter):
    """Places by province; the choices are the provinces only, not every place."""

    title = _("province")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        provinces = Place.objects.filter(level=Place.Level.PROVINCE).order_by("code")
        return [(str(province.pk), str(province)) for province in provinces]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(province_id=int(value))
        return queryset


class PlaceNameFormSet(ServiceFormSet):
    def create(self, obj, user):
        place_name_add(place=self.instance, name=obj.name, kind=obj.kind, acting_user=user)

    def remove(self, obj, user):
        place_name_remove(place_name=obj, acting_user=user)


class PlaceNameInline(admin.TabularInline):
    """The place's names: new ones added, aliases removed; a name is never edited in place."""

    model = PlaceName
    formset = PlaceNameFormSet
    fields = ["name", "kind", "key"]
    readonly_fields = ["key"]
    extra = 1

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Place)
class PlaceAdmin(SheetAdminMixin, ServiceHistoryAdmin):
    resource_classes = [PlaceResource]
    list_display = ["name", "name_zh", "pinyin", "level", "code", "province", "city"]
    list_filter = ["level", ProvinceFilter]
    list_select_related = ["province", "city"]
    search_fields = ["name", "name_zh", "pinyin", "code", "wikidata", "names__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    readonly_fields = ["province", "city"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "level",
                    "name_zh",
                    "short_zh",
                    "name",
                    "pinyin",
                    "slug",
                    "code",
                    "wikidata",
                ]
            },
        ),
        (_("Where it is"), {"fields": ["parent", "province", "city"]}),
    ]
    inlines = [PlaceNameInline]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        key = fold_place_name(search_term)
        if key:
            queryset |= self.model.objects.filter(names__key=key)
            may_have_duplicates = True
        return queryset, may_have_duplicates

    # Editors keep a place's other names (aliases) on its page without changing the place.
    NAME_PERMISSIONS = ("elections.add_placename", "elections.delete_placename")

    def _keeps_names_only(self, request):
        user = request.user
        return not user.has_perm("elections.change_place") and any(
            user.has_perm(perm) for perm in self.NAME_PERMISSIONS
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or (
            obj is not None and self._keeps_names_only(request)
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A past version is shown in a form that is never saved (and whose slug the page
        # prepopulates): the names-only view below is for the change page.
        request.sourcebook_history_page = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _names_only_page(self, request, obj):
        return (
            obj is not None
            and not getattr(request, "sourcebook_history_page", False)
            and self._keeps_names_only(request)
        )

    def get_readonly_fields(self, request, obj=None):
        if self._names_only_page(request, obj):
            return [name for _title, options in self.fieldsets for name in options["fields"]]
        return super().get_readonly_fields(request, obj)

    def get_prepopulated_fields(self, request, obj=None):
        if self._names_only_page(request, obj):
            return {}
        return super().get_prepopulated_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change and self._keeps_names_only(request):
            return
        data = form.cleaned_data
        fields = {name: data[name] for name in PLACE_FIELDS if name in data}
        try:
            if change:
                place = place_update(place=obj, acting_user=request.user, **fields)
            else:
                place = place_create(acting_user=request.user, **fields)
        except REFUSALS as error:
            raise ServiceRefused(error) from error
        self.adopt_saved(obj, place)
