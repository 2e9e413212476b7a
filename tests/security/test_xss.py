"""Cross-site scripting: every well-known payload, in every field, on every page, stays text.

The payloads of `payloads.py` are loaded once for the module into every field a user can
fill (see `world.py`), through the importers, the admin and the services, and every page
of `pages.py` is opened once as the user who would open it. Then, for each page and each
payload: no form of the payload appears raw where it would be markup (`checks.py`); no
page carries an event handler, a running URL, an injected element or a script data broke
out of; JSON answers are JSON that browsers will not sniff; CSV cells never start a
formula. The first tests prove the checks themselves fail on deliberately unsafe renderings.
"""

import csv
import html
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.template import Context, Template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from elections.tallies import settle
from elections.views.pages.display import _json_ld
from sources.audit import system_user, unit_of_work
from sources.models import Article, Outlet
from sources.resources import OutletResource
from sources.sheets import read_sheet
from tests.factories import make_article

from .checks import (
    csv_cell_problems,
    html_problems,
    json_ld_blocks,
    raw_occurrences,
    structure_problems,
)
from .pages import BY_LABEL, PAGES, fetch_pages
from .payloads import FORMULA_STARTS, MARKUP, PAYLOADS, QUOTES, dangerous_forms, folded
from .payloads import stored_forms as forms_of
from .world import build_world

HTML_PAGES = [page for page in PAGES if page.kind == "html"]
JSON_PAGES = [page for page in PAGES if page.kind == "json"]
CSV_PAGES = [page for page in PAGES if page.kind == "csv"]
MARKUP_PAYLOADS = [p for p in PAYLOADS if MARKUP in p.text]
QUOTE_PAYLOADS = [p for p in PAYLOADS if MARKUP not in p.text and set(QUOTES) & set(p.text)]
FORMULA_PAYLOADS = [p for p in PAYLOADS if p.text.lstrip(" ").startswith(FORMULA_STARTS)]
# Where each payload is shown in full as text, so that its absence would mean the page was
# never tested with it: the payload's own pages, and the pages that list them all.
SHOWN_IN_FULL = [
    "profile",
    "search",
    "outlet",
    "article",
    "annotate",
    "claim",
    "contradiction",
    "passage-change",
    "candidate-list",
    "outlets",
    "outlet-citing-all",
    "article-citing-all",
    "annotate-all",
    "article-change-all",
    "candidate-change-all",
    "place-change-all",
    "outlet-admin-list",
    "review-queue",
    "contradictions-queue",
    "candidate-admin-list",
    "passage-queue",
    "import-preview",
    "import-refused",
]


def named(payloads):
    return pytest.mark.parametrize("payload", payloads, ids=str)


def on_pages(pages):
    return pytest.mark.parametrize("page", pages, ids=str)


@pytest.fixture(scope="module")
def fetched(django_db_setup, django_db_blocker, tmp_path_factory):
    """Every page of PAGES, opened once over a world holding every payload (rolled back)."""
    with django_db_blocker.unblock(), unit_of_work():
        world = build_world(tmp_path_factory.mktemp("xss-articles"))
        settle()  # what the unit would do before committing: no tally left for a page
        responses = fetch_pages(world)
        transaction.set_rollback(True)
    return responses


def responses_for(fetched, page, payload=None):
    """The responses of `page` that show `payload`: its own, or the page's for everyone."""
    by_payload = fetched[page.label]
    if page.per_payload:
        return (
            by_payload[payload.name] if payload else [r for rs in by_payload.values() for r in rs]
        )
    return by_payload[None]


def blamed(problem):
    """The payloads a structural problem's text comes from."""
    return [
        p.name
        for p in PAYLOADS
        if any(len(form) >= 8 and form[:24] in problem for form in forms_of(p.text))
    ]


# The checks fail on unsafe renderings (and pass on safe ones).

UNSAFE_TEXT = Template("<p>{{ value|safe }}</p>")
UNSAFE_ATTRIBUTE = Template('<input name="q" value="{{ value|safe }}">')
SAFE = Template('<p title="{{ value }}">{{ value }}</p><input value="{{ value }}">')
LINK = Template('<a href="{{ value }}">original</a>')


@named(MARKUP_PAYLOADS)
def test_the_check_catches_markup_marked_safe(payload):
    page = UNSAFE_TEXT.render(Context({"value": folded(payload.text)}))

    assert raw_occurrences(page, dangerous_forms(payload.text))


@named(QUOTE_PAYLOADS)
def test_the_check_catches_an_attribute_marked_safe(payload):
    page = UNSAFE_ATTRIBUTE.render(Context({"value": folded(payload.text)}))

    assert html_problems(page, dangerous_forms(payload.text))


@named(PAYLOADS)
def test_the_check_passes_what_django_escapes(payload):
    page = SAFE.render(Context({"value": folded(payload.text)}))

    assert html_problems(page, dangerous_forms(payload.text)) == []


@named([p for p in PAYLOADS if p.text.lower().startswith(("javascript:", "data:", "vbscript:"))])
def test_the_check_catches_an_escaped_but_running_link(payload):
    page = LINK.render(Context({"value": payload.text}))

    assert any("running URL" in problem for problem in structure_problems(page))


@named([p for p in PAYLOADS if "</script" in p.text.lower() or '"' in p.text])
def test_the_check_catches_json_ld_written_around_the_text(payload):
    page = '<script type="application/ld+json">{"name": "' + payload.text + '"}</script>'

    assert structure_problems(page)


@named([p for p in PAYLOADS if "</script" in p.text.lower()])
def test_the_check_catches_json_ld_marked_safe_without_escaping_markup(payload):
    page = format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(json.dumps({"name": payload.text})),
    )

    assert structure_problems(page)


