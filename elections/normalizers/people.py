"""Facts about the person: name in Chinese characters, gender, age and year of birth.

An age and a year of birth are both read into the range of dates the person can have been
born on (`born_from`, `born_to`, ISO dates), so either compares with either: age A on date D
means born after D − (A + 1) years and no later than D − A years, and a date known only to
the year or the month widens the range to every day it can mean.
"""

import datetime
import re

from django.utils.translation import gettext

from elections.names import HAN, MIDDLE_DOTS, to_simplified
from sources.dates import PartialDate, PartialDateError

from .base import NormalizationError, Normalized
from .numbers import chinese_numeral
from .text import as_partial_date, clean, fold, split_date

GENDERS = {
    "male": ("male", "man", "m", "he", "him", "his", "mr", "男", "男性", "男士", "先生"),
    "female": (
        "female",
        "woman",
        "f",
        "she",
        "her",
        "hers",
        "ms",
        "mrs",
        "miss",
        "女",
        "女性",
        "女士",
    ),
}
_GENDER_WORDS = {word: gender for gender, words in GENDERS.items() for word in words}

OLDEST = 120
EARLIEST_BIRTH_YEAR = 1850
_NUMBER = r"(\d{1,3}|[零〇一二两三四五六七八九十百]+)"
_AGE_FORMS = [
    re.compile(rf"^\(?\s*{_NUMBER}\s*\)?$"),
    re.compile(rf"^(?:aged?|age:)\s*{_NUMBER}$"),
    re.compile(
        rf"^(?:(?:an?|the)\s+)?(?:now\s+)?{_NUMBER}[\s-]*(?:years?|yrs?)"
        r"(?:[\s-]*(?:old|of age))?(?:\s.*)?$"
    ),
    re.compile(rf"^(?:现年|今年|年仅|年龄|年约)?\s*{_NUMBER}\s*(?:周岁|岁)(?:.*)?$"),
]
_AGE_EITHER = re.compile(rf"^{_NUMBER}\s*(?:or|to|-|–|或)\s*{_NUMBER}(?:\s*(?:years?|岁).*)?$")
_NOMINAL_AGE = re.compile(rf"^虚岁\s*{_NUMBER}\s*岁?$")

_BIRTH_PREFIXES = re.compile(r"^(?:born(?:\s+(?:in|on))?|b\.|生于|出生于|出生在)\s*")
_BIRTH_SUFFIXES = re.compile(r"(?:年生人|出生|生人|生)$")
_DECADE = re.compile(r"^(?:the\s+)?(?:(\d{2})(\d{2})s|(\d{2})后|(\d{2})後)$")


def normalize_gender(value, **_context):
    """`male` or `female` from English or Chinese words, pronouns or titles, in any case."""
    word = fold(value).strip(" .")
    gender = _GENDER_WORDS.get(word)
    if gender is None:
        raise NormalizationError(
            gettext(
                "%(value)s is not a gender this system can read: write male or female (or 男 / 女)."
            )
            % {"value": repr(clean(value))}
        )
    return Normalized(key=gender, data={"gender": gender})


def normalize_name_zh(value, **_context):
    """A name in Chinese characters: NFKC, spaces removed, traditional folded to simplified.

    The key is the simplified form, so that 劉曉波 and 刘晓波 are one name; the form as
    printed is kept in `data["text"]`. The dots of a transliterated name become one "·".
    """
    text = "".join(clean(value).split())
    for dot in MIDDLE_DOTS[1:]:
        text = text.replace(dot, MIDDLE_DOTS[0])
    others = sorted({char for char in text if not HAN.match(char) and char != MIDDLE_DOTS[0]})
    if not HAN.search(text) or others:
        shown = "".join(others) or text
        raise NormalizationError(
            gettext(
                "%(value)s is not a name in Chinese characters (it has %(others)s); put "
                "romanized forms among the other names."
            )
            % {"value": repr(clean(value)), "others": repr(shown)}
        )
    simplified = to_simplified(text)
    return Normalized(key=simplified, data={"text": text, "simplified": simplified})


def _number(text):
    if text.isdigit():
        return int(text)
    numeral = chinese_numeral(text)
    return numeral[0] if numeral else None


def read_age(value):
    """`(youngest, oldest, nominal)`: the age or ages a printed age allows.

    "27", "27-year-old", "aged 27", "27岁", "现年27岁", "(28)" give (27, 27); "27 or 28"
    gives (27, 28); a nominal age (虚岁 27, counted from 1 at birth and up at the new year)
    gives the real ages it can mean, (25, 26).
    """
    text = fold(value)
    nominal = _NOMINAL_AGE.match(text)
    if nominal:
        age = _number(nominal.group(1))
        return (*_checked(value, age - 2, age - 1), True)
    either = _AGE_EITHER.match(text)
    if either:
        youngest, oldest = sorted((_number(either.group(1)), _number(either.group(2))))
        return (*_checked(value, youngest, oldest), False)
    for form in _AGE_FORMS:
        match = form.match(text)
        if match:
            age = _number(match.group(1))
            return (*_checked(value, age, age), False)
    raise NormalizationError(
        gettext(
            "%(value)s is not an age this system can read: write it as 27, aged 27, "
            "27-year-old or 27岁."
        )
        % {"value": repr(clean(value))}
    )


