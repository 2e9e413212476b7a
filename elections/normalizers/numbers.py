"""Counts as the press prints them: `3.74 million`, `3,740,000`, `374万`, `more than 10,000`.

A count is read into a value and the interval it allows: a figure given with a multiplier
(`3.74 million`, `374万`, `10k`) is rounded to its last written digit, so it allows half of
that digit either way; a hedge ("some", 约, 左右) allows at least a tenth either way; "more
than" and "fewer than" leave one side open. Two counts conflict only when their intervals do
not meet.
"""

import math
import re
from decimal import Decimal

from django.utils.translation import gettext

from .base import NormalizationError, Normalized
from .text import as_partial_date, clean, split_date

EXACT = "exact"
APPROXIMATE = "approximate"
AT_LEAST = "at_least"
AT_MOST = "at_most"

QUALIFIER_PREFIXES = {
    APPROXIMATE: (
        "an estimated",
        "approximately",
        "approx.",
        "approx",
        "roughly",
        "around",
        "about",
        "some",
        "nearly",
        "almost",
        "close to",
        "circa",
        "c.",
        "estimated",
        "~",
        "大约",
        "大概",
        "将近",
        "接近",
        "约",
        "近",
    ),
    AT_LEAST: (
        "more than",
        "upwards of",
        "in excess of",
        "at least",
        "over",
        "above",
        "≥",
        ">",
        "超过",
        "至少",
        "逾",
        "超",
    ),
    AT_MOST: (
        "fewer than",
        "less than",
        "up to",
        "at most",
        "under",
        "below",
        "≤",
        "<",
        "不到",
        "不足",
        "少于",
    ),
}
QUALIFIER_SUFFIXES = {
    APPROXIMATE: ("or so", "左右", "上下"),
    AT_LEAST: ("or more", "+", "以上", "多", "余"),
    AT_MOST: ("or fewer", "or less", "以下", "以内"),
}
LEADING_UNITS = ("粉丝数", "粉丝", "得票数", "得票", "获得")
# The thing counted, which the value may name after the figure; it does not change the count.
UNITS = (
    "followers",
    "follower",
    "fans",
    "votes",
    "vote",
    "ballots",
    "voters",
    "people",
    "粉丝",
    "选票",
    "张选票",
    "票",
    "人",
    "名",
    "位",
    "个",
)
MULTIPLIERS = {
    "k": 10**3,
    "thousand": 10**3,
    "m": 10**6,
    "mn": 10**6,
    "mln": 10**6,
    "million": 10**6,
    "b": 10**9,
    "bn": 10**9,
    "billion": 10**9,
    "千": 10**3,
    "万": 10**4,
    "十万": 10**5,
    "百万": 10**6,
    "千万": 10**7,
    "亿": 10**8,
}
_FIGURE = re.compile(
    r"^(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*"
    r"(?P<more>[多余])?\s*"
    r"(?P<multiplier>[a-z]+|十万|百万|千万|[千万亿])?\.?$"
)
_CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CHINESE_PLACES = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8}
_CHINESE_GROUPS = ("万", "亿")


def chinese_numeral(text):
    """The value of a number in Chinese numerals (二十七, 三万五千, 一亿二千万, 近万's 万) and
    the value of its last written digit, or None when `text` is not one.

    A number without 万 or 亿 is exact (unit 1); one with them is rounded like `374万`: its
    unit is the largest power of ten that divides it, at most 10,000.
    """
    if not text or any(
        char not in _CHINESE_DIGITS and char not in _CHINESE_PLACES for char in text
    ):
        return None
    total, section, digit, previous = 0, 0, None, None
    for char in text:
        if char in _CHINESE_DIGITS:
            if digit:
                return None
            digit = _CHINESE_DIGITS[char]
        elif char in _CHINESE_GROUPS:
            section += digit or 0
            if char == "亿":
                # 亿 scales everything before it: 一万亿 is a trillion.
                total = (total + section or 1) * _CHINESE_PLACES[char]
            else:
                total += (section or 1) * _CHINESE_PLACES[char]
            section, digit = 0, None
        else:
            # 十 alone means 一十: 十五 is fifteen.
            section += (1 if digit is None else digit) * _CHINESE_PLACES[char]
            digit = None
        previous = char
    if digit:
        # 三万五 and 两千五 are colloquial for 35,000 and 2,500.
        shorthand = len(text) > 1 and text[-2] in _CHINESE_PLACES and text[-2] != "十"
        section += digit * _CHINESE_PLACES[text[-2]] // 10 if shorthand else digit
    total += section
    if previous is None or total == 0:
        return None
    if not any(char in _CHINESE_GROUPS for char in text):
        return total, 1
    unit = 1
    while unit < 10**4 and total % (unit * 10) == 0:
        unit *= 10
    return total, unit


