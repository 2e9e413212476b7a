"""The read-only JSON API: /api/candidates/ and /api/candidates/<slug>/.

It reads through the same selectors and filters as the public pages (`elections.public`,
`elections.filters.CandidateFilter`), so it shows exactly what they show: published
candidates and the verified claims no verdict overruled, each with its citation and
`disputed` (whether outlets dispute its question: the profile's `disagreements` then hold
the dispute, once, with every version). A claim a verdict overruled appears only as a version
of its dispute, found wrong. A candidate the public may not see answers exactly like one that
does not exist.

Only GET and HEAD are answered (405 otherwise); nothing here changes anything, so the views
need no CSRF token. JSON is written as UTF-8 (`ensure_ascii=False`) so that Chinese names
read as they are.
"""

import functools

from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from elections import public
from elections.filters import CandidateFilter
from elections.models import Contradiction, Place, Property, Status
from elections.models.candidacy import STATUS_ZH
from elections.views.pages import safe_url
from sources.identifiers import wikidata_url

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
SAFE_METHODS = ("GET", "HEAD")
PLACE_PROPERTIES = (Property.PROVINCE, Property.CITY, Property.DISTRICT)


def json_response(data, status=200):
    """`data` as UTF-8 JSON."""
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def read_only(view):
    """Answer GET and HEAD with `view`, anything else with 405 (no CSRF check: nothing
    changes)."""

    @csrf_exempt
    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            response = json_response(
                {
                    "detail": gettext("Method %(method)s is not allowed here.")
                    % {"method": request.method}
                },
                status=405,
            )
            response["Allow"] = ", ".join(SAFE_METHODS)
            return response
        return view(request, *args, **kwargs)

    return guarded


# Values as the API writes them.


def iso(date):
    """A PartialDate as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; None when unknown."""
    return date.isoformat() if date else None


def status_of(value):
    """A candidacy status as code, English and Chinese; None when none is reported."""
    if not value:
        return None
    label = Status(value).label if value in Status.values else value
    return {"code": value, "label": label, "label_zh": STATUS_ZH.get(value, "")}


def place_of(place):
    """A place with its names, level and the province it is in."""
    province = place.province if place.province_id and place.province_id != place.pk else None
    return {
        "slug": place.slug,
        "name": place.name,
        "name_zh": place.name_zh,
        "level": place.level,
        "province": province.name if province else None,
        "code": place.gb_t_2260 or None,
        "wikidata": place.wikidata or None,
    }


def places_for_keys(keys):
    """The places that normalized place keys (`place:12` or `place:12,40`) name, by id."""
    ids = set()
    for key in keys:
        if key.startswith("place:"):
            ids.update(int(part) for part in key[len("place:") :].split(",") if part.isdigit())
    return Place.objects.in_bulk(ids) if ids else {}


def normalized_text(key, places):
    """A claim's normalized value for readers: place keys become place names."""
    if key.startswith("place:"):
        ids = [int(part) for part in key[len("place:") :].split(",") if part.isdigit()]
        names = [str(places[pk]) for pk in ids if pk in places]
        return " or ".join(names) if names else key
    if key.startswith("text:"):
        return f"{key[len('text:') :]} (not a known place)"
    return key


def citation_of(claim, build_url):
    """Where a claim comes from: outlet, article, the quoted words, dates.

    The article and its outlet are linked to their public pages unless the profile found
    that they have none (`article_cited`, `outlet_cited`: an overruled claim's may not).
    """
    article, passage = claim.article, claim.passage
    outlet = article.outlet
    article_page = getattr(claim, "article_cited", True)
    outlet_page = getattr(claim, "outlet_cited", True)
    return {
        "outlet": {
            "name": outlet.name,
            "url": build_url(outlet.get_absolute_url()) if outlet_page else None,
        },
        "article": {
            "title": article.title,
            "published": iso(article.published),
            "byline": article.byline or None,
            "language": article.language or None,
            "url": safe_url(article.url) or None,
            "page": build_url(reverse("elections:article-detail", args=[article.pk]))
            if article_page
            else None,
            # The report as it was fetched, where one was kept (sources.ArchivedCopy).
            "archived": build_url(reverse("elections:article-archived", args=[article.pk]))
            if article_page and article.archived_at
            else None,
        },
        "quote": passage.exact,
        "as_of": iso(claim.as_of_date),
        "verified_at": claim.reviewed_at.isoformat() if claim.reviewed_at else None,
    }


