"""Place claims (province, city, district): the same place by any of its names, else the text.

A value that names known places normalizes to their ids at the claim's level; one that names
none compares as its folded text, so that a misprint ("Hongzhou") is flagged against the
real name until an editor adds it as an alias.

How a place at another level than the claim's is read:
- a place below it stands for its ancestor at the claim's level: a city claim of "Haidian"
  (a district of Beijing) is Beijing, a province claim of "Hangzhou" is Zhejiang, since the
  outlet named a place inside it. A county the province governs directly (济源, 仙桃) has no
  city and stands for itself in a city claim;
- a place above it is an error the editor sees: a city claim of "Zhejiang" names a province,
  not a city. The four municipalities (Beijing, Tianjin, Shanghai, Chongqing) are cities as
  well as provinces, so a city claim of "Beijing" is Beijing.
"""

from collections.abc import Mapping

from django.utils.translation import gettext

from elections.models import Place
from elections.normalizers.base import NormalizationError, Normalized
from elections.places import fold_place_name, lookup_places

# The level of place each claim property names.
PROPERTY_LEVELS = {
    "province": Place.Level.PROVINCE,
    "city": Place.Level.CITY,
    "district": Place.Level.COUNTY,
}
_DEPTH = {
    Place.Level.PROVINCE: 0,
    Place.Level.CITY: 1,
    Place.Level.COUNTY: 2,
    Place.Level.TOWNSHIP: 3,
}


def _as_level(place, level):
    """The place standing for `place` at `level`, or None when `place` is above it."""
    if place.level == level:
        return place
    if level == Place.Level.CITY and place.city_id == place.pk:
        return place
    if _DEPTH[place.level] < _DEPTH[level]:
        return None
    if level == Place.Level.PROVINCE:
        return place.province or place
    if level == Place.Level.CITY:
        return place.city or place
    ancestor = place
    while ancestor.parent is not None and _DEPTH[ancestor.level] > _DEPTH[level]:
        ancestor = ancestor.parent
    return ancestor


def normalize_place(value, *, level):
    """Read `value` as a place at `level` (a `Place.Level`).

    Known places give data {"place_ids": [...], "text": folded} and key "place:12" (ids joined
    by commas when the name is ambiguous); unknown spellings give {"text": folded} and key
    "text:hongzhou".
    """
    text = fold_place_name(value)
    if not text:
        raise NormalizationError(gettext("No place is named here."))
    found = lookup_places(value, level=level)
    if not found:
        return Normalized(key=f"text:{text}", data={"text": text})
    standing = {_as_level(place, level) for place in found}
    standing.discard(None)
    if not standing:
        names = ", ".join(f"{place} ({place.get_level_display()})" for place in found)
        raise NormalizationError(
            gettext("“%(value)s” names %(places)s, above the %(level)s this claim is about.")
            % {"value": value, "places": names, "level": Place.Level(level).label}
        )
    ids = sorted(place.pk for place in standing)
    return Normalized(key="place:" + ",".join(map(str, ids)), data={"place_ids": ids, "text": text})


def _data(value):
    if isinstance(value, Normalized):
        return value.data
    if isinstance(value, Mapping):
        return value
    raise TypeError(f"expected Normalized or its data, not {type(value).__name__}")


def place_conflicts(a, b):
    """Whether two normalized place values cannot both be true.

    Both known: a conflict when they share no place (an ambiguous name agrees with any of its
    places). Otherwise their folded texts are compared.
    """
    first, second = _data(a), _data(b)
    if first.get("place_ids") and second.get("place_ids"):
        return not set(first["place_ids"]) & set(second["place_ids"])
    return first.get("text") != second.get("text")
