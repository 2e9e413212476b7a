"""The newsroom data the production-leg tests start from, made through the factories."""

from elections.models import Property
from tests.factories import (
    make_article,
    make_candidacy,
    make_candidate,
    make_claim,
    make_election,
    make_place,
)


def one_person_twice(editor):
    """Xu Yan and Xu Ruiyan, one person recorded twice, each with a run and a claim.

    Returns (xu, ruiyan, claims).
    """
    election = make_election(make_place("Xihu", "西湖区", level="county", code="330106"))
    xu = make_candidate("Xu Yan", name_zh="徐琰")
    ruiyan = make_candidate("Xu Ruiyan", name_zh="徐瑞琰")
    make_candidacy(xu, election)
    make_candidacy(ruiyan, election)
    claims = [
        make_claim(
            xu,
            Property.AGE,
            "27",
            make_article("Xu Yan, 27, registered.", outlet="Outlet A", published="2011"),
            by=editor,
        ),
        make_claim(
            ruiyan,
            Property.OCCUPATION,
            "shop owner",
            make_article("Xu Ruiyan, a shop owner.", outlet="Outlet B", published="2011"),
            by=editor,
        ),
    ]
    return xu, ruiyan, claims


def disagreeing_claims(editor):
    """Two outlets printing different ages for one candidate: (candidate, claim_a, claim_b)."""
    liu = make_candidate("Liu Ping", name_zh="刘萍")
    first = make_claim(
        liu,
        Property.AGE,
        "47",
        make_article("Liu Ping, 47, stood in Xinyu.", outlet="Outlet A", published="2011-06"),
        by=editor,
    )
    second = make_claim(
        liu,
        Property.AGE,
        "35",
        make_article("Liu Ping, 35, stood in Xinyu.", outlet="Outlet B", published="2011-06"),
        by=editor,
    )
    return liu, first, second
