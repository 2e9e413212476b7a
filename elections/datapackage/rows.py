"""The rows of each resource, read from `elections.public.releases` (what is public) with
`.iterator()`, a batch at a time, and the formats of their cells."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.urls import reverse

from elections.public import releases
from elections.views.api import normalized_text, places_for_keys
from sources.dates import PartialDate

from .schema import Context

# Rows read from the database at a time.
FETCH = 2000


def _iso(date: Any, precision: str) -> str:
    value = PartialDate.from_stored(date, precision)
    return value.isoformat() if value else ""


def _instant(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def _bool(value: Any) -> str:
    return "true" if value else "false"


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
