"""The published record as Popolo JSON (https://www.popoloproject.com/): open data for others.

What goes where:

- `persons`: each published candidate, with every other form of the name (`other_names`,
  noted with its script or romanization), the profile's slug as an identifier (scheme
  `sourcebook`) and its Wikidata item when it has one (scheme `wikidata`), gender, the
  birth year as `birth_date` (year precision), a link to the public profile, and as
  `sources` the articles its public claims cite.
- `organizations`: the people's congresses that published candidates stood for, one per
  election, with the area the congress serves.
- `events`: each of those elections' polling days (classification `election`).
- `areas`: the places of those elections and the places that contain them, each with its
  division code as `identifier` and, in `identifiers`, its GB/T 2260 code (scheme
  `gb-t-2260`, six digits; a township's longer code is not one) and Wikidata item.
- `memberships`: Popolo has no candidacy, so a candidacy is a membership with role
  `candidate` in the congress it was a run for, as YourNextRepresentative's Popolo exports
  do. Its `label` gives the candidacy's current status, as the profile shows it
  (`elections.public.candidates.current_status`); `start_date` is the date of the first
  public status step (declared, seeking nomination...) and `end_date` the date of the last
  when that one ends a run (elected, defeated, withdrew, barred). Its `sources` are the
  articles that reported the steps. When outlets dispute the step that gives the status,
  the label says so (Popolo has no field for it; the profile shows every version). The
  candidates were independents, so no membership is `on_behalf_of` a party.

Only published candidates and verified claims no verdict overruled are read, through
`elections.public`; organizations, events and areas appear only as far as a published
candidacy reaches them. The candidates' Weibo accounts are not exported: the public profile
does not show them, so a reviewer publishing a profile never sees them as public.

The export is written as it is read (`popolo_json`): a page of PAGE candidates at a time,
each page in a fixed number of queries (4 for its persons, 4 for its memberships), plus one
query each for the organizations and the events and one per level of places. Its memory is
that of one page, whatever the number of candidates (measured in
tests/elections/test_popolo_memory.py and tests/benchmarks/bench_exports.py).
"""

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.urls import reverse

from elections import public
from elections.models import Candidacy, Candidate, CandidateName, Election, Place
from elections.models.candidacy import Status
from elections.public.candidates import course_place, current_status, public_steps
from elections.views.pages import safe_url
from sources.dates import PartialDate
from sources.models import Article

ENDING_STATUSES = {Status.ELECTED, Status.DEFEATED, Status.WITHDREW, Status.BARRED}
IDENTIFIER_SCHEME = "sourcebook"
WIKIDATA_SCHEME = "wikidata"
DIVISION_CODE_SCHEME = "gb-t-2260"
# Ancestors are read one level per query; China's divisions are four levels deep.
MAX_PLACE_DEPTH = 6
# Candidates read, and written, per page (with their names, citations and steps).
PAGE = 500
# Articles looked up per query (a page's citations), well under the databases' parameter caps.
ARTICLES_PER_QUERY = 5000


def _drop_empty(data):
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def person_id(slug):
    return f"person/{slug}"


def organization_id(election):
    return f"organization/{election.slug}"


def area_id(place):
    return f"area/{place.slug}"


def _iso(date, precision):
    value = PartialDate.from_stored(date, precision)
    return value.isoformat() if value else None


def _article_pages(build_url):
    """A function giving the absolute address of an article's public page from its id,
    reversed once (the same address `reverse` gives for each)."""
    head, _, tail = build_url(reverse("elections:article-detail", args=[0])).rpartition("/0/")
    return lambda pk: f"{head}/{pk}/{tail}"


def _article_link(article, article_page):
    page = article_page(article.pk)
    date = article.published.isoformat() if article.published else "undated"
    return {
        "url": safe_url(article.url) or page,
        "note": f"{article.outlet.name}: {article.title} ({date})",
    }


def _published_candidates():
    return (
        Candidate.objects.published()
        .only("slug", "display_name", "name_zh", "gender", "birth_year", "wikidata")
        .order_by("slug")
    )


def _names_by_candidate(candidate_ids):
    names = {}
    for form in CandidateName.objects.filter(candidate_id__in=candidate_ids).order_by(
        "candidate_id", "kind", "name"
    ):
        names.setdefault(form.candidate_id, []).append(form)
    return names


def _articles(ids):
    """The articles of `ids` by id, ARTICLES_PER_QUERY at a time (one query for a page)."""
    ids, found = sorted(ids), {}
    for first in range(0, len(ids), ARTICLES_PER_QUERY):
        found.update(
            Article.objects.filter(pk__in=ids[first : first + ARTICLES_PER_QUERY])
            .select_related("outlet")
            .only(
                "title",
                "url",
                "published_on",
                "published_precision",
                "outlet__name",
            )
            .in_bulk()
        )
    return found


