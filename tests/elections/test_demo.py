"""The demo newsroom that `make run` loads: realistic, loaded the importers' way, idempotent."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from elections.models import Candidate, Claim, Contradiction, Place
from elections.public import latest_public_status
from sources.models import Article, Outlet

DEMO_ARTICLES = "elections/demo/articles"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            call_command("load_demo", verbosity=0)
            yield
        finally:
            # Also when the load fails half-way: the next modules start from an empty database.
            call_command("flush", interactive=False, verbosity=0)


def counts():
    return {
        "articles": Article.objects.count(),
        "outlets": Outlet.objects.count(),
        "candidates": Candidate.objects.count(),
        "claims": Claim.objects.count(),
        "contradictions": list(
            Contradiction.objects.values_list("status", "verdict").order_by("id")
        ),
        "published": Candidate.objects.published().count(),
    }


@pytest.mark.django_db
def test_the_demo_is_a_newsroom_in_mid_flight(demo):
    assert Article.objects.count() >= 6
    assert Outlet.objects.filter(articles__isnull=False).distinct().count() >= 4
    published = Candidate.objects.published()
    assert published.count() >= 12
    provinces = (
        Place.objects.filter(elections__candidacies__candidate__in=published)
        .values("province")
        .distinct()
    )
    assert provinces.count() >= 3
    assert Contradiction.objects.filter(status="open").count() >= 3
    assert Contradiction.objects.filter(status="resolved").count() >= 3
    assert Claim.objects.filter(state="unverified").exists(), "the review queue has work in it"
    assert Candidate.objects.get(slug="xu-yan").state == Candidate.State.REVIEW
    assert Candidate.objects.get(slug="xu-ruiyan").state == Candidate.State.DRAFT


@pytest.mark.django_db
def test_every_published_profile_has_cited_facts(demo):
    for candidate in Candidate.objects.published():
        assert Claim.objects.public().standing().filter(candidate=candidate).exists(), (
            candidate.slug
        )


@pytest.mark.django_db
def test_liu_ping_was_barred_in_april_and_then_withdrew(demo):
    # A month-precise step and a year-precise one in the same year: the course order, not the
    # first day each date can mean, makes the withdrawal the latest status.
    liu = Candidate.objects.get(slug="liu-ping")
    (candidacy,) = liu.candidacies.all()
    assert candidacy.status == "withdrew"
    statuses = [step.status for step in candidacy.statuses.all()]
    assert statuses[-1] == "withdrew" and "barred" in statuses
    assert statuses.index("barred") < statuses.index("withdrew")
    assert Candidate.objects.annotate(latest=latest_public_status()).get(pk=liu.pk).latest == (
        "withdrew"
    )


@pytest.mark.django_db
def test_loading_it_again_changes_nothing(demo):
    before = counts()
    call_command("load_demo", "--no-places", verbosity=0)
    assert counts() == before


def test_the_demo_texts_are_written_in_our_own_words(corpus):
    from pathlib import Path

    def words(text):
        return re.findall(r"\w+", text.lower())

    shingles = set()
    for path in corpus.glob("*.txt"):
        found = words(path.read_text(encoding="utf-8"))
        shingles.update(" ".join(found[i : i + 10]) for i in range(len(found) - 9))
    root = Path(__file__).resolve().parent.parent.parent / "elections" / "demo"
    for path in root.rglob("*"):
        if path.suffix in {".txt", ".csv", ".md"}:
            found = words(path.read_text(encoding="utf-8"))
            copied = [" ".join(found[i : i + 10]) for i in range(len(found) - 9)]
            assert not shingles.intersection(copied), path.name


@pytest.mark.django_db
def test_the_local_logins_it_prints_work_only_under_local_settings(settings, client):
    # Without the local settings' SOURCEBOOK_DEMO_LOGINS (DEBUG alone is not enough), the
    # demo's people exist without a usable password.
    settings.DEBUG, settings.SOURCEBOOK_DEMO_LOGINS = True, False
    call_command("load_demo", "--no-places", verbosity=0)
    assert not client.login(username="editor", password="editor-local-2011")

    settings.SOURCEBOOK_DEMO_LOGINS = True
    out = io.StringIO()
    call_command("load_demo", "--no-places", stdout=out)
    printed = re.findall(r"^\s+(\w+)\s+password (\S+)", out.getvalue(), flags=re.M)
    assert [name for name, _ in printed] == ["editor", "reviewer", "importer", "admin"]
    for username, password in printed:
        assert client.login(username=username, password=password), username
        assert client.get("/admin/").status_code == 200
        client.logout()
    editor = User.objects.get(username="editor")
    assert editor.has_perm("elections.add_claim")
    assert not editor.has_perm("elections.verify_claim")
