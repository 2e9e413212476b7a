"""datapackage.json: the package's name, version, date and licence, and its resources'
paths, sizes, SHA-256 hashes and schemas."""

import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from .resources import ANNOTATIONS_PATH, RESOURCES
from .rows import _instant

PACKAGE_NAME = "sourcebook-china-local-elections-2011-2012"
PACKAGE_TITLE = (
    "Sourcebook: independent candidates in China's 2011-2012 local people's congress elections"
)
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