def _places_with_ancestors(place_ids):
    """Every place in `place_ids` and the places that contain them, by id."""
    places, wanted = {}, set(place_ids)
    for _ in range(MAX_PLACE_DEPTH):
        wanted -= places.keys()
        if not wanted:
            break
        found = Place.objects.filter(pk__in=wanted).only(
            "slug", "name", "code", "wikidata", "level", "parent"
        )
        for place in found:
            places[place.pk] = place
        wanted = {place.parent_id for place in found if place.parent_id}
    return places


def _person(candidate, names, sources, build_url):
    other_names = []
    if candidate.name_zh:
        other_names.append({"name": candidate.name_zh, "note": "Chinese characters"})
    shown = {candidate.display_name, candidate.name_zh}
    for form in names:
        if form.name not in shown:
            shown.add(form.name)
            other_names.append({"name": form.name, "note": form.get_kind_display()})
    return _drop_empty(
        {
            "id": person_id(candidate.slug),
            "name": candidate.display_name,
            "other_names": other_names,
            "identifiers": [
                {"scheme": IDENTIFIER_SCHEME, "identifier": candidate.slug},
                *_wikidata_identifier(candidate.wikidata),
            ],
            "gender": candidate.gender,
            "birth_date": f"{candidate.birth_year:04d}" if candidate.birth_year else None,
            "links": [
                {"url": build_url(candidate.get_absolute_url()), "note": "profile on this site"}
            ],
            "sources": sources,
        }
    )


def _wikidata_identifier(qid):
    return [{"scheme": WIKIDATA_SCHEME, "identifier": qid}] if qid else []


def _membership(candidacy, candidate_slug, steps, articles, article_page):
    election = candidacy.election
    status = current_status(steps)
    label = Status(status).label if status in Status.values else "no status reported"
    last_step = max(steps, key=course_place, default=None)
    if last_step is not None and last_step["disputed"]:
        label += " (disputed: outlets disagree; the profile shows every version)"
    first, last = (steps[0], steps[-1]) if steps else (None, None)
    seen, sources = set(), []
    for step in steps:
        article_id = step["claim__article_id"]
        if article_id not in seen and article_id in articles:
            seen.add(article_id)
            sources.append(_article_link(articles[article_id], article_page))
    return _drop_empty(
        {
            "id": f"membership/{candidate_slug}/{election.slug}",
            "label": f"Candidate in {election.name}; latest reported status: {label}",
            "role": "candidate",
            "person_id": person_id(candidate_slug),
            "organization_id": organization_id(election),
            "area_id": area_id(election.place),
            "start_date": _iso(first["on"], first["precision"]) if first else None,
            "end_date": _iso(last["on"], last["precision"])
            if last and last["status"] in ENDING_STATUSES
            else None,
            "sources": sources,
        }
    )


def popolo_json(
    build_url: Callable[[str], str], *, on_page: Callable[[int], Any] | None = None
) -> Iterator[str]:
    """The Popolo document as JSON text, in pieces, written as it is read.

    The pieces joined are `json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False)`
    of the whole document (as `JsonResponse` wrote it when the export was one dict): each
    item is dumped on its own and the lists are joined as `json` joins them. Candidates are
    read PAGE at a time (the persons by slug, the memberships by id, each page with its names,
    citations, status steps and articles), the elections and places with server-side
    cursors, so the memory held is that of one page whatever the size of the record.

    Labels are English only if English is active (`popolo_bytes` in `elections.views.exports`
    sees to it around each piece). `on_page` is called with the number of persons of each page
    once it is written (a task's progress).
    """
    yield '{"persons": ['
    yield from _joined(_persons(build_url, on_page))
    yield '], "organizations": ['
    places: set[int] = set()
    yield from _joined(_organization(election, places) for election in _elections())
    yield '], "events": ['
    yield from _joined(
        _event(election) for election in _elections() if election.polling_on is not None
    )
    yield '], "areas": ['
    yield from _joined(_areas(places))
    yield '], "memberships": ['
    yield from _joined(_memberships(build_url))
    yield "]}"


def _dumped(item: dict[str, Any]) -> str:
    return json.dumps(item, cls=DjangoJSONEncoder, ensure_ascii=False)