def read_count(value):
    """Read a printed count: `(value, qualifier, low, high)`; `high` is None when open.

    The qualifier is one of `exact`, `approximate`, `at_least`, `at_most`. Raises
    NormalizationError with the reason when the text is not a count.
    """
    original = clean(value)
    text = original.casefold()
    qualifier = EXACT
    text, qualifier = _take_qualifier(text, qualifier)
    text = _drop_unit(text)
    text, qualifier = _take_qualifier(text, qualifier)
    number, unit, more = _read_figure(text, original)
    if more and qualifier == EXACT:
        qualifier = AT_LEAST
    count = int(number)
    if number != count:
        raise NormalizationError(
            gettext("%(value)s is not a whole number.") % {"value": repr(original)}
        )
    low, high = number - unit / 2, number + unit / 2
    if qualifier == APPROXIMATE:
        low, high = min(low, number * Decimal("0.9")), max(high, number * Decimal("1.1"))
    if qualifier == AT_LEAST:
        return count, qualifier, count, None
    if qualifier == AT_MOST:
        return count, qualifier, 0, count
    return count, qualifier, max(0, math.ceil(low)), math.floor(high)


def _starts_with_word(text, word):
    if not text.startswith(word):
        return False
    # An English word must end at a space ("over 10", not "overall"); 约 and ~ need none.
    return not (word[-1].isascii() and word[-1].isalpha()) or text[len(word) : len(word) + 1] == " "


def _take_qualifier(text, qualifier):
    for name, words in QUALIFIER_PREFIXES.items():
        for word in words:
            if _starts_with_word(text, word):
                return text[len(word) :].strip(), qualifier if qualifier != EXACT else name
    for name, words in QUALIFIER_SUFFIXES.items():
        for word in words:
            if text.endswith(word) and len(text) > len(word):
                return text[: -len(word)].strip(), qualifier if qualifier != EXACT else name
    return text, qualifier


def _drop_unit(text):
    for unit in LEADING_UNITS:
        if text.startswith(unit) and len(text) > len(unit):
            text = text[len(unit) :].strip(" :：")
            break
    for unit in UNITS:
        if text.endswith(unit) and len(text) > len(unit):
            return text[: -len(unit)].strip()
    return text


def _read_figure(text, original):
    """`(number, unit, more)`: the figure, the value of its last written digit, and whether
    a 多 or 余 inside it ("10多万") says "more than"."""
    match = _FIGURE.match(text)
    if match:
        digits = match.group("number").replace(",", "")
        word = match.group("multiplier")
        if word and word not in MULTIPLIERS:
            raise NormalizationError(
                gettext(
                    "%(value)s: %(word)s is not a multiplier this system knows "
                    "(thousand, million, billion, k, m, 万, 亿)."
                )
                % {"value": repr(original), "word": repr(word)}
            )
        number = Decimal(digits)
        unit = Decimal(1)
        if word:
            multiplier = MULTIPLIERS[word]
            number *= multiplier
            unit = Decimal(multiplier).scaleb(-len(digits.partition(".")[2]))
        return number, unit, bool(match.group("more"))
    numeral = chinese_numeral(text)
    if numeral is not None:
        return Decimal(numeral[0]), Decimal(numeral[1]), False
    raise NormalizationError(
        gettext(
            "%(value)s is not a count this system can read: write it as 3,740,000, "
            "3.74 million, 374万 or 10k, with 'about' or 'more than' where the outlet hedged."
        )
        % {"value": repr(original)}
    )


def describe(count, qualifier):
    """The count as editors read it: `3,740,000`, `about 10,000`, `at least 10,000`."""
    prefix = {EXACT: "", APPROXIMATE: "about ", AT_LEAST: "at least ", AT_MOST: "at most "}
    return f"{prefix[qualifier]}{count:,}"


def _count_data(text):
    count, qualifier, low, high = read_count(text)
    data = {"value": count, "qualifier": qualifier, "low": low, "high": high}
    return describe(count, qualifier), data


def normalize_count(value, **_context):
    """A count compared by the interval it allows (votes)."""
    key, data = _count_data(value)
    return Normalized(key=key, data=data)


def normalize_series_count(value, *, as_of=None, **_context):
    """A count in a dated series (followers): a date printed with it wins over `as_of`."""
    rest, date = split_date(clean(value))
    date = date or as_partial_date(as_of)
    key, data = _count_data(rest)
    data["on"] = date.isoformat() if date else None
    return Normalized(key=key, data=data)


def counts_conflict(a, b, **_context):
    """Two counts conflict when the intervals they allow do not meet."""
    a_high, b_high = a.data.get("high"), b.data.get("high")
    if a_high is not None and a_high < b.data["low"]:
        return True
    return b_high is not None and b_high < a.data["low"]
