"""Dated data releases: /data/ lists them; /data/<version>/<file> serves a release's files;
/data/latest/<file> redirects to the latest release's.

Releases are read through `elections.public.releases` and never page-cached: the list is
one query whatever the number of releases (a page of RELEASES_PER_PAGE, going back with
`before`, a release's id), a file is its parts read one at a time. A release never changes,
so a file carries its SHA-256 as ETag and may be kept by any cache for a day (a day, not for
ever: a release can be withdrawn).

/data/latest/ redirects (302) rather than repeating the bytes: a client that follows it reads
datapackage.json at its own address, where its resources' relative paths name the files of
the same release. Each file of /data/latest/ redirects too, for a client that resolves the
paths against the address it asked for.
"""

from django.db.models import Count, Sum
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext_lazy as _

from elections import datapackage
from elections.public import releases
from sources.admin.widgets import DATABASE_INTEGERS

NOT_FOUND = _("No such release.")
RELEASES_PER_PAGE = 50
# A release's files may be kept by caches this long.
FILE_MAX_AGE = 24 * 60 * 60
FILE_NAMES = frozenset(
    {
        "datapackage.json",
        datapackage.ANNOTATIONS_PATH,
        *(resource.path for resource in datapackage.RESOURCES),
    }
)


def _before(request):
    value = request.GET.get("before")
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit() and int(value) in DATABASE_INTEGERS):
        raise Http404(NOT_FOUND)
    return int(value)


def release_list(request):
    """/data/: the releases, newest first, with their licence, size and files."""
    before = _before(request)
    shown = releases.public_releases().order_by("-id")
    if before is not None:
        shown = shown.filter(id__lt=before)
    rows = list(
        shown.annotate(total_bytes=Sum("files__size"), file_count=Count("files"))[
            : RELEASES_PER_PAGE + 1
        ]
    )
    if before is not None and not rows:
        raise Http404(NOT_FOUND)
    page = rows[:RELEASES_PER_PAGE]
    older = page[-1].pk if len(rows) > RELEASES_PER_PAGE else None
    context = {
        "releases": [
            {
                "version": release.version,
                "created": release.created,
                "licence": release.licence,
                "licence_title": release.licence_title,
                "licence_path": release.licence_path,
                "files": max(release.file_count - 1, 0),  # datapackage.json aside
                "bytes": release.total_bytes or 0,
                "sha256": release.sha256,
                "url": reverse("elections:data-file", args=[release.version, "datapackage.json"]),
            }
            for release in page
        ],
        "resources": [*datapackage.RESOURCES],
        "annotations_path": datapackage.ANNOTATIONS_PATH,
        "latest_url": reverse("elections:data-latest", args=["datapackage.json"]),
        "newest": before is not None,
        "older": older,
    }
    return render(request, "elections/data_releases.html", context)


def release_file(request, version, path):
    """/data/<version>/<path>: a file of a public release, as it was made."""
    if path not in FILE_NAMES:
        raise Http404(NOT_FOUND)
    release = releases.release_named(version)
    if release is None:
        raise Http404(NOT_FOUND)
    kept = releases.release_file(release, path)
    if kept is None:
        raise Http404(NOT_FOUND)
    etag = f'"{kept.sha256}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified["ETag"] = etag
        return not_modified
    response = StreamingHttpResponse(
        releases.release_file_bytes(kept), content_type=kept.content_type
    )
    response["Content-Length"] = str(kept.size)
    response["ETag"] = etag
    response["X-Content-SHA256"] = kept.sha256
    patch_cache_control(response, public=True, max_age=FILE_MAX_AGE)
    return response


def latest_file(request, path):
    """/data/latest/<path>: a redirect to that file of the latest public release."""
    if path not in FILE_NAMES:
        raise Http404(NOT_FOUND)
    latest = releases.latest_release()
    if latest is None:
        raise Http404(NOT_FOUND)
    response = HttpResponseRedirect(reverse("elections:data-file", args=[latest.version, path]))
    patch_cache_control(response, no_cache=True)
    return response
