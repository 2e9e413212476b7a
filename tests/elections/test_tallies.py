"""Kept tallies (`elections.tallies`): the counts and digests the public pages read stay
equal to a recount from the record after every kind of change, from services and from
direct writes alike, and reading them costs the same however large the record."""

import pytest
from django.db import connection

from elections import public, tallies
from elections.models import (
    Candidate,
    CandidateDigest,
    Claim,
    Place,
    PublicTally,
    Status,
    TallyPending,
)
from elections.services import (
    candidate_merge,
    candidate_publish,
    candidate_withdraw,
    claim_reject,
    claim_verify,
)
from sources.audit import system_user
from tests.factories import (
    make_article,
    make_candidacy,
    make_candidate,
    make_claim,
    make_election,
    make_place,
    make_user,
)

pytestmark = pytest.mark.django_db


def kept():
    """Every kept count and digest, as plain values (settled first)."""
    tallies.settled()
    counts = {
        (row.kind, row.subject, row.part): row.value
        for row in PublicTally.objects.exclude(kind=tallies.VERSION)
        if row.value
    }
    digests = {
        digest.candidate_id: (
            digest.listed,
            digest.name,
            digest.status,
            digest.status_rank,
            digest.province,
            digest.disputed,
            digest.facts,
            digest.last_verified,
        )
        for digest in CandidateDigest.objects.all()
    }
    return counts, digests


def rebuilt():
    """The counts and digests recomputed from nothing."""
    tallies.rebuild()
    return kept()


def assert_kept_equals_rebuilt():
    assert TallyPending.objects.count() == 0 or tallies.settled() is None
    incremental = kept()
    assert incremental == rebuilt()
    return incremental


def recount():
    """The home page's figures and the outlets' counts as scans of the record give them."""
    published = Candidate.objects.published()
    facts = public.public_claims()
    outlets = {}
    for claim in facts.select_related("article"):
        entry = outlets.setdefault(claim.article.outlet_id, [0, set(), set()])
        entry[0] += 1
        entry[1].add(claim.candidate_id)
        entry[2].add(claim.article_id)
    statuses = {}
    for candidate in published.annotate(status=public.latest_public_status()):
        statuses[candidate.status or ""] = statuses.get(candidate.status or "", 0) + 1
    return {
        "candidates": published.count(),
        "facts": facts.count(),
        "outlets": {pk: (n, len(c), len(a)) for pk, (n, c, a) in outlets.items()},
        "statuses": statuses,
    }


def figures():
    home = public.home_figures()
    return {
        "candidates": home.candidates,
        "facts": home.facts,
        "outlets": {
            outlet.pk: (outlet.fact_count, outlet.candidate_count, outlet.article_count)
            for outlet in public.public_outlets()
        },
        "statuses": dict(home.by_status),
    }


@pytest.fixture
def world():
    editor = make_user("Editors")
    reviewer = make_user("Reviewers")
    province = make_place("Jiangxi", "江西省", level=Place.Level.PROVINCE)
    city = make_place("Xinyu", "新余市", parent=province)
    election = make_election(city)
    one = make_article("Liu Ping, 47, stood in Xinyu. She was elected.", outlet="Daily One")
    two = make_article("Liu Ping, 48, said she would stand.", outlet="Weekly Two")
    liu = make_candidate("Liu Ping", by=editor)
    make_candidacy(liu, election)
    claims = [
        make_claim(liu, "age", "47", one, "47", by=editor),
        make_claim(liu, "status", "elected", one, "She was elected", by=editor),
    ]
    return {
        "editor": editor,
        "reviewer": reviewer,
        "liu": liu,
        "claims": claims,
        "articles": (one, two),
        "election": election,
    }


def publish(world):
    """Liu Ping published with two facts, then the third verified: outlets disagree on her
    age (a dispute opened after publishing)."""
    for claim in world["claims"]:
        claim_verify(claim=claim, acting_user=world["reviewer"])
    candidate_publish(candidate=world["liu"], acting_user=world["reviewer"])
    other = world["articles"][1]
    world["claims"].append(make_claim(world["liu"], "age", "48", other, "48", by=world["editor"]))
    claim_verify(claim=world["claims"][-1], acting_user=world["reviewer"])


def test_a_draft_counts_for_nothing_and_publishing_counts_it_with_its_facts(world):
    counts, digests = assert_kept_equals_rebuilt()
    assert counts == {}
    assert digests[world["liu"].pk][0] is False
    publish(world)
    counts, digests = assert_kept_equals_rebuilt()
    assert counts[("all", 0, "candidates")] == 1
    assert counts[("all", 0, "facts")] == 3
    assert counts[("all", 0, "outlets")] == 2
    assert counts[("status", 0, Status.ELECTED)] == 1
    assert counts[("all", 0, "disputed")] == 1
    assert digests[world["liu"].pk][:5] == (
        True,
        "Liu Ping",
        Status.ELECTED,
        public.STATUS_ORDER[Status.ELECTED],
        "Jiangxi",
    )
    assert figures() == recount()


