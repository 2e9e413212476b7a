"""A claim's value proposed from the words an editor selected, and how a value reads.

Each property looks for its own kind of words in the selection: an age ("27" in "Xu Yan, 27,
a blogger", "aged 27", "27岁"), a year of birth, a gender word (he, she, 男, 女), the name of a
place, Chinese characters for a name, a status word, a count (followers, votes); the
many-valued properties (occupation, employer, platform, pressure) take what the free-text
reading finds in it (`elections.normalizers.text.free_text_in`: "a steelworker from Xinyu"
gives "steelworker"), not the whole selection.
A proposal is made only when the property's normalizer reads it, so the editor is never
offered a value the save would refuse. The value proposed is the words as printed; the
`reading` says what the normalizer makes of them.
"""

import re
from dataclasses import asdict, dataclass

from django.utils.translation import gettext, pgettext

from elections import normalizers
from elections.models import Candidate, CandidateName, Place, PlaceName, Property
from elections.models.candidacy import STATUS_EN, STATUS_ZH, Status
from elections.names import HAN
from elections.normalizers import KIND, Kind, NormalizationError
from elections.normalizers.numbers import (
    MULTIPLIERS,
    QUALIFIER_PREFIXES,
    QUALIFIER_SUFFIXES,
    UNITS,
)
from elections.normalizers.people import GENDERS
from elections.normalizers.statuses import STATUS_WORDS
from elections.normalizers.text import free_text_in
from elections.places import fold_place_name

# The longest selection a many-valued property takes whole (Claim.value holds 500).
MAX_VALUE = 500
# Only the start of a long selection is searched, which bounds the work (and the lookups).
MAX_SCAN = 2000
# Chinese place names are at most this long; longer runs are cut into pieces this long.
PLACE_CHARACTERS = 8
# A Chinese personal name is at most this long (a compound surname and two characters).
NAME_CHARACTERS = 4
# A place named in Latin letters takes at most this many words ("Inner Mongolia Autonomous
# Region").
PLACE_WORDS = 4
# Capitalized words that begin sentences or name people, never places worth proposing.
NOT_PLACES = frozenset(
    {"a", "an", "and", "as", "at", "by", "he", "her", "his", "in", "it", "its", "mr", "mrs"}
    | {"ms", "of", "on", "she", "the", "their", "they", "to", "was"}
)
EDGE_PUNCTUATION = " \t\n,.;:!?，。；：！？、\"'“”‘’()（）[]【】「」"


@dataclass(frozen=True)
class Suggestion:
    """A proposed value and its reading, or why there is none (`hint`) or why the value
    cannot be read (`error`)."""

    value: str = ""
    reading: str = ""
    error: str = ""
    hint: str = ""

    def as_dict(self):
        return asdict(self)


def _alternatives(phrases):
    """A regex alternation of `phrases`, longest first; Latin words only match whole."""
    pieces = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        piece = re.escape(phrase)
        if phrase[:1].isascii() and phrase[:1].isalpha():
            piece = r"\b" + piece
        if phrase[-1:].isascii() and phrase[-1:].isalpha():
            piece += r"\b"
        pieces.append(piece)
    return "|".join(pieces)


