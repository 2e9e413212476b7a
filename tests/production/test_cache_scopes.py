"""Profiles cached under their own candidate's version, on PostgreSQL outside a test
transaction, as production serves them: a change to one candidate leaves the other's profile
cached and is seen at once on its own, whether a service or raw SQL made it."""

import pytest
from django.core.cache import caches
from django.db import connection

from elections.services import candidate_publish, claim_reject, claim_verify
from tests.factories import make_article, make_candidate, make_claim

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cached(settings):
    settings.SOURCEBOOK_PUBLIC_CACHE = True
    for cache in caches.all():
        cache.clear()


def published(name, occupation, editor, reviewer):
    person = make_candidate(name, by=editor)
    article = make_article(f"{name} works as a {occupation}.", outlet="Daily")
    claim = make_claim(person, "occupation", occupation, article, by=editor)
    claim_verify(claim=claim, acting_user=reviewer)
    candidate_publish(candidate=person, acting_user=reviewer)
    return person, claim


def test_a_change_to_one_candidate_leaves_the_others_profile_cached(
    cached, client, editor, reviewer
):
    liu, liu_claim = published("Liu Ping", "steelworker", editor, reviewer)
    xu, xu_claim = published("Xu Yan", "lawyer", editor, reviewer)
    pages = [f"/candidates/{liu.slug}/", f"/candidates/{xu.slug}/", "/candidates/"]
    for page in pages:
        assert client.get(page)["X-Cache"] == "miss"
        assert client.get(page)["X-Cache"] == "hit"

    claim_reject(claim=xu_claim, acting_user=reviewer, reason="Misread.")

    assert client.get(pages[0])["X-Cache"] == "hit"
    response = client.get(pages[1])
    assert response["X-Cache"] == "miss"
    assert "lawyer" not in response.content.decode()
    assert client.get(pages[2])["X-Cache"] == "miss"

    # Raw SQL, committed at once: the next request settles it and misses.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE elections_claim SET state = 'rejected' WHERE id = %s", [liu_claim.pk]
        )
    response = client.get(pages[0])
    assert response["X-Cache"] == "miss"
    assert "steelworker" not in response.content.decode()