def _checked(value, youngest, oldest):
    if youngest is None or oldest is None or youngest < 0 or oldest > OLDEST:
        raise NormalizationError(
            gettext("%(value)s is not an age a person can have.") % {"value": repr(clean(value))}
        )
    return youngest, oldest


def _years_before(date, years):
    """The same day `years` earlier; 29 February becomes 28 February in a common year."""
    try:
        return date.replace(year=date.year - years)
    except ValueError:
        return date.replace(year=date.year - years, day=28)


def born_range(youngest, oldest, as_of):
    """The first and last possible birth dates of someone aged `youngest`..`oldest` on
    `as_of` (a PartialDate: all of its days count)."""
    born_from = _years_before(as_of.earliest(), oldest + 1) + datetime.timedelta(days=1)
    born_to = _years_before(as_of.latest(), youngest)
    return born_from, born_to


def normalize_age(value, *, as_of=None, **_context):
    """An age, with the birth dates it allows on its date.

    A date printed with the age ("27 (in 2009)", "aged 27 as of June 2011") wins over
    `as_of`. Without either the age is kept but has no range, and compares with nothing
    until the claim is given a date.
    """
    rest, printed = split_date(clean(value))
    youngest, oldest, nominal = read_age(rest)
    key = str(youngest) if youngest == oldest else f"{youngest} or {oldest}"
    data = {"age_min": youngest, "age_max": oldest, "nominal": nominal}
    date = printed or as_partial_date(as_of)
    if date is not None:
        born_from, born_to = born_range(youngest, oldest, date)
        data |= {
            "on": date.isoformat(),
            "dated_in_value": printed is not None,
            "born_from": born_from.isoformat(),
            "born_to": born_to.isoformat(),
        }
        key = f"{key} (born {_years(born_from.year, born_to.year)})"
    return Normalized(key=key, data=data)


def _years(first, last):
    return str(first) if first == last else f"{first}–{last}"


def read_birth_years(value):
    """`(first, last)`: the years a printed year of birth allows.

    "1984", "born 1984", "born in 1984", "1984年", "1984年生", "born 3 March 1984" give
    (1984, 1984); a decade ("the 1980s", "80后") gives (1980, 1989).
    """
    text = _BIRTH_SUFFIXES.sub("", _BIRTH_PREFIXES.sub("", fold(value))).strip(" .,")
    decade = _DECADE.match(text)
    if decade:
        century, tens, short, traditional = decade.groups()
        if century:
            first = int(century + tens)
        else:
            # 80后 is the generation born in the 1980s; 00后 in the 2000s.
            two = int(short or traditional)
            first = (1900 if two >= 20 else 2000) + two
        if first % 10 == 0:
            return _checked_years(value, first, first + 9)
    try:
        date = PartialDate.parse(text)
    except PartialDateError as error:
        raise NormalizationError(
            gettext(
                "%(value)s is not a year of birth this system can read: write it as 1984, "
                "born 1984 or 1984年."
            )
            % {"value": repr(clean(value))}
        ) from error
    return _checked_years(value, date.year, date.year)


def _checked_years(value, first, last):
    # A fixed floor rather than today's year less OLDEST: the record is historical, and
    # a reading must not change as the years pass.
    if first < EARLIEST_BIRTH_YEAR or last > datetime.date.today().year:
        raise NormalizationError(
            gettext("%(value)s is not a year a candidate can be born in.")
            % {"value": repr(clean(value))}
        )
    return first, last


def normalize_birth_year(value, **_context):
    """A year of birth (or a decade), with the birth dates it allows."""
    first, last = read_birth_years(value)
    born_from, born_to = datetime.date(first, 1, 1), datetime.date(last, 12, 31)
    return Normalized(
        key=str(first) if first == last else f"{first}s",
        data={
            "year": first if first == last else None,
            "born_from": born_from.isoformat(),
            "born_to": born_to.isoformat(),
        },
    )


def births_conflict(a, b, *, a_as_of=None, b_as_of=None, **_context):
    """An age or a year of birth against another: a conflict when the birth dates they
    allow have no day in common. An age without a date compares with nothing."""
    first, second = _birth_dates(a, a_as_of), _birth_dates(b, b_as_of)
    if first is None or second is None:
        return False
    return first[1] < second[0] or second[1] < first[0]


def _birth_dates(normalized, as_of):
    data = normalized.data
    as_of = as_partial_date(as_of)
    if "age_min" in data and as_of is not None and not data.get("dated_in_value"):
        # The claim's date now wins over the one it was normalized with, which an editor
        # may have corrected since; a date printed with the age wins over both.
        return born_range(data["age_min"], data["age_max"], as_of)
    if "born_from" in data:
        return (
            datetime.date.fromisoformat(data["born_from"]),
            datetime.date.fromisoformat(data["born_to"]),
        )
    return None
