"""Reading a printed value: Unicode folding, dates inside values, and free text."""

import datetime
import re
import unicodedata

from django.utils.translation import gettext

from sources.dates import PartialDate, PartialDateError

from .base import NormalizationError, Normalized

# Words that introduce a date at the end of a value: "withdrew on 2 November 2011",
# "10,000 followers as of June 2011", "当选于2011年11月8日", "截至2011年6月".
_CONNECTORS = ("as of", "as at", "on", "in", "since", "by", "at", "from")
_CHINESE_DATE = r"\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?"
_CHINESE_DATE_FIRST = re.compile(
    rf"^(?:截至|截止|于|在)?\s*(?P<date>{_CHINESE_DATE})\s*(?:[,，:：]\s*)?(?P<rest>.+)$"
)
_CHINESE_DATE_LAST = re.compile(
    rf"^(?P<rest>.+?)\s*[,，]?\s*(?:截至|截止|于|在)?\s*(?P<date>{_CHINESE_DATE})$"
)
_PARENTHESIZED = re.compile(r"^(?P<rest>.+?)\s*[(（](?P<date>[^()（）]+)[)）]$")


def clean(value):
    """The value as text: NFKC (full-width digits and commas become ASCII), whitespace folded.

    Spreadsheets hand over numbers as int or float (`1984`, `27.0`); those become their
    digits. An empty value raises NormalizationError.
    """
    if value is None:
        raise NormalizationError(gettext("No value was given."))
    if isinstance(value, bool):
        raise NormalizationError(
            gettext("%(value)s is not a value a claim can have.") % {"value": repr(value)}
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(unicodedata.normalize("NFKC", str(value)).split())
    if not text:
        raise NormalizationError(gettext("No value was given."))
    return text


def fold(value):
    """`clean` and case-folded: the form words are looked up in."""
    return clean(value).casefold()


def as_partial_date(value):
    """A PartialDate from a PartialDate, a date, an ISO text or None (which stays None)."""
    if value is None or isinstance(value, PartialDate):
        return value
    if isinstance(value, datetime.datetime):
        return PartialDate.from_date(value.date())
    if isinstance(value, datetime.date):
        return PartialDate.from_date(value)
    try:
        return PartialDate.parse(value)
    except PartialDateError as error:
        raise NormalizationError(
            gettext("The date %(value)s cannot be read: %(why)s")
            % {"value": repr(value), "why": error}
        ) from error


def _parse_date(text):
    try:
        return PartialDate.parse(text.strip(" ,;:"))
    except PartialDateError:
        return None


def split_date(text, *, bare_year=False):
    """Split a date off the start or end of a value: `(rest, PartialDate)`, or `(text, None)`.

    A date is recognized in parentheses, after a connecting word ("on", "as of", "since",
    于, 截至), in Chinese form with 年, or at either end on its own when it gives at least a
    month. A bare year on its own ("elected 2011") is taken only with `bare_year`, since in
    a count ("some 2011 votes") it is more likely a number than a date.
    """
    match = _PARENTHESIZED.match(text)
    if match:
        inner = _drop_connector(match.group("date"))
        date = _parse_date(inner)
        if date is not None:
            return match.group("rest"), date
    for pattern in (_CHINESE_DATE_FIRST, _CHINESE_DATE_LAST):
        match = pattern.match(text)
        if match:
            date = _parse_date(match.group("date"))
            if date is not None:
                return match.group("rest").strip(" ,，:："), date
    tokens = text.split(" ")
    # The longest date wins: "on 8 November 2011" rather than "2011".
    for cut in range(1, len(tokens)):
        rest, tail = " ".join(tokens[:cut]), " ".join(tokens[cut:])
        connected = _drop_connector(tail)
        date = _parse_date(connected)
        if date is not None and (connected != tail or _standalone(date, bare_year)):
            return rest.rstrip(" ,;:"), date
    for cut in range(len(tokens) - 1, 0, -1):
        head, rest = " ".join(tokens[:cut]), " ".join(tokens[cut:])
        date = _parse_date(head)
        if date is not None and _standalone(date, bare_year):
            return rest.lstrip(" ,;:"), date
    return text, None


def _drop_connector(text):
    stripped = text.strip()
    lowered = stripped.casefold()
    for connector in _CONNECTORS:
        if lowered.startswith(connector + " "):
            return stripped[len(connector) + 1 :].strip()
    return stripped


def _standalone(date, bare_year):
    return bare_year or date.month is not None


# What introduces the value in a clause ("a lawyer", "is a teacher", "是一名工人") and what
# follows it ("lawyer from Xinyu", "who ran in 2011"), for `free_text_in`.
_LEADING_EN = re.compile(
    r"^(?:(?:who|he|she|they)\s+)?(?:(?:is|was|works\s+as|worked\s+as|became|as)\s+)?"
    r"(?:an?|the)\s+",
    re.IGNORECASE,
)
_TRAILING_EN = re.compile(r"\s+(?:from|in|who|since|and|with|living)\s.*$", re.IGNORECASE)
_LEADING_ZH = re.compile(
    r"^(?:他|她)?(?:是|系|为|作为|身为|担任|曾任|现任)?(?:一名|一位|一个|名|位)?"
)
_CLAUSES = re.compile(r"[^,;:()，。；：（）\n]+")
_PERSON = re.compile(r"^(?:[A-Z][a-z]+(?:[-' ][A-Z][a-z]+){0,3})$")
_NUMBER_LIKE = re.compile(
    r"^[\d\s.,%岁周年]+$|[\d零〇一二两三四五六七八九十]\s*(?:周岁|岁)|\baged?\s+\d|\d\s*years?\s*old",
    re.IGNORECASE,
)


def free_text_in(text):
    """The words a free-text value (an occupation, an employer) most likely is, in printed
    words an editor selected: "Liu Ping, 47, a steelworker from Xinyu" reads as "steelworker",
    "她是一名退休教师" as "退休教师". The first clause that is neither a person's name nor a
    number, without the words that introduce it ("a", "is a", 是一名) or a place or time
    that follows it ("from Xinyu"); in Chinese, what follows the last 的 of the clause. The
    selection itself (folded) when no clause is left."""
    whole = clean(text)
    for match in _CLAUSES.finditer(whole):
        clause = match.group().strip(" \"'“”‘’")
        if not clause or _NUMBER_LIKE.search(clause) or _PERSON.match(clause):
            continue
        words = _TRAILING_EN.sub("", _LEADING_EN.sub("", clause)).strip()
        if not words.isascii():
            words = _LEADING_ZH.sub("", words).strip()
            words = words.rsplit("的", 1)[-1].strip() or words
        if words:
            return words
    return whole


def normalize_free_text(value, **_context):
    """Many-valued text (occupation, employer, platform, pressure): case and spaces folded."""
    text = fold(value)
    return Normalized(key=text, data={"text": text})
