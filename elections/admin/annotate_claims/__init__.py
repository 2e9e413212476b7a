"""Recording claims from the annotate view: a panel beside the selected words.

The sources app knows nothing of candidates, so the elections app extends its article admin
from this side: `ArticleClaimsAdmin` is the sources `ArticleAdmin` with the claim panel in
its annotate view (a template filling the `side_panels` block, and context from
`annotate_extra_context`) and three endpoints under the article's admin URLs, and it takes
the sources admin's place on the admin site.

- `<id>/annotate/claim/` (POST): the passage at the selected span and the claim it makes;
- `<id>/annotate/suggest/?property=&exact=` (GET): the value the selection gives, or with
  `value=` how a typed value reads;
- `annotate/candidates/?q=` (GET): candidates by any name form (`elections.names`).
"""

from django.contrib import admin
from django.urls import path, reverse

from elections.models import Claim
from elections.models.claim import CANDIDACY_PROPERTIES
from sources.admin import ArticleAdmin
from sources.models import Article

from ..claim_flag import FLAG_PERMISSION
from .forms import ClaimRecordForm
from .views import (
    NEW_CANDIDATE_PERMISSION,
    can_record_claims,
    candidate_search_view,
    record_claim_view,
    value_suggestion_view,
)

__all__ = ["ArticleClaimsAdmin", "can_record_claims"]


class ArticleClaimsAdmin(ArticleAdmin):
    """The article admin whose annotate view also records claims about candidates."""

    annotate_template = "admin/elections/annotate/annotate.html"

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}_annotate"
        wrap = self.admin_site.admin_view
        return [
            path(
                "annotate/candidates/",
                wrap(self.candidate_search_view),
                name=f"{prefix}_candidates",
            ),
            path(
                "<path:object_id>/annotate/claim/",
                wrap(self.record_claim_view),
                name=f"{prefix}_claim",
            ),
            path(
                "<path:object_id>/annotate/suggest/",
                wrap(self.value_suggestion_view),
                name=f"{prefix}_suggest",
            ),
            *super().get_urls(),
        ]

    def candidate_search_view(self, request):
        return candidate_search_view(self, request)

    def record_claim_view(self, request, object_id):
        return record_claim_view(self, request, object_id)

    def value_suggestion_view(self, request, object_id):
        return value_suggestion_view(self, request, object_id)

    def annotate_extra_context(self, request, article):
        context = super().annotate_extra_context(request, article)
        if request.user.has_perm("elections.view_claim"):
            # The claims each passage supports (rejected ones left out), passage by passage
            # in the order of the text; flagging a dispute from one needs its permission.
            context["article_claims"] = list(
                article.claims.select_related("candidate", "passage")
                .exclude(state=Claim.State.REJECTED)
                .order_by("passage__start", "passage_id", "pk")
            )
            context["can_flag"] = request.user.has_perm(FLAG_PERMISSION)
        # Re-pointing a passage is a task of its own; the panel would only distract from it.
        if request.GET.get("reselect") or not can_record_claims(request.user):
            return context
        context["claim_panel"] = {
            "form": ClaimRecordForm(initial={"version": article.version}, article=article),
            "record_url": reverse("admin:sources_article_annotate_claim", args=[article.pk]),
            "suggest_url": reverse("admin:sources_article_annotate_suggest", args=[article.pk]),
            "candidates_url": reverse("admin:sources_article_annotate_candidates"),
            "can_add_candidate": request.user.has_perm(NEW_CANDIDATE_PERMISSION),
            "candidacy_properties": " ".join(sorted(CANDIDACY_PROPERTIES)),
        }
        return context


if admin.site.is_registered(Article):
    admin.site.unregister(Article)
admin.site.register(Article, ArticleClaimsAdmin)
