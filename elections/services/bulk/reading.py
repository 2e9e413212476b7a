"""Reading claims for many sheet rows, as the one-by-one services read one.

`ClaimReader` reads a claim's date, candidacy and value exactly as `claim_create` does (it
calls the services' own `_apply_as_of` and `_apply_candidacy`, and the normalizers), with
the places that place values name looked up a batch at a time (`PlaceCache`) instead of
once per value, and each value of a sheet read once. Rows are read into `ClaimDraft`s,
which carry what those functions read and set, without the cost of model instances.
"""

import datetime
from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from elections import normalizers
from elections.models import Candidacy, Candidate, Claim, Place, PlaceName, Property
from elections.normalizers import PLACE_LEVELS
from elections.normalizers.base import NormalizationError, Normalized
from elections.normalizers.place import _as_level
from elections.normalizers.text import clean
from elections.places import _at_level, fold_place_name
from elections.services.claims import _apply_as_of, _apply_candidacy
from sources.dates import PartialDate
from sources.models import Article


class PlaceCache:
    """`elections.places.lookup_places` for many names: one query per batch of names."""

    def __init__(self) -> None:
        self.by_key: dict[str, dict[int, Place]] = {}
        self._keys: dict[str, str] = {}
        self._found: dict[tuple[str, str | None], list[Place]] = {}

    def key(self, text: str) -> str:
        """`fold_place_name(text)`, remembered: a sheet names the same places again and again."""
        if text not in self._keys:
            self._keys[text] = fold_place_name(text)
        return self._keys[text]

    def preload(self, texts: Iterable[str | None]) -> None:
        wanted = {self.key(text) for text in texts if text} - {""} - set(self.by_key)
        keys = sorted(wanted)
        for first in range(0, len(keys), 500):
            chunk = keys[first : first + 500]
            for key in chunk:
                self.by_key[key] = {}
            names = PlaceName.objects.filter(key__in=chunk).select_related(
                "place__parent", "place__province", "place__city"
            )
            for name in names:
                self.by_key[name.key].setdefault(name.place_id, name.place)

    def lookup(self, text: str, *, level: str | None = None) -> list[Place]:
        """Every place named `text` (see `lookup_places`), loading the name when not preloaded."""
        key = self.key(text)
        if not key:
            return []
        if key not in self.by_key:
            self.preload([text])
        if (key, level) not in self._found:
            places = sorted(
                self.by_key[key].values(), key=lambda place: (place.code or "", place.pk)
            )
            if level is not None:
                places = [place for place in places if _at_level(place, level)] or places
            self._found[key, level] = places
        return list(self._found[key, level])


class ArticleDates:
    """An article's id and publication date, read once: what reading a claim needs of it."""

    __slots__ = ("pk", "published")

    pk: int
    published: PartialDate | None

    def __init__(self, article: Article) -> None:
        self.pk, self.published = article.pk, article.published


class ClaimDraft:
    """A claim being read: what `_apply_as_of`, `_apply_candidacy` and ClaimReader read and
    set, without the cost of a model instance (an import reads a hundred thousand)."""

    __slots__ = (
        "article",
        "as_of",
        "as_of_explicit",
        "as_of_precision",
        "candidacy",
        "candidate",
        "normalized",
        "property",
        "value",
        "value_key",
    )

    # What reading sets (`candidacy` starts as None); `__init__` sets the rest.
    as_of: datetime.date | None
    as_of_explicit: bool
    as_of_precision: str
    candidacy: Candidacy | None
    normalized: dict[str, Any]
    value_key: str

    def __init__(
        self, *, candidate: Candidate, property: str, value: str, article: Article | ArticleDates
    ) -> None:
        self.candidate, self.property, self.value, self.article = (
            candidate,
            property,
            value,
            article,
        )
        self.candidacy = None

    @property
    def candidate_id(self) -> int:
        return self.candidate.pk

    @property
    def candidacy_id(self) -> int | None:
        return self.candidacy.pk if self.candidacy is not None else None

    @property
    def as_of_date(self) -> PartialDate | None:
        return PartialDate.from_stored(self.as_of, self.as_of_precision)


_ClaimT = TypeVar("_ClaimT", Claim, ClaimDraft)


class ClaimReader:
    """Reads claims as `claim_create` does: the date, the candidacy, the normalized value."""

    def __init__(self, places: PlaceCache | None = None) -> None:
        self.places = places or PlaceCache()
        # (property, value, as_of, precision): the value read, or why it could not be.
        self._values: dict[
            tuple[str, str, datetime.date | None, str], Normalized | NormalizationError
        ] = {}

    def preload(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Look up at once the places named by the (property, value) pairs of a batch."""
        self.places.preload(
            clean(value) for property, value in pairs if property in PLACE_LEVELS and value
        )

    def read(
        self,
        claim: _ClaimT,
        *,
        as_of: PartialDate | None = None,
        candidacy: Candidacy | None = None,
    ) -> _ClaimT:
        """Set the claim's date, candidacy and normalized value; ValidationError if it can't.

        `claim` is a Claim or a ClaimDraft; its `article` (or ArticleDates) and `candidate`
        (with its candidacies prefetched) must be loaded, so that reading costs no query.
        """
        _apply_as_of(claim, as_of)
        _apply_candidacy(claim, candidacy)
        self.read_value(claim)
        return claim

    def read_value(self, claim: Claim | ClaimDraft) -> None:
        # Every value of a sheet is read once: rows repeat values ("declared", "Hangzhou").
        key = (claim.property, claim.value, claim.as_of, claim.as_of_precision)
        if key not in self._values:
            try:
                self._values[key] = self._normalize(claim.property, claim.value, claim.as_of_date)
            except NormalizationError as error:
                self._values[key] = error
        result = self._values[key]
        if isinstance(result, NormalizationError):
            raise ValidationError({"value": str(result)})
        claim.value_key, claim.normalized = result.key[:500], result.data

    def _normalize(self, property: str, value: str, as_of: PartialDate | None) -> Normalized:
        if property not in PLACE_LEVELS:
            return normalizers.normalize(property, value, as_of=as_of)
        # `normalize_place`, with its lookup answered from the batch's places.
        value, level = clean(value), PLACE_LEVELS[Property(property)]
        text = self.places.key(value)
        if not text:
            raise NormalizationError(gettext("No place is named here."))
        found = self.places.lookup(value, level=level)
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
        return Normalized(
            key="place:" + ",".join(map(str, ids)), data={"place_ids": ids, "text": text}
        )
