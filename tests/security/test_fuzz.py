"""Malformed input never makes the site fail: every URL answers it with a 2xx, 3xx or the
site's own 4xx page, for every role.

Every URL pattern of `config.urls` is read from the resolver (the admin's included), so a
view added tomorrow is tried too. Each pattern with parameters is requested with each
parameter filled with a bad value: a NUL byte, 5,000 characters, letters where a number
belongs, and negative and huge numbers. Each pattern is also requested at a real address
(`admin_urls.url_of` for the admin, a real record for the public site) with the query
string's parameters (those the page's own links and search forms use, and unknown ones)
set to the same bad values, and, where the view takes a post, with a body whose fields
(those of the page's form, or of the admin action) hold them. That is done as nobody,
and as an editor, a reviewer, an importer and a superuser.

No response may be a 5xx, and every 4xx must be the site's own error page (templates/400.html,
403.html, 403_csrf.html, 404.html, 405.html, registration/locked_out.html), a form shown
again with its errors, or, from a JSON endpoint, JSON. All failures are reported at once,
each with its URL, role and status.

`KNOWN_FAULTS` lists the 500s found and not fixed yet, each with the one place its fix
belongs; a fault in no entry fails the test, and so does an entry the superuser's run no
longer meets (the fix landed: remove the entry).

Then the inputs that once answered 500 on PostgreSQL are tried one by one.
"""

import json
import re
from urllib.parse import parse_qsl, quote, urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from config.middleware import malformed_part
from elections.filters import CandidateFilter
from tests.security.admin_urls import CUSTOM, admin_routes, post_data, url_of
from tests.security.test_error_pages import is_the_sites_page, leaks_in

pytestmark = pytest.mark.django_db

# The security conftest's clients, made so that a view's exception becomes a 500 response.
CLIENT_OPTIONS = {"raise_request_exception": False}

# Each role, as the security conftest names its users.
ROLES = {
    "anonymous": "anonymous",
    "editor": "Editors",
    "reviewer": "Reviewers",
    "importer": "Importers",
    "superuser": "superuser",
}

NUL = "a\x00b"
LONG = "x" * 5000
LETTERS = "abc"
NEGATIVE = "-1"
HUGE = "99999999999999999999"
NEGATIVE_HUGE = "-99999999999999999999"
# A negative number matches no <int:...> converter, so the huge one is the one that reaches
# views there; <path:...> and <str:...> take both.
PATH_VALUES = [NUL, LONG, LETTERS, NEGATIVE, HUGE]
# One request per value in the query string and in a body: each name gets the value.
INPUT_VALUES = [NUL, LONG, LETTERS, NEGATIVE_HUGE]
UNKNOWN = "sourcebook_unknown_parameter"
# Names tried on every page besides those its links and forms use.
COMMON_NAMES = ["q", "p", "o", "all", "page", "page_size", "format", "e", "_to_field"]

# The 500s found and not fixed yet: (method, path pattern, where the one fix belongs). None
# is left: the history pages 404 an id that is not one, and the admin site refuses a list
# action's ids that are not ids and a number beyond the database's integers with a 400.
KNOWN_FAULTS: list[tuple[str, str, str]] = []

# What each status's page says (its <h1>), by template.
HEADINGS = {
    400: ["<h1>Bad request</h1>"],
    403: ["<h1>Not allowed</h1>", "<h1>This form could not be sent</h1>"],
    404: ["<h1>Page not found</h1>"],
    405: ["<h1>Not allowed here</h1>"],
    429: ["<h1>Too many failed sign-ins</h1>"],
}


def headings(status):
    """The headings of the site's error page for `status`, in each of its languages (the
    language switch is among the addresses tried, so later answers may be in Chinese)."""
    from django.conf import settings
    from django.utils import translation

    found = []
    for heading in HEADINGS.get(status, []):
        text = heading.removeprefix("<h1>").removesuffix("</h1>")
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                found.append(f"<h1>{translation.gettext(text)}</h1>")
    return found


# Admin views that take a post, by the end of their name or their whole name.
POSTED_SUFFIXES = ("_add", "_change", "_delete", "_changelist", "_import", "_export")
POSTED_NAMES = {
    *CUSTOM,
    "logout",
    "elections_claim_verify",
    "elections_candidatemerge_undo",
    "elections_candidateproposal_review",
}
# Posted last, with a client of their own: they sign out or delete what later requests use.
LAST = ("logout", "_delete")


