"""Kept public tallies on PostgreSQL outside a test transaction: two servers changing the same
candidate's facts at once leave counts equal to a recount, the marks of a committed write
from outside every service are settled by the next reader, and a rolled-back change leaves
nothing behind."""

import threading

import pytest
from django.db import connection

from elections import public, tallies
from elections.models import Candidate, Claim, PublicTally, TallyPending
from elections.services import candidate_publish, claim_verify
from sources.audit import unit_of_work
from tests.factories import make_article, make_candidate, make_claim
from tests.production.checks import Generation

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def counts():
    return {
        (row.kind, row.subject, row.part): row.value
        for row in PublicTally.objects.exclude(kind=tallies.VERSION).order_by(
            "kind", "subject", "part"
        )
        if row.value
    }


def assert_equal_to_a_rebuild():
    kept = counts()
    tallies.rebuild()
    assert counts() == kept
    return kept


@pytest.fixture
def liu(editor, reviewer):
    person = make_candidate("Liu Ping", by=editor)
    first = make_claim(
        person, "occupation", "steelworker", make_article("A steelworker.", outlet="One")
    )
    claim_verify(claim=first, acting_user=reviewer)
    candidate_publish(candidate=person, acting_user=reviewer)
    return person


def test_two_servers_verifying_facts_of_one_candidate_at_once_keep_the_counts(
    liu, editor, reviewer
):
    claims = [
        make_claim(liu, "platform", f"point {number}", make_article(f"point {number}", outlet=o))
        for number, o in enumerate(["Two", "Three"])
    ]
    started, release = threading.Event(), threading.Event()
    errors = []

    def first_server():
        try:
            with unit_of_work():
                claim_verify(claim=claims[0], acting_user=reviewer)
                tallies.settle()  # as the unit does at its end, then the commit is held
                started.set()
                release.wait(20)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    def second_server():
        try:
            started.wait(20)
            claim_verify(claim=claims[1], acting_user=reviewer)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    servers = [threading.Thread(target=first_server), threading.Thread(target=second_server)]
    for server in servers:
        server.start()
    started.wait(20)
    servers[1].join(3)
    # The second settles the same candidate: it waits for the first's digest lock.
    assert servers[1].is_alive(), "the second server settled without waiting for the first"
    release.set()
    for server in servers:
        server.join(30)

    assert not errors
    assert not TallyPending.objects.exists()
    kept = assert_equal_to_a_rebuild()
    assert kept[("all", 0, "facts")] == 3
    assert kept[("all", 0, "outlets")] == 3
    assert public.home_figures().facts == 3


def test_a_committed_write_from_outside_the_services_is_settled_by_the_next_reader(liu):
    Candidate.objects.filter(pk=liu.pk).update(state=Candidate.State.DRAFT)  # autocommit
    assert TallyPending.objects.exists()
    assert counts()[("all", 0, "candidates")] == 1
    generation = Generation()

    assert public.home_figures().candidates == 0

    assert not TallyPending.objects.exists()
    assert counts() == {}
    # No page rendered with the counts from before is kept under the generation after.
    assert generation.changed()


def test_a_rolled_back_change_leaves_no_mark_and_no_count(liu, reviewer):
    claim = make_claim(liu, "platform", "roads", make_article("roads", outlet="Two"))
    before = counts()
    with pytest.raises(RuntimeError), unit_of_work():
        claim_verify(claim=claim, acting_user=reviewer)
        raise RuntimeError("the request failed")

    assert not TallyPending.objects.exists()
    assert counts() == before
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.UNVERIFIED


def test_a_name_added_is_searched_at_once_and_a_withdrawal_unsearched(liu, reviewer):
    # Each through its service, in its own transaction: the digest's folded names follow the
    # candidate's in the same commit, and the public search reads them.
    from elections.filters import CandidateFilter
    from elections.models import CandidateDigest
    from elections.services import candidate_add_name, candidate_withdraw
    from tests.factories import make_user

    def found(query):
        filterset = CandidateFilter({"q": query}, queryset=public.public_candidates())
        assert filterset.is_valid(), filterset.errors
        return list(filterset.qs.values_list("pk", flat=True))

    chief = make_user(superuser=True)
    candidate_add_name(candidate=liu, name="刘萍", acting_user=chief)
    assert "|刘萍|" in CandidateDigest.objects.get(pk=liu.pk).search_text
    assert found("刘萍") == [liu.pk]
    assert found("Liu") == [liu.pk]

    candidate_withdraw(candidate=Candidate.objects.get(pk=liu.pk), acting_user=reviewer)
    assert CandidateDigest.objects.get(pk=liu.pk).search_text == ""
    assert found("刘萍") == []
    assert_equal_to_a_rebuild()
