"""What changed in the public record: /changes/, /changes.atom and a profile's changes
(README, "Open data: changes, releases, annotations")."""

import re

import feedparser
import pytest
from django.core.management import call_command

from elections.models import Contradiction, Property, PublicEvent
from elections.services import claim_update, claim_verify
from elections.tallies import rebuild
from sources.audit import system_user
from sources.services import article_set_text
from tests.newsroom import Newsroom

pytestmark = pytest.mark.django_db

REPORT = "Liu Ping, 47, a steelworker from Xinyu, said the officials kept her off the ballot."
OTHER = "Liu Ping, aged 45, runs a shop."


@pytest.fixture
def room():
    room = Newsroom()
    room.add_places("Jiangxi", "Xinyu")
    room.report = room.add_article(REPORT, outlet="Example Daily", title="Kept off")
    room.other = room.add_article(OTHER, outlet="Other Weekly", title="A shopkeeper")
    room.liu = room.add_candidate("Liu Ping", "Xinyu", name_zh="刘萍")
    room.job = room.add_verified(room.liu, Property.OCCUPATION, "steelworker", room.report)
    room.publish(room.liu)
    return room


def kinds(candidate):
    return [
        (event.kind, event.why, event.value)
        for event in PublicEvent.objects.filter(candidate=candidate).order_by("id")
    ]


def test_publication_then_a_verified_fact_are_logged(room):
    age = room.add_verified(room.liu, Property.AGE, "47", room.report)

    assert kinds(room.liu) == [
        ("published", "", ""),
        ("fact_verified", "verified", "47"),
    ]
    assert PublicEvent.objects.get(claim=age).property == "age"


def test_a_rejected_fact_is_logged_as_withdrawn_and_its_value_leaves_the_page(room, client):
    room.reject(room.job, "Misread.")

    assert kinds(room.liu)[-1] == ("fact_withdrawn", "rejected", "steelworker")
    page = client.get("/changes/").content.decode()
    assert "Fact withdrawn" in page
    assert "rejected by a reviewer" in page
    assert "steelworker" not in page
    assert "a value no longer public" in page


def test_lost_evidence_and_a_correction_say_why(room):
    article_set_text(article=room.report, text="Nothing about her job.", acting_user=system_user())
    assert kinds(room.liu)[-1] == ("fact_withdrawn", "evidence_lost", "steelworker")

    article_set_text(article=room.report, text=REPORT, acting_user=system_user())
    claim = room.job
    claim.refresh_from_db()
    if claim.state != claim.State.VERIFIED:  # back to review with its passage: verify again
        claim_verify(claim=claim, acting_user=room.reviewer)
    assert kinds(room.liu)[-1][:2] in (("fact_verified", "evidence_found"),)

    claim.refresh_from_db()
    claim_update(claim=claim, value="steel worker", acting_user=room.editor)
    assert kinds(room.liu)[-1] == ("fact_withdrawn", "returned", "steelworker")
    claim_verify(claim=claim, acting_user=room.reviewer)
    assert kinds(room.liu)[-1] == ("fact_corrected", "correction", "steel worker")


def test_a_resolved_dispute_is_logged_with_its_verdict_and_note(room, client):
    first = room.add_verified(room.liu, Property.AGE, "47", room.report)
    room.add_verified(room.liu, Property.AGE, "45", room.other, "aged 45")
    assert Contradiction.objects.filter(candidate=room.liu).exists()

    room.resolve(room.liu, Property.AGE, "one_right", "The court record says 47.", right=first)

    event = PublicEvent.objects.get(kind="dispute_resolved")
    assert (event.verdict, event.note) == ("one_right", "The court record says 47.")
    page = client.get(f"/candidates/{room.liu.slug}/changes/").content.decode()
    assert "Dispute resolved" in page
    assert "The court record says 47." in page
    # The overruled version is withdrawn from the facts, by the verdict.
    assert ("fact_withdrawn", "verdict", "45") in kinds(room.liu)


