"""Writing a release's data files as they are read, a batch of rows to a chunk of bytes:
each resource's CSV (UTF-8, no byte-order mark, a header row, RFC 4180 quoting, cells
neutralized) and the annotations' JSON-LD, one annotation to a line."""

import csv
import io
import json
from collections.abc import Callable, Iterator

from django.urls import reverse

from elections import annotations, public
from elections.views.exports import in_english
from sources.spreadsheets import neutralize_cell

from .resources import ANNOTATIONS_PATH, RESOURCES
from .rows import FETCH
from .schema import Context, Resource

# Rows written to a chunk of bytes.
BATCH = 500
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonld": "application/ld+json"}


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
