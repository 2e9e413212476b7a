"""/articles/<id>/archived/: a cited report as it was fetched (`sources.ArchivedCopy`).

Public only where the article's own page is (a public claim cites it,
`elections.public.archived_copy_of`). The copy is someone else's page, untrusted: it is sent
under a Content-Security-Policy of its own that sandboxes it (a unique origin, no script, no
form, nothing loaded from anywhere), never under the site's; anything but HTML, plain text,
PDF and images is sent as a download.
"""

from django.http import Http404, HttpResponse
from django.utils.translation import gettext

from elections import public

SHOWN_INLINE = ("text/html", "text/plain", "application/pdf", "image/png", "image/jpeg")
SANDBOX = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def article_archived(request, pk):
    copy = public.archived_copy_of(pk)
    if copy is None:
        raise Http404(gettext("No archived copy of a public report here."))
    declared = copy.content_type.split(";")[0].strip().lower()
    inline = declared in SHOWN_INLINE
    content_type = copy.content_type if inline else "application/octet-stream"
    response = HttpResponse(bytes(copy.data), content_type=content_type)
    # The site's own policy is replaced, not added to (django-csp leaves a response that
    # carries one alone).
    response["Content-Security-Policy"] = SANDBOX
    response["Referrer-Policy"] = "no-referrer"
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="archived-{copy.article_id}"'
    response["X-Archived-From"] = copy.final_url
    response["X-Archived-At"] = copy.fetched_at.isoformat()
    response["X-Archived-SHA256"] = copy.sha256
    return response
