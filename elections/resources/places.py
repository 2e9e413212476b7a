"""The place sheet: divisions `load_places` does not know (townships, mostly), and aliases.

A row is a place at a level, under its parent (the `parent` column holds the parent's code
or name; a parent may be an earlier row of the same sheet, named by its code). A row with a
code is the place with that code; a row without one is matched by its Chinese name among the
parent's children. The rows are written by `elections.services.places_import`, which derives
the short name, pinyin, English name and slug the sheet leaves blank and adds the aliases,
each change with its history record naming the importer. Place sheets are small (a few
hundred townships), so places are written one by one; lookups are still batched.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections.models import Place, PlaceName
from elections.models.place import DIVISION_CODE, validate_division_code
from elections.places import _at_level
from elections.services import places_import
from elections.services.bulk import PlaceCache, require_import
from sources.resources.base import NEW, SKIP, UPDATE, Column, SheetResource, changes

from .lookups import place_label

LEVEL_WORDS = {
    Place.Level.PROVINCE: ("省", "省级"),
    Place.Level.CITY: ("市", "地级市", "prefecture"),
    Place.Level.COUNTY: ("区县", "县", "区", "district"),
    Place.Level.TOWNSHIP: ("乡镇", "乡", "镇", "街道", "subdistrict"),
}
_LEVELS = {
    word.casefold(): level
    for level in Place.Level
    for word in (level.value, level.label, *LEVEL_WORDS[level])
}
# The levels a place's parent may be at.
PARENT_LEVELS = {
    Place.Level.CITY: (Place.Level.PROVINCE,),
    Place.Level.COUNTY: (Place.Level.CITY, Place.Level.PROVINCE),
    Place.Level.TOWNSHIP: (Place.Level.COUNTY,),
}
NAME_FIELDS = ("name_zh", "name", "pinyin")


def read_level(text):
    level = _LEVELS.get(" ".join(text.split()).casefold())
    if level is None:
        choices = ", ".join(level.value for level in Place.Level)
        raise ValueError(f"“{text}” is not a level (the levels are {choices})")
    return level


def _split(text):
    return [" ".join(part.split()) for part in text.replace("；", ";").split(";") if part.strip()]


class PlaceResource(SheetResource):
    """Places and their aliases; see the module docstring."""

    columns = [
        Column("code", ("代码", "区划代码"), _("the GB/T 2260 code, when the place has one")),
        Column("level", ("级别",), _("province, city, county, township (省, 市, 区县, 乡镇)")),
        Column("name_zh", ("中文名",), _("the official Chinese name: 杭州市")),
        Column("name", ("名称", "english"), _("the English name (derived when blank)")),
        Column("pinyin", ("拼音",)),
        Column("parent", ("上级",), _("the code or name of the place it belongs to")),
        Column("aliases", ("别名",), _("other spellings, separated by ;")),
    ]
    required = [("name_zh", "code")]

    class Meta:
        model = Place
        fields = ()
        name = _("Places")

    def import_rows(self, rows, *, report, user, dry_run):
        require_import(user)
        cache = PlaceCache()
        cache.preload(row[name] for row in rows for name in ("name_zh", "parent"))
        codes = {row[name] for row in rows for name in ("code", "parent") if row[name].isdigit()}
        by_code = {place.code: place for place in Place.objects.filter(code__in=codes)}
        planned, seen = [], {}
        for row in rows:
            item = self._plan(row, report, cache, by_code, seen)
            if item is not None:
                planned.append(item)
        if report.problems or dry_run:
            return
        places_import(planned=planned, acting_user=user)

    def _plan(self, row, report, cache, by_code, seen):
        problems = len(report.problems)
        code = row["code"].strip()
        if code and not DIVISION_CODE.fullmatch(code):
            report.problem(row, "code", str(validate_division_code.message))
        key = code or (row["parent"], row["name_zh"])
        if key in seen:
            report.problem(
                row,
                "code" if code else "name_zh",
                gettext("the same place as row %(row)s") % {"row": seen[key]},
            )
        seen[key] = row.number
        level = None
        if row["level"]:
            try:
                level = read_level(row["level"])
            except ValueError as error:
                report.problem(row, "level", str(error))
        place = by_code.get(code) if code else None
        level = level or (place.level if place else None)
        if level is None:
            report.problem(row, "level", gettext("a new place needs its level"))
        parent = None
        if level and row["parent"]:
            parent = self._parent(row, level, cache, by_code, report)
        elif level and level != Place.Level.PROVINCE and place is None:
            report.problem(
                row, "parent", gettext("a new place needs its parent (its code or name)")
            )
        if len(report.problems) > problems:
            return None
        if place is None and not code:
            place = self._by_name(row, level, parent, cache, report)
            if place is False:
                return None
        aliases = _split(row["aliases"])
        if place is None:
            return self._plan_new(row, level, parent, code, aliases, report, by_code)
        values = {name: " ".join(row[name].split()) for name in NAME_FIELDS if row[name].strip()}
        was = {
            name: (getattr(place, name), value)
            for name, value in values.items()
            if getattr(place, name) != value
        }
        known = set(place.names.values_list("name", flat=True))
        aliases = [alias for alias in aliases if alias not in known]
        for name in was:
            setattr(place, name, values[name])
        if not was and not aliases:
            report.outcome(row, SKIP, gettext("unchanged"), place)
            return None
        summary = [changes(was)] if was else []
        if aliases:
            summary.append(gettext("adds aliases %(names)s") % {"names": ", ".join(aliases)})
        what = gettext("%(place)s: %(changes)s") % {
            "place": place_label(place),
            "changes": "; ".join(summary),
        }
        report.outcome(row, UPDATE, what, place)
        return place, aliases, bool(was)

    def _parent(self, row, level, cache, by_code, report):
        text = row["parent"]
        levels = PARENT_LEVELS.get(level, ())
        if text.isdigit():
            found = [by_code[text]] if text in by_code else []
        else:
            found = [p for p in cache.lookup(text) if any(_at_level(p, lv) for lv in levels)]
        if len(found) == 1:
            return found[0]
        if found:
            listed = "; ".join(place_label(place) for place in found)
            report.problem(
                row,
                "parent",
                gettext("“%(text)s” could be %(listed)s; give its code")
                % {"text": text, "listed": listed},
            )
        else:
            report.problem(
                row,
                "parent",
                gettext("no place “%(text)s” is known to hold a %(level)s")
                % {"text": text, "level": level},
            )
        return None

    def _by_name(self, row, level, parent, cache, report):
        if not row["name_zh"]:
            return None
        found = [
            place
            for place in cache.lookup(row["name_zh"], level=level)
            if place.level == level and (parent is None or place.parent_id == parent.pk)
        ]
        if len(found) > 1:
            listed = "; ".join(place_label(place) for place in found)
            report.problem(
                row,
                "name_zh",
                gettext("could be more than one place: %(listed)s") % {"listed": listed},
            )
            return False
        return found[0] if found else None

    def _plan_new(self, row, level, parent, code, aliases, report, by_code):
        if not row["name_zh"]:
            report.problem(row, "name_zh", gettext("a new place needs its Chinese name"))
            return None
        place = Place(
            level=level,
            name_zh=row["name_zh"],
            name=" ".join(row["name"].split()),
            pinyin=row["pinyin"],
            code=code or None,
            parent=parent,
            slug="-",
        )
        try:
            # The names and slug derived from the Chinese name are checked when it is saved.
            place.full_clean(
                exclude=["parent", "province", "city", "name", "pinyin", "short_zh", "slug"],
                validate_unique=False,
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    if name in row.values:
                        report.problem(row, name, message)
                    else:
                        report.problem(
                            row,
                            "",
                            gettext("%(field)s: %(error)s") % {"field": name, "error": message},
                        )
            return None
        place.slug = ""
        if code:
            by_code[code] = place
        what = gettext("creates %(name)s (%(level)s)") % {
            "name": place.name or place.name_zh,
            "level": level,
        }
        report.outcome(row, NEW, what, place)
        return place, aliases, True

    def export_records(self, queryset):
        places = queryset.select_related("parent").order_by("code", "name")
        aliases = {}
        for place_id, name in PlaceName.objects.filter(
            kind=PlaceName.Kind.ALIAS, place__in=queryset
        ).values_list("place_id", "name"):
            aliases.setdefault(place_id, []).append(name)
        for place in places.iterator(chunk_size=2000):
            parent = place.parent
            yield {
                "code": place.code or "",
                "level": place.level,
                "name_zh": place.name_zh,
                "name": place.name,
                "pinyin": place.pinyin,
                "parent": (parent.code or parent.name_zh) if parent else "",
                "aliases": "; ".join(sorted(aliases.get(place.pk, []))),
            }
