"""/api/annotations/: the passages behind public facts as W3C Web Annotations, in the
container shape of the Web Annotation Protocol (an AnnotationCollection whose `first` page
is embedded; each AnnotationPage links `next`), all of them or those of one article
(`?article=<id>`). Pages go on by claim id (`after`), so each costs one query."""

from django.http import JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from elections import public, tallies
from elections.annotations import CONTENT_TYPE, CONTEXT, annotation_of
from elections.views.api import json_response, read_only
from sources.admin.widgets import DATABASE_INTEGERS

LABEL = "Passages behind the public facts of Sourcebook"


def _number(request, name):
    """The whole number `name` of the query (None when absent); ValueError when it is not one
    the database could hold."""
    value = request.GET.get(name)
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit() and int(value) in DATABASE_INTEGERS):
        raise ValueError(name)
    return int(value)


@read_only
def annotation_list(request):
    try:
        article, after = _number(request, "article"), _number(request, "after")
    except ValueError:
        return json_response({"detail": gettext("Not found.")}, status=404)
    base = request.build_absolute_uri(reverse("elections:api-annotations"))
    scope = {"article": article} if article is not None else {}
    collection = f"{base}?{urlencode(scope)}" if scope else base

    def page_url(start):
        query = {**scope, **({"after": start} if start is not None else {})}
        return f"{base}?{urlencode(query)}" if query else f"{base}?after=0"

    rows, following = public.annotation_page(after, article=article)
    page = {
        "id": page_url(after if after is not None else 0),
        "type": "AnnotationPage",
        "partOf": collection,
        "items": [annotation_of(claim, request.build_absolute_uri) for claim in rows],
    }
    if following is not None:
        page["next"] = page_url(following)
    if after is not None:
        data = {"@context": CONTEXT, **page}
    else:
        if article is None:
            tallies.settled()
            total = tallies.count(tallies.ALL, 0, "facts")
        else:
            total = public.public_annotations(article=article).count()
        data = {
            "@context": [CONTEXT, "http://www.w3.org/ns/ldp.jsonld"],
            "id": collection,
            "type": ["BasicContainer", "AnnotationCollection"],
            "label": LABEL,
            "total": total,
            "first": {**page, "partOf": collection, "startIndex": 0},
        }
    response = JsonResponse(
        data, json_dumps_params={"ensure_ascii": False}, content_type=CONTENT_TYPE
    )
    response["Link"] = '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type"'
    return response