_HAN_RUN = re.compile(f"(?:{HAN.pattern})+")
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏ]+(?:-[A-Za-zÀ-ɏ]+)*")
_CLAUSE = re.compile(r"[^,.;:!?()，。；：！？、（）\n]+")
_SMALL = r"(?:\d{1,3}|[零〇一二两三四五六七八九十]{1,4})"
AGE_PATTERNS = [
    re.compile(rf"(?:现年|今年|年仅|年约)?\s*{_SMALL}\s*(?:周岁|岁)"),
    re.compile(r"\b\d{1,3}[\s-]*(?:years?|yrs?)[\s-]*old\b", re.IGNORECASE),
    re.compile(r"\baged?\s+\d{1,3}\b", re.IGNORECASE),
    re.compile(r"[(（]\s*\d{1,3}\s*[)）]"),
    re.compile(r"(?<![\d.,])\d{1,3}(?!\d|[.,]\d|\s*%)"),
]
BIRTH_PATTERNS = [
    re.compile(r"\bborn(?:\s+(?:in|on))?\s+(?:\d{1,2}\s+[A-Za-z]+\s+)?\d{4}\b", re.IGNORECASE),
    re.compile(r"\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?\s*(?:出生|生)"),
    re.compile(r"\b(?:the\s+)?\d{4}s\b|\d{2}后", re.IGNORECASE),
    re.compile(r"(?<!\d)(?:18|19|20)\d{2}(?!\d)"),
]
# The gender normalizer's words, but not its single letters (m, f), which are never pronouns.
GENDER_WORDS = re.compile(
    _alternatives(
        word for words in GENDERS.values() for word in words if len(word) > 1 or not word.isascii()
    ),
    re.IGNORECASE,
)
STATUS_PHRASES = re.compile(
    _alternatives(
        phrase
        for status in Status
        for phrase in (
            STATUS_EN[status],
            status.value.replace("_", " "),
            STATUS_ZH[status],
            *STATUS_WORDS[status],
        )
    ),
    re.IGNORECASE,
)
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
COUNT = re.compile(
    rf"(?:(?P<before>{_alternatives(w for ws in QUALIFIER_PREFIXES.values() for w in ws)})\s*)?"
    rf"(?P<number>{_NUMBER})"
    rf"(?:\s*(?P<multiplier>{_alternatives(MULTIPLIERS)}))?"
    rf"(?:\s*(?P<after>{_alternatives(w for ws in QUALIFIER_SUFFIXES.values() for w in ws)}))?"
    rf"(?:\s*(?P<unit>{_alternatives(UNITS)}))?",
    re.IGNORECASE,
)
COUNTED = {
    Property.FOLLOWERS: {"followers", "follower", "fans", "粉丝"},
    Property.VOTES: {"votes", "vote", "ballots", "选票", "张选票", "票"},
}


def _matches(patterns, text):
    return [match.group().strip() for pattern in patterns for match in pattern.finditer(text)]


def _age_words(text, **_context):
    return _matches(AGE_PATTERNS, text)


def _birth_words(text, **_context):
    return _matches(BIRTH_PATTERNS, text)


def _gender_words(text, **_context):
    found = [match.group() for match in GENDER_WORDS.finditer(text)]
    genders = {_read(Property.GENDER, word, None).key for word in found}
    if len(genders) > 1:
        raise _Nothing(gettext("The selection speaks of a man and of a woman: type the gender."))
    return found[:1]


def _status_words(text, **_context):
    return [match.group() for match in STATUS_PHRASES.finditer(text)]


def _count_words(text, *, property, **_context):
    scored = []
    for index, match in enumerate(COUNT.finditer(text)):
        unit = (match.group("unit") or "").casefold()
        hedged = bool(match.group("before") or match.group("after") or match.group("multiplier"))
        year = not hedged and not unit and re.fullmatch(r"(?:18|19|20)\d{2}", match["number"])
        score = (4 if unit in COUNTED[property] else 2 if unit else 0) + hedged - 5 * bool(year)
        # The value is the count as printed, without the thing counted ("followers").
        end = max(match.end("number"), match.end("multiplier"), match.end("after"))
        scored.append((-score, index, text[match.start() : end].strip()))
    return [words for *_, words in sorted(scored)]


def _known_names(runs):
    """Chinese names of candidates on record that occur in `runs`, in the order they occur."""
    pieces = {
        run[start:end]: (index, start)
        for index, run in enumerate(runs)
        for start in range(len(run))
        for end in range(start + 2, min(start + NAME_CHARACTERS, len(run)) + 1)
    }
    if not pieces:
        return []
    known = set(Candidate.objects.filter(name_zh__in=pieces).values_list("name_zh", flat=True))
    known |= set(CandidateName.objects.filter(name__in=pieces).values_list("name", flat=True))
    return sorted(known, key=lambda name: (pieces[name], -len(name)))


def _name_words(text, **_context):
    runs = [match.group() for match in _HAN_RUN.finditer(text)]
    known = _known_names(runs)
    if known:
        return known
    han = "".join(runs)
    if han and len(han) <= 4 and len(runs) == 1:
        return runs
    dotted = re.search(f"(?:{HAN.pattern})+[·‧•・](?:{HAN.pattern})+", text)
    if dotted:
        return [dotted.group()]
    short = [run for run in runs if 2 <= len(run) <= 4]
    if short:
        return short[:1]
    raise _Nothing(gettext("Select just the name in Chinese characters, or type it."))


