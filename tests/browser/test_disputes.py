"""A reviewer settles a dispute of three versions in Chromium, reading them all on one page.

Xu Yan's city is printed three ways: "Hongzhou" (a misprint, one outlet), Hangzhou / 杭州市
(the same place, three outlets) and "Ningbo" (one outlet). The dispute's page shows the three
versions with every claim's passage; the reviewer finds version 2 right and writes why, and
the claims of the two other versions are overruled.

The reviewer holds the Reviewers role's permissions directly: the live server's database is
emptied between tests, and with it the groups the roles migration creates.
"""

import re

import pytest

from elections.models import Claim, Contradiction, Property
from tests.browser.conftest import log_in, staff_with
from tests.browser.test_review_queues import REVIEWER_PERMISSIONS
from tests.factories import make_article, make_candidate, make_claim, make_place

pytestmark = pytest.mark.browser

PASSWORD = "dispute-browser-password-4c7"
# Written for this test: each sentence names the city one way.
VERSIONS = [
    ("Hongzhou", "Evening Ledger", "Polls open at seven. Xu Yan stood in Hongzhou. More later."),
    ("Hangzhou", "Harbour Weekly", "Xu Yan, an independent, stood in Hangzhou this year."),
    ("杭州市", "Zhejiang Daily", "独立候选人徐琰在杭州市参选。"),
    ("Hangzhou", "Lakeside Weekly", "Voters in Hangzhou met Xu Yan."),
    ("Ningbo", "Coastal Post", "Xu Yan stood in Ningbo, his supporters said."),
]
NOTE = "The district election committee's list places him in Hangzhou."


@pytest.fixture
def reviewer(transactional_db):
    return staff_with("dispute-reviewer", PASSWORD, REVIEWER_PERMISSIONS)


@pytest.fixture
def reviewer_page(page, reviewer):
    return log_in(page, reviewer, PASSWORD)


@pytest.fixture
def cities(transactional_db):
    """One dispute on Xu Yan's city, in three versions; returns it and the claims by outlet."""
    zhejiang = make_place("Zhejiang", "浙江省", level="province", code="330000")
    make_place("Hangzhou", "杭州市", parent=zhejiang, code="330100")
    make_place("Ningbo", "宁波市", parent=zhejiang, code="330200")
    xu = make_candidate("Xu Yan", name_zh="徐琰")
    claims = {
        outlet: make_claim(
            xu,
            Property.CITY,
            value,
            make_article(text, outlet=outlet, title=f"{outlet} report", published="2011-06-01"),
        )
        for value, outlet, text in VERSIONS
    }
    return Contradiction.objects.get(), claims


def test_a_reviewer_finds_one_of_three_versions_right_on_one_page(
    reviewer_page, cities, console_errors
):
    dispute, claims = cities
    assert dispute.group_count == 3
    page = reviewer_page
    page.goto("/admin/elections/contradiction/")
    row = page.locator("#result_list tbody tr")
    assert row.count() == 1
    assert "3" in row.locator("td.field-version_count").inner_text()
    row.get_by_role("link", name=f"#{dispute.pk}").click()
    page.wait_for_url(re.compile(rf"/admin/elections/contradiction/{dispute.pk}/change/$"))

    versions = page.locator("section.sb-version")
    assert versions.count() == 3
    first, second, third = (versions.nth(number) for number in range(3))
    assert first.locator("h2").inner_text() == "Version 1: “Hongzhou”"
    assert first.locator("mark").inner_text() == "Hongzhou"
    assert "Polls open at seven." in first.locator("blockquote").inner_text()
    assert second.locator("h2").inner_text() == "Version 2: “Hangzhou”, “杭州市”"
    assert second.locator(".sb-version-claim").count() == 3
    shown = second.inner_text()
    for outlet in ("Harbour Weekly", "Zhejiang Daily", "Lakeside Weekly"):
        assert f"{outlet} report" in shown
    assert second.locator("mark").all_inner_texts() == ["Hangzhou", "杭州市", "Hangzhou"]
    assert "Coastal Post" in third.inner_text()
    assert third.locator("mark").inner_text() == "Ningbo"
    assert page.get_by_label(re.compile(r"Version \d is right")).count() == 3

    page.get_by_label(re.compile("Version 2 is right")).check()
    page.get_by_label("Note").fill(NOTE)
    page.get_by_role("button", name="Resolve").click()

    # The only open dispute resolved: "next" goes back to the desk, saying the queue is empty.
    page.wait_for_url(re.compile(r"/admin/$"))
    message = page.locator(".messagelist").inner_text()
    assert "Nothing left" in message
    assert f"Resolved dispute #{dispute.pk}" in message and "version 2" in message
    dispute.refresh_from_db()
    assert dispute.status == Contradiction.Status.RESOLVED
    assert dispute.verdict == Contradiction.Verdict.ONE_RIGHT
    assert dispute.verdict_note == NOTE
    overruled = set(Claim.objects.filter(overruled=True).values_list("pk", flat=True))
    assert overruled == {claims["Evening Ledger"].pk, claims["Coastal Post"].pk}
    assert console_errors == []
