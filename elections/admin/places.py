"""Places in the admin: the divisions `load_places` brings in, townships added by hand, aliases.

A search finds a place by any of its names as the lookups fold them (so "Hángzhōu", "杭州市"
and "hang zhou" all find Hangzhou), and by code.
"""

from django.contrib import admin

from elections.models import Place, PlaceName
from elections.places import fold_place_name, place_save, place_sync_names
from elections.resources import PlaceResource
from sources.admin.sheets import SheetAdminMixin


class ProvinceFilter(admin.SimpleListFilter):
    """Places by province; the choices are the provinces only, not every place."""

    title = "province"
    parameter_name = "province"

    def lookups(self, request, model_admin):
        provinces = Place.objects.filter(level=Place.Level.PROVINCE).order_by("code")
        return [(str(province.pk), str(province)) for province in provinces]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(province_id=int(value))
        return queryset


class PlaceNameInline(admin.TabularInline):
    model = PlaceName
    fields = ["name", "kind", "key"]
    readonly_fields = ["key"]
    extra = 1


@admin.register(Place)
class PlaceAdmin(SheetAdminMixin, admin.ModelAdmin):
    resource_classes = [PlaceResource]
    list_display = ["name", "name_zh", "pinyin", "level", "code", "province", "city"]
    list_filter = ["level", ProvinceFilter]
    list_select_related = ["province", "city"]
    search_fields = ["name", "name_zh", "pinyin", "code", "names__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    readonly_fields = ["province", "city"]
    fieldsets = [
        (None, {"fields": ["level", "name_zh", "short_zh", "name", "pinyin", "slug", "code"]}),
        ("Where it is", {"fields": ["parent", "province", "city"]}),
    ]
    inlines = [PlaceNameInline]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        key = fold_place_name(search_term)
        if key:
            queryset |= self.model.objects.filter(names__key=key)
            may_have_duplicates = True
        return queryset, may_have_duplicates

    def save_model(self, request, obj, form, change):
        place_save(place=obj, sync_names=False)

    def save_related(self, request, form, formsets, change):
        # After the editor's names, so that a generated name never collides with one of them.
        super().save_related(request, form, formsets, change)
        place_sync_names(place=form.instance)