def test_a_withdrawn_candidate_s_events_vanish_and_its_withdrawal_is_not_named(room, client):
    assert "Liu Ping" in client.get("/changes/").content.decode()

    room.withdraw(room.liu, note="Quxv editor's note")

    for url in ("/changes/", "/changes.atom"):
        body = client.get(url).content.decode()
        assert "Liu Ping" not in body and "Quxv" not in body
    assert client.get(f"/candidates/{room.liu.slug}/changes/").status_code == 404
    assert PublicEvent.objects.filter(kind="withdrawn", candidate=room.liu).exists()


def test_a_merge_is_logged_on_the_survivor_without_its_facts_one_by_one(room):
    other = room.add_candidate("Liu P.", "Xinyu")
    room.add_verified(other, Property.AGE, "47", room.report)
    room.publish(other)
    before = PublicEvent.objects.count()

    room.merge(room.liu, other)

    new = list(PublicEvent.objects.filter(pk__gt=0).order_by("id"))[before:]
    assert [(event.kind, event.candidate_id) for event in new] == [("merged", room.liu.pk)]


def test_an_accepted_correction_of_a_profile_names_its_fields(room, client):
    from elections.services import candidate_update
    from elections.services.proposals import proposal_accept

    proposal = candidate_update(candidate=room.liu, birth_year=1964, acting_user=room.editor)
    from elections.models import CandidateProposal

    proposal = CandidateProposal.objects.get(candidate=room.liu, state="pending")
    proposal_accept(proposal=proposal, note="Quxv internal", acting_user=room.reviewer)

    event = PublicEvent.objects.get(kind="profile_corrected")
    assert event.fields == ["birth_year"]
    page = client.get("/changes/").content.decode()
    assert "Profile corrected" in page and "year of birth" in page
    assert "Quxv" not in page


def test_a_rebuild_of_the_tallies_writes_no_event(room):
    before = PublicEvent.objects.count()
    rebuild()
    call_command("settle_public_tallies")

    assert PublicEvent.objects.count() == before


def test_the_feed_is_valid_atom(room, client):
    room.add_verified(room.liu, Property.AGE, "47", room.report)
    response = client.get("/changes.atom")

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id.startswith("urn:uuid:")
    assert feed.feed.title and feed.feed.updated and feed.feed.author == "Sourcebook"
    assert {(link.rel, link.href) for link in feed.feed.links} >= {
        ("self", "http://testserver/changes.atom")
    }
    assert len(feed.entries) == 2  # the published profile, then its new fact
    for entry in feed.entries:
        assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", entry.id)
        assert entry.title and entry.updated and entry.link
    assert feed.entries[0].title == "Fact verified: Liu Ping"
    assert "age: 47" in feed.entries[0].summary
    # Ids stay across a rebuild of the log from the same events.
    ids = [entry.id for entry in feed.entries]
    assert ids == [
        f"urn:uuid:{uid}" for uid in PublicEvent.objects.values_list("uid", flat=True)[:2]
    ]


def test_pages_go_back_in_time_and_a_bad_before_is_not_found(room, client, monkeypatch):
    from elections.public import changes

    monkeypatch.setattr(changes, "CHANGES_PER_PAGE", 1)
    room.add_verified(room.liu, Property.AGE, "45", room.other, "aged 45")
    first = client.get("/changes/").content.decode()
    older = re.search(r'href="\?before=(\d+)"', first)
    assert older is not None
    assert client.get(f"/changes/?before={older.group(1)}").status_code == 200
    for bad in ("x", "-1", str(2**64), "1e3"):
        assert client.get(f"/changes/?before={bad}").status_code == 404


@pytest.mark.parametrize("url", ["/changes/", "/changes.atom", "PROFILE"])
def test_a_page_of_changes_costs_the_same_with_more_events(
    room, client, django_assert_max_num_queries, url
):
    url = f"/candidates/{room.liu.slug}/changes/" if url == "PROFILE" else url
    with django_assert_max_num_queries(4):
        client.get(url)
    for value in ("steel", "iron", "copper", "tin"):
        room.add_verified(room.liu, Property.OCCUPATION, value, room.report, "steelworker")
    with django_assert_max_num_queries(4):
        assert client.get(url).status_code == 200
