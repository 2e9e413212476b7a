"""Every URL of the admin site, read from the site and its model admins, filled with real ids.

`admin_routes()` lists the site's own patterns (`admin.site.get_urls()`) and every
ModelAdmin's (`get_urls()`), so that a view added tomorrow is listed too. Unnamed patterns
get a name here: `<app>_<model>_redirect` for the old-style object address that redirects to
its change page, `catch_all` for the admin's final 404, and the app index one name per app
(`app_list[sources]`). `url_of(route, world)` fills a pattern with the ids of the records of
`conftest.AdminWorld`, and `post_data(route, world, client)` is what a user who may do what
the page offers would post to it.
"""

import csv
import io
from dataclasses import dataclass
from html.parser import HTMLParser

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, reverse

from elections.models import Claim, Contradiction

ACTION = "action"
# Every user's password in the worlds of these tests (tests.factories.make_user sets it).
PASSWORD = "pw"


@dataclass(frozen=True)
class AdminRoute:
    name: str
    pattern: str
    model: str = ""  # the model's label, for a model admin's URL
    app_label: str = ""

    def __str__(self):
        return self.name


def _site_routes():
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLResolver):
            continue
        route = str(pattern.pattern)
        if pattern.name == "app_list":
            for app_label in sorted({m._meta.app_label for m in admin.site._registry}):
                yield AdminRoute(f"app_list[{app_label}]", route, app_label=app_label)
        elif pattern.name is None and "(?P<url>" in route:
            yield AdminRoute("catch_all", route)
        else:
            yield AdminRoute(pattern.name, route)


def _model_routes():
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        for pattern in model_admin.get_urls():
            assert isinstance(pattern, URLPattern), pattern
            route = str(pattern.pattern)
            name = pattern.name or f"{opts.app_label}_{opts.model_name}_redirect"
            yield AdminRoute(name, route, model=opts.label_lower, app_label=opts.app_label)


def admin_routes():
    """Every admin URL pattern, sorted by name."""
    return sorted([*_site_routes(), *_model_routes()], key=lambda route: route.name)


def record_for(route, world):
    """The record a route is tried on: a deletable spare for deletions, else the main one."""
    if route.name.endswith("_delete"):
        return world.spare[route.model]
    return world.main[route.model]


def url_of(route, world):
    """The URL of `route` filled with real ids."""
    if route.name == "catch_all":
        return reverse("admin:index") + "no-such-page/"
    if route.name.startswith("app_list["):
        return reverse("admin:app_list", kwargs={"app_label": route.app_label})
    if route.name == "view_on_site":
        candidate = world.main["elections.candidate"]
        kind = ContentType.objects.get_for_model(candidate)
        return reverse("admin:view_on_site", args=[kind.pk, candidate.pk])
    if route.name == "sources_article_annotate_suggest":
        article = world.main["sources.article"]
        return reverse(f"admin:{route.name}", args=[article.pk]) + "?property=age&exact=47"
    if route.name == "autocomplete":
        query = "app_label=elections&model_name=claim&field_name=candidate&term=Liu"
        return reverse("admin:autocomplete") + "?" + query
    if route.name == "sources_taskrun_start":
        return reverse(f"admin:{route.name}", args=["passages_reanchor_all"])
    if not route.model:
        return reverse(f"admin:{route.name}")
    record = record_for(route, world)
    if route.name.endswith("_simple_history"):
        return reverse(f"admin:{route.name}", args=[record.pk, world.history[route.model]])
    if route.name.endswith("_redirect"):
        app_label, model_name = route.model.split(".")
        return f"{reverse('admin:index')}{app_label}/{model_name}/{record.pk}/"
    if "<" in route.pattern:
        return reverse(f"admin:{route.name}", args=[record.pk])
    return reverse(f"admin:{route.name}")


