"""The languages of the admin and the public site, and the switch between them.

Every page answers in English, 简体中文 or 繁體中文 at the same address. The language is the
one a person chose with the switch (kept in the `django_language` cookie for a year), else
the first of the browser's languages the site has (`zh-CN` and `zh-SG` read as simplified,
`zh-TW`, `zh-HK` and `zh-MO` as traditional Chinese), else English. Only the words of the
site change: names, places and article text keep the script they were written in.

The switch is a link per language (`/language/<code>/`), not a form: it works without
JavaScript and leaves the public pages free of CSRF tokens, so they stay cacheable. Choosing a
language changes nothing but the reader's own cookie, so a plain GET is safe. The link does not
carry the page it is on: the reader goes back to the page named by `?next=` when given, else
to the page the browser says it came from (the Referer, on this site only), else home. So
every page carries the same links, and no page echoes its own address into them (a 404 for a
withdrawn profile must not repeat its slug).
"""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_info
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def _codes():
    return [code for code, _name in settings.LANGUAGES]


def _safe_next(request):
    for target in (request.GET.get("next", ""), request.META.get("HTTP_REFERER", "")):
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return "/"


@require_safe
@never_cache
def choose_language(request, code):
    """Keep `code` as the reader's language and go back to the page they were reading."""
    if code not in _codes():
        raise Http404("No such language.")
    response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def language_links(request):
    """Template context: `language_links`, one entry per language, each named in itself."""
    current = translation.get_language()
    return {
        "language_links": [
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": reverse("choose_language", args=[code]),
                "current": code == current,
            }
            for code in _codes()
        ]
    }
