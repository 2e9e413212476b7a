"""Matching names against the public record, for the W3C Reconciliation API (version 0.2).

Three entity types: published candidates (`Candidate.objects.published()`), the places the
public record names (`public.public_places()`: where a published candidate stood, and the
provinces and cities holding those) and the outlets a public claim cites
(`public.reporting_outlets()`). Nothing else is ever read as a possible match.

Names are compared folded, as the public search folds them: a candidate's keys are its
`search_text` (`elections.names`: Latin letters, Chinese characters, their pinyin and their
Wade–Giles), a query's are `query_keys`, so "Xu Ruiyan", "许志永", "Xu Zhiyong" and "Hsu
Chih-yung" each find the record that holds that name; an outlet's name is folded the same
way; a place's names by `elections.places.fold_place_name` (suffixes such as 市 or "City"
dropped), as the importers look places up.

A score runs from 0 to 100: 100 when a folded key of the query is a key of the record, else
the share of the record's key that the query covers (at most 90: "Xu" in "xuzhiyong" is 20).
Each property value given that the record does not have takes 25 off. `match` is true for
one result only: the record whose name is an exact match and whose given properties all
agree, when it is the only such record of the answer (two namesakes are left to the user).

Answers are bounded: `limit` defaults to DEFAULT_LIMIT and is capped at MAX_LIMIT; a batch
holds at most MAX_QUERIES queries (a longer one is refused); a query's text is read up to
MAX_QUERY_CHARS characters; each type reads at most SCAN rows per query, exact matches first.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from elections import public
from elections.models import Candidacy, Candidate, Place
from elections.names import fold_han, fold_latin, name_keys, query_keys, search_patterns
from elections.places import fold_place_name
from sources.identifiers import wikidata_qid

DEFAULT_LIMIT = 5
MAX_LIMIT = 25
MAX_QUERIES = 50
MAX_QUERY_CHARS = 200
MAX_VALUES = 10  # property values read per property of a query
SCAN = 100
MISMATCH_PENALTY = 25

TYPES = {"candidate": "Candidate", "place": "Place", "outlet": "Outlet"}
# Property id: (name, the types it applies to).
PROPERTIES = {
    "province": ("Province", ("candidate", "place")),
    "birth_year": ("Birth year", ("candidate",)),
    "wikidata": ("Wikidata QID", ("candidate", "place", "outlet")),
}


class BadQuery(ValueError):
    """A batch or query the service cannot read; its message says why (in English)."""


@dataclass
class Query:
    text: str
    types: tuple[str, ...]
    limit: int = DEFAULT_LIMIT
    properties: list[tuple[str, list[Any]]] = field(default_factory=list)


@dataclass
class Hit:
    """One possible match: its id ("candidate/xu-yan"), name, type and scores."""

    id: str
    name: str
    type: str
    name_score: int
    description: str = ""
    properties: dict[str, bool] = field(default_factory=dict)

    @property
    def score(self) -> int:
        misses = sum(1 for agrees in self.properties.values() if not agrees)
        return max(self.name_score - MISMATCH_PENALTY * misses, 0)

    @property
    def exact(self) -> bool:
        return self.name_score == 100 and all(self.properties.values())

    def as_result(self, match: bool) -> dict[str, Any]:
        features = [{"id": "name", "value": self.name_score}]
        features += [{"id": pid, "value": agrees} for pid, agrees in self.properties.items()]
        result = {
            "id": self.id,
            "name": self.name,
            "score": self.score,
            "match": match,
            "type": [{"id": self.type, "name": TYPES[self.type]}],
            "features": features,
        }
        if self.description:
            result["description"] = self.description
        return result


def _limit(value: Any, default: int = DEFAULT_LIMIT) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadQuery("limit is a number") from None
    return min(max(number, 1), MAX_LIMIT)


def _types(value: Any) -> tuple[str, ...]:
    if value is None or value == "" or value == []:
        return tuple(TYPES)
    listed = [value] if isinstance(value, str) else value
    if not isinstance(listed, list) or not all(isinstance(item, str) for item in listed):
        raise BadQuery("type is a type id or a list of them")
    return tuple(item for item in listed if item in TYPES)


def parse_query(data: Any) -> Query:
    """One query of a batch, as OpenRefine sends it."""
    if not isinstance(data, dict):
        raise BadQuery("each query is an object")
    text = data.get("query", "")
    if not isinstance(text, str):
        raise BadQuery("query is a string")
    properties = []
    given = data.get("properties") or []
    if not isinstance(given, list):
        raise BadQuery("properties is a list")
    for item in given[: len(PROPERTIES) * 2]:
        if not isinstance(item, dict) or not isinstance(item.get("pid"), str) or "v" not in item:
            raise BadQuery("each property is an object with pid and v")
        values = item["v"] if isinstance(item["v"], list) else [item["v"]]
        properties.append((item["pid"], values[:MAX_VALUES]))
    return Query(
        text=text[:MAX_QUERY_CHARS],
        types=_types(data.get("type")),
        limit=_limit(data.get("limit")),
        properties=properties,
    )


def parse_batch(text: str) -> dict[str, Query]:
    """The `queries` parameter: a JSON object of named queries (q0, q1 ...)."""
    try:
        data = json.loads(text)
    except ValueError:
        raise BadQuery("queries is not JSON") from None
    if not isinstance(data, dict):
        raise BadQuery("queries is a JSON object of queries")
    if len(data) > MAX_QUERIES:
        raise BadQuery(f"a batch holds at most {MAX_QUERIES} queries")
    return {str(key)[:MAX_QUERY_CHARS]: parse_query(query) for key, query in data.items()}


def _coverage(query: Iterable[str], keys: Iterable[str]) -> int:
    """100 when a query key is one of `keys`, else the best share of a key a query key covers
    (at most 90), else 0."""
    keys, best = list(keys), 0
    for wanted in query:
        for key in keys:
            if wanted == key:
                return 100
            if wanted and wanted in key:
                best = max(best, min(90, round(90 * len(wanted) / len(key))))
    return best


def _value_text(value: Any) -> str:
    """A property value as text: an entity reconciled before gives its id."""
    if isinstance(value, dict):
        value = value.get("id") or value.get("name") or ""
    return str(value) if isinstance(value, str | int | float) else ""


class Matcher:
    """Answers the queries of one batch; what several queries need is read once."""

    def __init__(self) -> None:
        self._places_named: dict[str, set[int]] = {}
        self._outlet_rows: list[dict[str, Any]] | None = None

    def answer(self, queries: dict[str, Query]) -> dict[str, dict[str, list[dict[str, Any]]]]:
        return {key: {"result": self.results(query)} for key, query in queries.items()}

    def results(self, query: Query) -> list[dict[str, Any]]:
        hits: list[Hit] = []
        for kind in query.types:
            hits += getattr(self, f"_{kind}s")(query)
        hits.sort(key=lambda hit: (-hit.score, hit.name, hit.id))
        hits = hits[: query.limit]
        exact = [hit for hit in hits if hit.exact]
        return [hit.as_result(match=len(exact) == 1 and hit is exact[0]) for hit in hits]

    # Properties.

    def _province_ids(self, values: list[Any]) -> set[int]:
        """The provinces that property values name: by name in any form, or a place id."""
        found: set[int] = set()
        for value in values:
            text = _value_text(value)
            if text not in self._places_named:
                slug = text.removeprefix("place/")
                key = fold_place_name(text)
                named = Place.objects.filter(
                    Q(slug=slug) | Q(names__key=key) if key else Q(slug=slug)
                )
                self._places_named[text] = {
                    province or pk for pk, province in named.values_list("pk", "province_id")[:SCAN]
                }
            found |= self._places_named[text]
        return found

    def _agreement(self, query: Query, kind: str, facts: dict[str, Any]) -> dict[str, bool]:
        """Whether the record agrees with each property the query gives that its type has."""
        agreement = {}
        for pid, values in query.properties:
            if pid not in PROPERTIES or kind not in PROPERTIES[pid][1]:
                continue
            if pid == "province":
                agreement[pid] = bool(facts["provinces"] & self._province_ids(values))
            elif pid == "birth_year":
                years = {_value_text(value).strip()[:4] for value in values}
                agreement[pid] = facts["birth_year"] is not None and (
                    str(facts["birth_year"]) in years
                )
            else:
                qids = {wikidata_qid(_value_text(value)) for value in values}
                agreement[pid] = bool(facts["wikidata"]) and facts["wikidata"] in qids
        return agreement

    # The three types.

    def _candidates(self, query: Query) -> list[Hit]:
        keys = query_keys(query.text)
        if not keys:
            return []
        exact, partial = Q(), Q()
        for key in keys:
            exact |= Q(search_text__contains=f"|{key}|")
        for pattern in search_patterns(query.text):
            partial |= Q(search_text__contains=pattern)
        columns = ("slug", "display_name", "name_zh", "birth_year", "wikidata", "search_text")
        published = Candidate.objects.published().only(*columns).order_by("display_name", "pk")
        found = {candidate.pk: candidate for candidate in published.filter(exact)[:SCAN]}
        more = published.filter(partial).exclude(pk__in=list(found))[: max(SCAN - len(found), 0)]
        found.update((candidate.pk, candidate) for candidate in more)
        places = _candidate_places(found)
        hits = []
        for candidate in found.values():
            stood = places.get(candidate.pk, [])
            facts = {
                "provinces": {province for province, _label in stood},
                "birth_year": candidate.birth_year,
                "wikidata": candidate.wikidata,
            }
            hits.append(
                Hit(
                    id=f"candidate/{candidate.slug}",
                    name=_both_names(candidate.display_name, candidate.name_zh),
                    type="candidate",
                    name_score=_coverage(keys, candidate.search_text.strip("|").split("|")),
                    description=_candidate_description(candidate, stood),
                    properties=self._agreement(query, "candidate", facts),
                )
            )
        return hits

    def _places(self, query: Query) -> list[Hit]:
        key = fold_place_name(query.text)
        if not key:
            return []
        shown = public.public_places().select_related("province").order_by("code", "pk")
        found = {place.pk: place for place in shown.filter(names__key=key).distinct()[:SCAN]}
        more = (shown.filter(names__key__contains=key).exclude(pk__in=list(found)).distinct())[
            : max(SCAN - len(found), 0)
        ]
        found.update((place.pk, place) for place in more)
        keys = _place_keys(found)
        return [
            Hit(
                id=f"place/{place.slug}",
                name=_both_names(place.name, place.name_zh),
                type="place",
                name_score=_coverage([key], keys.get(place.pk, ())),
                description=place_description(place),
                properties=self._agreement(
                    query,
                    "place",
                    {"provinces": {place.province_id or place.pk}, "wikidata": place.wikidata},
                ),
            )
            for place in found.values()
        ]

    def _outlets(self, query: Query) -> list[Hit]:
        keys = query_keys(query.text)
        if not keys:
            return []
        if self._outlet_rows is None:
            self._outlet_rows = [
                {**row, "keys": name_keys(row["name"]) | {row["slug"]}}
                for row in public.reporting_outlets().values(
                    "slug", "name", "kind", "country", "wikidata"
                )
            ]
        hits = []
        for outlet in self._outlet_rows:
            score = _coverage(keys, outlet["keys"])
            if score:
                hits.append(
                    Hit(
                        id=f"outlet/{outlet['slug']}",
                        name=outlet["name"],
                        type="outlet",
                        name_score=score,
                        description=_joined(
                            outlet["kind"], outlet["country"], _qid_note(outlet["wikidata"])
                        ),
                        properties=self._agreement(query, "outlet", outlet),
                    )
                )
        return hits


def _both_names(name: str, name_zh: str) -> str:
    return f"{name} ({name_zh})" if name_zh and name_zh != name else name


def _joined(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def _qid_note(qid: str) -> str:
    return f"Wikidata {qid}" if qid else ""


def _candidate_places(candidates: dict[int, Candidate]) -> dict[int, list[tuple[int, str]]]:
    """Each candidate's provinces as (province id, "Place, Province"), by id: one query."""
    places: dict[int, list[tuple[int, str]]] = {}
    rows = (
        Candidacy.objects.filter(candidate_id__in=list(candidates))
        .order_by("election__polling_on", "election_id")
        .values_list(
            "candidate_id",
            "election__place_id",
            "election__place__name",
            "election__place__province_id",
            "election__place__province__name",
        )
    )
    for candidate_id, place_id, name, province_id, province in rows:
        label = name if province_id in (None, place_id) else f"{name}, {province}"
        entry = (province_id or place_id, label)
        if entry not in places.setdefault(candidate_id, []):
            places[candidate_id].append(entry)
    return places


