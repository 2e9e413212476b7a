"""The reviewer's pass over the demo data, as elections/demo/README.md describes it.

What it leaves is a newsroom in mid-flight: most claims verified and most profiles
published; the disputes a reviewer has settled resolved, one verdict per question; two open
ones waiting (Liu Ping's and Xu Yan's years of birth, each with an age from a republished
piece); Xu Yan in review, blocked by his; the "Xu Ruiyan" record still a draft, waiting to be
merged into Xu Yan. Every step goes through the services, so running it again changes
nothing. The whole pass is one unit of work (`sources.audit.unit_of_work`): the services nest
in its transaction, so a pass that fails half-way leaves nothing behind.
"""

from django.core.exceptions import ValidationError

from elections.models import Candidate, Claim, Contradiction, Property
from elections.services import (
    candidate_publish,
    candidate_submit_for_review,
    claim_verify,
    contradiction_flag,
    contradiction_resolve,
)
from elections.services.contradictions import dispute_groups
from sources.audit import unit_of_work
from sources.models import Article

TANIS = "Remko Tanis"
REPUBLISHED = (
    "The Tanis feature reports interviews from 2011; 2018-09-25 is the date it was republished "
    "on his site, so its ages hold for 2011 and agree with the 2011 reports."
)
# Left for the review queue: a reviewer has not got to these yet.
UNREVIEWED = [("liu-ping", Property.AGE), ("xu-yan", Property.FOLLOWERS), ("xu-ruiyan", None)]
UNREVIEWED_FROM_TANIS = [("xu-yan", Property.AGE)]
NOT_PUBLISHED = {"xu-yan", "xu-ruiyan"}


def _claims(slug, prop=None):
    claims = Claim.objects.filter(candidate__slug=slug).select_related("article__outlet")
    return claims.filter(property=prop) if prop else claims


def _left_unreviewed(claim):
    for slug, prop in UNREVIEWED:
        if claim.candidate.slug == slug and (prop is None or claim.property == prop):
            return True
    return any(
        claim.candidate.slug == slug
        and claim.property == prop
        and claim.article.outlet.name.startswith(TANIS)
        for slug, prop in UNREVIEWED_FROM_TANIS
    )


def _open(slug, prop):
    return Contradiction.objects.filter(
        candidate__slug=slug, property=prop, status=Contradiction.Status.OPEN
    )


def _group_printing(dispute, printed):
    """The number of the value group of `dispute` in which some outlet printed `printed`."""
    for members in dispute_groups(dispute):
        if any(member.claim.value.strip().casefold() == printed.casefold() for member in members):
            return members[0].group
    raise ValueError(f"no version of dispute #{dispute.pk} reads {printed!r}")


def review_demo(*, reviewer, editor):
    """Verify, flag, resolve and publish as the demo's reviewer and editor; returns counts."""
    with unit_of_work():
        _review(reviewer=reviewer, editor=editor)
    return summary()


def _review(*, reviewer, editor):
    for claim in Claim.objects.filter(state=Claim.State.UNVERIFIED).select_related(
        "candidate", "article__outlet"
    ):
        if not _left_unreviewed(claim):
            claim_verify(claim=claim, acting_user=reviewer)

    # One verdict per question, whatever the number of outlets in each version.
    for dispute in _open("xu-yan", Property.CITY):
        contradiction_resolve(
            contradiction=dispute,
            verdict=Contradiction.Verdict.ONE_RIGHT,
            right_group=_group_printing(dispute, "Hangzhou"),
            note="There is no city called Hongzhou: the Post's spelling is a misprint of "
            "Hangzhou (杭州), where Xu Yan stood in a district election.",
            acting_user=reviewer,
        )
    for slug in ("he-peng", "wang-xiuzhen", "zhang-wei"):
        for dispute in _open(slug, Property.BIRTH_YEAR):
            contradiction_resolve(
                contradiction=dispute,
                verdict=Contradiction.Verdict.NOT_CONTRADICTION,
                note=REPUBLISHED,
                acting_user=reviewer,
            )

    # What the rules never compare (occupations have many values), an editor may still
    # question: the flag opens the question's dispute (or joins the one already there).
    occupations = _claims("xu-yan", Property.OCCUPATION)
    salesman = occupations.filter(value="advertising salesman").first()
    executive = occupations.filter(value="sales executive").first()
    if (
        salesman
        and executive
        and not Contradiction.objects.filter(members__claim__in=[salesman, executive]).exists()
    ):
        flagged = contradiction_flag(
            claim_a=salesman,
            claim_b=executive,
            acting_user=editor,
            note="One report has Xu Yan an advertising salesman, another a sales executive: "
            "one job or two?",
        )
        contradiction_resolve(
            contradiction=flagged,
            verdict=Contradiction.Verdict.NOT_CONTRADICTION,
            note="One job, named two ways: both describe his sales work for the real estate "
            "advertising firm, which the September report adds he has since left.",
            acting_user=reviewer,
        )

    for candidate in Candidate.objects.active().exclude(state=Candidate.State.PUBLISHED):
        if candidate.slug in NOT_PUBLISHED:
            if candidate.slug == "xu-yan" and candidate.state == Candidate.State.DRAFT:
                candidate_submit_for_review(candidate=candidate, acting_user=editor)
            continue
        try:
            candidate_publish(candidate=candidate, acting_user=reviewer)
        except ValidationError:
            candidate_submit_for_review(candidate=candidate, acting_user=editor)


def summary():
    disputes = Contradiction.objects.exclude(status=Contradiction.Status.CLOSED)
    return {
        "articles": Article.objects.count(),
        "candidates": Candidate.objects.active().count(),
        "published": Candidate.objects.published().count(),
        "claims": Claim.objects.count(),
        "verified": Claim.objects.filter(state=Claim.State.VERIFIED).count(),
        "disputes": disputes.count(),
        "open": disputes.filter(status=Contradiction.Status.OPEN).count(),
        "resolved": disputes.filter(status=Contradiction.Status.RESOLVED).count(),
    }
