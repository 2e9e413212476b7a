"""Every surface that shows a candidate's current status shows the same one.

The profile's header and timeline, the list's column and its status filter, the home page's
chart, the API's list and detail, and the Popolo export's memberships all read the status of
the last public step in course order (see elections.services.course). The comparison runs
over the demo newsroom and over a scenario with steps of several candidacies and precisions.
"""

import re
from collections import Counter

import pytest
from django.core.cache import caches
from django.core.management import call_command

from elections import public
from elections.filters import NOT_REPORTED
from elections.models import Candidacy, Candidate, Property, Status
from elections.services import candidate_publish, claim_verify
from elections.services.course import course_order
from sources.dates import PartialDate
from tests.factories import (
    make_article,
    make_candidacy,
    make_candidate,
    make_claim,
    make_election,
    make_place,
    make_user,
)

CODES = {label: code for code, label in Status.choices}
MEMBERSHIP_LABEL = re.compile(r"; latest reported status: (?P<label>.+)$")


def code_of(label):
    """The status code a page's label stands for; "" for none reported."""
    return CODES[label] if label else ""


def api_code(field):
    return field["code"] if field else ""


def every_page(client, path, query=""):
    """The rows of every page of a public list, following its pages."""
    rows, number = [], 1
    while True:
        response = client.get(f"{path}?{query}&page={number}")
        assert response.status_code == 200
        rows += response.context["rows"]
        if not response.context["page"].has_next():
            return rows
        number += 1


def slug_of(url):
    return url.rstrip("/").rsplit("/", 1)[-1]


def surfaces(client):
    """For each published candidate, the current status each surface shows, as a code; and
    for each candidacy (slug, election slug), the status its timeline, API and Popolo show."""
    caches["default"].clear()
    shown, runs = {}, {}
    slugs = list(Candidate.objects.published().order_by("slug").values_list("slug", flat=True))
    for slug in slugs:
        page = client.get(f"/candidates/{slug}/")
        assert page.status_code == 200
        detail = client.get(f"/api/candidates/{slug}/").json()
        profile = public.candidate_profile(slug)
        steps = [
            {
                "id": step.pk,
                "candidacy_id": candidacy.pk,
                "status": step.status,
                "on": step.on,
                "precision": step.precision,
                "polling_on": candidacy.election.polling_on,
            }
            for candidacy in profile.candidacies
            for step in candidacy.public_steps
        ]
        # The timeline's last step in the course's own order, worked out afresh.
        ordered = course_order(steps)
        shown[slug] = {
            "profile header": code_of(page.context["status"]),
            "timeline's last step": ordered[-1]["status"] if ordered else "",
            "API detail": api_code(detail["status"]),
        }
        latest_run = ordered[-1]["candidacy_id"] if ordered else None
        for run, candidacy, data in zip(
            page.context["timeline"], profile.candidacies, detail["candidacies"], strict=True
        ):
            last = code_of(run["steps"][-1]["status"]) if run["steps"] else ""
            runs[(slug, candidacy.election.slug)] = {
                "timeline run": code_of(run["status"]),
                "timeline run's last step": last,
                "API candidacy": api_code(data["status"]),
            }
            if candidacy.pk == latest_run:
                # The candidacy of the latest step gives the candidate's status.
                shown[slug]["candidacy of the last step"] = code_of(run["status"])

    for row in every_page(client, "/candidates/"):
        shown[slug_of(row["url"])]["list column"] = code_of(row["status"])
    api, url = [], "/api/candidates/?page_size=100"
    while url:
        data = client.get(url).json()
        api += data["results"]
        url = data["next"]
    for result in api:
        shown[result["slug"]]["API list"] = api_code(result["status"])
    for status in [*Status.values, NOT_REPORTED]:
        for row in every_page(client, "/candidates/", f"status={status}"):
            shown[slug_of(row["url"])].setdefault("list filter", []).append(
                "" if status == NOT_REPORTED else status
            )
    for statuses in shown.values():
        # A candidate the filter finds under exactly one status is shown under that one.
        found = statuses.pop("list filter", [])
        statuses["list filter"] = found[0] if len(found) == 1 else found

    popolo = client.get("/export/popolo.json").json()
    for membership in popolo["memberships"]:
        _, slug, election = membership["id"].split("/")
        label = MEMBERSHIP_LABEL.search(membership["label"])["label"]
        runs[(slug, election)]["Popolo membership"] = (
            "" if label == "no status reported" else CODES[label]
        )

    home = client.get("/")
    chart = {
        ("" if row["status"] == "none" else row["status"]): row["count"]
        for row in home.context["outcomes"]
    }
    return shown, runs, chart


