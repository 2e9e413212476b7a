"""Every role's reach against every admin URL, against a table that matches `elections.roles`.

`ACCESS` says, for every admin URL (read from the site and its model admins by
`admin_urls.admin_routes`, so a URL added tomorrow fails `test_every_admin_url_is_in_the
_table` until it is described here), who may open it and who may post to it: anyone, any
staff member, nobody (not even a superuser: read-only records, records made elsewhere), or
the holders of permissions. Which roles hold a permission is read from `ROLES`, so the
table and `elections/roles.py` cannot drift apart without a test failing.

Each URL is then opened by each kind of user (nobody logged in, a staff member in no
group, Editors, Reviewers, Importers, a superuser): a user let through gets the page's own
answer; anyone else a 403 (or a 404 where the admin does not offer the page), and nobody
logged in a redirect to the login page. Posts are checked by what they write: a user let
through changes the database (the post is what that user would really send), anyone else
changes nothing at all.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission

from elections.roles import ROLES

from .admin_urls import admin_routes, post_data, url_of
from .conftest import KINDS, Writes

ANYONE = "anyone"
STAFF = "any staff"
NOBODY = "nobody"


@dataclass(frozen=True)
class Access:
    """Who gets through: ANYONE, STAFF, NOBODY, or holders of any one of `perms` (of all of
    them with `every=True`); `ok` is the answer they get, `denied` everyone else's.

    For a post, `writes` says whether the answer of a user let through changed the database.
    """

    perms: tuple = ()
    ok: int = 200
    denied: int = 403
    writes: bool = True
    every: bool = False
    who: str = ""

    def lets_in(self, kind):
        if self.who == ANYONE:
            return True
        if kind == "anonymous" or self.who == NOBODY:
            return False
        if kind == "superuser" or self.who == STAFF:
            return True
        held = set(ROLES.get(kind, ()))
        test = all if self.every else any
        return test(perm in held for perm in self.perms)


def anyone(ok=200, writes=True):
    return Access(who=ANYONE, ok=ok, writes=writes)


def staff(ok=200, writes=False, denied=403):
    return Access(who=STAFF, ok=ok, writes=writes, denied=denied)


def nobody():
    return Access(who=NOBODY, writes=False)


def holders(*perms, ok=200, denied=403, writes=False, every=False):
    return Access(perms=perms, ok=ok, denied=denied, writes=writes, every=every)


def view(model):
    app_label, name = model.split(".")
    return holders(f"{app_label}.view_{name}", f"{app_label}.change_{name}")


def may(perm, ok=302):
    """A post that writes, for the holders of `perm`."""
    return holders(perm, ok=ok, writes=True)


# A post that writes nothing, whoever sends it.
READS = None


def model_urls(model, *, add, change, delete, listed, history=True, sheets=False, simple=False):
    """The standard admin URLs of `model`: (GET, POST) per URL name.

    `add`, `change`, `delete` and `listed` (the list's action) are the POST rules; the
    pages themselves open for whoever may view (or add, or delete) the model.
    """
    app_label, name = model.split(".")
    prefix = f"{app_label}_{name}"
    viewing = view(model)
    urls = {
        f"{prefix}_changelist": (viewing, listed),
        f"{prefix}_add": (holders(*add.perms) if add.who != NOBODY else nobody(), add),
        f"{prefix}_change": (viewing, change),
        f"{prefix}_delete": (
            holders(f"{app_label}.delete_{name}") if delete.who != NOBODY else nobody(),
            delete,
        ),
        f"{prefix}_redirect": (staff(ok=302), READS),
    }
    if history:
        urls[f"{prefix}_history"] = (viewing, READS)
    if simple:
        urls[f"{prefix}_simple_history"] = (viewing, nobody())
    if sheets:
        importing = holders("elections.import_sheets")
        # The preview keeps the sheet for its confirm (a sources.SheetUpload row).
        urls[f"{prefix}_import"] = (importing, holders("elections.import_sheets", writes=True))
        urls[f"{prefix}_process_import"] = (staff(ok=405), may("elections.import_sheets"))
        # An upload's problems, for its uploader only: a token never issued is not found.
        urls[f"{prefix}_import_errors"] = (
            holders("elections.import_sheets", ok=404),
            staff(ok=405),
        )
        # A big sheet's preview, kept by its check's task run, for the run's owner only: a
        # run of no such kind (or another user's) is not found.
        urls[f"{prefix}_import_preview"] = (
            holders("elections.import_sheets", ok=404),
            staff(ok=405),
        )
        urls[f"{prefix}_export"] = (viewing, READS)
    return urls


def superuser_only(model, **extra):
    app_label, name = model.split(".")
    return model_urls(
        model,
        add=may(f"{app_label}.add_{name}"),
        change=may(f"{app_label}.change_{name}"),
        delete=may(f"{app_label}.delete_{name}"),
        listed=may(f"{app_label}.delete_{name}"),
        **extra,
    )


ACCESS = {
    # The site's own pages.
    "index": (staff(), READS),
    # Someone already logged in is sent on to the index.
    "login": (anyone(ok=frozenset({200, 302})), anyone(ok=302)),
    "logout": (staff(ok=405), staff(ok=200, writes=True)),
    "password_change": (staff(), staff(ok=302, writes=True)),
    "password_change_done": (staff(), READS),
    "autocomplete": (view("elections.candidate"), READS),
    "jsi18n": (staff(), READS),
    "view_on_site": (staff(ok=302), READS),
    "catch_all": (staff(ok=404), READS),
    "app_list[auth]": (holders("auth.view_user", "auth.view_group", denied=404), READS),
    "app_list[axes]": (holders("axes.view_accessattempt", denied=404), READS),
    "app_list[sources]": (holders("sources.view_article", denied=404), READS),
    "app_list[elections]": (holders("elections.view_claim", denied=404), READS),
    # Accounts and login throttling: superusers only.
    **superuser_only("auth.group"),
    # Accounts are deactivated, never deleted: the history names them.
    **model_urls(
        "auth.user",
        add=may("auth.add_user"),
        change=may("auth.change_user"),
        delete=nobody(),
        listed=nobody(),
    ),
    "auth_user_password_change": (holders("auth.change_user"), may("auth.change_user")),
    **{
        url: rule
        for model in ("axes.accessattempt", "axes.accesslog", "axes.accessfailurelog")
        for url, rule in model_urls(
            model,
            add=nobody(),
            change=may(model.replace(".", ".change_")),
            delete=may(model.replace(".", ".delete_")),
            listed=may(model.replace(".", ".delete_")),
        ).items()
    },
    # Sources.
    **model_urls(
        "sources.outlet",
        add=may("sources.add_outlet"),
        change=may("sources.change_outlet"),
        delete=may("sources.delete_outlet"),
        listed=may("sources.delete_outlet"),
        sheets=True,
    ),
    **model_urls(
        "sources.article",
        add=may("sources.add_article"),
        change=may("sources.change_article"),
        # Deleting an article would delete its text versions, which nobody may delete.
        delete=nobody(),
        listed=nobody(),
        sheets=True,
        simple=True,
    ),
    "sources_article_delete": (holders("sources.delete_article"), nobody()),
    "sources_article_intake": (holders("sources.add_article"), may("sources.add_article")),
    "sources_article_annotate": (
        holders("sources.annotate_article"),
        may("sources.annotate_article"),
    ),
    "sources_article_annotate_claim": (
        staff(ok=405),
        holders("sources.annotate_article", "elections.add_claim", every=True, ok=201, writes=True),
    ),
    "sources_article_annotate_candidates": (
        holders("sources.annotate_article", "elections.add_claim", every=True),
        READS,
    ),
    "sources_article_annotate_suggest": (
        holders("sources.annotate_article", "elections.add_claim", every=True),
        READS,
    ),
    **model_urls(
        "sources.articleversion",
        add=nobody(),
        change=nobody(),
        delete=nobody(),
        listed=nobody(),
    ),
    **model_urls(
        "sources.passage",
        add=nobody(),
        change=may("sources.change_passage"),
        delete=may("sources.delete_passage"),
        listed=may("sources.annotate_article"),
        simple=True,
    ),
    "sources_passage_queue": (view("sources.passage"), may("sources.annotate_article")),
    # Elections.
    # A newsroom corrects places and elections, and never deletes them: candidacies and
    # history point at them.
    **model_urls(
        "elections.place",
        add=may("elections.add_place"),
        # Editors keep a place's aliases on its page, its own fields read-only to them.
        change=holders(
            "elections.change_place",
            "elections.add_placename",
            "elections.delete_placename",
            ok=302,
            writes=True,
        ),
        delete=nobody(),
        listed=nobody(),
        sheets=True,
        simple=True,
    ),
    **model_urls(
        "elections.election",
        add=may("elections.add_election"),
        change=may("elections.change_election"),
        delete=nobody(),
        listed=nobody(),
        sheets=True,
        simple=True,
    ),
    # A candidacy no claim is about may be removed from its own page (a superuser's repair).
    **model_urls(
        "elections.candidacy",
        add=may("elections.add_candidacy"),
        change=may("elections.change_candidacy"),
        delete=may("elections.delete_candidacy"),
        listed=nobody(),
        simple=True,
    ),
    # Candidates are withdrawn or merged, claims rejected, contradictions resolved: none is
    # deleted.
    **model_urls(
        "elections.candidate",
        add=may("elections.add_candidate"),
        change=may("elections.change_candidate"),
        delete=nobody(),
        listed=may("elections.change_candidate"),
        sheets=True,
        simple=True,
    ),
    **model_urls(
        "elections.claim",
        add=may("elections.add_claim"),
        change=may("elections.change_claim"),
        delete=nobody(),
        listed=may("elections.verify_claim"),
        sheets=True,
        simple=True,
    ),
    "elections_claim_verify": (staff(ok=405), may("elections.verify_claim")),
    "elections_candidate_publish": (staff(ok=405), may("elections.publish_candidate")),
    "elections_claim_reject": (staff(ok=405), may("elections.verify_claim")),
    # Flagging a dispute from one claim's page: a form, then one post (editors).
    "elections_claim_flag": (
        holders("elections.flag_contradiction"),
        may("elections.flag_contradiction"),
    ),
    **model_urls(
        "elections.contradiction",
        add=nobody(),
        change=may("elections.resolve_contradiction"),
        delete=nobody(),
        listed=nobody(),
        simple=True,
    ),
    **model_urls(
        "elections.candidatemerge",
        add=nobody(),
        change=nobody(),
        delete=nobody(),
        listed=may("elections.merge_candidate"),
    ),
    "elections_candidatemerge_undo": (
        holders("elections.merge_candidate"),
        may("elections.merge_candidate"),
    ),
    **model_urls(
        "elections.candidateproposal",
        add=nobody(),
        change=nobody(),
        delete=nobody(),
        listed=nobody(),
    ),
    "elections_candidateproposal_review": (staff(ok=405), may("elections.publish_candidate")),
    # Long tasks: every role sees them and their progress; Reviewers start them; a run's
    # owner (the world's reviewer) or a superuser cancels it. Runs are written by services.
    **model_urls(
        "sources.taskrun", add=nobody(), change=nobody(), delete=nobody(), listed=nobody()
    ),
    "sources_taskrun_start": (staff(ok=405), may("sources.run_task")),
    "sources_taskrun_progress": (view("sources.taskrun"), staff(ok=405)),
    "sources_taskrun_cancel": (staff(ok=405), may("sources.run_task")),
}

ROUTES = admin_routes()


def by_route(function):
    return pytest.mark.parametrize("route", ROUTES, ids=str)(function)


def by_kind(function):
    return pytest.mark.parametrize("kind", KINDS)(function)


# Posts that end or replace the session they are sent in (changing a password gives the
# session a new key, even when the password is another user's).
SESSION_ENDING = {"login", "logout", "password_change", "auth_user_password_change"}


def goes_to_login(response):
    return response.status_code == 302 and "/admin/login/" in response["Location"]


def expected_get(access, kind):
    if access.lets_in(kind):
        return access.ok if isinstance(access.ok, frozenset) else frozenset({access.ok})
    if kind == "anonymous":
        return frozenset({"login"})
    return frozenset({access.denied})


def answer(response):
    if goes_to_login(response):
        return "login"
    # The logout page sends nobody logged in to the index, which asks them to log in.
    if response.status_code == 302 and response.request["PATH_INFO"].endswith("/logout/"):
        return "login"
    return response.status_code


def test_every_admin_url_is_in_the_table():
    names = {route.name for route in ROUTES}

    assert sorted(names - set(ACCESS)) == [], "admin URLs the table does not describe"
    assert sorted(set(ACCESS) - names) == [], "the table describes URLs the admin lacks"


@pytest.mark.django_db
def test_every_permission_the_table_names_exists():
    named = {
        perm
        for get, post in ACCESS.values()
        for access in (get, post)
        if access is not None
        for perm in access.perms
    }
    existing = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }

    assert sorted(named - existing) == []


def test_the_roles_of_the_table_are_those_of_roles_py():
    assert set(KINDS) - {"anonymous", "staff", "superuser"} == set(ROLES)


@by_route
@by_kind
def test_opening_each_admin_url(records, route, kind):
    access, _ = ACCESS[route.name]
    url = url_of(route, records)

    response = records.client(kind).get(url)

    assert answer(response) in expected_get(access, kind), f"{kind} opening {url} ({route.name})"


@by_route
@by_kind
def test_posting_to_each_admin_url(records, route, kind):
    _, access = ACCESS[route.name]
    url = url_of(route, records)
    client = records.client(kind, fresh=route.name in SESSION_ENDING)
    # A confirm reads back its own preview's upload only: who may confirm previews it.
    confirming = route.name.endswith("_process_import") and access.lets_in(kind)
    data = post_data(route, records, client if confirming else records.reader)

    with Writes() as writes:
        response = client.post(url, data)

    wrote = bool(writes)
    if access is READS:
        assert not wrote, f"{kind} posting to {url} ({route.name}) wrote: {writes.statements}"
    elif access.lets_in(kind):
        assert (response.status_code, wrote) == (access.ok, access.writes), (
            f"{kind} posting to {url} ({route.name})"
        )
    else:
        assert not wrote, f"{kind} posting to {url} ({route.name}) wrote: {writes.statements}"
        if kind == "anonymous":
            assert answer(response) == "login", f"{kind} posting to {url}"