def _candidate_description(candidate: Candidate, stood: list[tuple[int, str]]) -> str:
    return _joined(
        f"born {candidate.birth_year}" if candidate.birth_year else "",
        f"stood in {' / '.join(label for _id, label in stood)}" if stood else "",
        _qid_note(candidate.wikidata),
    )


def place_description(place: Place) -> str:
    """A place in a few words: its level, its province, its codes."""
    province = place.province if place.province_id not in (None, place.pk) else None
    return _joined(
        place.get_level_display(),
        f"in {province.name}" if province is not None else "",
        f"GB/T 2260 {place.gb_t_2260}" if place.gb_t_2260 else "",
        _qid_note(place.wikidata),
    )


def _place_keys(places: dict[int, Place]) -> dict[int, set[str]]:
    from elections.models import PlaceName

    keys: dict[int, set[str]] = {}
    for place_id, key in PlaceName.objects.filter(place_id__in=list(places)).values_list(
        "place_id", "key"
    ):
        keys.setdefault(place_id, set()).add(key)
    return keys


def suggest_entities(prefix: str, types: tuple[str, ...], limit: int) -> list[dict[str, Any]]:
    """The suggest service's entities: the best matches of `prefix`, as name and id."""
    query = Query(text=prefix[:MAX_QUERY_CHARS], types=types, limit=limit)
    return [
        {
            "id": result["id"],
            "name": result["name"],
            **({"description": result["description"]} if "description" in result else {}),
            "notable": result["type"],
        }
        for result in Matcher().results(query)
    ]


