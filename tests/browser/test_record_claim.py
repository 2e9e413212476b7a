"""An editor records a claim from the annotate view and finds the dispute it opens.

The editor selects a misprinted city with the mouse, finds the candidate by typing his
Chinese name, takes the value the panel proposes and records the claim; another outlet has
the right city on record, so the claim opens a dispute (two versions of his city), which the
panel links and the disputes queue lists.
"""

import importlib
import re

import pytest
from django.contrib.auth.models import Permission, User

from elections.models import Claim, Contradiction, Place
from tests.browser.conftest import EDITOR_PASSWORD
from tests.browser.test_annotate import drag_across
from tests.factories import make_article, make_candidate, make_claim, make_place

pytestmark = pytest.mark.browser

# Written for this test; no sentence comes from a press report.
TEXT = (
    "记者手记：徐琰想参加区人大代表选举。\n\n"
    "Our reporter met Xu Yan, 27, who hopes to stand for the district congress in Hongzhou "
    "this autumn."
)
MISPRINT = "Hongzhou"


@pytest.fixture
def editor(transactional_db):
    """A member of the newsroom's Editors role, with the role's permissions.

    The live server's tests flush the database between them, which takes the role groups the
    migration made with it; the permissions are given to the user directly instead.
    """
    roles = importlib.import_module("elections.migrations.0003_roles").ROLES
    user = User.objects.create_user("browser-editor", password=EDITOR_PASSWORD, is_staff=True)
    codes = [code.split(".") for code in roles["Editors"]]
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in={app for app, _ in codes},
            codename__in={codename for _, codename in codes},
        )
    )
    return user


@pytest.fixture
def story(transactional_db):
    """Xu Yan, placed in Hangzhou by one outlet, and an article of another that misprints it."""
    zhejiang = make_place("Zhejiang", "浙江省", level=Place.Level.PROVINCE, code="330000")
    make_place("Hangzhou", "杭州市", parent=zhejiang, code="330100")
    xu = make_candidate("Xu Yan", name_zh="徐琰")
    earlier = make_article(
        "Xu Yan is standing in Hangzhou.", outlet="Lakeside Weekly", published="2011-06-10"
    )
    on_record = make_claim(xu, "city", "Hangzhou", earlier)
    article = make_article(
        TEXT, outlet="Harbour Ledger", title="Two hopefuls", published="2011-06-02"
    )
    return {"candidate": xu, "claim": on_record, "article": article}


def test_a_claim_recorded_from_a_selection_opens_a_dispute_in_the_queue(
    logged_in_page, story, console_errors
):
    page = logged_in_page
    article = story["article"]
    page.goto(f"/admin/sources/article/{article.pk}/annotate/")

    drag_across(page, MISPRINT)
    page.wait_for_function(
        "(words) => document.getElementById('claim-quote').textContent === words", arg=MISPRINT
    )
    search = page.get_by_role("combobox", name="Find by any name")
    search.press_sequentially("徐琰")
    option = page.get_by_role("option", name=re.compile(r"^Xu Yan \(徐琰\)"))
    option.click()
    page.get_by_label("Property").select_option(label="city")
    value = page.get_by_label("Value", exact=True)
    page.wait_for_function(
        "(words) => document.getElementById('claim_value').value === words", arg=MISPRINT
    )
    assert page.locator("#claim-value-reading").text_content().startswith("Reads as: not a known")

    page.get_by_role("button", name="Record claim").click()

    link = page.get_by_role("link", name=re.compile(r"^Contradiction #\d+$"))
    link.wait_for()
    claim = Claim.objects.get(value=MISPRINT)
    start = TEXT.index(MISPRINT)
    assert (claim.passage.start, claim.passage.end) == (start, start + len(MISPRINT))
    assert claim.candidate == story["candidate"] and claim.created_by.username == "browser-editor"
    dispute = Contradiction.objects.get()
    groups = dict(dispute.members.values_list("claim", "group"))
    assert groups == {story["claim"].pk: 1, claim.pk: 2}
    change = f"/admin/elections/contradiction/{dispute.pk}/change/"
    assert link.get_attribute("href") == change
    assert "Hangzhou" in page.locator("#claim-panel-result").text_content()
    assert value.input_value() == ""

    page.get_by_role("link", name="Open the contradictions queue").click()
    page.wait_for_url(re.compile(r"/admin/elections/contradiction/$"))
    assert page.locator(f'a[href="{change}"]').count() >= 1
    assert console_errors == []


def test_a_new_candidate_is_recorded_with_the_keyboard_alone(logged_in_page, story, console_errors):
    page = logged_in_page
    article = story["article"]
    words = "徐琰想参加"
    start = TEXT.index(words)
    page.goto(f"/admin/sources/article/{article.pk}/annotate/")

    page.get_by_label("Start").fill(str(start))
    page.get_by_label("End").fill(str(start + len(words)))
    page.get_by_label("New candidate").check()
    page.get_by_label("Display name").fill("Xu Yan (second record)")
    page.get_by_label("Chinese name").fill("徐琰")
    page.get_by_label("Property").select_option("name_zh")
    page.wait_for_function("() => document.getElementById('claim_value').value === '徐琰'")
    page.get_by_label("Value", exact=True).press("Enter")

    page.get_by_text("New candidate: ").wait_for()
    claim = Claim.objects.get(property="name_zh")
    assert claim.candidate.display_name == "Xu Yan (second record)"
    assert claim.passage.exact == words
    # The record just made is now the chosen candidate, so a second claim is not a third record.
    assert page.locator("#claim-mode-existing").is_checked()
    assert page.input_value("#claim_candidate") == str(claim.candidate.pk)
    assert console_errors == []


