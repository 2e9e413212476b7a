"""Cross-site request forgery: no state-changing request is accepted without its token.

Every client here checks CSRF tokens as a browser's requests are checked. For every admin
URL (read from the site and its model admins, so that a new view is covered the day it is
added), every action of every list, the custom views (annotate, the claim panel, passage
confirm and re-select, verify, reject, resolve, merge, undo, import, confirm, export),
login, logout and every public URL, a superuser's post without the token is refused with
Django's CSRF failure and writes nothing; the same post with the token is accepted where
it changes something, which shows the post was one that would have mattered. Under HTTPS,
a post with a valid token from another origin is refused too.
"""

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import URLResolver, get_resolver, resolve, reverse

from elections.models import Candidate

from .admin_urls import PASSWORD, admin_routes, post_data, url_of
from .conftest import Writes

CLIENT_OPTIONS = {"enforce_csrf_checks": True}
ROUTES = admin_routes()
REFUSED = "This form could not be sent"  # templates/403_csrf.html, shown by Django's CSRF check


def by_route(function):
    return pytest.mark.parametrize("route", ROUTES, ids=str)(function)


def token_of(client, **extra):
    """The CSRF token of `client`'s cookie, asking a page with a form for one when it has
    none (the index for someone logged in, else the login page)."""
    for page in ("admin:index", "admin:login"):
        if "csrftoken" not in client.cookies:
            client.get(reverse(page), **extra)
    return client.cookies["csrftoken"].value


def is_refused_for_csrf(response):
    return response.status_code == 403 and REFUSED in response.content.decode()


def refused_and_unwritten(client, url, data):
    """Post `data` without a token: (refused by the CSRF check, the statements it wrote)."""
    with Writes() as writes:
        response = client.post(url, data)
    return is_refused_for_csrf(response), writes.statements


# Every admin URL.


@by_route
def test_no_admin_view_is_exempt_from_the_check(route, records):
    url = url_of(route, records)

    assert not getattr(resolve(url.split("?")[0]).func, "csrf_exempt", False), url


@by_route
def test_every_admin_url_refuses_a_post_without_its_token(route, records):
    url = url_of(route, records)
    data = post_data(route, records, records.reader)
    client = records.client("superuser", fresh=route.name in ("logout", "password_change"))

    refused, wrote = refused_and_unwritten(client, url, data)

    assert refused, f"{url} ({route.name}) took a post without a CSRF token"
    assert wrote == []


def list_actions():
    """(model label, action name) for every action of every list in the admin."""
    request = RequestFactory().get("/")
    request.user = type("Superuser", (), {"is_active": True, "is_staff": True})()
    request.user.has_perm = lambda perm, obj=None: True
    return sorted(
        (model._meta.label_lower, name)
        for model, model_admin in admin.site._registry.items()
        for name in model_admin.get_actions(request)
    )


@pytest.mark.parametrize(("model", "action"), list_actions())
def test_every_list_action_refuses_a_post_without_its_token(model, action, records):
    app_label, name = model.split(".")
    url = reverse(f"admin:{app_label}_{name}_changelist")
    record = records.spare[model]
    data = {"action": action, "_selected_action": [str(record.pk)], "confirm": "yes"}

    refused, wrote = refused_and_unwritten(records.client("superuser"), url, data)

    assert refused, f"the {action} action of {model} took a post without a CSRF token"
    assert wrote == []


# The custom views, with the token (accepted, writes) and without (refused, writes nothing).


def reselect(world):
    passage = world.fuzzy_passage
    text = passage.article.text
    start = text.index("told a reporter he")
    url = reverse("admin:sources_article_annotate", args=[passage.article_id])
    return f"{url}?reselect={passage.pk}", {
        "start": start,
        "end": start + len("told a reporter he"),
        "exact": "told a reporter he",
    }