def test_rejecting_withdrawing_and_merging_take_their_counts_back(world):
    publish(world)
    liu = world["liu"]
    other = make_candidate("Liu Ping (2)", by=world["editor"])
    extra = make_claim(other, "age", "47", world["articles"][0], "47", by=world["editor"])
    claim_verify(claim=extra, acting_user=world["reviewer"])
    candidate_publish(candidate=other, acting_user=world["reviewer"])
    assert_kept_equals_rebuilt()
    assert figures() == recount()

    candidate_merge(survivor=liu, absorbed=other, acting_user=world["reviewer"])
    assert_kept_equals_rebuilt()
    assert figures() == recount()

    claim = Claim.objects.get(pk=world["claims"][2].pk)
    claim_reject(claim=claim, acting_user=world["reviewer"], reason="misread")
    counts, _digests = assert_kept_equals_rebuilt()
    assert figures() == recount()

    candidate_withdraw(candidate=liu, acting_user=world["reviewer"], note="asked to")
    counts, _digests = assert_kept_equals_rebuilt()
    assert counts == {}
    assert figures() == recount() == {"candidates": 0, "facts": 0, "outlets": {}, "statuses": {}}


def test_writes_from_outside_every_service_are_settled_by_the_next_reader(world):
    publish(world)
    # Raw writes, as a shell or a migration might make them: marked by the triggers.
    Claim.objects.filter(pk=world["claims"][0].pk).update(state=Claim.State.REJECTED)
    assert TallyPending.objects.exists()
    assert figures() == recount()
    assert not TallyPending.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE elections_candidate SET state = 'draft' WHERE id = %s", [world["liu"].pk]
        )
    assert figures() == recount() == {"candidates": 0, "facts": 0, "outlets": {}, "statuses": {}}
    # A deleted candidate's counts are taken back too.
    Candidate.objects.filter(pk=world["liu"].pk).update(state=Candidate.State.PUBLISHED)
    assert figures()["candidates"] == 1
    Claim.objects.filter(candidate=world["liu"]).delete()
    world["liu"].candidacies.all().delete()
    Candidate.objects.filter(pk=world["liu"].pk).delete()
    counts, digests = assert_kept_equals_rebuilt()
    assert counts == {} and digests == {}


def test_moving_an_article_to_another_outlet_moves_its_counts(world):
    publish(world)
    one, two = world["articles"]
    from sources.models import Article

    Article.objects.filter(pk=one.pk).update(outlet=two.outlet)
    assert figures() == recount()
    assert figures()["outlets"] == {two.outlet_id: (3, 1, 2)}
    assert_kept_equals_rebuilt()


def test_the_public_list_sorts_filters_and_counts_from_the_digests(client, world):
    publish(world)
    draft = make_candidate("Another Person", by=world["editor"])
    assert draft.pk
    for query, count in [
        ("", 1),
        ("?sort=status", 1),
        ("?status=elected", 1),
        ("?status=none", 0),
        ("?disputed=yes", 1),
        ("?disputed=no", 0),
        ("?province=jiangxi", 1),
    ]:
        response = client.get(f"/candidates/{query}")
        assert response.status_code == 200
        assert response.context["count"] == count, query
        names = [row["name"] for row in response.context["rows"]]
        assert ("Liu Ping" in names) == bool(count), query
        assert "Another Person" not in names


@pytest.mark.parametrize("size", [1, 12])
def test_reading_the_counts_costs_the_same_however_many_candidates(
    size, django_assert_max_num_queries
):
    reviewer = make_user("Reviewers")
    editor = make_user("Editors")
    province = make_place("Hubei", "湖北省", level=Place.Level.PROVINCE)
    election = make_election(make_place("Qianjiang", "潜江市", parent=province))
    for number in range(size):
        candidate = make_candidate(f"Person {number}", by=editor)
        make_candidacy(candidate, election)
        article = make_article(f"Person {number} was elected.", outlet=f"Outlet {number % 3}")
        claim = make_claim(candidate, "status", "elected", article, "was elected", by=editor)
        claim_verify(claim=claim, acting_user=reviewer)
        candidate_publish(candidate=candidate, acting_user=reviewer)
    with django_assert_max_num_queries(3):
        home = public.home_figures()
    assert home.candidates == size
    with django_assert_max_num_queries(2):
        outlets = list(public.public_outlets())
    assert sum(outlet.candidate_count for outlet in outlets) == size
    assert figures() == recount()


def test_a_rebuild_needs_no_acting_user_and_settling_nothing_costs_one_query(
    world, django_assert_num_queries
):
    tallies.settled()
    with django_assert_num_queries(1):
        tallies.settled()
    assert tallies.rebuild() == Candidate.objects.count()
    assert system_user()


def test_the_command_settles_what_is_pending_and_rebuilds(world):
    from io import StringIO

    from django.core.management import call_command

    publish(world)
    Claim.objects.filter(pk=world["claims"][0].pk).update(state=Claim.State.REJECTED)
    out = StringIO()
    call_command("settle_public_tallies", stdout=out)
    assert out.getvalue().strip() == "Settled the public tallies of 1 candidate(s)."
    assert not TallyPending.objects.exists()
    PublicTally.objects.filter(kind="all").update(value=99)
    call_command("settle_public_tallies", "--rebuild", stdout=out)
    assert "Rebuilt the public tallies of 1 candidate(s)." in out.getvalue()
    assert figures() == recount()
