"""Public URLs of the site (see DESIGN.md: these are a stable outside)."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from .cache import article_scope, cache_public, candidate_scope, lists_scope, outlet_scope
from .views import (
    annotations,
    api,
    archives,
    changes,
    exports,
    health,
    pages,
    quickstatements,
    reconcile,
    releases,
)

app_name = "elections"


def page(view, **cached):
    """A public page: read-only, so anything but GET and HEAD is answered 405."""
    return require_safe(cache_public(view, **cached))


urlpatterns = [
    path("", page(pages.home), name="home"),
    path("candidates/", page(pages.candidate_list, scope=lists_scope), name="candidate-list"),
    path(
        "candidates/<str:slug>/",
        page(pages.candidate_detail, scope=candidate_scope),
        name="candidate-detail",
    ),
    path(
        "candidates/<str:slug>/changes/",
        page(changes.candidate_changes),
        name="candidate-changes",
    ),
    path("changes/", page(changes.changes_list), name="changes"),
    path("changes.atom", page(changes.changes_atom), name="changes-atom"),
    path("outlets/", page(pages.outlet_list), name="outlet-list"),
    path(
        "outlets/<str:slug>/", page(pages.outlet_detail, scope=outlet_scope), name="outlet-detail"
    ),
    path(
        "articles/<int:pk>/", page(pages.article_detail, scope=article_scope), name="article-detail"
    ),
    path("articles/<int:pk>/archived/", page(archives.article_archived), name="article-archived"),
    path(
        "api/candidates/",
        cache_public(api.candidate_list, scope=lists_scope),
        name="api-candidate-list",
    ),
    path("api/annotations/", cache_public(annotations.annotation_list), name="api-annotations"),
    path(
        "api/candidates/<str:slug>/",
        cache_public(api.candidate_detail, scope=candidate_scope),
        name="api-candidate-detail",
    ),
    # A built export is sent as a file, past the cache; the live one is cached inside.
    path("export/popolo.json", exports.popolo_json, name="export-popolo"),
    path("export/claims.csv", exports.claims_csv, name="export-claims"),
    path(
        "export/quickstatements.txt",
        cache_public(quickstatements.quickstatements_txt),
        name="export-quickstatements",
    ),
    path("healthz", require_safe(health.healthz), name="healthz"),
    # Data releases: read uncached (releases are not public-cache tables), files as made.
    path("data/", require_safe(releases.release_list), name="data-releases"),
    path("data/latest/<str:path>", require_safe(releases.latest_file), name="data-latest"),
    path("data/<str:version>/<str:path>", require_safe(releases.release_file), name="data-file"),
    # The reconciliation service (W3C Reconciliation API): GET cached, POST answered afresh.
    path("reconcile", csrf_exempt(cache_public(reconcile.service)), name="reconcile"),
    path("reconcile/preview", reconcile.preview, name="reconcile-preview"),
    path("reconcile/view", reconcile.view, name="reconcile-view"),
    path(
        "reconcile/suggest/<str:kind>",
        cache_public(reconcile.suggest),
        name="reconcile-suggest",
    ),
]