# The URL patterns, read from the resolver.

PLACEHOLDER = re.compile(r"<(?:\w+:)?\w+>")
GROUP = re.compile(r"\((?:\?P<\w+>)?[^()]*\)")


def _walk(patterns, prefix=()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, (*prefix, pattern.pattern))
        else:
            yield (*prefix, pattern.pattern), pattern.name


def every_pattern():
    """(route, name) of every URL pattern of the site, the admin's included: the route as a
    string whose parameters read `{}`."""
    found = []
    for parts, name in _walk(get_resolver().url_patterns):
        route = ""
        for part in parts:
            text = str(part)
            if text.startswith("^") or "(" in text:
                text = GROUP.sub("{}", text.removeprefix("^").removesuffix("$"))
            route += PLACEHOLDER.sub("{}", text)
        found.append((route, name))
    return found


def filled(route, value):
    """`route` with each parameter set to `value`."""
    return "/" + route.replace("{}", quote(value, safe=""))


# The real addresses, and the parameters each one's page uses.


def real_addresses(world):
    """(name, URL) for every admin route and every public pattern, filled with real records."""
    candidate = world.main["elections.candidate"]
    outlet = world.main["sources.outlet"]
    article = world.main["sources.article"]
    public = [
        ("home", reverse("elections:home")),
        ("candidate-list", reverse("elections:candidate-list")),
        ("candidate-detail", reverse("elections:candidate-detail", args=[candidate.slug])),
        ("outlet-list", reverse("elections:outlet-list")),
        ("outlet-detail", reverse("elections:outlet-detail", args=[outlet.slug])),
        ("article-detail", reverse("elections:article-detail", args=[article.pk])),
        ("article-archived", reverse("elections:article-archived", args=[article.pk])),
        ("api-candidate-list", reverse("elections:api-candidate-list")),
        ("api-candidate-detail", reverse("elections:api-candidate-detail", args=[candidate.slug])),
        ("changes", reverse("elections:changes")),
        ("changes-atom", reverse("elections:changes-atom")),
        ("api-annotations", reverse("elections:api-annotations")),
        ("candidate-changes", reverse("elections:candidate-changes", args=[candidate.slug])),
        ("export-popolo", reverse("elections:export-popolo")),
        ("export-claims", reverse("elections:export-claims")),
        ("healthz", reverse("elections:healthz")),
        ("export-quickstatements", reverse("elections:export-quickstatements")),
        ("reconcile", reverse("elections:reconcile")),
        ("reconcile-preview", reverse("elections:reconcile-preview")),
        ("reconcile-view", reverse("elections:reconcile-view")),
        ("reconcile-suggest", reverse("elections:reconcile-suggest", args=["entity"])),
        ("data-releases", reverse("elections:data-releases")),
        ("data-latest", reverse("elections:data-latest", args=["datapackage.json"])),
        ("data-file", reverse("elections:data-file", args=["2011-11-08", "claims.csv"])),
        ("choose_language", reverse("choose_language", args=["zh-hans"])),
    ]
    admin = [(route.name, url_of(route, world).split("?")[0]) for route in admin_routes()]
    return admin + public


LINK = re.compile(r'href="[^"?]*\?([^"#]*)"')
GET_FORM = re.compile(r'<form[^>]*method="get"[^>]*>(.*?)</form>', re.S | re.I)
FIELD_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


def parameters_of(page):
    """The query parameter names a page's own links and search forms use."""
    names = set()
    for query in LINK.findall(page.replace("&amp;", "&")):
        names.update(name for name, _ in parse_qsl(query, keep_blank_values=True))
    for form in GET_FORM.findall(page):
        names.update(FIELD_NAME.findall(form))
    return names


def posted(name):
    return name in POSTED_NAMES or name.endswith(POSTED_SUFFIXES)