def _starts(prefix: str, *names: str) -> bool:
    folded = fold_latin(prefix) or fold_han(prefix)
    return not folded or any(fold_latin(name).startswith(folded) for name in names)


def suggest_types(prefix: str) -> list[dict[str, str]]:
    return [{"id": tid, "name": name} for tid, name in TYPES.items() if _starts(prefix, tid, name)]


def suggest_properties(prefix: str) -> list[dict[str, str]]:
    return [
        {"id": pid, "name": name, "description": f"of {', '.join(TYPES[t] for t in types)}"}
        for pid, (name, types) in PROPERTIES.items()
        if _starts(prefix, pid, name)
    ]


def entity(entity_id: str) -> tuple[str, Any] | None:
    """The public record an entity id names, as (type, record); None when the public may not
    see it (or it does not exist)."""
    kind, _, slug = (entity_id or "").partition("/")
    if not slug or len(slug) > 200:
        return None
    if kind == "candidate":
        record = Candidate.objects.published().filter(slug=slug).order_by().first()
    elif kind == "place":
        record = (
            public.public_places().filter(slug=slug).select_related("province").order_by().first()
        )
    elif kind == "outlet":
        record = public.reporting_outlets().filter(slug=slug).first()
    else:
        return None
    return (kind, record) if record is not None else None


def candidate_places(candidate: Candidate) -> list[str]:
    """Where a published candidate stood, as "Place, Province" labels."""
    return [
        label for _id, label in _candidate_places({candidate.pk: candidate}).get(candidate.pk, [])
    ]
