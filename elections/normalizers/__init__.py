"""What a claim's value means, and when two values cannot both be true.

Every `Property` has a kind (`KIND`), and every kind one normalizer and one comparison:

- `normalize(property, value, as_of=...)` reads the value as the outlet printed it into a
  `Normalized` (a key for editors and equality, and data for the comparison), or raises
  `NormalizationError` with a message for the editor;
- `conflicts(property, a, b, a_as_of=..., b_as_of=...)` says whether two normalized values
  of that property contradict each other; `is_compared(property)` is False for the kinds that
  are never flagged automatically (many values, dated series).

Age and year of birth are both read as a range of birth dates, so either property compares
an age with a year of birth. Everything here is pure, except places: the place normalizer
reads the Place table, and is imported only when a place is normalized.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext

from elections.models.claim import Property

from . import numbers, people, statuses, text
from .base import NormalizationError, Normalized
from .text import as_partial_date

__all__ = [
    "KIND",
    "Kind",
    "NormalizationError",
    "Normalized",
    "conflicts",
    "is_compared",
    "normalize",
]


class Kind(StrEnum):
    """How a property's values are read and compared."""

    NAME = "name"
    GENDER = "gender"
    BIRTH_YEAR = "birth_year"
    AGE = "age"
    PLACE = "place"
    MANY = "many"
    SERIES = "series"
    STATUS = "status"
    COUNT = "count"


KIND = {
    Property.NAME_ZH: Kind.NAME,
    Property.GENDER: Kind.GENDER,
    Property.BIRTH_YEAR: Kind.BIRTH_YEAR,
    Property.AGE: Kind.AGE,
    Property.PROVINCE: Kind.PLACE,
    Property.CITY: Kind.PLACE,
    Property.DISTRICT: Kind.PLACE,
    Property.OCCUPATION: Kind.MANY,
    Property.EMPLOYER: Kind.MANY,
    Property.PLATFORM: Kind.MANY,
    Property.PRESSURE: Kind.MANY,
    Property.FOLLOWERS: Kind.SERIES,
    Property.STATUS: Kind.STATUS,
    Property.VOTES: Kind.COUNT,
}

# The Place level each place property names (elections.models.Place.Level).
PLACE_LEVELS = {
    Property.PROVINCE: "province",
    Property.CITY: "city",
    Property.DISTRICT: "county",
}


def _normalize_place(value, *, property, **_context):
    from .place import normalize_place

    return normalize_place(text.clean(value), level=PLACE_LEVELS[property])


def _places_conflict(a, b, **_context):
    from .place import place_conflicts

    return place_conflicts(a, b)


def _keys_differ(a, b, **_context):
    return a.key != b.key


@dataclass(frozen=True)
class Normalizer:
    """One kind's reading of a value, and its comparison (None: never flagged)."""

    read: object
    conflict: object = None


NORMALIZERS = {
    Kind.NAME: Normalizer(people.normalize_name_zh, _keys_differ),
    Kind.GENDER: Normalizer(people.normalize_gender, _keys_differ),
    Kind.BIRTH_YEAR: Normalizer(people.normalize_birth_year, people.births_conflict),
    Kind.AGE: Normalizer(people.normalize_age, people.births_conflict),
    Kind.PLACE: Normalizer(_normalize_place, _places_conflict),
    Kind.MANY: Normalizer(text.normalize_free_text),
    Kind.SERIES: Normalizer(numbers.normalize_series_count),
    Kind.STATUS: Normalizer(statuses.normalize_status, statuses.statuses_conflict),
    Kind.COUNT: Normalizer(numbers.normalize_count, numbers.counts_conflict),
}


def _normalizer(property):
    try:
        return NORMALIZERS[KIND[property]]
    except KeyError:
        raise NormalizationError(
            gettext("%(property)s is not a property a claim can be about.")
            % {"property": repr(property)}
        ) from None


def normalize(property, value, *, as_of=None):
    """The comparable form of `value` as a claim of `property` holding on `as_of`.

    `as_of` is a PartialDate (or a date, or `YYYY[-MM[-DD]]`); an age needs it to become a
    range of birth dates, and a status or a follower count takes it as its date unless the
    value prints one.
    """
    return _normalizer(property).read(value, as_of=as_partial_date(as_of), property=property)


def is_compared(property):
    """Whether two claims of `property` can ever be flagged as a contradiction automatically."""
    return _normalizer(property).conflict is not None


def conflicts(property, a, b, *, a_as_of=None, b_as_of=None):
    """Whether two normalized values of `property` cannot both be true.

    `a_as_of` and `b_as_of` are the claims' dates; where given they win over the dates the
    values were normalized with (an editor may have corrected a claim's date since).
    """
    conflict = _normalizer(property).conflict
    if conflict is None:
        return False
    return bool(conflict(a, b, a_as_of=as_partial_date(a_as_of), b_as_of=as_partial_date(b_as_of)))