def is_disputed(claim):
    """Whether `claim` is a version of a public dispute: a profile's claims carry the dispute's
    id (`dispute_id`), other selectors' a flag (`disputed`)."""
    return getattr(claim, "dispute_id", None) is not None or bool(getattr(claim, "disputed", False))


def fact_of(claim, build_url, places):
    """A claim as a fact: property, the value as printed, its normalized form, its source,
    and whether outlets dispute it."""
    return {
        "property": claim.property,
        "label": claim.get_property_display(),
        "value": claim.value,
        "normalized": normalized_text(claim.value_key, places),
        "as_of": iso(claim.as_of_date),
        "disputed": is_disputed(claim),
        "citation": citation_of(claim, build_url),
    }


def identifiers_of(candidate):
    """A candidate's Wikidata item, as its QID and its address (None when it has none)."""
    return {
        "wikidata": candidate.wikidata or None,
        "wikidata_url": wikidata_url(candidate.wikidata) or None,
    }


def candidate_urls(candidate, build_url):
    return {
        "url": build_url(reverse("elections:api-candidate-detail", args=[candidate.slug])),
        "html_url": build_url(candidate.get_absolute_url()),
    }


def candidate_summary(candidate, build_url):
    """A candidate as a list shows it: names, gender, places, latest public status, URLs.

    `candidate` is a row of `public.candidate_rows`, read with its other names.
    """
    names = [candidate.display_name, candidate.name_zh]
    return {
        "slug": candidate.slug,
        "name": candidate.display_name,
        "name_zh": candidate.name_zh or None,
        "other_names": [name for name in candidate.other_names if name not in names],
        "gender": candidate.gender or None,
        "birth_year": candidate.birth_year,
        **identifiers_of(candidate),
        "places": [
            {
                "slug": place.slug,
                "name": place.name,
                "name_zh": place.name_zh,
                "level": place.level,
                "province": place.province or None,
            }
            for place in candidate.places
        ],
        "status": status_of(candidate.public_status),
        "disputed": bool(candidate.disputed),
        **candidate_urls(candidate, build_url),
    }


# The views.


def _page_size(request):
    try:
        size = int(request.GET.get("page_size", PAGE_SIZE))
    except ValueError:
        return None
    return size if 1 <= size <= MAX_PAGE_SIZE else None


def _page_url(request, number):
    query = request.GET.copy()
    query["page"] = number
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


@read_only
def candidate_list(request):
    """Published candidates, with the list page's filters, search (`q`) and sort, paginated."""
    filterset = CandidateFilter(request.GET)
    if not filterset.is_valid():
        errors = {
            field: [error["message"] for error in field_errors]
            for field, field_errors in filterset.form.errors.get_json_data().items()
        }
        return json_response(
            {"detail": gettext("Some filters could not be used."), "errors": errors}, status=400
        )
    size = _page_size(request)
    if size is None:
        return json_response(
            {
                "detail": gettext("page_size must be a whole number from 1 to %(max)s.")
                % {"max": MAX_PAGE_SIZE}
            },
            status=400,
        )
    # The filters choose and order ids; only the page's rows are then read in full.
    try:
        page = public.page_of_ids(
            filterset.qs,
            request.GET.get("page") or 1,
            size=size,
            total_with_page=filterset.reads_every_match,
            total=filterset.kept_total,
        )
    except (EmptyPage, PageNotAnInteger):
        return json_response({"detail": gettext("Invalid page.")}, status=404)
    paginator = page.paginator
    candidates = public.candidate_rows(list(page), names=True)
    build_url = request.build_absolute_uri
    return json_response(
        {
            "count": paginator.count,
            "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
            "previous": _page_url(request, page.previous_page_number())
            if page.has_previous()
            else None,
            "results": [candidate_summary(candidate, build_url) for candidate in candidates],
        }
    )


