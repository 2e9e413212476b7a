"""Open-data exports: /export/popolo.json and /export/claims.csv.

Both hold published data only: published candidates and the verified claims no verdict
overruled (`elections.public.public_claims`). The CSV is streamed, and reads its rows with
one joined query whatever their number, so a large export costs the server little memory.
Its last column, `disputed`, is `true` for a claim whose question outlets dispute (a version
of a public dispute; the profile shows every version), else `false`.

Both are built ahead by a task (`elections.tasks.exports_build`: the admin's button, `manage.py
build_exports`, and after every public change, `elections.exportfiles.rebuild_soon`). A built
export is sent as a file (this server's copy, `elections.exportfiles.local_copy`) with its
length and ETag (304 to If-None-Match), while the public record is still as it was when built
(`elections.public.fresh_export`); after any public change the export is rendered from the
database again (Popolo written as it is read, bounded in memory), so a download never shows
what the public may no longer see.
"""

import csv
import io
import itertools

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import override

from elections import exportfiles, popolo, public
from elections.cache import cache_public
from elections.models import ExportFile
from elections.views.api import (
    PLACE_PROPERTIES,
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
# The Popolo JSON is written in chunks of about this many characters.
CHUNK_CHARS = 64 * 1024
# A live export up to this size is answered whole; a longer one is streamed.
LIVE_WHOLE_BYTES = 1024 * 1024
# A built export is sent in blocks of this size where the server cannot hand it the file.
FILE_BLOCK_BYTES = 1024 * 1024
CLAIMS_CSV_TYPE = "text/csv; charset=utf-8"
POPOLO_TYPE = "application/json"
CLAIMS_DISPOSITION = 'attachment; filename="claims.csv"'


def origin_of(request):
    """The scheme and host a request's absolute addresses start with."""
    return f"{request.scheme}://{request.get_host()}"


def _built(request, name):
    """The response of the export `name` as built ahead (`elections.tasks.exports_build`),
    when the public may have it (`public.fresh_export`); else None.

    It is this server's copy of the file (`elections.exportfiles.local_copy`), sent as a
    static file is (the server's file wrapper, `sendfile` under gunicorn), or, when no copy
    can be kept, its parts read from the database one at a time. It carries its length and
    its SHA-256 as ETag; a request whose If-None-Match names it is answered 304, unread.
    """
    origin = origin_of(request)
    built, stale = public.kept_export(name, origin)
    if built is None:
        if stale:
            exportfiles.rebuild_soon(origin)
        return None
    etag = f'"{built.sha256}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified["ETag"] = etag
        return not_modified
    path = exportfiles.local_copy(built)
    if path is not None:
        response = FileResponse(path.open("rb"), content_type=built.content_type)
        response.block_size = FILE_BLOCK_BYTES
    else:
        response = StreamingHttpResponse(
            public.export_bytes(built), content_type=built.content_type
        )
    response["Content-Length"] = str(built.size)
    response["ETag"] = etag
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


def _in_chunks(pieces, size):
    """`pieces` of text as UTF-8 bytes, gathered into chunks of about `size` characters."""
    batch, length = [], 0
    for piece in pieces:
        batch.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(batch).encode("utf-8")
            batch, length = [], 0
    if batch:
        yield "".join(batch).encode("utf-8")


def popolo_bytes(build_url, on_page=None):
    """The Popolo export as the UTF-8 bytes of its JSON, in chunks of about CHUNK_CHARS
    characters, written as the record is read (`elections.popolo.popolo_json`, which calls
    `on_page` after each page of persons): the same bytes `JsonResponse` gave the whole
    document, in English whatever the language active."""
    return in_english(_in_chunks(popolo.popolo_json(build_url, on_page=on_page), CHUNK_CHARS))


def live_response(chunks, content_type):
    """A response of `chunks` rendered now: whole (with its length, cacheable as any page)
    when they come to at most LIVE_WHOLE_BYTES, else streamed, the first of them held until
    then. Either way no more than LIVE_WHOLE_BYTES of it is ever held."""
    chunks = iter(chunks)
    held, size = [], 0
    for chunk in chunks:
        held.append(chunk)
        size += len(chunk)
        if size > LIVE_WHOLE_BYTES:
            return StreamingHttpResponse(itertools.chain(held, chunks), content_type=content_type)
    return HttpResponse(b"".join(held), content_type=content_type)


@read_only
def popolo_json_live(request):
    """Published candidates, their candidacies, the congresses and places, as Popolo JSON,
    read from the database now."""
    return live_response(popolo_bytes(request.build_absolute_uri), POPOLO_TYPE)


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


@read_only
def claims_csv_live(request):
    """Every public claim with its citation, as CSV in UTF-8 with a BOM (for Excel), streamed
    from the database now."""
    response = StreamingHttpResponse(
        claims_csv_bytes(request.build_absolute_uri), content_type=CLAIMS_CSV_TYPE
    )
    response["Content-Disposition"] = CLAIMS_DISPOSITION
    return response


# The live exports, cached for anonymous readers as every public page is (`cache_public`);
# a built export is served as a file, past that cache.
_popolo_live = cache_public(popolo_json_live)
_claims_live = cache_public(claims_csv_live)


@read_only
def popolo_json(request):
    """/export/popolo.json: the built export while it is fresh, else the live one."""
    built = _built(request, ExportFile.Name.POPOLO)
    return built if built is not None else _popolo_live(request)


@read_only
def claims_csv(request):
    """/export/claims.csv: the built export while it is fresh, else the live one."""
    response = _built(request, ExportFile.Name.CLAIMS)
    if response is None:
        return _claims_live(request)
    response["Content-Disposition"] = CLAIMS_DISPOSITION
    return response
