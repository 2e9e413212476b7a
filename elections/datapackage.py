"""A data release's files: the public record as a Frictionless data package (Data Package
v1, https://specs.frictionlessdata.io/), in English.

Each resource is a CSV file (UTF-8, no byte-order mark, a header row, RFC 4180 quoting) with
a Table Schema: its fields and their types, its primary key and its foreign keys into the
other resources. The W3C Web Annotations of the public facts (`elections.annotations`) are a
JSON-LD file, `annotations.jsonld`: an AnnotationCollection whose one page holds every
annotation, one to a line. The rows come from `elections.public.releases` (what is public)
read with `.iterator()` and written a batch at a time, so a release of any size is written in
bounded memory; the same record gives the same bytes, whatever the day.

`datapackage.json` describes the files: their sizes and SHA-256 hashes (`hash`), the
release's version, date and licence. Its resources' paths are relative: next to it at
/data/<version>/, or in a folder where it is downloaded with its files.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from elections import annotations, public
from elections.models import (
    Candidate,
    CandidateName,
    Contradiction,
    DisputeClaim,
    Election,
    Place,
    Property,
    Status,
)
from elections.public import releases
from elections.views.api import normalized_text, places_for_keys
from elections.views.exports import in_english
from sources.dates import PartialDate
from sources.models import Outlet
from sources.spreadsheets import neutralize_cell

PACKAGE_NAME = "sourcebook-china-local-elections-2011-2012"
PACKAGE_TITLE = (
    "Sourcebook: independent candidates in China's 2011-2012 local people's congress elections"
)
# Rows written to a chunk of bytes.
BATCH = 500
# Rows read from the database at a time.
FETCH = 2000
LICENCES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution-ShareAlike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC0-1.0": (
        "Creative Commons Zero v1.0 Universal",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    "ODbL-1.0": (
        "Open Data Commons Open Database License 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
}
NEUTRALIZED = (
    "Text cells that begin as a spreadsheet formula would (=, +, -, @, a tab or a carriage "
    "return, or their full-width forms) carry a leading apostrophe, as in the site's other "
    "CSV exports, so that no spreadsheet runs them."
)
PARTIAL_DATE = {"pattern": r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"}
WIKIDATA = {"pattern": "Q[1-9][0-9]*"}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonld": "application/ld+json"}


def licence(identifier: str | None = None) -> tuple[str, str, str]:
    """(identifier, title, address) of the licence `identifier`, by default the setting
    SOURCEBOOK_DATA_LICENSE; ValueError for one this module does not know."""
    identifier = identifier or getattr(settings, "SOURCEBOOK_DATA_LICENSE", "CC-BY-4.0")
    if identifier not in LICENCES:
        raise ValueError(
            f"SOURCEBOOK_DATA_LICENSE is {identifier!r}; it must be one of {sorted(LICENCES)}."
        )
    title, path = LICENCES[identifier]
    return identifier, title, path


def _field(name: str, type_: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "description": description, **extra}


def _enum(values: Iterable[str], required: bool = False) -> dict[str, Any]:
    constraints: dict[str, Any] = {"enum": [value for value in values if value]}
    if required:
        constraints["required"] = True
    return {"constraints": constraints}


def _fk(fields: str | list[str], resource: str, target: str | list[str]) -> dict[str, Any]:
    return {"fields": fields, "reference": {"resource": resource, "fields": target}}


def _iso(date: Any, precision: str) -> str:
    value = PartialDate.from_stored(date, precision)
    return value.isoformat() if value else ""


def _instant(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def _bool(value: Any) -> str:
    return "true" if value else "false"


@dataclass
class Resource:
    """One CSV resource: its name, what it holds, its schema, and its rows (lists of cells
    in the order of `fields`), made by `rows(context)`."""

    name: str
    title: str
    description: str
    fields: list[dict[str, Any]]
    rows: Callable[["Context"], Iterable[list[Any]]]
    primary_key: list[str]
    foreign_keys: list[dict[str, Any]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "description": NEUTRALIZED,
            "fields": self.fields,
            "primaryKey": self.primary_key,
        }
        if self.foreign_keys:
            schema["foreignKeys"] = self.foreign_keys
        return schema


@dataclass
class Context:
    """What the rows of a release need besides the database: the site's origin."""

    origin: str
    version: str
    place_ids: set[int] = field(default_factory=set)

    def url(self, path: str) -> str:
        return self.origin + path


