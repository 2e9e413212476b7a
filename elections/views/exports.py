"""Open-data exports: /export/popolo.json and /export/claims.csv.

Both hold published data only: published candidates and the verified claims no verdict
overruled (`elections.public.public_claims`). The CSV is streamed, and reads its rows with
one joined query whatever their number, so a large export costs the server little memory.
Its last column, `disputed`, is `true` for a claim whose question outlets dispute (a version
of a public dispute; the profile shows every version), else `false`.

Either may be built ahead of time by a task (`elections.tasks.exports_build`, from the
admin's task list or `manage.py build_exports`). A built export is served, with its length
and an ETag, while the public record is still as it was when built
(`elections.public.fresh_export`); after any public change the export is streamed from the
database again, so a download never shows what the public may no longer see.
"""

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import override

from elections import public
from elections.models import ExportFile
from elections.popolo import popolo_export
from elections.views.api import (
    PLACE_PROPERTIES,
    json_response,
    normalized_text,
    places_for_keys,
    read_only,
)
from elections.views.pages import safe_url
from sources.dates import PartialDate
from sources.spreadsheets import neutralize_cell

CSV_COLUMNS = [
    "candidate_slug",
    "candidate_name",
    "candidate_name_zh",
    "property",
    "value",
    "normalized_value",
    "as_of",
    "outlet",
    "article_title",
    "article_date",
    "article_url",
    "article_page",
    "quote",
    "verified_at",
    "disputed",
]
# Rows are written to the response this many at a time.
CSV_BATCH = 500
BOM = "\ufeff"


def origin_of(request):
    """The scheme and host a request's absolute addresses start with."""
    return f"{request.scheme}://{request.get_host()}"


def _built(request, name):
    """The response of the export `name` as built ahead (`elections.tasks.exports_build`),
    when the public may have it (`public.fresh_export`); else None."""
    built = public.fresh_export(name, origin_of(request))
    if built is None:
        return None
    response = StreamingHttpResponse(public.export_bytes(built), content_type=built.content_type)
    response["Content-Length"] = str(built.size)
    response["ETag"] = f'"{built.sha256}"'
    response["X-Export-Built"] = built.built_at.isoformat()
    return response


def in_english(chunks):
    """`chunks`, each made with English active: open data is language-neutral, whatever the
    language of the request or task reading it. The language is switched around each step
    only, never across a yield, so the code between chunks keeps its own."""
    chunks = iter(chunks)
    while True:
        with override("en"):
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk


def popolo_bytes(build_url):
    """The Popolo export, as the UTF-8 bytes of its JSON (one chunk)."""
    data = popolo_export(build_url=build_url)
    # As JsonResponse writes it, so that a built export is the bytes a live one would be.
    yield json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).encode("utf-8")


@read_only
def popolo_json(request):
    """Published candidates, their candidacies, the congresses and places, as Popolo JSON."""
    built = _built(request, ExportFile.Name.POPOLO)
    if built is not None:
        return built
    return json_response(popolo_export(build_url=request.build_absolute_uri))


CLAIM_ROW_FIELDS = (
    "candidate__slug",
    "candidate__display_name",
    "candidate__name_zh",
    "property",
    "value",
    "value_key",
    "as_of",
    "as_of_precision",
    "article__outlet__name",
    "article_id",
    "article__title",
    "article__published_on",
    "article__published_precision",
    "article__url",
    "passage__exact",
    "reviewed_at",
    "disputed",
)


def claim_rows():
    """One tuple per public claim, with its candidate and citation: one query.

    The tuples follow `CLAIM_ROW_FIELDS`; rows come in order of candidate, property and date.
    """
    return (
        public.public_claims()
        .annotate(disputed=public.disputed_fact())
        .order_by("candidate__slug", "property", "as_of", "id")
        .values_list(*CLAIM_ROW_FIELDS)
    )


def _iso(date, precision):
    value = PartialDate.from_stored(date, precision)
    return value.isoformat() if value else ""


def article_page_url(build_url):
    """A function giving the absolute address of an article's public page from its id.

    The address is reversed once and filled in per row, which matters for 200,000 rows.
    """
    head, _, tail = build_url(reverse("elections:article-detail", args=[0])).rpartition("/0/")
    return lambda pk: f"{head}/{pk}/{tail}"


def _csv_lines(rows, places, build_url):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(CSV_COLUMNS)
    article_page = article_page_url(build_url)
    for number, row in enumerate(rows, start=1):
        (
            slug,
            name,
            name_zh,
            prop,
            value,
            key,
            as_of,
            as_of_precision,
            outlet,
            article_id,
            title,
            published_on,
            published_precision,
            url,
            quote,
            reviewed_at,
            disputed,
        ) = row
        cells = [
            slug,
            name,
            name_zh,
            prop,
            value,
            normalized_text(key, places),
            _iso(as_of, as_of_precision),
            outlet,
            title,
            _iso(published_on, published_precision),
            safe_url(url),
            article_page(article_id),
            quote,
            reviewed_at.isoformat() if reviewed_at else "",
            "true" if disputed else "false",
        ]
        writer.writerow([neutralize_cell(cell) for cell in cells])
        if number % CSV_BATCH == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def claims_csv_bytes(build_url):
    """The claims CSV, as UTF-8 bytes in chunks of CSV_BATCH rows."""
    place_keys = (
        public.public_claims()
        .filter(property__in=PLACE_PROPERTIES, value_key__startswith="place:")
        .order_by()
        .values_list("value_key", flat=True)
        .distinct()
    )
    places = places_for_keys(place_keys)
    rows = claim_rows().iterator(chunk_size=2000)
    return in_english(_csv_lines(rows, places, build_url))


CLAIMS_CSV_TYPE = "text/csv; charset=utf-8"
POPOLO_TYPE = "application/json"


@read_only
def claims_csv(request):
    """Every public claim with its citation, as CSV in UTF-8 with a BOM (for Excel)."""
    response = _built(request, ExportFile.Name.CLAIMS)
    if response is None:
        response = StreamingHttpResponse(
            claims_csv_bytes(request.build_absolute_uri), content_type=CLAIMS_CSV_TYPE
        )
    response["Content-Disposition"] = 'attachment; filename="claims.csv"'
    return response