class _FormReader(HTMLParser):
    """The fields of one form of a page, as a browser would submit it unchanged."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, []
        self._select, self._textarea, self._chosen = None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (self.form_id is None or attrs.get("id") == self.form_id):
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            checkable = attrs.get("type") in ("checkbox", "radio")
            if checkable and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value") or ("on" if checkable else "")))
        elif tag == "select" and name:
            self._select, self._chosen = name, None
        elif tag == "option" and self._select and ("selected" in attrs or self._chosen is None):
            self._chosen = (attrs.get("value", ""), "selected" in attrs)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select:
            if self._chosen is not None and (self._chosen[1] or self._chosen[0]):
                self.data.append((self._select, self._chosen[0]))
            self._select = None
        elif tag == "textarea" and self._textarea:
            name, text = self._textarea
            self.data.append((name, text.removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def form_data(page, form_id=None):
    """The fields of the form `form_id` (the first form when None) of `page`, unchanged."""
    reader = _FormReader(form_id)
    reader.feed(page)
    data = {}
    for name, value in reader.data:
        data.setdefault(name, []).append(value)
    return {name: values if len(values) > 1 else values[0] for name, values in data.items()}


def _change_form(route, world, client, name):
    """The model's change (or add) form as a superuser sees it, posted back as it is."""
    record = record_for(route, world)
    url = reverse(
        f"admin:{route.name.rsplit('_', 1)[0]}_{name}", args=[] if name == "add" else [record.pk]
    )
    response = client.get(url)
    if response.status_code == 403:
        # Refused even to a superuser: what would be posted does not matter.
        return {}
    assert response.status_code == 200, (url, response.status_code)
    data = form_data(response.text, f"{route.model.split('.')[1]}_form")
    data.pop("csrfmiddlewaretoken", None)
    return data


def _sheet(route, world):
    """A one-row CSV sheet that the model's import accepts."""
    model = route.model.split(".")[1]
    header, row = {
        "candidate": (["name", "city"], ["Zhou Min", "Hangzhou"]),
        "claim": (
            ["candidate", "property", "value", "article_title", "quote"],
            [
                "liu-ping",
                "platform",
                "independent",
                world.main["sources.article"].title,
                "runs as an independent",
            ],
        ),
        "outlet": (["name", "kind"], ["Sheet Outlet", "blog"]),
        "article": (["outlet", "title", "text"], ["Example Daily", "From a sheet", "Words."]),
        "place": (["level", "name_zh", "parent"], ["county", "滨江区", "330100"]),
        "election": (
            ["name", "province", "city", "district", "level", "polling_on"],
            ["Xihu People's Congress", "Zhejiang", "Hangzhou", "Xihu", "county", "2011-11"],
        ),
    }[model]
    content = io.StringIO(newline="")
    csv.writer(content, lineterminator="\r\n").writerows([header, row])
    return SimpleUploadedFile(f"{model}.csv", content.getvalue().encode(), content_type="text/csv")


def _preview(route, world, client):
    """Upload a one-row sheet as a superuser and return the confirm form's fields."""
    url = reverse(f"admin:{route.name.removesuffix('process_import')}import")
    response = client.post(
        url, {"resource": "0", "format": "0", "import_file": _sheet(route, world)}
    )
    confirm = response.context["confirm_form"]
    assert confirm is not None, response.text[:3000]
    return {name: str(value) for name, value in confirm.initial.items()}


def _action(route, world, action, **extra):
    record = world.spare[route.model] if action == "delete_selected" else world.main[route.model]
    return {ACTION: action, "_selected_action": [str(record.pk)], "index": "0", **extra}


# The action each model's list is tried with: the one a role may do, where there is one.
LIST_ACTIONS = {
    "elections.claim": ("verify_claims", {}),
    "elections.candidate": ("submit_for_review", {}),
    "elections.candidatemerge": ("undo_merges", {"confirm": "yes"}),
    "sources.passage": ("confirm_proposed_spans", {}),
}


def post_data(route, world, client):
    """What a user allowed to act on the page would post to `route` (`client` is a
    superuser's, to read forms and make previews with)."""
    name = route.name
    if name in CUSTOM:
        return CUSTOM[name](world)
    if name.endswith("_changelist"):
        action, extra = LIST_ACTIONS.get(route.model, ("delete_selected", {"post": "yes"}))
        data = _action(route, world, action, **extra)
        if route.model == "sources.passage":
            data["_selected_action"] = [str(world.fuzzy_passage.pk)]
        return data
    if name.endswith("_delete"):
        return {"post": "yes"}
    if name.endswith("_add"):
        data = _change_form(route, world, client, "add")
        data.update(ADD_FORMS.get(route.model, lambda w: {})(world))
        return data
    if name.endswith("_change"):
        if route.model == "elections.contradiction":
            return _verdict(world.main[route.model])
        return _change_form(route, world, client, "change")
    if name.endswith("_process_import"):
        return _preview(route, world, client)
    if name.endswith("_import"):
        return {"resource": "0", "format": "0", "import_file": _sheet(route, world)}
    if name.endswith("_export"):
        return {"resource": "0", "format": "0"}
    return {}