def _candidates(context: Context) -> Iterator[list[Any]]:
    for person in releases.release_candidates().iterator(chunk_size=FETCH):
        yield [
            person.slug,
            person.display_name,
            person.name_zh,
            person.gender,
            person.birth_year,
            person.wikidata or "",
            context.url(person.get_absolute_url()),
        ]


def _names(context: Context) -> Iterator[list[Any]]:
    for row in releases.release_names().iterator(chunk_size=FETCH):
        yield list(row)


def _places(context: Context) -> Iterator[list[Any]]:
    context.place_ids = context.place_ids or releases.release_place_ids()
    for row in releases.release_places(context.place_ids).iterator(chunk_size=FETCH):
        yield [cell if cell is not None else "" for cell in row]


def _elections(context: Context) -> Iterator[list[Any]]:
    for (
        slug,
        name,
        place,
        level,
        cycle,
        polling_on,
        precision,
    ) in releases.release_elections().iterator(chunk_size=FETCH):
        yield [slug, name, place, level, cycle, _iso(polling_on, precision)]


def _candidacies(context: Context) -> Iterator[list[Any]]:
    for pk, candidate, election, status in releases.release_candidacies().iterator(
        chunk_size=FETCH
    ):
        yield [pk, candidate, election, status or ""]


def _steps(context: Context) -> Iterator[list[Any]]:
    for pk, candidacy, status, on, precision, sequence, claim in releases.release_steps().iterator(
        chunk_size=FETCH
    ):
        yield [pk, candidacy, status, _iso(on, precision), sequence, claim]


def _claims(context: Context) -> Iterator[list[Any]]:
    places = places_for_keys(
        releases.release_claims()
        .filter(value_key__startswith="place:")
        .order_by()
        .values_list("value_key", flat=True)
        .distinct()
    )
    for row in releases.release_claims().iterator(chunk_size=FETCH):
        (pk, slug, candidacy, prop, value, key, as_of, as_of_precision, article) = row[:9]
        exact, prefix, suffix, start, end, reviewed_at, disputed = row[9:]
        yield [
            pk,
            slug,
            candidacy,
            prop,
            value,
            normalized_text(key, places),
            _iso(as_of, as_of_precision),
            article,
            exact,
            prefix,
            suffix,
            start,
            end,
            _instant(reviewed_at),
            _bool(disputed),
        ]


def _disputes(context: Context) -> Iterator[list[Any]]:
    for row in releases.release_disputes().iterator(chunk_size=FETCH):
        pk, slug, candidacy, prop, on_date, status, verdict, note, resolved, reopened = row
        yield [
            pk,
            slug,
            candidacy,
            prop,
            on_date,
            status,
            verdict,
            note,
            _instant(resolved),
            _instant(reopened),
        ]


def _versions(context: Context) -> Iterator[list[Any]]:
    versions = releases.release_dispute_versions()
    places = places_for_keys(
        versions.filter(claim__value_key__startswith="place:")
        .order_by()
        .values_list("claim__value_key", flat=True)
        .distinct()
    )
    for row in versions.iterator(chunk_size=FETCH):
        dispute, group, claim, value, key, as_of, precision, article = row[:8]
        exact, overruled, judged, new = row[8:]
        yield [
            dispute,
            group,
            claim,
            value,
            normalized_text(key, places),
            _iso(as_of, precision),
            article,
            exact,
            judged,
            _bool(overruled),
            _bool(new),
        ]


def _articles(context: Context) -> Iterator[list[Any]]:
    head, _, tail = context.url(reverse("elections:article-detail", args=[0])).rpartition("/0/")
    for (
        pk,
        outlet,
        title,
        url,
        byline,
        language,
        published_on,
        precision,
    ) in releases.release_articles().iterator(chunk_size=FETCH):
        safe = url if (url or "").lower().startswith(("https://", "http://")) else ""
        yield [
            pk,
            outlet,
            title,
            safe,
            byline,
            language,
            _iso(published_on, precision),
            f"{head}/{pk}/{tail}",
        ]


def _outlets(context: Context) -> Iterator[list[Any]]:
    for row in releases.release_outlets().iterator(chunk_size=FETCH):
        yield [cell if cell is not None else "" for cell in row]


def _string(name: str, description: str, **extra: Any) -> dict[str, Any]:
    return _field(name, "string", description, **extra)


def _integer(name: str, description: str, **extra: Any) -> dict[str, Any]:
    return _field(name, "integer", description, **extra)


def _slug_of(resource: str) -> dict[str, Any]:
    return _string(f"{resource}_slug", f"The {resource}'s slug ({resource}s.slug).")


