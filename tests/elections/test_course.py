"""A candidate's status steps in the order they happened, whatever the precision of their dates."""

import datetime
from contextlib import contextmanager

import pytest

from elections.models import Candidate, Property
from elections.public import latest_public_status, latest_status_is
from elections.services import candidate_merge, candidate_publish, claim_verify
from elections.services.course import course_order, steps_renumber
from sources import audit
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


@contextmanager
def as_if_in_a_service():
    """Steps write only inside a service; this lets a test call one on its own."""
    token = audit._depth.set(audit._depth.get() + 1)
    try:
        yield
    finally:
        audit._depth.reset(token)


def step(pk, status, date, candidacy=1, polling=None):
    when = PartialDate.parse_iso(date)
    return {
        "id": pk,
        "candidacy_id": candidacy,
        "status": status,
        "on": when.earliest(),
        "precision": when.precision,
        "polling_on": datetime.date.fromisoformat(polling) if polling else None,
    }


def order(*steps):
    return [item["status"] for item in course_order(list(steps))]


def test_a_year_precise_outcome_comes_after_a_month_precise_one_in_that_year():
    # Barred in April 2011; withdrew "in 2011", recorded first: the withdrawal is the latest.
    assert order(step(1, "withdrew", "2011"), step(2, "barred", "2011-04")) == [
        "barred",
        "withdrew",
    ]


def test_within_overlapping_dates_a_step_of_the_course_comes_before_an_outcome():
    # Declared "in 2011", barred on a day of May 2011: being barred ends the course.
    assert order(step(1, "barred", "2011-05-10"), step(2, "declared", "2011")) == [
        "declared",
        "barred",
    ]
    assert order(step(1, "official", "2011-11"), step(2, "preliminary", "2011-11-02")) == [
        "preliminary",
        "official",
    ]


def test_dates_that_do_not_overlap_decide_whatever_the_statuses():
    assert order(step(1, "declared", "2011-06-01"), step(2, "barred", "2011-03")) == [
        "barred",
        "declared",
    ]


def test_overlapping_steps_of_two_candidacies_follow_their_polling_days():
    earlier = step(1, "defeated", "2011", candidacy=1, polling="2011-11-08")
    later = step(2, "declared", "2011-12", candidacy=2, polling="2012-05-10")
    assert order(later, earlier) == ["defeated", "declared"]


def test_the_same_steps_give_the_same_order_whatever_order_they_come_in():
    steps = [
        step(1, "withdrew", "2011"),
        step(2, "barred", "2011-04"),
        step(3, "declared", "2011-03-02"),
        step(4, "seeking_nomination", "2011-03"),
        step(5, "withdrew", "2011-04"),
    ]
    expected = order(*steps)
    assert order(*reversed(steps)) == expected
    assert expected == ["declared", "seeking_nomination", "barred", "withdrew", "withdrew"]


@pytest.fixture
def liu(db):
    editor, reviewer = make_user("Editors"), make_user("Reviewers")
    xinyu = make_place("Xinyu", "新余市", code="360500")
    liu = make_candidate("Liu Ping")
    candidacy = make_candidacy(liu, make_election(xinyu, polling="2011-11-08"))
    withdrew = make_claim(
        liu,
        Property.STATUS,
        "withdrew",
        make_article("She withdrew that year.", outlet="Later", published="2018-09-25"),
        by=editor,
        as_of=PartialDate.parse_iso("2011"),
    )
    barred = make_claim(
        liu,
        Property.STATUS,
        "barred",
        make_article("She was barred in April.", outlet="Daily", published="2011-06-20"),
        by=editor,
        as_of=PartialDate.parse_iso("2011-04"),
    )
    for claim in (withdrew, barred):
        claim_verify(claim=claim, acting_user=reviewer)
    candidate_publish(candidate=liu, acting_user=make_user("Reviewers"))
    liu.the_candidacy, liu.editor = candidacy, editor
    return liu


def test_the_candidacy_status_is_the_last_step_of_the_course(liu):
    liu.the_candidacy.refresh_from_db()
    assert liu.the_candidacy.status == "withdrew"
    assert [s.status for s in liu.the_candidacy.statuses.all()] == ["barred", "withdrew"]
    assert [s.sequence for s in liu.the_candidacy.statuses.all()] == [0, 1]


def test_the_public_latest_status_and_its_filter_read_the_same_order(liu):
    status = Candidate.objects.annotate(latest=latest_public_status()).get(pk=liu.pk).latest
    assert status == "withdrew"
    assert liu.pk in set(
        Candidate.objects.filter(pk__in=latest_status_is("withdrew")).values_list("pk", flat=True)
    )
    assert not Candidate.objects.filter(pk__in=latest_status_is("barred")).exists()


def test_the_profile_lists_the_steps_in_course_order(liu, client):
    page = client.get(f"/candidates/{liu.slug}/").content.decode()
    timeline = page[page.index('id="candidacy"') :]
    assert timeline.index("Barred") < timeline.index("Withdrew")
    header = page[page.index('class="profile__summary"') :]
    assert header[: header.index("</p>")].count("withdrew") == 1


def test_a_step_added_in_the_middle_of_the_course_renumbers_the_later_ones(liu):
    make_claim(
        liu,
        Property.STATUS,
        "declared",
        make_article("She declared in March.", outlet="Early", published="2011-03-05"),
        by=liu.editor,
    )
    assert [(s.status, s.sequence) for s in liu.the_candidacy.statuses.all()] == [
        ("declared", 0),
        ("barred", 1),
        ("withdrew", 2),
    ]
    with as_if_in_a_service():
        assert steps_renumber(candidate_ids=[liu.pk]) == 0


def test_a_merge_orders_the_joined_steps_and_rereads_the_status(liu):
    editor = liu.editor
    twin = make_candidate("Liu Ping (Xinyu)")
    make_candidacy(twin, liu.the_candidacy.election)
    make_claim(
        twin,
        Property.STATUS,
        "declared",
        make_article("She declared early in the year.", outlet="Early", published="2011-03-05"),
        by=editor,
    )
    candidate_merge(survivor=liu, absorbed=twin, acting_user=make_user("Reviewers"))
    liu.the_candidacy.refresh_from_db()
    assert liu.the_candidacy.status == "withdrew"
    assert [s.status for s in liu.the_candidacy.statuses.all()] == [
        "declared",
        "barred",
        "withdrew",
    ]


def test_renumbering_by_candidacies_in_small_batches_reads_each_candidate_whole(liu, monkeypatch):
    # Two candidacies of one candidate in two batches: the course still spans both.
    from elections.services import course

    later = make_candidacy(
        liu, make_election(make_place("Yushui", "渝水区", code="360502"), polling="2012-05-10")
    )
    make_claim(
        liu,
        Property.STATUS,
        "declared",
        make_article("She declared again in 2012.", outlet="Late", published="2012-02-01"),
        by=liu.editor,
        candidacy=later,
    )
    course.CandidacyStatus.objects.update(sequence=0)
    monkeypatch.setattr(course, "BATCH_SIZE", 1)

    with as_if_in_a_service():
        assert steps_renumber(candidacy_ids=[liu.the_candidacy.pk, later.pk]) == 2
    steps = course.CandidacyStatus.objects.filter(candidacy__candidate=liu).order_by("sequence")
    assert [(s.status, s.sequence) for s in steps] == [
        ("barred", 0),
        ("withdrew", 1),
        ("declared", 2),
    ]
