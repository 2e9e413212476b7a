"""In Chromium: an editor changes a published candidate, the public profile keeps the reviewed
version, the author cannot accept the proposal, and a second reviewer accepts it.

The users hold their roles' permissions directly: the live server's database is emptied
between tests, and with it the groups the roles migration creates.
"""

import re

import pytest

from elections.models import Candidate, CandidateProposal
from elections.services import candidate_publish
from sources.audit import system_user
from tests.browser.conftest import log_in, staff_with
from tests.factories import make_candidate

pytestmark = pytest.mark.browser

PASSWORD = "proposal-browser-password-4c2"
EDITOR_PERMISSIONS = [
    "view_candidate",
    "change_candidate",
    "view_candidatename",
    "add_candidatename",
    "change_candidatename",
    "view_candidacy",
    "view_candidateproposal",
]
REVIEWER_PERMISSIONS = [*EDITOR_PERMISSIONS, "publish_candidate"]


def _user(name, codenames):
    return staff_with(name, PASSWORD, codenames, apps=("elections",))


def _log_in(page, user):
    log_in(page, user, PASSWORD)


@pytest.fixture
def published(transactional_db):
    xu = make_candidate("Xu Yan", name_zh="徐琰", birth_year=1984)
    return candidate_publish(candidate=xu, acting_user=system_user())


def test_a_change_to_a_published_candidate_is_accepted_by_a_second_reviewer(
    page, published, console_errors
):
    author = _user("proposal-author", REVIEWER_PERMISSIONS)  # editor and reviewer at once
    second = _user("proposal-second", REVIEWER_PERMISSIONS)

    _log_in(page, author)
    page.goto(f"/admin/elections/candidate/{published.pk}/change/")
    page.locator("#id_birth_year").fill("1985")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert "waits for another reviewer" in page.locator("ul.messagelist").inner_text()
    assert Candidate.objects.get(pk=published.pk).birth_year == 1984
    proposal = CandidateProposal.objects.get()

    # The public still reads the reviewed year of birth.
    page.goto(f"/candidates/{published.slug}/")
    assert "1985" not in page.locator("main").inner_text()

    # Its author may read the proposal but not accept it.
    page.goto(f"/admin/elections/candidateproposal/{proposal.pk}/change/")
    changes = page.locator("table.sb-changes").inner_text()
    assert "1984" in changes and "1985" in changes
    assert page.get_by_role("button", name="Accept: publish this change").count() == 0
    assert "another reviewer must accept" in page.locator("#content").inner_text()

    _log_in(page, second)
    page.get_by_role("link", name="Candidate proposals").click()
    page.get_by_role("link", name=re.compile(rf"Proposal #{proposal.pk}")).click()
    page.locator("#id_note").fill("The registration notice gives 1985.")
    page.get_by_role("button", name="Accept: publish this change").click()
    # The only proposal decided: "next" goes back to the desk.
    page.wait_for_url(re.compile(r"/admin/$"))
    assert "accepted" in page.locator("ul.messagelist").inner_text()

    proposal.refresh_from_db()
    assert proposal.state == CandidateProposal.State.ACCEPTED
    assert (proposal.proposed_by.username, proposal.reviewed_by.username) == (
        "proposal-author",
        "proposal-second",
    )
    assert Candidate.objects.get(pk=published.pk).birth_year == 1985
    page.goto(f"/candidates/{published.slug}/")
    assert "1985" in page.locator("main").inner_text()
    assert console_errors == []