RESOURCES = [
    Resource(
        "candidates",
        "Candidates",
        "Published candidates: the person, with the identifiers others know them by.",
        [
            _string(
                "slug",
                "This site's identifier: the profile is /candidates/<slug>/.",
                constraints={"required": True, "unique": True},
            ),
            _string("name", "The name readers know."),
            _string("name_zh", "The name in Chinese characters."),
            _string("gender", "female or male.", **_enum(Candidate.Gender.values)),
            _integer("birth_year", "The year of birth, as reviewed."),
            _string("wikidata", "The Wikidata item (QID).", constraints=WIKIDATA),
            _string("profile_url", "The public profile.", format="uri"),
        ],
        _candidates,
        ["slug"],
    ),
    Resource(
        "names",
        "Names",
        "Every form of a candidate's name as printed: characters and romanizations.",
        [
            _slug_of("candidate"),
            _string("name", "The name as printed."),
            _string("kind", "Its script or romanization.", **_enum(CandidateName.Kind.values)),
        ],
        _names,
        ["candidate_slug", "name"],
        [_fk("candidate_slug", "candidates", "slug")],
    ),
    Resource(
        "places",
        "Places",
        "The places elections were held at, and the places that contain them.",
        [
            _string("slug", "This site's identifier.", constraints={"required": True}),
            _string("level", "The administrative level.", **_enum(Place.Level.values)),
            _string("name", "The name in English or pinyin."),
            _string("name_zh", "The name in Chinese characters."),
            _string("pinyin", "The name in pinyin."),
            _string(
                "code",
                "The GB/T 2260 division code (a township's 9 or 12 digits).",
                constraints={"pattern": "[0-9]{6}([0-9]{3}([0-9]{3})?)?"},
            ),
            _string("wikidata", "The Wikidata item (QID).", constraints=WIKIDATA),
            _string("parent_slug", "The place that contains it (places.slug)."),
        ],
        _places,
        ["slug"],
        [_fk("parent_slug", "places", "slug")],
    ),
    Resource(
        "elections",
        "Elections",
        "The people's congress elections a published candidate stood in.",
        [
            _string("slug", "This site's identifier.", constraints={"required": True}),
            _string("name", "The election's name."),
            _string("place_slug", "Where it was held (places.slug)."),
            _string("level", "The congress's level.", **_enum(Election.Level.values)),
            _string("cycle", "The electoral cycle."),
            _string(
                "polling_date",
                "The polling day: YYYY, YYYY-MM or YYYY-MM-DD.",
                constraints=PARTIAL_DATE,
            ),
        ],
        _elections,
        ["slug"],
        [_fk("place_slug", "places", "slug")],
    ),
    Resource(
        "candidacies",
        "Candidacies",
        "A candidate's run in an election; its status is the latest a public fact reports.",
        [
            _integer("id", "This site's identifier.", constraints={"required": True}),
            _slug_of("candidate"),
            _string("election_slug", "The election (elections.slug)."),
            _string(
                "status", "The latest status a public fact reports, if any.", **_enum(Status.values)
            ),
        ],
        _candidacies,
        ["id"],
        [_fk("candidate_slug", "candidates", "slug"), _fk("election_slug", "elections", "slug")],
    ),
    Resource(
        "status_steps",
        "Status steps",
        "The dated steps of a candidacy (declared, official candidate, elected...), each "
        "reported by a public fact.",
        [
            _integer("id", "This site's identifier.", constraints={"required": True}),
            _integer("candidacy_id", "The candidacy (candidacies.id)."),
            _string("status", "The status from that date.", **_enum(Status.values)),
            _string("date", "YYYY, YYYY-MM or YYYY-MM-DD.", constraints=PARTIAL_DATE),
            _integer("sequence", "Its place in the candidacy's course, from the earliest."),
            _integer("claim_id", "The fact that reports it (claims.id)."),
        ],
        _steps,
        ["id"],
        [_fk("candidacy_id", "candidacies", "id"), _fk("claim_id", "claims", "id")],
    ),
    Resource(
        "claims",
        "Facts",
        "Verified facts with their citations: what an article says about a candidate, the "
        "passage quoted word for word, and whether outlets dispute it.",
        [
            _integer("id", "This site's identifier.", constraints={"required": True}),
            _slug_of("candidate"),
            _integer("candidacy_id", "For a fact about a run for office (candidacies.id)."),
            _string("property", "What it says.", **_enum(Property.values)),
            _string("value", "The value as the outlet printed it."),
            _string("normalized_value", "The value as this site compares it."),
            _string(
                "as_of",
                "The date it holds for: YYYY, YYYY-MM or YYYY-MM-DD.",
                constraints=PARTIAL_DATE,
            ),
            _integer("article_id", "The article it cites (articles.id)."),
            _string("quote", "The quoted passage, in the article's text as normalized here."),
            _string("quote_prefix", "Up to 32 characters before the passage."),
            _string("quote_suffix", "Up to 32 characters after the passage."),
            _integer("quote_start", "Where the passage starts, in code points."),
            _integer("quote_end", "Where it ends (excluded)."),
            _field("verified_at", "datetime", "When a reviewer verified it (UTC)."),
            _field("disputed", "boolean", "Whether it is a version of a dispute."),
        ],
        _claims,
        ["id"],
        [
            _fk("candidate_slug", "candidates", "slug"),
            _fk("candidacy_id", "candidacies", "id"),
            _fk("article_id", "articles", "id"),
        ],
    ),
    Resource(
        "disputes",
        "Disputes",
        "Questions on which outlets disagree, with the reviewers' verdicts.",
        [
            _integer("id", "This site's identifier.", constraints={"required": True}),
            _slug_of("candidate"),
            _integer("candidacy_id", "For a question about a run for office (candidacies.id)."),
            _string("property", "The property in question."),
            _string("on_date", "For a status: the date the outlets disagree on."),
            _string("status", "open or resolved.", **_enum(["open", "resolved"])),
            _string(
                "verdict", "The verdict, once resolved.", **_enum(Contradiction.Verdict.values)
            ),
            _string("verdict_note", "The reviewer's note on the verdict."),
            _field("resolved_at", "datetime", "When it was resolved (UTC)."),
            _field("reopened_at", "datetime", "When a new version reopened it (UTC)."),
        ],
        _disputes,
        ["id"],
        [_fk("candidate_slug", "candidates", "slug"), _fk("candidacy_id", "candidacies", "id")],
    ),
    Resource(
        "dispute_versions",
        "Versions of disputes",
        "The facts of each value group of a dispute. A version a verdict found wrong is "
        "listed here only: its claim is not among the facts (claims).",
        [
            _integer("dispute_id", "The dispute (disputes.id)."),
            _integer("group", "The value group, from 1."),
            _integer("claim_id", "The claim (in claims unless found wrong)."),
            _string("value", "The value as printed."),
            _string("normalized_value", "The value as this site compares it."),
            _string("as_of", "YYYY, YYYY-MM or YYYY-MM-DD.", constraints=PARTIAL_DATE),
            _integer("article_id", "The article it cites (articles.id)."),
            _string("quote", "The quoted passage."),
            _string(
                "judged",
                "What the verdict found of it: right, wrong or nothing.",
                **_enum(DisputeClaim.Judged.values),
            ),
            _field("overruled", "boolean", "Whether the verdict overruled it."),
            _field("new", "boolean", "Whether it came after the verdict and reopened it."),
        ],
        _versions,
        ["dispute_id", "claim_id"],
        [_fk("dispute_id", "disputes", "id"), _fk("article_id", "articles", "id")],
    ),
    Resource(
        "articles",
        "Articles",
        "The articles the facts cite: their metadata only, never their text.",
        [
            _integer("id", "This site's identifier.", constraints={"required": True}),
            _string("outlet_slug", "The outlet (outlets.slug)."),
            _string("title", "The title."),
            _string("url", "The article's address at its outlet.", format="uri"),
            _string("byline", "The byline."),
            _string("language", "Its language (BCP 47)."),
            _string("published", "YYYY, YYYY-MM or YYYY-MM-DD.", constraints=PARTIAL_DATE),
            _string("page_url", "Its page on this site.", format="uri"),
        ],
        _articles,
        ["id"],
        [_fk("outlet_slug", "outlets", "slug")],
    ),
    Resource(
        "outlets",
        "Outlets",
        "The publishers of the articles.",
        [
            _string("slug", "This site's identifier.", constraints={"required": True}),
            _string("name", "The name."),
            _string("kind", "What kind of publisher.", **_enum(Outlet.Kind.values)),
            _string("homepage", "Its address.", format="uri"),
            _string("country", "Its country (ISO 3166-1)."),
            _string("language", "Its language (BCP 47)."),
            _string("wikidata", "The Wikidata item (QID).", constraints=WIKIDATA),
        ],
        _outlets,
        ["slug"],
    ),
]
ANNOTATIONS_PATH = "annotations.jsonld"


