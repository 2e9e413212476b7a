"""Pages cached under finer keys than the whole generation, on PostgreSQL outside a test
transaction, as production serves them: profiles under their own candidate's version, the
lists under their own generation, outlets' and articles' pages under their versions. A change
leaves the pages that do not show it cached and is seen at once on those that do, whether a
service or raw SQL made it."""

import pytest
from django.core.cache import caches
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test import Client, override_settings

from elections.cache import scoped_generation
from elections.models import CandidateDigest, PublicTally
from elections.services import candidate_publish, claim_reject, claim_verify
from sources.models import Outlet
from tests.factories import make_article, make_candidate, make_claim

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cached(settings):
    settings.SOURCEBOOK_PUBLIC_CACHE = True
    for cache in caches.all():
        cache.clear()


def published(name, occupation, editor, reviewer, *, outlet="Daily"):
    person = make_candidate(name, by=editor)
    article = make_article(f"{name} works as a {occupation}.", outlet=outlet)
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


def answered(client, url):
    """Whether the cache answered `url` (or, when the page is gone, its status), after
    checking the answer is what a render now gives (a page kept through a change must not
    miss it)."""
    response = client.get(url)
    with override_settings(SOURCEBOOK_PUBLIC_CACHE=False):
        assert response.content == Client().get(url).content, url
    return response.get("X-Cache", response.status_code)


def test_lists_outlets_and_articles_stay_cached_through_changes_they_do_not_show(
    cached, client, editor, reviewer
):
    """The lists go by their own generation, renewed as a change they show commits; an
    outlet's and an article's pages by their versions, renewed by settling the candidates
    whose public claims they show, and the disputes' generation."""
    liu, liu_claim = published("Liu Ping", "steelworker", editor, reviewer, outlet="Daily")
    _xu, xu_claim = published("Xu Yan", "lawyer", editor, reviewer, outlet="Wire")
    zhao, _ = published("Zhao Lan", "nurse", editor, reviewer, outlet="Third Paper")
    # Her second fact, verified last: taking back the first leaves her latest verification.
    article = make_article("Liu Ping, 47, spoke to the Daily.", outlet="Daily")
    first_age = make_claim(liu, "age", "47", article, "Liu Ping, 47", by=editor)
    claim_verify(claim=first_age, acting_user=reviewer)
    lists = ["/candidates/", "/api/candidates/", "/candidates/?sort=verified"]
    outlets = {
        outlet.name: f"/outlets/{outlet.slug}/"
        for outlet in Outlet.objects.filter(name__in=["Daily", "Wire", "Third Paper"])
    }
    articles = {
        "liu": f"/articles/{liu_claim.article_id}/",
        "xu": f"/articles/{xu_claim.article_id}/",
    }
    pages = [*lists, *outlets.values(), *articles.values()]
    for page in pages:
        assert client.get(page)["X-Cache"] == "miss"
        assert client.get(page)["X-Cache"] == "hit"

    claim_reject(claim=liu_claim, acting_user=reviewer, reason="Misread.")

    seen = {page: answered(client, page) for page in pages}
    assert seen == {
        **dict.fromkeys(lists, "hit"),
        outlets["Daily"]: "miss",
        outlets["Wire"]: "hit",
        outlets["Third Paper"]: "hit",
        articles["liu"]: 404,  # it cited no other public claim
        articles["xu"]: "hit",
    }

    # A fact verified now: her latest verification, which the lists show; and her second
    # age, which makes a public dispute: every outlet's page goes by the disputes' too.
    wire = make_article("Liu Ping, 52, spoke to the wire.", outlet="Wire")
    second_age = make_claim(liu, "age", "52", wire, "Liu Ping, 52", by=editor)
    claim_verify(claim=second_age, acting_user=reviewer)
    assert CandidateDigest.objects.get(candidate=liu).disputed
    seen = {page: answered(client, page) for page in [*lists, *outlets.values()]}
    assert set(seen.values()) == {"miss"}
    assert answered(client, articles["xu"]) == "hit"

    # Raw SQL, committed at once: the next request settles it and misses.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE elections_claim SET state = 'rejected' WHERE id = %s", [xu_claim.pk])
    assert answered(client, articles["xu"]) == 404
    assert answered(client, "/candidates/") == "miss"
    assert zhao.slug in client.get("/candidates/").content.decode()


def test_migrate_gives_each_cited_outlet_and_article_a_version_it_lacks(
    cached, client, editor, reviewer
):
    """Records kept before pages had versions go by the whole generation until `migrate`
    (its post_migrate) gives them one; then their pages are cached under it."""
    _liu, claim = published("Liu Ping", "steelworker", editor, reviewer)
    page = f"/outlets/{claim.article.outlet.slug}/"
    versions = PublicTally.objects.filter(kind="version", part__in=["article", "outlet"])
    versions.delete()
    assert scoped_generation(("outlet", claim.article.outlet.slug)) is None

    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)

    assert set(versions.values_list("part", "subject")) == {
        ("article", claim.article_id),
        ("outlet", claim.article.outlet_id),
    }
    assert scoped_generation(("outlet", claim.article.outlet.slug)).startswith("o")
    assert client.get(page)["X-Cache"] == "miss"
    assert client.get(page)["X-Cache"] == "hit"


