"""The kept counts of the disputes each outlet took part in (`elections.tallies`: kind outlet,
parts "disputes:<property>" and "wrong:<property>"; kind `took part` by candidate and
outlet) stay equal to a recount from the record, by the rule the outlet's page applied when
it walked the outlet's claims, after every write that moves them: a dispute resolved, a
question reopened by a new version, a claim rejected, the candidate withdrawn; and a rebuild
makes the same counts. The outlet's page reads them.
"""

from collections import Counter

import pytest
from django.db.models import Count, Exists, OuterRef, Q

from elections import tallies
from elections.models import Candidate, Claim, Contradiction, DisputeClaim, Property, PublicTally
from elections.public import outlet_profile
from elections.public.base import in_public_dispute, shown_member_filter
from elections.services import (
    candidate_publish,
    candidate_withdraw,
    claim_reject,
    claim_verify,
    contradiction_resolve,
)
from elections.services.contradictions import dispute_groups
from sources.models import Outlet
from tests.factories import make_article, make_candidate, make_claim

pytestmark = pytest.mark.django_db

CITY = [("Misprint Daily", "Hongzhou"), ("Xinhua", "Hangzhou"), ("Ballot Notes", "Hangzhou")]
AGES = [("Ballot Notes", "27", "2011-11-07"), ("Coastal Weekly", "35", "2011-06-02")]


def kept():
    """The kept counts of the outlets' disputes (settled first)."""
    tallies.settled()
    rows = PublicTally.objects.filter(
        Q(kind=tallies.TOOK_PART)
        | Q(kind=tallies.OUTLET, part__startswith=tallies.DISPUTES_PART)
        | Q(kind=tallies.OUTLET, part__startswith=tallies.WRONG_PART)
    )
    return {(r.kind, r.subject, r.part): r.value for r in rows if r.value}


def recount():
    """The same counts from the record: the public disputes each outlet's shown claims are
    members of, one row per dispute and outlet with how many of its members the verdict
    found wrong in a version found wrong (the outlet page's query before they were kept)."""
    not_wrong = DisputeClaim.objects.filter(
        shown_member_filter(),
        contradiction=OuterRef("contradiction_id"),
        group=OuterRef("group"),
    ).exclude(judged=DisputeClaim.Judged.WRONG)
    found_wrong = Q(~Exists(not_wrong.order_by()), judged=DisputeClaim.Judged.WRONG)
    rows = (
        DisputeClaim.objects.filter(shown_member_filter(), in_public_dispute())
        .order_by()
        .values_list(
            "claim__article__outlet_id",
            "contradiction_id",
            "contradiction__property",
            "contradiction__candidate_id",
        )
        .annotate(wrong=Count("pk", filter=found_wrong))
    )
    counts: Counter = Counter()
    for outlet, _dispute, prop, candidate, wrong in rows:
        counts[(tallies.OUTLET, outlet, tallies.DISPUTES_PART + prop)] += 1
        if wrong:
            counts[(tallies.OUTLET, outlet, tallies.WRONG_PART + prop)] += 1
        counts[(tallies.TOOK_PART, candidate, str(outlet))] += 1
    return dict(counts)


def assert_kept_equals_recount():
    counts = kept()
    assert counts == recount()
    # And what a rebuild from the record makes.
    tallies.rebuild()
    assert kept() == counts
    return counts


def page_tally(name):
    """What the outlet's page shows of its disputes: (count, found wrong, by property)."""
    profile = outlet_profile(Outlet.objects.get(name=name).slug)
    if profile is None:
        return None
    return profile.dispute_count, profile.found_wrong, profile.by_property


def recorded(editor, candidate, prop, value, outlet, published="2011-06-02"):
    article = make_article(
        f"Xu Yan, an independent candidate, reported as {value}.",
        outlet=outlet,
        published=published,
    )
    return make_claim(candidate, prop, value, article, by=editor)


def version_printing(dispute, printed):
    (group,) = {
        member.group
        for members in dispute_groups(dispute)
        for member in members
        if member.claim.value == printed
    }
    return group


def disputes_of(candidate):
    return {d.property: d for d in Contradiction.objects.filter(candidate=candidate)}


def resolve(dispute, right, reviewer):
    contradiction_resolve(
        contradiction=dispute,
        verdict=Contradiction.Verdict.ONE_RIGHT,
        right_group=version_printing(dispute, right),
        note="Checked.",
        acting_user=reviewer,
    )