class Inputs:
    """What each real address is tried with: its query parameters and its form's fields,
    read once, as a superuser sees them."""

    def __init__(self, world):
        self.world = world
        self.addresses = real_addresses(world)
        routes = {route.name: route for route in admin_routes()}
        self.names, self.fields, self.actions = {}, {}, {}
        for name, url in self.addresses:
            page = world.reader.get(url)
            text = page.content.decode(errors="replace") if not page.streaming else ""
            self.names[url] = sorted({*COMMON_NAMES, *parameters_of(text)})
            if name in routes and posted(name) and name != "logout":
                data = post_data(routes[name], world, world.reader)
                self.fields[url] = sorted(data)
                if name.endswith("_changelist"):
                    self.actions[url] = data
        self.names[reverse("elections:candidate-list")] += list(CandidateFilter.base_filters)
        # The reconciliation service's parameters, which its JSON answers link to nowhere.
        for name in ("reconcile", "reconcile-preview", "reconcile-view", "reconcile-suggest"):
            url = dict(self.addresses)[name]
            self.names[url] += ["queries", "callback", "id", "prefix", "type", "limit"]


def queries(names):
    """One query string per bad value, every name set to it, with an unknown name (and,
    with the long values, a long name)."""
    for value in INPUT_VALUES:
        extra = [(LONG, "1")] if value == LONG else []
        yield urlencode([(name, value) for name in [*names, UNKNOWN]] + extra)


def bodies(url, fields, action):
    """One body per bad value, every field set to it; and for a list, its action on
    records that are not there."""
    for value in INPUT_VALUES:
        yield {**dict.fromkeys([*fields, UNKNOWN], value)}
    if action is not None:
        for value in [LETTERS, NEGATIVE_HUGE, LONG]:
            yield {**action, "_selected_action": [value]}
    if url.endswith(("/import/", "/process_import/")):
        garbage = b"\x00\xff\xfe" * 300 + LONG.encode()
        yield {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("sheet.csv", garbage, content_type="text/csv"),
            "import_file_name": "../../../etc/passwd",
            "original_file_name": LONG,
        }


# The verdict on each response.


def fault(response, url):
    """Why `response` is not acceptable, or None."""
    status = response.status_code
    if status >= 500:
        return "server error"
    if status < 400:
        return None
    content_type = response.get("Content-Type", "")
    text = response.content.decode(errors="replace")
    if content_type.startswith("application/json"):
        try:
            json.loads(text)
        except ValueError:
            return "JSON error that is not JSON"
        return None
    if status == 400 and '<div id="site-name"><a href="/admin/">Sourcebook</a></div>' in text:
        return None  # an admin form shown again, with what is wrong in it
    if not any(heading in text for heading in headings(status)):
        return "not the site's error page"
    if status != 429 and not is_the_sites_page(text):
        return "not the site's layout"
    if leaks_in(text.replace(LONG, "")):
        return f"shows {leaks_in(text)}"
    return None


def known(method, url):
    """The KNOWN_FAULTS entry that covers a server error at `url`, or None."""
    path = url.split("?")[0]
    for entry in KNOWN_FAULTS:
        if entry[0] == method and re.fullmatch(entry[1], path):
            return entry
    return None


class Findings:
    def __init__(self, role):
        self.role, self.failures, self.requests, self.known = role, [], 0, set()

    def check(self, method, url, response):
        self.requests += 1
        problem = fault(response, url)
        if problem == "server error" and known(method, url):
            self.known.add(known(method, url))
        elif problem:
            shown = url if len(url) < 160 else url[:150] + f"…({len(url)} chars)"
            shown = shown.replace("\x00", "\\x00")
            self.failures.append(
                f"{method} {shown} as {self.role}: {response.status_code} {problem}"
            )


@pytest.fixture
def inputs(records):
    """The module's inputs, read in the first test that needs them (inside its transaction,
    as reading the import's preview makes one)."""
    if not hasattr(records, "fuzz_inputs"):
        records.fuzz_inputs = Inputs(records)
    return records.fuzz_inputs