def test_editors_recording_unverified_claims_leave_every_page_cached(
    cached, client, editor, reviewer
):
    """Claims recorded and not yet verified are seen by nobody: settling the candidates they
    mark gives no page a new key, a disputed candidate's included (the load of `make
    cluster`: editors recording claims at every candidate while readers read). Verified, one
    is seen at once."""
    liu, liu_claim = published("Liu Ping", "steelworker", editor, reviewer, outlet="Daily")
    _xu, xu_claim = published("Xu Yan", "lawyer", editor, reviewer, outlet="Wire")
    for age, outlet in (("47", "Daily"), ("52", "Wire")):
        article = make_article(f"Liu Ping, {age}, spoke to us.", outlet=outlet)
        claim_verify(
            claim=make_claim(liu, "age", age, article, f"Liu Ping, {age}", by=editor),
            acting_user=reviewer,
        )
    assert CandidateDigest.objects.get(candidate=liu).disputed
    outlets = [f"/outlets/{slug}/" for slug in Outlet.objects.values_list("slug", flat=True)]
    pages = [
        f"/candidates/{liu.slug}/",
        f"/api/candidates/{liu.slug}/",
        "/candidates/",
        "/api/candidates/",
        "/",
        f"/articles/{liu_claim.article_id}/",
        f"/articles/{xu_claim.article_id}/",
        *outlets,
    ]
    for page in pages:
        assert client.get(page)["X-Cache"] == "miss"
    version = scoped_generation(("candidate", liu.slug))

    recorded = make_claim(liu, "occupation", "worker", liu_claim.article, "works", by=editor)
    make_claim(liu, "occupation", "welder", xu_claim.article, "lawyer", by=editor)

    assert {page: answered(client, page) for page in pages} == dict.fromkeys(pages, "hit")
    assert scoped_generation(("candidate", liu.slug)) == version

    claim_verify(claim=recorded, acting_user=reviewer)
    assert answered(client, pages[0]) == "miss"
    assert answered(client, pages[5]) == "miss"


def test_a_public_write_left_unsettled_renews_every_page_key_as_it_commits(
    cached, client, editor, reviewer
):
    """A write from outside every service commits public changes with its candidates left to
    settle: its commit renews every finer generation, so the writer that settles them next
    need not (one that changes nothing public gives no new version) and no page stays."""
    liu, _claim = published("Liu Ping", "steelworker", editor, reviewer)
    page = f"/api/candidates/{liu.slug}/"
    assert client.get(page)["X-Cache"] == "miss"
    assert client.get(page)["X-Cache"] == "hit"
    before = scoped_generation(("candidate", liu.slug))

    # Committed at once (autocommit), by no service: the marks stay for the next settlement.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE elections_candidate SET birth_year = 1961 WHERE id = %s", [liu.pk])
        cursor.execute("SELECT count(*) FROM elections_tallypending")
        assert cursor.fetchone()[0] > 0
    # An editor's unverified claim settles those marks, with no public change of its own.
    make_claim(liu, "occupation", "welder", make_article("Liu Ping, welder."), by=editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM elections_tallypending")
        assert cursor.fetchone()[0] == 0

    assert scoped_generation(("candidate", liu.slug)) != before
    assert answered(client, page) == "miss"
    assert b"1961" in client.get(page).content


def test_after_a_rebuild_every_page_has_a_key_of_its_own(cached, client, editor, reviewer):
    # A rebuild (`settle_public_tallies --rebuild`, run after every bulk load) remakes the
    # versions with the counts, though its transaction changes nothing the public sees:
    # without them every profile, outlet and article page went by the whole generation and
    # missed at each change anywhere (the growth bench: 0.55 with an editor at work).
    from elections import tallies
    from elections.models import PublicTally

    liu, _liu_claim = published("Liu Ping", "steelworker", editor, reviewer)
    xu, xu_claim = published("Xu Yan", "lawyer", editor, reviewer, outlet="Wire")
    tallies.rebuild()
    versions = set(PublicTally.objects.filter(kind=tallies.VERSION).values_list("part", "subject"))
    assert {("", liu.pk), ("", xu.pk)} <= versions
    assert {
        ("outlet", liu_claim_outlet)
        for liu_claim_outlet in [_liu_claim.article.outlet_id, xu_claim.article.outlet_id]
    } <= versions
    assert ("article", _liu_claim.article_id) in versions

    pages = [f"/candidates/{liu.slug}/", f"/outlets/{_liu_claim.article.outlet.slug}/"]
    pages.append(f"/articles/{_liu_claim.article_id}/")
    for page in pages:
        assert answered(client, page) == "miss"
        assert answered(client, page) == "hit"

    claim_reject(claim=xu_claim, acting_user=reviewer, reason="Misread.")

    for page in pages:
        assert answered(client, page) == "hit", page