def published_with_two_disputes(editor, reviewer):
    """Xu Yan, published after two verdicts: the city (Misprint Daily found wrong against
    two outlets) and the birth year (Coastal Weekly found wrong against Ballot Notes)."""
    xu = make_candidate("Xu Yan", by=editor)
    claims = [recorded(editor, xu, Property.CITY, city, outlet) for outlet, city in CITY]
    claims += [recorded(editor, xu, Property.AGE, age, outlet, date) for outlet, age, date in AGES]
    claims.append(recorded(editor, xu, Property.GENDER, "male", "Misprint Daily"))
    for claim in claims:
        claim_verify(claim=claim, acting_user=reviewer)
    disputes = disputes_of(xu)
    assert sorted(disputes) == ["birth_year", "city"]
    resolve(disputes["city"], "Hangzhou", reviewer)
    resolve(disputes["birth_year"], "27", reviewer)
    candidate_publish(candidate=xu, acting_user=reviewer)
    return xu


def run_the_writes(editor, reviewer, check):
    """The writes that move the counts, `check()` after each (and before any)."""
    check()
    xu = published_with_two_disputes(editor, reviewer)
    counts = check()
    misprint = Outlet.objects.get(name="Misprint Daily").pk
    ballot = Outlet.objects.get(name="Ballot Notes").pk
    assert counts[(tallies.OUTLET, misprint, "disputes:city")] == 1
    assert counts[(tallies.OUTLET, misprint, "wrong:city")] == 1
    assert counts[(tallies.OUTLET, ballot, "disputes:birth_year")] == 1
    assert (tallies.OUTLET, ballot, "wrong:birth_year") not in counts
    assert counts[(tallies.TOOK_PART, xu.pk, str(ballot))] == 2
    assert page_tally("Misprint Daily") == (1, 1, [("city", 1, 1)])
    assert page_tally("Ballot Notes") == (2, 0, [("birth_year", 1, 0), ("city", 1, 0)])

    # A version nobody judged reopens the city: the misprint's version is still found wrong
    # (all its claims were judged so), and a new outlet takes part.
    ningbo = recorded(editor, xu, Property.CITY, "Ningbo", "Ningbo Evening")
    claim_verify(claim=ningbo, acting_user=reviewer)
    assert Contradiction.objects.get(pk=disputes_of(xu)["city"].pk).status == "open"
    counts = check()
    assert counts[(tallies.OUTLET, Outlet.objects.get(name="Ningbo Evening").pk, "disputes:city")]

    # Resolved again, the other way: Hangzhou's outlets found wrong now.
    resolve(disputes_of(xu)["city"], "Ningbo", reviewer)
    counts = check()
    assert counts[(tallies.OUTLET, ballot, "wrong:city")] == 1

    # A claim taken back: Coastal Weekly's age is overruled, so rejecting Ballot Notes'
    # leaves one shown version: the birth year is no public dispute any more.
    claim = Claim.objects.get(candidate=xu, article__outlet_id=ballot, property=Property.AGE)
    claim_reject(claim=claim, acting_user=reviewer, reason="misread")
    counts = check()
    assert (tallies.OUTLET, ballot, "disputes:birth_year") not in counts

    # The candidate withdrawn: no public dispute left.
    candidate_withdraw(candidate=Candidate.objects.get(pk=xu.pk), acting_user=reviewer, note="")
    assert check() == {}
    assert page_tally("Misprint Daily") is None


def test_the_kept_disputes_of_each_outlet_equal_a_recount_after_every_write(editor, reviewer):
    run_the_writes(editor, reviewer, assert_kept_equals_recount)


def test_the_outlet_page_shows_its_first_disputes_and_keeps_facts_of_other_disputes_unmarked(
    editor, reviewer, client
):
    xu = published_with_two_disputes(editor, reviewer)
    quiet = Outlet.objects.get(name="Xinhua")
    response = client.get(f"/outlets/{quiet.slug}/")
    assert response.status_code == 200
    assert response.context["dispute_count"] == 1
    (dispute,) = outlet_profile(quiet.slug).disputes
    assert dispute.property == "city" and dispute.candidate_id == xu.pk
    assert dispute.own == {version_printing(dispute, "Hangzhou")}
    # Gender is disputed by nobody: the outlet that printed it took part in the city only.
    assert outlet_profile(Outlet.objects.get(name="Misprint Daily").slug).by_property == [
        ("city", 1, 1)
    ]