def _names_of(profile):
    candidate = profile.candidate
    names = [{"name": candidate.display_name, "kind": "display"}]
    if candidate.name_zh:
        names.append({"name": candidate.name_zh, "kind": "zh-Hans"})
    seen = {candidate.display_name, candidate.name_zh}
    for form in profile.names:
        if form.name not in seen:
            seen.add(form.name)
            names.append({"name": form.name, "kind": form.kind})
    return names


def _candidacies_of(profile, build_url):
    runs = []
    for candidacy in profile.candidacies:
        election = candidacy.election
        runs.append(
            {
                "election": {
                    "name": election.name,
                    "slug": election.slug,
                    "level": election.level,
                    "cycle": election.cycle,
                    "polling_date": iso(election.polling),
                    "place": place_of(election.place),
                },
                "status": status_of(candidacy.public_status),
                "steps": [
                    {
                        "status": status_of(step.status),
                        "date": iso(step.date),
                        "disputed": is_disputed(step.claim),
                        "citation": citation_of(step.claim, build_url),
                    }
                    for step in candidacy.public_steps
                ],
            }
        )
    return runs


def _version_of(version, build_url, places):
    """A version of a dispute: the values as printed, the outlets that printed them, what the
    verdict found of it (`found`: "right", "wrong" or None), and its claims as facts."""
    return {
        "values": list(dict.fromkeys(claim.value for claim in version.claims)),
        "outlets": list(dict.fromkeys(claim.article.outlet.name for claim in version.claims)),
        "found": version.judged or None,
        "found_wrong": version.found_wrong,
        "new": version.new,
        "claims": [
            fact_of(claim, build_url, places) | {"found_wrong": claim.overruled}
            for claim in version.claims
        ],
    }


def _disagreement_of(dispute, page_url, build_url, places):
    """A dispute, once: its versions (value groups) with their claims, and the verdict; an
    open one reopened by a new version keeps the earlier verdict as `earlier_verdict`."""
    resolved = dispute.status == Contradiction.Status.RESOLVED
    reopened = dispute.is_reopened
    return {
        "id": dispute.pk,
        "url": f"{page_url}#dispute-{dispute.pk}",
        "property": dispute.property,
        "on_date": dispute.on_date or None,  # for a status: the date the statuses differ on
        "status": dispute.status,
        "reopened": reopened,
        "verdict": dispute.verdict if resolved else None,
        "verdict_label": dispute.get_verdict_display() if resolved else None,
        "note": dispute.verdict_note if resolved else None,
        "earlier_verdict": dispute.verdict if reopened else None,
        "earlier_note": dispute.verdict_note if reopened else None,
        "versions": [_version_of(version, build_url, places) for version in dispute.versions],
    }


@read_only
def candidate_detail(request, slug):
    """One published candidate: every name, candidacies with their dated and cited steps,
    facts with citations, and where outlets disagreed."""
    profile = public.candidate_profile(slug)
    if profile is None:
        survivor = public.merged_survivor(slug)
        if survivor is not None:
            return HttpResponsePermanentRedirect(
                reverse("elections:api-candidate-detail", args=[survivor.slug])
            )
        return json_response({"detail": gettext("Not found.")}, status=404)
    build_url = request.build_absolute_uri
    candidate = profile.candidate
    shown = [*profile.facts]
    for dispute in profile.disputes:
        shown += [claim for version in dispute.versions for claim in version.claims]
    places = places_for_keys(claim.value_key for claim in shown)
    urls = candidate_urls(candidate, build_url)
    return json_response(
        {
            "slug": candidate.slug,
            "name": candidate.display_name,
            "name_zh": candidate.name_zh or None,
            "names": _names_of(profile),
            "gender": candidate.gender or None,
            "birth_year": candidate.birth_year,
            **identifiers_of(candidate),
            "status": status_of(profile.status),
            "last_verified_at": profile.last_verified.isoformat()
            if profile.last_verified
            else None,
            **urls,
            "candidacies": _candidacies_of(profile, build_url),
            "facts": [
                fact_of(claim, build_url, places)
                for claim in profile.facts
                if claim.property != Property.STATUS
            ],
            "disagreements": [
                _disagreement_of(dispute, urls["html_url"], build_url, places)
                for dispute in profile.disputes
            ],
        }
    )
