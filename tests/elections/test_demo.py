"""The demo newsroom that `make run` loads: realistic, loaded the importers' way, idempotent."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command

from elections.models import Candidate, Claim, Contradiction, DisputeClaim, Place
from elections.public import latest_public_status
from elections.services import candidate_merge, contradiction_flag
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
        "disputes": list(
            Contradiction.objects.values_list("question", "status", "verdict", "revision").order_by(
                "id"
            )
        ),
        "dispute_members": list(
            DisputeClaim.objects.values_list("claim_id", "group", "judged").order_by("claim_id")
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
    assert Contradiction.objects.filter(status="open").count() >= 2
    assert Contradiction.objects.filter(status="resolved").count() >= 3
    assert Claim.objects.filter(state="unverified").exists(), "the review queue has work in it"
    assert Candidate.objects.get(slug="xu-yan").state == Candidate.State.REVIEW
    assert Candidate.objects.get(slug="xu-ruiyan").state == Candidate.State.DRAFT


def disputes():
    return {
        (dispute.candidate.slug, dispute.property): dispute
        for dispute in Contradiction.objects.select_related("candidate")
    }


def printed_by_group(dispute):
    groups = {}
    for member in dispute.members.select_related("claim").order_by("group", "claim_id"):
        groups.setdefault(member.group, []).append(member.claim.value)
    return [groups[number] for number in sorted(groups)]


@pytest.mark.django_db
def test_each_question_in_dispute_has_one_dispute_and_one_verdict(demo):
    found = disputes()
    assert {key: dispute.status for key, dispute in found.items()} == {
        ("xu-yan", "city"): "resolved",
        ("xu-yan", "occupation"): "resolved",
        ("he-peng", "birth_year"): "resolved",
        ("wang-xiuzhen", "birth_year"): "resolved",
        ("zhang-wei", "birth_year"): "resolved",
        # Ages answer the year-of-birth question: the two June 2011 reports are one version.
        ("liu-ping", "birth_year"): "open",
        ("xu-yan", "birth_year"): "open",
    }
    assert printed_by_group(found["liu-ping", "birth_year"]) == [["47"], ["47", "47"]]
    city = found["xu-yan", "city"]
    assert city.verdict == Contradiction.Verdict.ONE_RIGHT
    assert {
        member.claim.value: (member.judged, member.claim.overruled)
        for member in city.members.select_related("claim")
    } == {"Hongzhou": ("wrong", True), "Hangzhou": ("right", False)}
    occupation = found["xu-yan", "occupation"]
    assert occupation.origin == Contradiction.Origin.FLAGGED
    assert occupation.verdict == Contradiction.Verdict.NOT_CONTRADICTION


@pytest.mark.django_db
def test_merging_xu_ruiyan_adds_no_work(demo):
    reviewer = User.objects.get(username="reviewer")
    before = {key: dispute.status for key, dispute in disputes().items()}

    candidate_merge(
        survivor=Candidate.objects.get(slug="xu-yan"),
        absorbed=Candidate.objects.get(slug="xu-ruiyan"),
        note="The same Hangzhou salesman.",
        acting_user=reviewer,
    )

    after = disputes()
    # His Hangzhou joins the version the verdict found right, and his age of 27 in May 2011
    # the 2011 version of Xu Yan's year of birth: no work for anyone.
    city = after["xu-yan", "city"]
    assert (city.status, city.is_reopened) == ("resolved", False)
    assert printed_by_group(city) == [["Hongzhou"], ["Hangzhou", "Hangzhou"]]
    assert [len(group) for group in printed_by_group(after["xu-yan", "birth_year"])] == [2, 1]
    # His "salesman" is one more occupation, not a version of the flagged question (which
    # holds the two values an editor flagged): no work for anyone either.
    occupation = after["xu-yan", "occupation"]
    assert (occupation.status, occupation.is_reopened) == ("resolved", False)
    assert "salesman" not in [m.claim.value for m in occupation.members.select_related("claim")]
    assert before == {key: dispute.status for key, dispute in after.items()}


@pytest.mark.django_db
def test_the_summary_counts_disputes(demo):
    out = io.StringIO()
    call_command("load_demo", "--no-places", "--no-logins", stdout=out)
    assert "7 disputes (2 open, 5 resolved)" in out.getvalue()


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
    # Statuses of two dates answer two questions: an editor cannot put them in one dispute.
    barred, withdrew = (
        Claim.objects.filter(candidate=liu, value=value).first() for value in ("barred", "withdrew")
    )
    with pytest.raises(ValidationError, match="same question"):
        contradiction_flag(
            claim_a=barred,
            claim_b=withdrew,
            note="Which was it?",
            acting_user=User.objects.get(username="editor"),
        )
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
