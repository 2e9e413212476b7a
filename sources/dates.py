"""Dates known to a year, a month or a day, read as reporters and importers write them."""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, override, pgettext
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    YEAR = "year", _("year")
    MONTH = "month", _("month")
    DAY = "day", _("day")


MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        calendar.month_name[number].lower(),
        calendar.month_abbr[number].lower(),
    )
}
MONTHS["sept"] = 9

_ISO = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")
_CHINESE = re.compile(r"^(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?)?$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_MONTH_YEAR = re.compile(r"^(?:(early|mid|late)[-\s]+)?([a-z]+)\.?,?\s+(\d{4})$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９／－．", "0123456789/-.")


def _formatted(date, format_name):
    """`date` in the active language's `format_name`; in the site's language when translation
    is off (a command that deactivates it), not in Django's default formats."""
    if get_language() is None:
        with override(settings.LANGUAGE_CODE):
            return date_format(date, format_name)
    return date_format(date, format_name)


class PartialDateError(ValueError):
    """Raised when a text is not a date this module can read."""


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to a year, a month or a day.

    `approximate` marks a reporter's hedge ("mid-October 2011"); the date keeps the precision
    that was actually given (the month) rather than inventing a day.
    """

    year: int
    month: int | None = None
    day: int | None = None
    approximate: bool = False

    def __post_init__(self):
        if not 1 <= self.year <= 9999:
            raise PartialDateError(f"{self.year} is not a year")
        if self.month is None and self.day is not None:
            raise PartialDateError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise PartialDateError(f"{self.month} is not a month")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise PartialDateError(f"{self.year}-{self.month:02d} has no day {self.day}")

    @property
    def precision(self):
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    def earliest(self):
        """The first day this date can mean."""
        return datetime.date(self.year, self.month or 1, self.day or 1)

    def latest(self):
        """The last day this date can mean."""
        if self.day is not None:
            return datetime.date(self.year, self.month, self.day)
        month = self.month or 12
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def isoformat(self):
        """`2011`, `2011-06` or `2011-06-09`: the form the sheets and the commands use."""
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def __str__(self):
        return self.isoformat()

    def display(self):
        """A reader's form in the active language: `2011`, `June 2011`, `9 June 2011` (the
        English formats of `config.formats.en`), `2011年`, `2011年6月`, `2011年6月9日`."""
        if self.day is not None:
            return _formatted(self.earliest(), "DATE_FORMAT")
        if self.month is not None:
            shown = _formatted(self.earliest(), "YEAR_MONTH_FORMAT")
            if self.approximate:
                return gettext("around %(date)s") % {"date": shown}
            return shown
        # Translators: a date known only to its year, e.g. "%(year)s年" in Chinese.
        return pgettext("year only date", "%(year)s") % {"year": self.year}

    @classmethod
    def from_stored(cls, date, precision):
        """Rebuild from the two database columns a model keeps (a date and its precision)."""
        if date is None:
            return None
        if precision == Precision.YEAR:
            return cls(date.year)
        if precision == Precision.MONTH:
            return cls(date.year, date.month)
        return cls(date.year, date.month, date.day)

    @classmethod
    def from_date(cls, date):
        return cls(date.year, date.month, date.day)

    @classmethod
    def parse_iso(cls, text):
        """Read the strict form `YYYY[-MM[-DD]]` of the commands and manifests."""
        match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", (text or "").strip())
        if not match:
            raise PartialDateError(
                f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"
            )
        return cls(*(int(part) if part else None for part in match.groups()))

    @classmethod
    def parse(cls, text):
        """Read a date as reporters and importers write it.

        Accepts `2011`, `2011-11`, `2011-11-08`, `2011/11/8`, `2011.11.8`, `2011年11月8日`,
        `8 November 2011`, `November 8, 2011`, `Nov. 2011` and `mid-October 2011` (kept to the
        month and marked approximate). Anything else raises PartialDateError.
        """
        if isinstance(text, datetime.datetime):
            return cls.from_date(text.date())
        if isinstance(text, datetime.date):
            return cls.from_date(text)
        if isinstance(text, int):
            return cls(text)
        cleaned = " ".join(str(text or "").translate(_FULLWIDTH).split())
        if not cleaned:
            raise PartialDateError("no date given")
        folded = cleaned.lower()
        for pattern in (_ISO, _CHINESE):
            match = pattern.match(folded)
            if match:
                return cls(*(int(part) if part else None for part in match.groups()))
        match = _DAY_MONTH_YEAR.match(folded)
        if match and match.group(2) in MONTHS:
            return cls(int(match.group(3)), MONTHS[match.group(2)], int(match.group(1)))
        match = _MONTH_DAY_YEAR.match(folded)
        if match and match.group(1) in MONTHS:
            return cls(int(match.group(3)), MONTHS[match.group(1)], int(match.group(2)))
        match = _MONTH_YEAR.match(folded)
        if match and match.group(2) in MONTHS:
            return cls(
                int(match.group(3)), MONTHS[match.group(2)], approximate=bool(match.group(1))
            )
        if re.fullmatch(r"\d{4}(\.0)?", folded):
            return cls(int(folded[:4]))
        raise PartialDateError(f"{cleaned!r} is not a date this system can read")
