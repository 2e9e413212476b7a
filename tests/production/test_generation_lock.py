"""An editor keeps working while a long transaction writes public data, on PostgreSQL.

Each thread has its own database connection, as each server (or task worker) has. The first
writes a public row inside a transaction it keeps open, as a sheet import does for minutes;
the second, an editor saving a claim meanwhile, must not wait for it: the public-cache
generation is set when a transaction commits, not at each write, so the first holds no lock
the second needs. Once the first commits, the generation is new, and a reader that read it
before the commit reads another one after it.
"""

import threading

import pytest
from django.db import connection, transaction

from elections.cache import public_generation
from elections.models import Claim, Property
from sources.audit import unit_of_work
from sources.models import Outlet, TaskRun
from sources.services import outlet_create, outlet_update
from tests.factories import make_article, make_candidate, make_claim

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT = 20


def test_an_editor_saves_a_claim_while_another_transaction_writes_public_data(editor, superuser):
    liu = make_candidate("Liu Ping")
    article = make_article("Liu Ping, 47, stood for the Xinyu congress.", outlet="Daily")
    written, saved, release = threading.Event(), threading.Event(), threading.Event()
    outcome = {}

    def long_transaction():
        try:
            with unit_of_work():
                # A change the public sees (an outlet renamed; a new one is seen only once a
                # public claim cites it).
                outlet_update(outlet=article.outlet, name="Evening Post", acting_user=superuser)
                outcome["inside"] = public_generation()
                written.set()
                release.wait(WAIT)
        finally:
            connection.close()

    def editor_saves():
        try:
            written.wait(WAIT)
            outcome["claim"] = make_claim(liu, Property.AGE, "47", article, by=editor)
            saved.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=long_transaction), threading.Thread(target=editor_saves)]
    for thread in threads:
        thread.start()
    try:
        assert written.wait(WAIT), "the long transaction did not write"
        editor_done = saved.wait(WAIT)
        # Read while the long transaction is still open, after the editor's save committed.
        before_commit = public_generation()
        outlet_seen_before = Outlet.objects.filter(name="Evening Post").exists()
    finally:
        release.set()
        for thread in threads:
            thread.join(WAIT)

    assert editor_done, "the editor's save waited for the open transaction"
    assert Claim.objects.filter(pk=outcome["claim"].pk, created_by=editor).exists()
    assert not outlet_seen_before
    after_commit = public_generation()
    assert Outlet.objects.filter(name="Evening Post").exists()
    assert after_commit != before_commit
    # The open transaction read a generation of its own, which no other reader ever sees.
    assert outcome["inside"] not in (before_commit, after_commit)


def test_public_writes_all_rolled_back_leave_the_generation(editor):
    outlet = outlet_create(name="Daily", acting_user=editor)
    before = public_generation()

    with unit_of_work():
        TaskRun.objects.create(kind="reanchor")
        try:
            with transaction.atomic():
                outlet_update(outlet=outlet, name="Never Printed", acting_user=editor)
                raise RuntimeError("the importer cancelled")
        except RuntimeError:
            pass

    assert not Outlet.objects.filter(name="Never Printed").exists()
    assert TaskRun.objects.filter(kind="reanchor").exists()
    assert public_generation() == before


def test_each_committed_public_write_gives_a_new_generation(editor):
    outlet = outlet_create(name="Daily", acting_user=editor)
    seen = [public_generation()]
    for name in ("Morning Star", "Evening Star"):
        outlet_update(outlet=outlet, name=name, acting_user=editor)
        seen.append(public_generation())

    assert len(set(seen)) == 3
