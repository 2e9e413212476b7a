"""The reconciliation service at /reconcile (W3C Reconciliation API, version 0.2).

OpenRefine and other clients send `queries` (a JSON object of queries q0, q1 ...) by GET or
by a form-encoded POST; without it, /reconcile answers the service's manifest. A `callback`
that is a JavaScript name wraps the answer as JSONP. The matching is `elections.reconcile`'s:
only published records, folded names in every script and romanization.

Beside it: /reconcile/preview?id=… (a small HTML card, which OpenRefine shows in a frame),
/reconcile/view?id=… (the record's public page, or its place on the list), and the suggest
services /reconcile/suggest/entity, /type and /property (`prefix`). Every answer is in
English (open data), except the preview card, which is in the reader's language. GET answers
are cached like every public page; a POST is answered afresh, and changes nothing.
"""

import json
import re
from urllib.parse import urlencode

from csp.decorators import csp_replace
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods, require_safe

from elections import reconcile
from elections.models import Place
from sources.identifiers import wikidata_url

VERSION = "0.2"
CALLBACK = re.compile(r"[A-Za-z_$][\w$]{0,63}(?:\.[A-Za-z_$][\w$]{0,63}){0,3}")
PREVIEW_SIZE = {"width": 400, "height": 140}
SUGGEST_LIMIT = 10


def _answer(request, data, status=200):
    """`data` as JSON, or as JSONP when a valid `callback` is asked for. A refusal is always
    JSON: a script tag cannot read a status, and JSON says what was wrong to anyone."""
    callback = request.GET.get("callback") or request.POST.get("callback") or ""
    if callback and not CALLBACK.fullmatch(callback):
        data, status, callback = {"detail": gettext("Bad callback name.")}, 400, ""
    if status >= 400:
        callback = ""
    if callback:
        text = json.dumps(data, ensure_ascii=False).replace("\u2028", "\\u2028")
        body = f"/**/{callback}({text.replace(chr(0x2029), chr(92) + 'u2029')});"
        response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
        response.status_code = status
    else:
        response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    # Open data for any page's scripts: it sends no cookie and reads none.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def manifest(request):
    base = request.build_absolute_uri(reverse("elections:reconcile"))
    return {
        "versions": [VERSION],
        "name": "Sourcebook: candidates of China's 2011-2012 local elections",
        "identifierSpace": f"{base}/entity/",
        "schemaSpace": f"{base}/schema/",
        "documentation": request.build_absolute_uri("/") + "#reconciliation",
        "view": {
            "url": request.build_absolute_uri(reverse("elections:reconcile-view")) + "?id={{id}}"
        },
        "preview": {
            "url": request.build_absolute_uri(reverse("elections:reconcile-preview"))
            + "?id={{id}}",
            **PREVIEW_SIZE,
        },
        "defaultTypes": [{"id": tid, "name": name} for tid, name in reconcile.TYPES.items()],
        "suggest": {
            kind: {"service_url": base, "service_path": f"/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
    }


@require_http_methods(["GET", "HEAD", "POST"])
def service(request):
    """The manifest, or the answers to a batch of queries."""
    params = request.POST if request.method == "POST" else request.GET
    queries = params.get("queries")
    if queries is None:
        return _answer(request, manifest(request))
    try:
        batch = reconcile.parse_batch(queries)
    except reconcile.BadQuery as error:
        return _answer(request, {"detail": str(error)}, status=400)
    return _answer(request, reconcile.Matcher().answer(batch))


@require_safe
def suggest(request, kind):
    prefix = request.GET.get("prefix", "")[: reconcile.MAX_QUERY_CHARS]
    if kind == "entity":
        try:
            types = reconcile._types(request.GET.getlist("type") or None)
            limit = reconcile._limit(request.GET.get("limit"), SUGGEST_LIMIT)
        except reconcile.BadQuery as error:
            return _answer(request, {"detail": str(error)}, status=400)
        result = reconcile.suggest_entities(prefix, types, limit) if prefix.strip() else []
    elif kind == "type":
        result = reconcile.suggest_types(prefix)
    elif kind == "property":
        result = reconcile.suggest_properties(prefix)
    else:
        raise Http404
    return _answer(request, {"result": result})


@require_safe
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def preview(request):
    """A small card of one public record, for a client to show in a frame of its own page, on
    another origin. Not cached: the permission to be framed is given to this response only
    (a card holds a link and no form: nothing to trick a reader into)."""
    found = reconcile.entity(request.GET.get("id", ""))
    if found is None:
        raise Http404
    kind, record = found
    context = {"kind": kind, "record": record, "wikidata": wikidata_url(record.wikidata)}
    if kind == "candidate":
        context["page"] = record.get_absolute_url()
        context["places"] = reconcile.candidate_places(record)
    elif kind == "outlet":
        context["page"] = record.get_absolute_url()
    else:
        context["page"] = _place_page(record)
        context["description"] = reconcile.place_description(record)
    return render(request, "elections/reconcile_preview.html", context)


def _place_page(place):
    """The public list of the candidates who stood in a province or city; else None."""
    if place.province_id == place.pk:
        return f"{reverse('elections:candidate-list')}?{urlencode({'province': place.slug})}"
    if place.city_id == place.pk or place.level == Place.Level.CITY:
        return f"{reverse('elections:candidate-list')}?{urlencode({'city': place.slug})}"
    return None


@require_safe
def view(request):
    """The public page of the record an entity id names."""
    found = reconcile.entity(request.GET.get("id", ""))
    if found is None:
        raise Http404
    kind, record = found
    page = _place_page(record) if kind == "place" else record.get_absolute_url()
    if page is None:
        page = f"{reverse('elections:reconcile-preview')}?{urlencode({'id': request.GET['id']})}"
    return HttpResponseRedirect(page)
