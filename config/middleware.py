"""Middleware that keeps malformed input away from the views and gives refusals the site's pages.

`RefuseMalformedInput` answers 400 before any view or database sees a request whose address,
query string, form fields, uploaded file names, cookies or headers hold a NUL byte or a lone
surrogate. PostgreSQL refuses NUL in text ("text fields cannot contain NUL (0x00) bytes")
and a lone surrogate cannot be encoded to UTF-8 at all, so either would otherwise surface as
a 500 in whichever query first used the value: a slug lookup, an admin filter, a session
cookie, the login throttle's record of a failed sign-in. No legitimate request holds either.

It also gives a 405 (a page posted to that only reads) the site's own page instead of
Django's empty body, keeping the `Allow` header.
"""

import re

from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.template import loader
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext

# NUL and the UTF-16 surrogate range, which no well-formed UTF-8 text decodes to.
MALFORMED = re.compile("[\x00\ud800-\udfff]")
# The read-only API answers in JSON, errors included (see elections.views.api).
API_PREFIX = "/api/"


def _malformed(values):
    return any(isinstance(value, str) and MALFORMED.search(value) for value in values)


def _lists(querydict):
    for key, values in querydict.lists():
        yield key
        yield from values


def malformed_part(request):
    """The name of the first part of `request` that holds NUL or a surrogate, or None."""
    if _malformed([request.path_info, request.path]):
        return "address"
    if _malformed(_lists(request.GET)):
        return "query string"
    if _malformed(request.COOKIES.keys()) or _malformed(request.COOKIES.values()):
        return "cookies"
    if _malformed(value for key, value in request.META.items() if key.startswith("HTTP_")):
        return "headers"
    if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
        # Reading the form parses the body as CsrfViewMiddleware would a moment later; a
        # body Django cannot parse raises its own 400 here.
        if _malformed(_lists(request.POST)):
            return "form fields"
        if _malformed(
            name
            for key, files in request.FILES.lists()
            for name in [key, *(upload.name for upload in files)]
        ):
            return "uploaded files"
    return None


class RefuseMalformedInput:
    """Answer 400 to input holding NUL or a surrogate; give a bare 405 the site's page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        part = malformed_part(request)
        if part is not None:
            if request.path_info.startswith(API_PREFIX):
                return JsonResponse({"detail": gettext("Bad request.")}, status=400)
            # Raised, not returned, so that Django's handler renders the site's 400 page
            # (handler400 and templates/400.html) and logs it as a bad request.
            raise BadRequest(f"NUL byte or surrogate in the request's {part}")
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and not response.streaming:
            response.content = loader.render_to_string("405.html")
            response["Content-Type"] = "text/html; charset=utf-8"
        return response


class LanguageMiddleware(LocaleMiddleware):
    """Django's choice of language (cookie, then Accept-Language, then English), saying so.

    The response varies on the language cookie as much as on the Accept-Language header, so
    a shared cache between the site and the reader must key on both.
    """

    def process_response(self, request, response):
        response = super().process_response(request, response)
        patch_vary_headers(response, ("Cookie",))
        return response
