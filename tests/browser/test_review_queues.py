"""A reviewer works through the queues in Chromium: resolves a dispute after reading both
versions' passages side by side, and verifies claims in bulk from the review queue.

The reviewer holds the Reviewers role's permissions directly: the live server's database is
emptied between tests, and with it the groups the roles migration creates.
"""

import re

import pytest

from elections.models import Claim, Contradiction, Property
from tests.browser.conftest import log_in, staff_with
from tests.factories import make_article, make_candidate, make_claim

pytestmark = pytest.mark.browser

PASSWORD = "reviewer-browser-password-8e3"
REVIEWER_PERMISSIONS = [
    "view_candidate",
    "view_claim",
    "view_contradiction",
    "view_article",
    "view_passage",
    "verify_claim",
    "change_contradiction",
    "resolve_contradiction",
    "publish_candidate",
]
# Written for this test: the age sits in the middle sentence of each text.
FIRST_TEXT = "Polls open at seven. Xu Yan, 27, is standing in Hangzhou. Results come later."
SECOND_TEXT = "Xu Yan, aged 35, is standing again. Supporters handed out leaflets."


@pytest.fixture
def reviewer(transactional_db):
    return staff_with("browser-reviewer", PASSWORD, REVIEWER_PERMISSIONS)


@pytest.fixture
def reviewer_page(page, reviewer):
    return log_in(page, reviewer, PASSWORD)


@pytest.fixture
def disagreement(transactional_db):
    """Two outlets disagree on Xu Yan's age: one open dispute of two versions."""
    xu = make_candidate("Xu Yan", name_zh="徐琰")
    first = make_article(FIRST_TEXT, outlet="The Evening Ledger", published="2011-06-01")
    second = make_article(SECOND_TEXT, outlet="Harbour Weekly", published="2011-06-03")
    make_claim(xu, Property.AGE, "27", first, quote="Xu Yan, 27,")
    make_claim(xu, Property.AGE, "35", second, quote="aged 35")
    return Contradiction.objects.get()


def test_a_reviewer_resolves_a_dispute_after_reading_both_passages(
    reviewer_page, disagreement, console_errors
):
    page = reviewer_page
    page.get_by_role("link", name="Contradictions").first.click()
    page.get_by_role("link", name=f"#{disagreement.pk}").click()

    first = page.locator("section.sb-version").nth(0)
    second = page.locator("section.sb-version").nth(1)
    assert "The Evening Ledger" in first.inner_text()
    assert first.locator("mark").inner_text() == "Xu Yan, 27,"
    assert "Polls open at seven." in first.locator("blockquote").inner_text()
    assert "Harbour Weekly" in second.inner_text()
    assert second.locator("mark").inner_text() == "aged 35"

    page.get_by_label(re.compile("Version 2 is right")).check()
    page.get_by_label("Note").fill("The candidate list gives his birth year as 1976.")
    page.get_by_role("button", name="Resolve").click()

    # The only open dispute resolved: "next" goes back to the desk.
    page.wait_for_url(re.compile(r"/admin/$"))
    assert "Resolved" in page.locator(".messagelist").inner_text()
    disagreement.refresh_from_db()
    assert disagreement.status == Contradiction.Status.RESOLVED
    assert disagreement.verdict == Contradiction.Verdict.ONE_RIGHT
    overruled = set(Claim.objects.filter(overruled=True).values_list("value", flat=True))
    assert overruled == {"27"}
    assert console_errors == []


def test_a_reviewer_verifies_claims_in_bulk_from_the_review_queue(
    reviewer_page, disagreement, console_errors
):
    page = reviewer_page
    page.goto("/admin/elections/claim/")
    page.get_by_role("link", name=re.compile(r"Review queue \(2\)")).click()
    page.wait_for_url(re.compile(r"state__exact=unverified"))

    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("verify_claims")
    page.get_by_role("button", name="Go").first.click()

    assert "Verified 2 claim(s)." in page.locator(".messagelist").inner_text()
    assert set(Claim.objects.values_list("state", flat=True)) == {Claim.State.VERIFIED}
    page.get_by_role("link", name=re.compile(r"Review queue \(0\)")).wait_for()
    assert console_errors == []