def merge(world):
    first, second = Candidate.objects.filter(display_name__in=["Xu Yan", "Spare Person"])
    return reverse("admin:elections_candidate_changelist"), {
        "action": "merge_candidates",
        "_selected_action": [str(first.pk), str(second.pk)],
        "confirm": "yes",
        "survivor": str(first.pk),
        "note": "The same person, by birth year and town.",
    }


def by_name(route_name):
    def request(world):
        (route,) = [route for route in ROUTES if route.name == route_name]
        return url_of(route, world), post_data(route, world, world.reader)

    return request


WRITING = {
    "annotate: save a passage": by_name("sources_article_annotate"),
    "annotate: record a claim": by_name("sources_article_annotate_claim"),
    "passage queue: confirm a fuzzy match": by_name("sources_passage_queue"),
    "passage: re-select": reselect,
    "claim: verify": by_name("elections_claim_verify"),
    "claim: reject": by_name("elections_claim_reject"),
    "contradiction: resolve": by_name("elections_contradiction_change"),
    "candidates: merge": merge,
    "merge: undo": by_name("elections_candidatemerge_undo"),
    "proposal: review": by_name("elections_candidateproposal_review"),
    "claim sheet: confirm the import": by_name("elections_claim_process_import"),
    "candidate: add": by_name("elections_candidate_add"),
    "candidate: change": by_name("elections_candidate_change"),
    "election: change": by_name("elections_election_change"),
    "place: change": by_name("elections_place_change"),
    "claims: verify from the list": by_name("elections_claim_changelist"),
    "password: change": by_name("password_change"),
}


@pytest.mark.parametrize("name", WRITING)
def test_a_state_change_is_refused_without_its_token_and_made_with_it(name, records):
    url, data = WRITING[name](records)
    client = records.client("superuser", fresh=name == "password: change")

    refused, wrote = refused_and_unwritten(client, url, data)
    with Writes() as writes:
        response = client.post(url, {**data, "csrfmiddlewaretoken": token_of(client)})

    assert refused and wrote == [], f"{name}: taken without a token"
    assert response.status_code in (200, 201, 302) and writes.statements, (
        f"{name}: with its token, the post changed nothing ({response.status_code})"
    )


@pytest.mark.parametrize(
    "route_name", ["sources_outlet_export", "elections_candidate_import", "sources_article_import"]
)
def test_sheet_pages_refuse_a_post_without_its_token(route_name, records):
    (route,) = [route for route in ROUTES if route.name == route_name]
    data = post_data(route, records, records.reader)
    client = records.client("superuser")

    refused, _ = refused_and_unwritten(client, url_of(route, records), data)
    accepted = client.post(
        url_of(route, records), {**data, "csrfmiddlewaretoken": token_of(client)}
    )

    assert refused
    assert accepted.status_code == 200


def test_logout_without_its_token_leaves_the_session_open(records):
    client = records.client("superuser", fresh=True)

    refused, _ = refused_and_unwritten(client, reverse("admin:logout"), {})

    assert refused
    assert client.get(reverse("admin:index")).status_code == 200


def test_login_without_its_token_logs_nobody_in(records):
    client = records.client("anonymous", fresh=True)

    refused, _ = refused_and_unwritten(
        client, reverse("admin:login"), {"username": "root", "password": PASSWORD}
    )

    assert refused
    assert client.get(reverse("admin:index")).status_code == 302


# The public site.


def public_patterns():
    """The URL patterns of the public site, as the project's URLconf includes them."""
    return [
        pattern
        for include in get_resolver().url_patterns
        if isinstance(include, URLResolver) and include.namespace == "elections"
        for pattern in include.url_patterns
    ]


def public_urls(world):
    """Every public URL pattern, filled with real slugs and ids."""
    candidate, article = world.main["elections.candidate"], world.main["sources.article"]
    # A release's version and file need no release: a POST is refused before any lookup.
    values = {
        "slug": candidate.slug,
        "pk": article.pk,
        "version": "2026-12-05",
        "path": "datapackage.json",
        "kind": "entity",
    }
    outlet_slug = article.outlet.slug
    urls = {}
    for pattern in public_patterns():
        kwargs = {
            name: (outlet_slug if "outlet" in pattern.name and name == "slug" else values[name])
            for name in pattern.pattern.converters
        }
        urls[pattern.name] = reverse(f"elections:{pattern.name}", kwargs=kwargs)
    return urls


