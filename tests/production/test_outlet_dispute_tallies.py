"""The kept counts of the disputes each outlet took part in, on PostgreSQL outside a test
transaction: settled in each service's own transaction, they equal a recount from the record
after every write that moves them (a dispute resolved, reopened by a new version and resolved
again, a claim rejected, the candidate withdrawn), and every outlet's cached page is what a
render gives after each commit (its cache key, the outlet's version and the disputes'
generation, changes with them)."""

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from elections import tallies
from sources.models import Outlet
from tests.elections.test_outlet_dispute_tallies import kept, recount, run_the_writes

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_kept_disputes_and_the_cached_outlet_pages_follow_every_committed_write(
    settings, client, editor, reviewer
):
    settings.SOURCEBOOK_PUBLIC_CACHE = True
    for cache in caches.all():
        cache.clear()

    def check():
        counts = kept()
        assert counts == recount()
        for slug in Outlet.objects.order_by("pk").values_list("slug", flat=True):
            url = f"/outlets/{slug}/"
            # What the cache answers after the write is what a render gives now...
            response = client.get(url)
            with override_settings(SOURCEBOOK_PUBLIC_CACHE=False):
                assert response.content == Client().get(url).content, url
            # ...and the page is kept until the next write (so the check above is not
            # vacuous: the write had to change the page's key).
            if response.status_code == 200:
                assert client.get(url)["X-Cache"] == "hit", url
        return counts

    run_the_writes(editor, reviewer, check)

    # A rebuild from the record makes the same (empty) counts.
    tallies.rebuild()
    assert kept() == recount() == {}
