"""Two servers recording the same claim at once, on PostgreSQL: one claim, and the second
server is told which one.

Each thread has its own database connection, as each server has. The first records the claim
inside a transaction it keeps open; the second, recording the same words meanwhile, must wait
for it (the article's row lock in `claim_create`) and then find the claim the first
committed. Without the lock the second would find nothing, record the claim again, and never
wait.
"""

import threading
import time

import pytest
from django.db import connection

from elections.models import Claim, Property
from elections.services import claim_create
from elections.services.claims import DuplicateClaim
from sources.audit import unit_of_work
from sources.services import passage_create_from_quote
from tests.factories import make_article, make_candidate, make_user

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_servers_recording_the_same_words_at_once_make_one_claim(editor):
    liu = make_candidate("Liu Ping")
    article = make_article("Liu Ping, 47, stood for the Xinyu congress.", outlet="Daily")
    passage = passage_create_from_quote(article=article, exact="47", acting_user=editor)
    colleague = make_user("Editors")
    recorded, release = threading.Event(), threading.Event()
    outcome = {}

    def record(user, key):
        try:
            outcome[key] = claim_create(
                candidate=liu, property=Property.AGE, value="47", passage=passage, acting_user=user
            )
        except DuplicateClaim as refusal:
            outcome[key] = refusal

    def first_server():
        try:
            with unit_of_work():
                record(editor, "first")
                recorded.set()
                release.wait(20)
        finally:
            connection.close()

    def second_server():
        try:
            recorded.wait(20)
            record(colleague, "second")
        finally:
            connection.close()

    servers = [threading.Thread(target=first_server), threading.Thread(target=second_server)]
    for server in servers:
        server.start()
    recorded.wait(20)
    time.sleep(1)
    waited = "second" not in outcome
    release.set()
    for server in servers:
        server.join(30)

    assert waited, "the second server recorded without waiting for the first"
    assert isinstance(outcome["second"], DuplicateClaim)
    assert outcome["second"].existing.pk == outcome["first"].pk
    assert list(Claim.objects.filter(candidate=liu).values_list("created_by", flat=True)) == [
        editor.pk
    ]