def assert_every_surface_agrees(client):
    shown, runs, chart = surfaces(client)
    disagreeing = {
        slug: statuses
        for slug, statuses in shown.items()
        if len(set(map(str, statuses.values()))) != 1
    }
    assert disagreeing == {}
    surfaces_shown = {"profile header", "timeline's last step", "API detail", "list column"}
    surfaces_shown |= {"API list", "list filter"}
    for statuses in shown.values():
        assert surfaces_shown <= set(statuses), statuses
    differing_runs = {key: run for key, run in runs.items() if len(set(run.values())) != 1}
    assert differing_runs == {}
    assert all(len(run) == 4 for run in runs.values()), "Popolo has a membership for each run"
    assert chart == dict(Counter(statuses["profile header"] for statuses in shown.values()))
    return {slug: statuses["profile header"] for slug, statuses in shown.items()}


def assert_stored_status_agrees_where_every_step_is_public():
    """The editors' stored status is the public one when nothing of the candidacy is hidden."""
    for candidacy in Candidacy.objects.filter(candidate__in=Candidate.objects.published()):
        steps = list(candidacy.statuses.select_related("claim"))
        if steps and all(
            step.claim_id and step.claim.state == "verified" and not step.claim.overruled
            for step in steps
        ):
            profile = public.candidate_profile(candidacy.candidate.slug)
            (shown,) = [c for c in profile.candidacies if c.pk == candidacy.pk]
            assert candidacy.status == shown.public_status, candidacy


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def test_every_surface_shows_each_demo_candidate_the_same_current_status(demo, client):
    statuses = assert_every_surface_agrees(client)
    # The case: her header said "barred" while everything else said "withdrew".
    assert statuses["liu-ping"] == Status.WITHDREW
    assert_stored_status_agrees_where_every_step_is_public()


@pytest.fixture
def scenario(db):
    """Candidates whose steps fall in several candidacies, dated to a year, a month or a day,
    recorded out of order, with one step taken back by review."""
    editor, reviewer = make_user("Editors"), make_user("Reviewers")
    xinyu = make_place("Xinyu", "新余市", code="360500")
    yushui = make_place("Yushui", "渝水区", code="360502")
    county = make_election(xinyu, polling="2011-11-08")
    city = make_election(yushui, polling="2012-05-10")
    outlets = iter(f"Outlet {n}" for n in range(100))

    def step(candidate, status, on, candidacy, *, verify=True):
        article = make_article(
            f"{candidate.display_name} {status}.", outlet=next(outlets), published="2013-01-02"
        )
        claim = make_claim(
            candidate,
            Property.STATUS,
            status,
            article,
            by=editor,
            as_of=PartialDate.parse_iso(on),
            candidacy=candidacy,
        )
        if verify:
            claim_verify(claim=claim, acting_user=reviewer)
        return claim

    def candidate(name, *runs):
        person = make_candidate(name)
        for election, steps in runs:
            candidacy = make_candidacy(person, election)
            for status, on, *verify in steps:
                step(person, status, on, candidacy, verify=not verify)
        candidate_publish(candidate=person, acting_user=make_user("Reviewers"))
        return person

    candidate("Liu Ping", (county, [("withdrew", "2011"), ("barred", "2011-04")]))
    candidate(
        "Xu Yan",
        (county, [("declared", "2011-05-03"), ("defeated", "2011")]),
        (city, [("declared", "2011-12"), ("preliminary", "2012-04-20")]),
    )
    candidate(
        "Wang Kai",
        (city, [("declared", "2012-02")]),
        (county, [("official", "2011-10-30"), ("elected", "2011-11")]),
    )
    # The latest step is awaiting review: the public sees the one before it.
    candidate(
        "Zhang Wei",
        (county, [("declared", "2011-06"), ("withdrew", "2011-09-01", "unverified")]),
    )
    candidate("Chen Min", (county, []))


def test_every_surface_shows_each_candidate_of_a_scenario_the_same_current_status(scenario, client):
    statuses = assert_every_surface_agrees(client)
    assert statuses == {
        "liu-ping": Status.WITHDREW,
        "xu-yan": Status.PRELIMINARY,
        "wang-kai": Status.DECLARED,
        "zhang-wei": Status.DECLARED,
        "chen-min": "",
    }
    assert_stored_status_agrees_where_every_step_is_public()
