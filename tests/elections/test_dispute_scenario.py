"""The issue's case, through the services: seven outlets on one city, three on one age.

One outlet misprints Xu Yan's city ("Hongzhou") that six others print right, in English or in
Chinese; two outlets give ages a year apart in articles a year apart (one year of birth) and a
third gives an age that fits no such year. That is two questions in dispute, so two disputes
and two verdicts, however many outlets take part; after them the profile publishes, and the
misprinting outlet is found wrong once. A further outlet agreeing with the verdict adds no
work; a version nobody judged reopens the question.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from elections.models import Candidate, Claim, Contradiction, DisputeClaim, Property
from elections.public import outlet_profile
from elections.services import (
    candidate_publish,
    claim_verify,
    contradiction_resolve,
)
from elections.services.contradictions import dispute_groups
from sources.models import Outlet
from tests.factories import make_article, make_candidate, make_claim, make_place

pytestmark = pytest.mark.django_db

MISPRINT = "The Washington Post"
RIGHT_CITY = [
    ("Xinhua", "Hangzhou"),
    ("示例新闻", "杭州市"),
    ("Ballot Notes", "Hangzhou"),
    ("Sourcebook Demo Desk", "Hangzhou"),
    ("选举观察示例微博", "杭州市"),
    ("Zhejiang Evening", "Hangzhou"),
]
AGES = [
    # (outlet, age, article date): 27 in late 2011 and 28 in late 2012 both mean born about
    # 1984; 35 in mid-2011 means born about 1976.
    ("Ballot Notes", "27", "2011-11-07"),
    ("Sourcebook Demo Desk", "28", "2012-11-10"),
    ("Coastal Weekly", "35", "2011-06-02"),
]


def recorded(editor, candidate, prop, value, outlet, published="2011-06-02"):
    article = make_article(
        f"Xu Yan, an independent candidate, reported as {value}.",
        outlet=outlet,
        published=published,
    )
    return make_claim(candidate, prop, value, article, by=editor)


def version_printing(dispute, printed):
    """The group number of the version of `dispute` that includes the printed `printed`."""
    (group,) = {
        member.group
        for members in dispute_groups(dispute)
        for member in members
        if member.claim.value == printed
    }
    return group


@pytest.fixture
def xu_yan(editor, reviewer):
    zhejiang = make_place("Zhejiang", "浙江省", level="province", code="330000")
    make_place("Hangzhou", "杭州市", parent=zhejiang, code="330100")
    make_place("Ningbo", "宁波市", parent=zhejiang, code="330200")
    xu = make_candidate("Xu Yan", by=editor)
    # The misprinting outlet prints it in two articles, and also reports what nobody
    # disputes, so it keeps a public page.
    claims = [
        recorded(editor, xu, Property.CITY, "Hongzhou", MISPRINT, "2011"),
        recorded(editor, xu, Property.CITY, "Hongzhou", MISPRINT, "2011-06"),
        recorded(editor, xu, Property.GENDER, "male", MISPRINT, "2011"),
    ]
    claims += [recorded(editor, xu, Property.CITY, city, outlet) for outlet, city in RIGHT_CITY]
    claims += [recorded(editor, xu, Property.AGE, age, outlet, date) for outlet, age, date in AGES]
    for claim in claims:
        claim_verify(claim=claim, acting_user=reviewer)
    return xu


def disputes_of(candidate):
    return {
        dispute.property: dispute for dispute in Contradiction.objects.filter(candidate=candidate)
    }


def resolve_both(disputes, reviewer):
    contradiction_resolve(
        contradiction=disputes["city"],
        verdict=Contradiction.Verdict.ONE_RIGHT,
        right_group=version_printing(disputes["city"], "Hangzhou"),
        note="No city is called Hongzhou: a misprint of Hangzhou (杭州市).",
        acting_user=reviewer,
    )
    contradiction_resolve(
        contradiction=disputes["birth_year"],
        verdict=Contradiction.Verdict.ONE_RIGHT,
        right_group=version_printing(disputes["birth_year"], "27"),
        note="Two reports a year apart agree on a birth year of about 1984.",
        acting_user=reviewer,
    )


def test_two_questions_in_dispute_make_two_disputes_whatever_the_outlets(xu_yan):
    disputes = disputes_of(xu_yan)

    assert sorted(disputes) == ["birth_year", "city"]
    assert Contradiction.objects.count() == 2
    city = [[m.claim.value for m in members] for members in dispute_groups(disputes["city"])]
    assert city == [
        ["Hongzhou", "Hongzhou"],
        ["Hangzhou", "杭州市", "Hangzhou", "Hangzhou", "杭州市", "Hangzhou"],
    ]
    ages = [[m.claim.value for m in members] for members in dispute_groups(disputes["birth_year"])]
    assert ages == [["27", "28"], ["35"]]


def test_two_verdicts_let_the_profile_publish_and_the_misprint_counts_once(
    xu_yan, reviewer, client
):
    with pytest.raises(ValidationError, match="open disputes"):
        candidate_publish(candidate=xu_yan, acting_user=reviewer)

    resolve_both(disputes_of(xu_yan), reviewer)
    candidate_publish(candidate=xu_yan, acting_user=reviewer)

    assert Candidate.objects.get(pk=xu_yan.pk).state == Candidate.State.PUBLISHED
    overruled = Claim.objects.filter(candidate=xu_yan, overruled=True)
    assert sorted(overruled.values_list("value", flat=True)) == ["35", "Hongzhou", "Hongzhou"]
    misprint = Outlet.objects.get(name=MISPRINT)
    response = client.get(reverse("elections:outlet-detail", args=[misprint.slug]))
    assert response.status_code == 200
    # The number the page words as "once": disputes in which the outlet's version was found
    # wrong, each counted once although two of its claims were in it.
    assert response.context["found_wrong"] == 1
    assert outlet_profile(misprint.slug).found_wrong == 1


def test_an_outlet_joining_the_right_version_adds_no_work(xu_yan, editor, reviewer):
    resolve_both(disputes_of(xu_yan), reviewer)
    candidate_publish(candidate=xu_yan, acting_user=reviewer)
    city = disputes_of(xu_yan)["city"]
    revision = city.revision

    eighth = recorded(editor, xu_yan, Property.CITY, "Hangzhou", "Hangzhou Daily")
    claim_verify(claim=eighth, acting_user=reviewer)

    city.refresh_from_db()
    assert (city.status, city.reopened_at, city.verdict) == ("resolved", None, "one_right")
    assert city.revision > revision, "the groups changed: a verdict form open before is stale"
    membership = DisputeClaim.objects.get(claim=eighth)
    assert (membership.group, membership.judged, membership.new) == (
        version_printing(city, "Hangzhou"),
        DisputeClaim.Judged.RIGHT,
        False,
    )
    # An outlet repeating the misprint joins the version found wrong: overruled at once.
    repeated = recorded(editor, xu_yan, Property.CITY, "Hongzhou", "Lakeside Courier", "2011")
    assert Claim.objects.get(pk=repeated.pk).overruled
    assert not Contradiction.objects.filter(status=Contradiction.Status.OPEN).exists()
    assert Candidate.objects.get(pk=xu_yan.pk).state == Candidate.State.PUBLISHED


def test_a_new_version_reopens_the_question_marked_new_beside_the_verdict(xu_yan, editor, reviewer):
    resolve_both(disputes_of(xu_yan), reviewer)
    city = disputes_of(xu_yan)["city"]

    ningbo = recorded(editor, xu_yan, Property.CITY, "Ningbo", "Hangzhou Daily")

    city.refresh_from_db()
    assert city.status == Contradiction.Status.OPEN and city.is_reopened
    assert city.reopened_at is not None
    assert (city.verdict, city.group_count) == (Contradiction.Verdict.ONE_RIGHT, 3)
    news = {
        member.claim_id: member.new for member in DisputeClaim.objects.filter(contradiction=city)
    }
    assert [claim_id for claim_id, new in news.items() if new] == [ningbo.pk]
    # The previous verdict still stands for the versions it judged.
    assert all(Claim.objects.filter(value="Hongzhou").values_list("overruled", flat=True))
    assert disputes_of(xu_yan)["birth_year"].status == Contradiction.Status.RESOLVED