class Writer:
    """One file of a release written as it is read: `chunks()` gives its bytes, and
    `rows` counts what it wrote once they have all gone."""

    def __init__(self, path: str, content_type: str, chunks: Callable[["Writer"], Iterator[bytes]]):
        self.path, self.content_type, self._chunks = path, content_type, chunks
        self.rows = 0

    def chunks(self) -> Iterator[bytes]:
        return in_english(self._chunks(self))


def _csv_writer(resource: Resource, context: Context) -> Writer:
    def chunks(writer: Writer) -> Iterator[bytes]:
        buffer = io.StringIO()
        out = csv.writer(buffer, lineterminator="\r\n")
        out.writerow([column["name"] for column in resource.fields])
        for number, row in enumerate(resource.rows(context), start=1):
            out.writerow([neutralize_cell(cell) for cell in row])
            writer.rows = number
            if number % BATCH == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")

    return Writer(resource.path, CONTENT_TYPES["csv"], chunks)


def _annotations_writer(context: Context) -> Writer:
    def chunks(writer: Writer) -> Iterator[bytes]:
        claims = public.public_annotations()
        total = claims.count()
        head = {
            "@context": annotations.CONTEXT,
            "id": context.url(
                reverse("elections:data-file", args=[context.version, ANNOTATIONS_PATH])
            ),
            "type": "AnnotationCollection",
            "label": "The passages behind the public facts",
            "total": total,
        }
        text = json.dumps(head, ensure_ascii=False)[:-1]
        batch = [text + ', "first": {"type": "AnnotationPage", "startIndex": 0, "items": [\n']
        for number, claim in enumerate(claims.iterator(chunk_size=FETCH), start=1):
            item = annotations.annotation_of(claim, context.url)
            del item["@context"]
            batch.append(("" if number == 1 else ",\n") + json.dumps(item, ensure_ascii=False))
            writer.rows = number
            if number % BATCH == 0:
                yield "".join(batch).encode("utf-8")
                batch = []
        batch.append("\n]}}\n")
        yield "".join(batch).encode("utf-8")

    return Writer(ANNOTATIONS_PATH, CONTENT_TYPES["jsonld"], chunks)


