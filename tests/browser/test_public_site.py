"""A reader finds a candidate by name in two scripts, filters, reads a profile and its sources.

The profile is also photographed at phone width (360×740) into test-artifacts/, where nothing
may stick out sideways, and its Chinese name must be drawn with a CJK font.
"""

import re

import pytest
from django.contrib.auth.models import User

from elections.models import Property
from elections.services import candidate_publish, claim_verify
from sources.audit import system_user
from sources.dates import PartialDate
from sources.services import article_create, outlet_for_name
from tests.browser.conftest import ARTIFACTS
from tests.factories import (
    make_article,
    make_candidacy,
    make_candidate,
    make_claim,
    make_election,
    make_place,
)

pytestmark = pytest.mark.browser

# Written for this test.
DAILY = (
    "Liu Ping, 47, a factory worker from Xinyu, says she was kept off the ballot in April. "
    "In Hangzhou, Xu Yan, 27, declared his run on his microblog."
)
CHINESE = "刘萍今年四十七岁，是江西新余的参选人，四月被取消资格。"


@pytest.fixture
def published(transactional_db):
    """Two published candidates with verified claims in English and Chinese reports."""
    # Superusers rather than role groups: a flush between transactional tests drops the
    # groups that a migration made, but not what a superuser may do.
    editor = User.objects.create_superuser("public-editor", "e@example.org", "pw")
    reviewer = User.objects.create_superuser("public-reviewer", "r@example.org", "pw")
    jiangxi = make_place("Jiangxi", "江西省", level="province", code="360000")
    xinyu = make_place("Xinyu", "新余市", parent=jiangxi, code="360500")
    zhejiang = make_place("Zhejiang", "浙江省", level="province", code="330000")
    hangzhou = make_place("Hangzhou", "杭州市", parent=zhejiang, code="330100")
    daily = make_article(
        DAILY,
        outlet="Example Daily",
        title="Independent candidates far from Beijing",
        published="2011-06-20",
        url="https://example.org/reports/independents",
    )
    chinese = article_create(
        outlet=outlet_for_name(name="示例日报", acting_user=system_user()),
        title="新余的独立参选人",
        text=CHINESE,
        language="zh-Hans",
        published=PartialDate(2011, 6, 12),
        acting_user=system_user(),
    )
    liu = make_candidate("Liu Ping", name_zh="刘萍", gender="female")
    make_candidacy(liu, make_election(xinyu, polling="2011-04-15"))
    xu = make_candidate("Xu Yan", gender="male")
    make_candidacy(xu, make_election(hangzhou))
    claims = [
        make_claim(liu, Property.AGE, "47", daily, "Liu Ping, 47", by=editor),
        make_claim(liu, Property.CITY, "新余", chinese, "江西新余", by=editor),
        make_claim(liu, Property.STATUS, "被取消资格", chinese, by=editor),
        make_claim(xu, Property.AGE, "27", daily, "Xu Yan, 27", by=editor),
        make_claim(xu, Property.CITY, "Hangzhou", daily, "In Hangzhou", by=editor),
    ]
    for claim in claims:
        claim_verify(claim=claim, acting_user=reviewer)
    for candidate in (liu, xu):
        candidate_publish(candidate=candidate, acting_user=reviewer)
    return liu


def search_from_header(page, query):
    page.get_by_label("Find a candidate").fill(query)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"/candidates/\?q="))


def test_a_reader_finds_filters_and_follows_a_profile_to_its_sources(
    page, published, console_errors
):
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Independent candidates")
    assert page.locator("svg.chart").count() == 2

    search_from_header(page, "刘萍")
    page.get_by_role("link", name="Liu Ping 刘萍").click()
    page.wait_for_url(re.compile(r"/candidates/liu-ping/$"))
    by_characters = page.url

    search_from_header(page, "liu ping")
    assert page.locator(".candidate-card").count() == 1
    page.get_by_role("link", name="Liu Ping 刘萍").click()
    page.wait_for_url(re.compile(r"/candidates/liu-ping/$"))
    assert page.url == by_characters

    page.goto("/candidates/")
    assert page.locator(".candidate-card").count() == 2
    page.get_by_label("Province").select_option(label="Jiangxi")
    page.get_by_role("button", name="Show candidates").click()
    page.wait_for_url(re.compile(r"province="))
    assert page.locator(".candidate-card").count() == 1
    assert page.get_by_label("Province").input_value() != ""

    page.get_by_role("link", name="Liu Ping 刘萍").click()
    page.wait_for_url(re.compile(r"/candidates/liu-ping/$"))
    assert page.locator("#facts mark", has_text="47").count() == 1
    page.locator("#facts").get_by_role(
        "link", name="Independent candidates far from Beijing"
    ).click()
    page.wait_for_url(re.compile(r"/articles/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Independent candidates far from Beijing"
    )
    assert page.locator("mark", has_text="Liu Ping, 47").count() == 1
    original = page.get_by_role("link", name="https://example.org/reports/independents")
    assert original.get_attribute("href") == "https://example.org/reports/independents"
    page.get_by_role("link", name="Liu Ping 刘萍").click()
    page.wait_for_url(re.compile(r"/candidates/liu-ping/$"))

    assert console_errors == []


def test_the_skip_link_is_the_first_stop_of_the_keyboard_and_leads_to_the_content(page, published):
    page.goto("/candidates/liu-ping/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"

    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "main"


def test_a_profile_fits_a_phone_and_draws_chinese_with_a_cjk_font(
    browser, live_server, published, console_errors
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, device_scale_factor=2
    )
    phone = context.new_page()
    phone.on("pageerror", lambda error: console_errors.append(str(error)))
    try:
        phone.goto("/candidates/liu-ping/")
        widths = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        ARTIFACTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(ARTIFACTS / "public-profile-360.png"), full_page=True)

        assert widths[0] <= widths[1]
        assert phone.locator("h1 [lang='zh-Hans']").inner_text() == "刘萍"
        fonts = cjk_fonts(phone, "h1 [lang='zh-Hans']")
        assert any("CJK" in family for family in fonts), fonts
        assert console_errors == []
    finally:
        context.close()


def cjk_fonts(tab, selector):
    """The font families Chromium actually drew the element `selector` with."""
    session = tab.context.new_cdp_session(tab)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return [font["familyName"] for font in fonts]
