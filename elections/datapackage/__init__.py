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

Modules: `schema` (a resource's Table Schema, and the `Context` its rows are made in), `rows`
(each resource's rows and the formats of their cells), `resources` (the resources, in order),
`writing` (the files' bytes, as they are read) and `descriptor` (datapackage.json, licences).
"""

from .descriptor import LICENCES, PACKAGE_NAME, PACKAGE_TITLE, descriptor, licence
from .resources import ANNOTATIONS_PATH, RESOURCES
from .rows import FETCH
from .schema import NEUTRALIZED, PARTIAL_DATE, WIKIDATA, Context, Resource
from .writing import BATCH, CONTENT_TYPES, Writer, writers

__all__ = [
    "ANNOTATIONS_PATH",
    "BATCH",
    "CONTENT_TYPES",
    "FETCH",
    "LICENCES",
    "NEUTRALIZED",
    "PACKAGE_NAME",
    "PACKAGE_TITLE",
    "PARTIAL_DATE",
    "RESOURCES",
    "WIKIDATA",
    "Context",
    "Resource",
    "Writer",
    "descriptor",
    "licence",
    "writers",
]