def writers(origin: str, version: str) -> list[Writer]:
    """The writers of the data files of the release `version`, for the site at `origin`, in
    the order of `datapackage.json`'s resources."""
    context = Context(origin=origin, version=version)
    return [
        *(_csv_writer(resource, context) for resource in RESOURCES),
        _annotations_writer(context),
    ]


def descriptor(
    *, version: str, created: datetime, licence_id: str, origin: str, files: list[Any]
) -> bytes:
    """datapackage.json for the release `version`, whose data `files` (each with `path`,
    `size`, `sha256` and `rows`) were written by `writers`."""
    _identifier, title, path = licence(licence_id)
    by_path = {file.path: file for file in files}
    resources = []
    for resource in RESOURCES:
        file = by_path[resource.path]
        resources.append(
            {
                "profile": "tabular-data-resource",
                "name": resource.name,
                "path": resource.path,
                "title": resource.title,
                "description": f"{resource.description} {file.rows} rows.",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": file.size,
                "hash": f"sha256:{file.sha256}",
                "dialect": {"delimiter": ",", "doubleQuote": True, "header": True},
                "schema": resource.schema(),
            }
        )
    file = by_path[ANNOTATIONS_PATH]
    resources.append(
        {
            "profile": "data-resource",
            "name": "annotations",
            "path": ANNOTATIONS_PATH,
            "title": "Annotations",
            "description": (
                "The passages behind the public facts as W3C Web Annotations (JSON-LD): an "
                "AnnotationCollection whose one page holds every annotation, one to a line, "
                "with a TextQuoteSelector and a TextPositionSelector on the article. "
                f"{file.rows} annotations."
            ),
            "format": "jsonld",
            "mediatype": "application/ld+json",
            "encoding": "utf-8",
            "bytes": file.size,
            "hash": f"sha256:{file.sha256}",
        }
    )
    package = {
        "profile": "data-package",
        "name": PACKAGE_NAME,
        "title": PACKAGE_TITLE,
        "description": (
            "Published candidates, their names and candidacies, the verified facts with the "
            "passages they quote, the disputes between outlets with their verdicts, and the "
            "outlets, articles and places they name: the public record as it stood on "
            f"{created.astimezone(UTC).date().isoformat()}. The licence covers the "
            "compilation; the quoted passages remain their outlets'."
        ),
        "version": version,
        "created": _instant(created),
        "homepage": f"{origin}{reverse('elections:data-releases')}",
        "licenses": [{"name": licence_id, "path": path, "title": title}],
        "sources": [{"title": "Sourcebook", "path": f"{origin}/"}],
        "resources": resources,
    }
    return (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