def _place_phrases(text):
    """(position, phrase) of every run of words or characters that may name a place."""
    phrases = []
    for clause in _CLAUSE.finditer(text):
        words = list(_LATIN_WORD.finditer(clause.group()))
        for first, word in enumerate(words):
            if not word.group()[0].isupper() or word.group().casefold() in NOT_PLACES:
                continue
            for last in range(first, min(first + PLACE_WORDS, len(words))):
                phrase = clause.group()[word.start() : words[last].end()]
                phrases.append((clause.start() + word.start(), phrase))
    for run in _HAN_RUN.finditer(text):
        characters = run.group()
        for start in range(len(characters)):
            for end in range(start + 2, min(start + PLACE_CHARACTERS, len(characters)) + 1):
                phrases.append((run.start() + start, characters[start:end]))
    return phrases


_DEPTH = {Place.Level.PROVINCE: 0, Place.Level.CITY: 1, Place.Level.COUNTY: 2}


def _place_words(text, *, property, **_context):
    level = normalizers.PLACE_LEVELS[property]
    phrases = [
        (position, phrase, fold_place_name(phrase)) for position, phrase in _place_phrases(text)
    ]
    keys = {key for *_, key in phrases if key}
    known = {}
    for key, place_level, place_id, city_id in PlaceName.objects.filter(key__in=keys).values_list(
        "key", "place__level", "place_id", "place__city_id"
    ):
        at_level = place_level == level or (level == Place.Level.CITY and city_id == place_id)
        below = _DEPTH.get(place_level, 3) > _DEPTH[level]
        if at_level or below:
            known[key] = min(known.get(key, 1), 0 if at_level else 1)
    ranked = sorted(
        (known[key], position, -len(phrase), phrase)
        for position, phrase, key in phrases
        if key in known
    )
    if ranked:
        return [phrase for *_, phrase in ranked]
    bare = text.strip(EDGE_PUNCTUATION)
    if len(bare.split()) <= 3 and len(bare) <= 30:
        return [bare]
    raise _Nothing(
        gettext(
            "No %(level)s known by name in the selection: select just the place's name, or type it."
        )
        % {"level": Place.Level(level).label}
    )


def _free_text_words(text, **_context):
    # What the free-text reading finds in the selection first, the selection itself after.
    whole = " ".join(text.split()).strip(EDGE_PUNCTUATION)[:MAX_VALUE]
    return [free_text_in(whole)[:MAX_VALUE], whole]


FINDERS = {
    Kind.AGE: _age_words,
    Kind.BIRTH_YEAR: _birth_words,
    Kind.GENDER: _gender_words,
    Kind.STATUS: _status_words,
    Kind.COUNT: _count_words,
    Kind.SERIES: _count_words,
    Kind.NAME: _name_words,
    Kind.PLACE: _place_words,
    Kind.MANY: _free_text_words,
}


class _Nothing(Exception):
    """No value can be proposed from the selection; the message says what to do instead."""


def _read(property, value, as_of):
    return normalizers.normalize(property, value, as_of=as_of)


def describe_reading(property, normalized):
    """What a normalized value means, in an editor's words (places by name, not by id)."""
    if KIND.get(property) == Kind.PLACE:
        ids = normalized.data.get("place_ids")
        if not ids:
            return gettext("not a known place: compared as written (%(text)s)") % {
                "text": normalized.data.get("text", "")
            }
        places = Place.objects.filter(pk__in=ids).order_by("code", "pk")
        # Translators: between the places a name may mean ("Taiping (town) or Taiping (city)").
        return pgettext("between alternatives", " or ").join(
            f"{place} ({place.get_level_display()})" for place in places
        )
    return normalized.key


def read_value(*, property, value, as_of=None):
    """How `value` reads as a claim of `property` on `as_of`, or why it cannot be read."""
    try:
        normalized = _read(property, value, as_of)
    except NormalizationError as error:
        return Suggestion(value=value, error=str(error))
    return Suggestion(value=value, reading=describe_reading(property, normalized))


def suggest_value(*, property, selection, as_of=None):
    """The value of `property` the selected words give, with its reading, or a hint why none."""
    text = " ".join((selection or "").split())[:MAX_SCAN]
    if not text:
        return Suggestion(hint=gettext("Select the words the claim comes from first."))
    if property not in KIND:
        return Suggestion(hint=gettext("Choose what the passage says."))
    try:
        found = FINDERS[KIND[property]](text, property=property)
    except _Nothing as nothing:
        return Suggestion(hint=str(nothing))
    for words in dict.fromkeys(found):
        try:
            normalized = _read(property, words, as_of)
        except NormalizationError:
            continue
        return Suggestion(value=words, reading=describe_reading(property, normalized))
    label = Property(property).label
    return Suggestion(
        hint=gettext("No %(property)s found in the selection that can be read: type it.")
        % {"property": label}
    )