def test_the_candidate_list_is_worked_with_the_arrow_keys(logged_in_page, story, console_errors):
    page = logged_in_page
    make_candidate("Xu Ping", name_zh="徐平")
    page.goto(f"/admin/sources/article/{story['article'].pk}/annotate/")
    search = page.get_by_role("combobox", name="Find by any name")

    search.focus()
    search.press_sequentially("xu")
    page.get_by_role("option", name=re.compile(r"^Xu Yan \(徐琰\)")).wait_for()
    assert search.get_attribute("aria-expanded") == "true"
    search.press("ArrowDown")
    search.press("Enter")

    # Both names start with the query, so they come by name: Xu Ping, then Xu Yan.
    assert page.input_value("#claim_candidate") == str(story["candidate"].pk)
    assert page.locator("#claim-candidate-chosen").text_content() == "Chosen: Xu Yan (徐琰) (draft)"
    assert search.get_attribute("aria-expanded") == "false"
    search.press("Escape")
    assert console_errors == []


def test_a_refused_claim_shows_why_in_the_panel_and_writes_nothing(
    logged_in_page, story, console_errors
):
    page = logged_in_page
    page.goto(f"/admin/sources/article/{story['article'].pk}/annotate/")
    drag_across(page, "Xu Yan, 27,")
    search = page.get_by_role("combobox", name="Find by any name")
    search.press_sequentially("徐琰")
    page.get_by_role("option", name=re.compile(r"^Xu Yan")).click()
    page.get_by_label("Property").select_option("age")
    page.wait_for_function("() => document.getElementById('claim_value').value === '27'")
    page.get_by_label("Value", exact=True).fill("lots")

    page.get_by_role("button", name="Record claim").click()

    alert = page.locator("#claim-panel-errors")
    alert.wait_for()
    assert "not an age" in alert.text_content()
    assert "not an age" in page.locator('[data-errors-for="value"]').text_content()
    assert page.get_by_label("Value", exact=True).get_attribute("aria-invalid") == "true"
    assert Claim.objects.count() == 1 and story["article"].passages.count() == 0
    # A 400 answer is the panel's to explain, not an error of the page.
    print("CONSOLE", console_errors)
    assert [error for error in console_errors if "400" not in error] == []


def test_a_recorded_passage_is_highlighted_at_once_and_listed_with_its_claim(
    logged_in_page, story, console_errors
):
    page = logged_in_page
    article = story["article"]
    page.goto(f"/admin/sources/article/{article.pk}/annotate/")
    # The shortcuts are listed on the page.
    shortcuts = page.locator(".annotate-shortcuts").text_content()
    assert "Alt+S" in shortcuts.replace(" ", "") and "Alt+R" in shortcuts.replace(" ", "")

    drag_across(page, MISPRINT)
    page.get_by_role("combobox", name="Find by any name").press_sequentially("徐琰")
    page.get_by_role("option", name=re.compile(r"^Xu Yan \(徐琰\)")).click()
    page.get_by_label("Property").select_option(label="city")
    page.wait_for_function(
        "(words) => document.getElementById('claim_value').value === words", arg=MISPRINT
    )
    # Alt+R records the claim, without a click and without a reload.
    page.keyboard.press("Alt+KeyR")
    page.get_by_text("(highlighted in the text)").wait_for()
    claim = Claim.objects.get(value=MISPRINT)
    saved = page.evaluate(
        "() => { const h = CSS.highlights.get('sourcebook-saved');"
        " return h ? Array.from(h).map((r) => r.toString()) : []; }"
    )
    assert saved == [MISPRINT]
    group = page.locator(f'.sb-claim-group[data-passage="{claim.passage_id}"]')
    assert f"#{claim.pk}" in group.text_content()
    assert page.locator(".sb-claims-count").text_content() == "1"
    assert console_errors == []


def test_alt_n_and_alt_p_walk_the_passages_of_the_text(logged_in_page, story, console_errors):
    page = logged_in_page
    article = story["article"]
    from sources.audit import system_user
    from sources.services import passage_create_from_span

    for words in ("徐琰", MISPRINT):
        start = TEXT.index(words)
        passage_create_from_span(
            article=article, start=start, end=start + len(words), acting_user=system_user()
        )
    page.goto(f"/admin/sources/article/{article.pk}/annotate/")
    page.locator("#annotate-text").focus()
    page.keyboard.press("Alt+KeyN")
    assert page.locator("mark.passage-target").text_content() == "徐琰"
    page.keyboard.press("Alt+KeyN")
    assert page.locator("mark.passage-target").text_content() == MISPRINT
    page.keyboard.press("Alt+KeyP")
    assert page.locator("mark.passage-target").text_content() == "徐琰"
    assert console_errors == []