PUBLIC_NAMES = [pattern.name for pattern in public_patterns()]
# Public URLs that read a POST's form and write nothing: the reconciliation service, which
# OpenRefine queries by a form-encoded POST (W3C Reconciliation API). Without a session they
# answer alike, so they need no CSRF token.
READ_BY_POST = {"reconcile"}


@pytest.mark.parametrize("kind", ["anonymous", "superuser"])
@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_a_post_to_a_public_url_is_refused_and_writes_nothing(name, kind, records):
    url = public_urls(records)[name]
    client = records.client(kind)

    with Writes() as writes:
        response = client.post(url, {"q": "x", "state": "published"})

    if name in READ_BY_POST:
        assert response.status_code == 200, f"{url}: {response.status_code}"
    else:
        assert response.status_code in (403, 405), f"{url}: {response.status_code}"
    assert writes.statements == []


@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_a_post_with_a_token_to_a_public_url_is_not_allowed(name, records):
    url = public_urls(records)[name]
    client = records.client("superuser")

    with Writes() as writes:
        response = client.post(url, {"csrfmiddlewaretoken": token_of(client), "state": "published"})

    assert response.status_code == (200 if name in READ_BY_POST else 405), url
    assert writes.statements == []


# Under HTTPS: the Origin header must be the site's own.

SITE = "sourcebook.example"


@pytest.fixture
def https(settings):
    settings.ALLOWED_HOSTS = [SITE]
    settings.CSRF_TRUSTED_ORIGINS = [f"https://{SITE}"]
    settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_SECURE = True
    return {"secure": True, "SERVER_NAME": SITE, "HTTP_HOST": SITE}


def https_client(records, https, kind):
    client = Client(enforce_csrf_checks=True)
    if records.user(kind) is not None:
        client.force_login(records.user(kind))
    return client, token_of(client, **https)


@pytest.mark.parametrize(
    ("headers", "accepted"),
    [
        ({"HTTP_ORIGIN": f"https://{SITE}"}, True),
        ({"HTTP_ORIGIN": "https://evil.example"}, False),
        ({"HTTP_ORIGIN": f"http://{SITE}"}, False),
        ({"HTTP_ORIGIN": "null"}, False),
        ({"HTTP_REFERER": f"https://{SITE}/admin/"}, True),
        ({"HTTP_REFERER": "https://evil.example/page"}, False),
        ({}, False),
    ],
    ids=["own", "other-site", "plain-http", "null", "own-referer", "other-referer", "none"],
)
def test_under_https_a_valid_token_from_another_origin_is_refused(
    records, https, headers, accepted
):
    client, token = https_client(records, https, "superuser")
    claim = records.main["elections.claim"]
    url = reverse("admin:elections_claim_verify", args=[claim.pk])

    with Writes() as writes:
        response = client.post(url, {"csrfmiddlewaretoken": token}, **https, **headers)

    assert is_refused_for_csrf(response) is not accepted
    assert bool(writes.statements) is accepted


def test_under_https_a_login_from_another_origin_is_refused(records, https):
    client, token = https_client(records, https, "anonymous")
    data = {"username": "root", "password": PASSWORD, "csrfmiddlewaretoken": token}

    forged = client.post(reverse("admin:login"), data, **https, HTTP_ORIGIN="https://evil.example")
    own = client.post(reverse("admin:login"), data, **https, HTTP_ORIGIN=f"https://{SITE}")

    assert is_refused_for_csrf(forged)
    assert own.status_code == 302
    assert client.session["_auth_user_id"] == str(records.user("superuser").pk)