@named(PAYLOADS)
def test_the_sites_json_ld_holds_any_text_as_data(payload):
    block = str(_json_ld({"name": payload.text, "alternateName": [payload.text]}))

    assert structure_problems(block) == []
    assert json_ld_blocks(block) == [{"name": payload.text, "alternateName": [payload.text]}]


def test_the_check_catches_an_inline_handler_and_a_formula():
    assert structure_problems('<div onclick="go()">x</div>')
    assert structure_problems('<a href=" &#106;ava&#x09;script:go()">x</a>')
    assert csv_cell_problems([["name"], ["=1+1"]]) == ["row 2, column 1: '=1+1'"]
    assert csv_cell_problems([["name"], ["'=1+1"]]) == []


# Every page, opened with every payload in the data.


@on_pages(PAGES)
def test_every_page_answers(fetched, page):
    unexpected = [
        f"{r.url}: {r.status}"
        for r in responses_for(fetched, page)
        if r.status not in page.statuses
    ]

    assert not unexpected, f"{page.label}: " + "; ".join(unexpected)


@on_pages(HTML_PAGES)
@named(PAYLOADS)
def test_no_payload_is_shown_raw(fetched, page, payload):
    forms = dangerous_forms(payload.text)
    for response in responses_for(fetched, page, payload):
        problems = raw_occurrences(response.text, forms)

        assert not problems, f"{payload.name} raw at {response.url}: {problems}"


@on_pages(HTML_PAGES)
def test_no_page_holds_handlers_running_links_or_injected_markup(fetched, page):
    for response in responses_for(fetched, page):
        assert response.content_type.startswith("text/html"), response.url
        problems = structure_problems(response.text)

        assert not problems, f"{response.url}: {[(p, blamed(p)) for p in problems]}"


@pytest.mark.parametrize("label", SHOWN_IN_FULL)
@named(PAYLOADS)
def test_the_page_shows_the_payload_as_text(fetched, label, payload):
    page = BY_LABEL[label]
    forms = forms_of(payload.text)
    texts = [html.unescape(r.text) for r in responses_for(fetched, page, payload)]

    assert any(form in text for form in forms for text in texts), (
        f"{payload.name} is not shown on {page.label}, so the page was not tested with it"
    )


@on_pages(JSON_PAGES)
def test_json_answers_are_json_that_browsers_do_not_sniff(fetched, page):
    for response in responses_for(fetched, page):
        assert response.content_type.startswith("application/json"), response.url
        assert response.headers.get("X-Content-Type-Options") == "nosniff", response.url
        json.loads(response.text)


@named(PAYLOADS)
def test_the_api_gives_names_back_exactly_as_stored(fetched, payload):
    (response,) = responses_for(fetched, BY_LABEL["api-detail"], payload)

    assert json.loads(response.text)["name"] == folded(payload.text)


@named(PAYLOADS)
def test_the_profiles_json_ld_holds_the_name_as_data(fetched, payload):
    (response,) = responses_for(fetched, BY_LABEL["profile"], payload)

    (block,) = json_ld_blocks(response.text)
    assert block["name"] == folded(payload.text)
    assert f"{folded(payload.text)} alias" in block["alternateName"]


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))


@on_pages(CSV_PAGES)
def test_csv_cells_never_start_a_formula(fetched, page):
    for response in responses_for(fetched, page):
        assert response.content_type.startswith("text/csv"), response.url
        problems = csv_cell_problems(csv_rows(response))

        assert not problems, f"{response.url}: {problems[:10]}"


@named(FORMULA_PAYLOADS)
def test_a_formula_is_exported_as_text(fetched, payload):
    (response,) = responses_for(fetched, BY_LABEL["claims-csv"])
    cells = {cell for row in csv_rows(response) for cell in row}

    assert "'" + folded(payload.text) in cells


# A URL that would run is refused wherever a web address is stored.

RUNNING_URLS = [
    *(p.text for p in PAYLOADS if p.text.lower().startswith(("javascript:", "data:", "vbscript:"))),
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "JAVASCRIPT://example.org/%0Aalert(1)",
    "data:image/svg+xml,<svg onload=alert(1)>",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", RUNNING_URLS)
def test_a_running_url_is_refused_as_an_outlets_homepage(admin_client, url):
    response = admin_client.post(
        reverse("admin:sources_outlet_add"),
        {"name": "Night Wire", "slug": "night-wire", "kind": "blog", "homepage": url},
    )

    assert response.status_code == 200
    assert "homepage" in response.context["adminform"].form.errors
    assert not Outlet.objects.filter(name="Night Wire").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", RUNNING_URLS)
def test_a_running_url_is_refused_as_an_articles_address(url, tmp_path):
    with pytest.raises(ValidationError):
        make_article("Words of a report.", url=url)
    (tmp_path / "report.txt").write_text("Words of a report.", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "import_articles",
            str(tmp_path / "report.txt"),
            outlet="Night Wire",
            title="A report",
            url=url,
            verbosity=0,
        )

    assert not Article.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", RUNNING_URLS)
def test_a_running_url_is_refused_in_a_sheet(url):
    sheet = io.StringIO(newline="")
    csv.writer(sheet).writerows([["name", "kind", "homepage"], ["Night Wire", "blog", url]])
    dataset = read_sheet(sheet.getvalue().encode(), name="outlets.csv")

    result = OutletResource().import_data(dataset, dry_run=False, user=system_user())

    assert any(column == "homepage" for _, column, _ in result.problems())
    assert not Outlet.objects.filter(name="Night Wire").exists()