@pytest.mark.security_matrix
@pytest.mark.parametrize("role", list(ROLES))
def test_no_url_answers_malformed_input_with_a_server_error(records, inputs, role):
    kind = ROLES[role]
    client = records.client(kind)
    findings = Findings(role)

    for route, _name in every_pattern():
        if "{}" in route:
            for value in PATH_VALUES:
                url = filled(route, value)
                findings.check("GET", url, client.get(url))

    for _name, url in inputs.addresses:
        for query in queries(inputs.names[url]):
            findings.check("GET", f"{url}?{query}", client.get(f"{url}?{query}"))

    last = []
    for name, url in inputs.addresses:
        if name.endswith(LAST) or name == "logout":
            last.append((name, url))
            continue
        if url in inputs.fields or not name.startswith(("sources_", "elections_", "auth_")):
            for body in bodies(url, inputs.fields.get(url, []), inputs.actions.get(url)):
                findings.check("POST", url, client.post(url, body))
    for _name, url in last:
        for body in bodies(url, inputs.fields.get(url, []), None):
            findings.check("POST", url, records.client(kind, fresh=True).post(url, body))

    assert findings.requests > 1000
    assert not findings.failures, (
        f"{len(findings.failures)} of {findings.requests} requests failed:\n"
        + "\n".join(findings.failures)
    )
    if role == "superuser":
        fixed = [entry for entry in KNOWN_FAULTS if entry not in findings.known]
        assert not fixed, f"fixed, so remove from KNOWN_FAULTS: {fixed}"


def test_every_pattern_is_tried(inputs):
    """Each named pattern has a real address (and so its query and body tries), and each
    pattern with parameters is filled; a view added without either fails here."""
    names = {name for name, _url in inputs.addresses} | {"app_list"}
    patterns = every_pattern()
    unnamed = [route for route, name in patterns if name is None]
    assert {name for _route, name in patterns if name} <= names
    assert all("{}" in route for route in unnamed)
    assert len(patterns) > 100


# The inputs that answered 500 on PostgreSQL, one by one.


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    "url", ["/candidates/%00/", "/outlets/%00/", "/articles/1/?q=%00", "/candidates/?q=a%00"]
)
def test_a_nul_byte_in_a_public_address_is_a_bad_request(anonymous, url):
    response = anonymous.get(url)

    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.text and is_the_sites_page(response.text)


def test_a_nul_byte_in_an_api_address_is_a_bad_request_in_json(anonymous):
    response = anonymous.get("/api/candidates/%00/")

    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request."}


def test_a_nul_byte_in_a_posted_field_or_a_cookie_is_a_bad_request(anonymous):
    posted = anonymous.post(reverse("admin:login"), {"username": "ed\x00", "password": "pw"})
    anonymous.cookies["sessionid"] = "abcdefgh\x00ijkl"
    with_cookie = anonymous.get(reverse("admin:index"))

    assert posted.status_code == 400 and "<h1>Bad request</h1>" in posted.text
    assert with_cookie.status_code == 400


def test_a_lone_surrogate_in_a_field_is_refused_like_a_nul_byte(rf):
    # Django decodes the address and the query string with replacement characters, so a
    # surrogate reaches a view only from a parser that does not: the rule is tried directly.
    request = rf.post("/admin/login/", {"username": "ed"})
    request.POST = QueryDict(mutable=True)
    request.POST["username"] = "ed\ud800"

    assert malformed_part(request) == "form fields"
    assert malformed_part(rf.get("/candidates/", {"q": "Xu Yan 徐琰"})) is None


def test_a_sign_in_with_an_overlong_username_is_refused_as_invalid(anonymous):
    response = anonymous.post(reverse("admin:login"), {"username": "x" * 300, "password": "pw"})

    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in response.text


def test_a_nul_byte_in_an_admin_list_filter_is_a_bad_request(anonymous, admin_user):
    anonymous.force_login(admin_user)

    response = anonymous.get(reverse("admin:elections_claim_changelist") + "?property__exact=%00")

    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.text


@pytest.mark.parametrize("query", ["format=0", "format=abc", "resource=9&format=99"])
def test_the_export_page_ignores_the_export_forms_own_names_in_its_address(
    anonymous, admin_user, query
):
    anonymous.force_login(admin_user)

    response = anonymous.get(reverse("admin:elections_candidate_export") + "?" + query)

    assert response.status_code == 200


def test_the_export_of_a_list_filtered_by_what_it_cannot_filter_is_a_bad_request(
    anonymous, admin_user
):
    anonymous.force_login(admin_user)

    response = anonymous.get(reverse("admin:elections_candidate_export") + "?no_such_field=1")

    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.text


def test_posting_to_a_read_only_page_gets_the_sites_405_with_its_allow_header(anonymous):
    response = anonymous.post(reverse("elections:candidate-list"))

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "<h1>Not allowed here</h1>" in response.text and is_the_sites_page(response.text)