def _verdict(dispute):
    """The verdict form of `dispute`, with the revision of its versions as they are now."""
    revision = Contradiction.objects.values_list("revision", flat=True).get(pk=dispute.pk)
    return {
        "verdict": "not_contradiction",
        "note": "The ages are a year apart.",
        "revision": str(revision),
    }


def _annotate(world):
    article = world.main["sources.article"]
    start = article.text.index("lawyer")
    return {"start": start, "end": start + 6, "exact": "lawyer", "note": "occupation"}


def _record_claim(world):
    article = world.main["sources.article"]
    start = article.text.index("Hangzhou")
    return {
        "start": start,
        "end": start + 8,
        "exact": "Hangzhou",
        "version": article.version,
        "candidate": world.main["elections.candidate"].pk,
        "property": "city",
        "value": "Hangzhou",
    }


ADD_FORMS = {
    "auth.group": lambda w: {"name": "Night desk"},
    "auth.user": lambda w: {
        "username": "newcomer",
        "password1": "a long enough passphrase 7",
        "password2": "a long enough passphrase 7",
        "usable_password": "true",
    },
    "sources.outlet": lambda w: {"name": "New Outlet", "slug": "new-outlet", "kind": "blog"},
    "sources.article": lambda w: {
        "outlet": w.main["sources.outlet"].pk,
        "title": "A new report",
        "published_precision": "day",
        "source_text": "Words of a new report.",
        "source_format": "text",
    },
    "elections.place": lambda w: {
        "level": "county",
        "name_zh": "滨江区",
        "name": "Binjiang",
        "slug": "binjiang",
        "parent": w.main["elections.place"].pk,
        "names-TOTAL_FORMS": "0",
        "names-INITIAL_FORMS": "0",
    },
    "elections.election": lambda w: {
        "name": "Xihu People's Congress",
        "slug": "xihu-2011",
        "place": w.spare["elections.place"].pk,
        "level": "county",
        "cycle": "2011-2012",
        "polling": "2011-11",
    },
    "elections.candidate": lambda w: {"display_name": "Zhou Min"},
    "elections.candidacy": lambda w: {
        "candidate": w.spare["elections.candidate"].pk,
        "election": w.main["elections.election"].pk,
    },
    "elections.claim": lambda w: {
        "candidate": w.main["elections.candidate"].pk,
        "property": "city",
        "value": "Hangzhou",
        "source_article": w.main["sources.article"].pk,
        "quote": "Hangzhou",
    },
}


def _flag_claim(world):
    """The main claim (age 47) flagged against the other outlet's age 52."""
    claim = world.main["elections.claim"]
    other = (
        Claim.objects.filter(candidate=claim.candidate, property=claim.property)
        .exclude(pk=claim.pk)
        .get()
    )
    return {"others": [str(other.pk)], "note": "The two outlets give different ages."}


CUSTOM = {
    "sources_article_intake": lambda w: {
        "pasted": "<html><body><article><p>Zhou Min, a lawyer in Ningbo, said she would stand "
        "for the district congress this autumn.</p></article></body></html>",
        "pasted_format": "html",
        "outlet": "Ningbo Evening News",
        "title": "A lawyer stands in Ningbo",
    },
    "elections_candidatemerge_undo": lambda w: {"confirm": "yes"},
    "sources_article_annotate": _annotate,
    "sources_article_annotate_claim": _record_claim,
    "sources_passage_queue": lambda w: {"passage": w.fuzzy_passage.pk},
    "elections_claim_reject": lambda w: {"reason": "The passage says nothing of the kind."},
    "elections_claim_flag": _flag_claim,
    "elections_candidateproposal_review": lambda w: {
        "decision": "reject",
        "note": "No source gives this year of birth.",
    },
    "password_change": lambda w: {
        "old_password": PASSWORD,
        "new_password1": "a long enough passphrase 7",
        "new_password2": "a long enough passphrase 7",
    },
    "auth_user_password_change": lambda w: {
        "password1": "a long enough passphrase 7",
        "password2": "a long enough passphrase 7",
        "usable_password": "true",
    },
    "login": lambda w: {"username": w.user("superuser").username, "password": PASSWORD},
}