def _joined(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    separator = ""
    for item in items:
        yield separator + _dumped(item)
        separator = ", "


def _pages(queryset: QuerySet[Any], key: str) -> Iterator[list[Any]]:
    """`queryset` (ordered by `key`, unique) a page of PAGE at a time, each page found by
    the last key of the one before: no page is read twice, however long the walk."""
    after = None
    while True:
        page = queryset if after is None else queryset.filter(**{f"{key}__gt": after})
        rows = list(page[:PAGE])
        if rows:
            yield rows
        if len(rows) < PAGE:
            return
        last = rows[-1]
        after = last[key] if isinstance(last, dict) else getattr(last, key)


def _persons(
    build_url: Callable[[str], str], on_page: Callable[[int], Any] | None
) -> Iterator[dict[str, Any]]:
    article_page = _article_pages(build_url)
    for candidates in _pages(_published_candidates(), "slug"):
        ids = [candidate.pk for candidate in candidates]
        names = _names_by_candidate(ids)
        cited: dict[int, set[int]] = {}
        for row in (
            public.public_claims()
            .filter(candidate_id__in=ids)
            .values("candidate_id", "article_id")
            .distinct()
            .order_by()
        ):
            cited.setdefault(row["candidate_id"], set()).add(row["article_id"])
        articles = _articles(set().union(*cited.values()) if cited else set())
        for candidate in candidates:
            sources = sorted(
                (
                    _article_link(articles[pk], article_page)
                    for pk in cited.get(candidate.pk, ())
                    if pk in articles
                ),
                key=lambda link: (link["note"], link["url"]),
            )
            yield _person(candidate, names.get(candidate.pk, []), sources, build_url)
        if on_page is not None:
            on_page(len(candidates))


def _memberships(build_url: Callable[[str], str]) -> Iterator[dict[str, Any]]:
    article_page = _article_pages(build_url)
    published = Candidate.objects.published().order_by("pk").values("pk", "slug")
    for candidates in _pages(published, "pk"):
        slugs = {row["pk"]: row["slug"] for row in candidates}
        candidacies = list(
            Candidacy.objects.filter(candidate_id__in=slugs)
            .select_related("election__place")
            .only(
                "candidate",
                "election__slug",
                "election__name",
                "election__level",
                "election__polling_on",
                "election__polling_precision",
                "election__place__slug",
            )
            .order_by("candidate_id", "election__polling_on", "election_id")
        )
        steps: dict[int, list[dict[str, Any]]] = {}
        for step in (
            public_steps()
            .filter(candidacy__candidate_id__in=slugs)
            .annotate(disputed=public.disputed_fact("claim__"))
            .values(
                "id",
                "sequence",
                "candidacy_id",
                "status",
                "on",
                "precision",
                "claim__article_id",
                "disputed",
            )
        ):
            steps.setdefault(step["candidacy_id"], []).append(step)
        articles = _articles({step["claim__article_id"] for run in steps.values() for step in run})
        for candidacy in candidacies:
            yield _membership(
                candidacy,
                slugs[candidacy.candidate_id],
                steps.get(candidacy.pk, []),
                articles,
                article_page,
            )


def _elections() -> Iterator[Election]:
    """The elections a published candidate ran in, by slug, with their places' slugs."""
    ran = Candidacy.objects.filter(candidate__in=Candidate.objects.published().values("pk"))
    return (
        Election.objects.filter(pk__in=ran.values("election_id"))
        .select_related("place")
        .only("slug", "name", "level", "polling_on", "polling_precision", "place__slug")
        .order_by("slug")
        .iterator(chunk_size=PAGE)
    )


def _organization(election: Election, places: set[int]) -> dict[str, Any]:
    places.add(election.place_id)
    return _drop_empty(
        {
            "id": organization_id(election),
            "name": election.name,
            "classification": election.get_level_display(),
            "identifiers": [{"scheme": IDENTIFIER_SCHEME, "identifier": election.slug}],
            "area_id": area_id(election.place),
        }
    )


def _event(election: Election) -> dict[str, Any]:
    return {
        "id": f"event/{election.slug}",
        "name": f"Polling day: {election.name}",
        "classification": "election",
        "start_date": _iso(election.polling_on, election.polling_precision),
        "organization_id": organization_id(election),
    }


def _areas(place_ids: set[int]) -> Iterator[dict[str, Any]]:
    places = _places_with_ancestors(place_ids)
    for place in sorted(places.values(), key=lambda place: (place.level, place.slug)):
        yield _drop_empty(
            {
                "id": area_id(place),
                "name": place.name,
                "identifier": place.code,
                "identifiers": [
                    *(
                        [{"scheme": DIVISION_CODE_SCHEME, "identifier": place.gb_t_2260}]
                        if place.gb_t_2260
                        else []
                    ),
                    *_wikidata_identifier(place.wikidata),
                ],
                "classification": place.get_level_display(),
                "parent_id": area_id(places[place.parent_id])
                if place.parent_id in places
                else None,
            }
        )
