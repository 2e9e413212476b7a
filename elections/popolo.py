"""The published record as Popolo JSON (https://www.popoloproject.com/): open data for others.

What goes where:

- `persons`: each published candidate, with every other form of the name (`other_names`,
  noted with its script or romanization), the profile's slug as an identifier, gender, the
  birth year as `birth_date` (year precision), a link to the public profile, and as
  `sources` the articles its public claims cite.
- `organizations`: the people's congresses that published candidates stood for, one per
  election, with the area the congress serves.
- `events`: each of those elections' polling days (classification `election`).
- `areas`: the places of those elections and the places that contain them.
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

The export runs a fixed number of queries however much data there is.
"""

from django.urls import reverse
from django.utils.translation import override

from elections import public
from elections.models import Candidacy, Candidate, CandidateName, Place
from elections.models.candidacy import Status
from elections.public.candidates import course_place, current_status, public_steps
from elections.views.pages import safe_url
from sources.dates import PartialDate
from sources.models import Article

ENDING_STATUSES = {Status.ELECTED, Status.DEFEATED, Status.WITHDREW, Status.BARRED}
IDENTIFIER_SCHEME = "sourcebook"
# Ancestors are read one level per query; China's divisions are four levels deep.
MAX_PLACE_DEPTH = 6


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


def _article_link(article, build_url):
    page = build_url(reverse("elections:article-detail", args=[article.pk]))
    date = article.published.isoformat() if article.published else "undated"
    return {
        "url": safe_url(article.url) or page,
        "note": f"{article.outlet.name}: {article.title} ({date})",
    }


def _published_candidates():
    return (
        Candidate.objects.published()
        .only("slug", "display_name", "name_zh", "gender", "birth_year")
        .order_by("slug")
    )


def _names_by_candidate(candidates):
    names = {}
    for form in CandidateName.objects.filter(candidate__in=candidates).order_by(
        "candidate_id", "kind", "name"
    ):
        names.setdefault(form.candidate_id, []).append(form)
    return names


def _articles(ids):
    return (
        Article.objects.filter(pk__in=ids)
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


def _places_with_ancestors(place_ids):
    """Every place in `place_ids` and the places that contain them, by id."""
    places, wanted = {}, set(place_ids)
    for _ in range(MAX_PLACE_DEPTH):
        wanted -= places.keys()
        if not wanted:
            break
        found = Place.objects.filter(pk__in=wanted).only("slug", "name", "code", "level", "parent")
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
            "identifiers": [{"scheme": IDENTIFIER_SCHEME, "identifier": candidate.slug}],
            "gender": candidate.gender,
            "birth_date": f"{candidate.birth_year:04d}" if candidate.birth_year else None,
            "links": [
                {"url": build_url(candidate.get_absolute_url()), "note": "profile on this site"}
            ],
            "sources": sources,
        }
    )


def _membership(candidacy, candidate_slug, steps, articles, build_url):
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
            sources.append(_article_link(articles[article_id], build_url))
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


def popolo_export(*, build_url):
    """The published record as a Popolo document; `build_url` makes a path absolute.

    Open data is language-neutral: labels (`get_level_display()`, statuses) are English
    whatever the language of the request or task that builds it.
    """
    with override("en"):
        return _popolo_export(build_url)


def _popolo_export(build_url):
    candidates = list(_published_candidates())
    published = _published_candidates().values("pk")
    names = _names_by_candidate(published)
    candidacies = list(
        Candidacy.objects.filter(candidate__in=published)
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
    steps = {}
    for step in (
        public_steps()
        .filter(candidacy__candidate__in=published)
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
    cited = {}
    for row in public.public_claims().values("candidate_id", "article_id").distinct().order_by():
        cited.setdefault(row["candidate_id"], set()).add(row["article_id"])
    article_ids = set().union(*cited.values()) if cited else set()
    article_ids |= {step["claim__article_id"] for run in steps.values() for step in run}
    articles = _articles(article_ids)

    persons = []
    for candidate in candidates:
        ids = cited.get(candidate.pk, set())
        sources = sorted(
            (_article_link(articles[pk], build_url) for pk in ids if pk in articles),
            key=lambda link: (link["note"], link["url"]),
        )
        persons.append(_person(candidate, names.get(candidate.pk, []), sources, build_url))

    slugs = {candidate.pk: candidate.slug for candidate in candidates}
    elections, memberships = {}, []
    for candidacy in candidacies:
        elections[candidacy.election_id] = candidacy.election
        memberships.append(
            _membership(
                candidacy,
                slugs[candidacy.candidate_id],
                steps.get(candidacy.pk, []),
                articles,
                build_url,
            )
        )
    elections = sorted(elections.values(), key=lambda election: election.slug)
    places = _places_with_ancestors({election.place_id for election in elections})
    return {
        "persons": persons,
        "organizations": [
            _drop_empty(
                {
                    "id": organization_id(election),
                    "name": election.name,
                    "classification": election.get_level_display(),
                    "identifiers": [{"scheme": IDENTIFIER_SCHEME, "identifier": election.slug}],
                    "area_id": area_id(election.place),
                }
            )
            for election in elections
        ],
        "events": [
            {
                "id": f"event/{election.slug}",
                "name": f"Polling day: {election.name}",
                "classification": "election",
                "start_date": _iso(election.polling_on, election.polling_precision),
                "organization_id": organization_id(election),
            }
            for election in elections
            if election.polling_on
        ],
        "areas": [
            _drop_empty(
                {
                    "id": area_id(place),
                    "name": place.name,
                    "identifier": place.code,
                    "classification": place.get_level_display(),
                    "parent_id": area_id(places[place.parent_id])
                    if place.parent_id in places
                    else None,
                }
            )
            for place in sorted(places.values(), key=lambda place: (place.level, place.slug))
        ],
        "memberships": memberships,
    }
