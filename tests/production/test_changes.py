"""The log of public changes on PostgreSQL outside a test transaction: each change of the
public record commits its event with it, a rolled-back one leaves none, and a write from
outside every service is logged by the reader that settles it."""

import pytest
from django.db import connection, transaction
from django.test import Client

from elections.models import Claim, PublicEvent
from elections.services import candidate_publish, claim_reject, claim_verify
from sources.audit import unit_of_work
from tests.factories import make_article, make_candidate, make_claim

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def liu(editor, reviewer):
    person = make_candidate("Liu Ping", by=editor)
    claim = make_claim(person, "occupation", "steelworker", make_article("A steelworker."))
    claim_verify(claim=claim, acting_user=reviewer)
    candidate_publish(candidate=person, acting_user=reviewer)
    person.job = claim
    return person


def logged(candidate):
    return list(
        PublicEvent.objects.filter(candidate=candidate).order_by("id").values_list("kind", "why")
    )


def test_each_public_change_commits_its_event(liu, reviewer):
    claim_reject(claim=liu.job, reason="Misread.", acting_user=reviewer)

    assert logged(liu) == [("published", ""), ("fact_withdrawn", "rejected")]
    body = Client().get("/changes/").content.decode()
    assert "Fact withdrawn" in body and "steelworker" not in body


def test_a_rolled_back_change_leaves_no_event(liu, reviewer):
    with pytest.raises(RuntimeError), unit_of_work():
        claim_reject(claim=liu.job, reason="Misread.", acting_user=reviewer)
        raise RuntimeError("the form failed")

    assert logged(liu) == [("published", "")]


def test_a_write_from_outside_every_service_is_logged_by_the_next_reader(liu):
    with transaction.atomic():
        Claim.objects.filter(pk=liu.job.pk).update(state=Claim.State.REJECTED)
    assert logged(liu) == [("published", "")]

    Client().get("/changes/")

    assert logged(liu) == [("published", ""), ("fact_withdrawn", "rejected")]
    assert connection.in_atomic_block is False
