"""The public site's pages: home, candidates, profiles, outlets and cited articles.

Each view reads through `elections.public` (a fixed number of queries per page) and turns
the rows into plain values for its template here, in Python, so that templates stay loops
over ready strings. Nothing here varies with the visitor: a page is the same for everyone,
which lets it be cached whole. A record the public may not see answers exactly like one
that does not exist.
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections import public
from elections.charts import Bar, bar_chart
from elections.filters import CandidateFilter
from elections.models import Property
from elections.names import has_han
from sources.models import Outlet

from .display import (
    Citations,
    article_lang,
    article_summary,
    candidate_row,
    candidate_row_short,
    dispute_anchor,
    dispute_view,
    disputed_mark,
    lang_of,
    link,
    person_json_ld,
    profile_facts,
    profile_names,
    profile_timeline,
    profile_url,
    property_label,
    quote_of,
    safe_url,
    status_label,
    status_short_label,
)
from .sources_display import dispute_item, fact_item, report_block

PAGE_SIZE = 25
NOT_FOUND = _("No such page.")


def page_links(page):
    """The numbers a list's pagination links to around `page` (None for a gap); none when
    the list fits on one page."""
    if not page.has_other_pages():
        return []
    paginator = page.paginator
    return [
        None if number == paginator.ELLIPSIS else number
        for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]


def home(request):
    """What the site is, figures by province and outcome, and the latest verified facts."""
    figures = public.home_figures()
    cite = Citations()
    provinces = [
        {
            "name": place.name if place else gettext("not reported"),
            "name_zh": place.name_zh if place else "",
            "slug": place.slug if place else "",
            "count": count,
        }
        for place, count in figures.by_province
    ]
    outcomes = [
        {
            "name": status_label(status),
            "short": status_short_label(status),
            "status": status or "none",
            "count": count,
        }
        for status, count in figures.by_status
    ]
    context = {
        "figures": figures,
        "provinces": provinces,
        "outcomes": outcomes,
        "province_chart": bar_chart(
            bars=[Bar(row["name"], row["count"]) for row in provinces],
            title=gettext("Published candidates by province"),
            description=", ".join(f"{row['name']}: {row['count']}" for row in provinces)
            or gettext("No published candidates yet."),
            chart_id="chart-provinces",
        ),
        "outcome_chart": bar_chart(
            bars=[Bar(row["short"], row["count"]) for row in outcomes],
            title=gettext("Published candidates by latest reported status"),
            description=", ".join(f"{row['name']}: {row['count']}" for row in outcomes)
            or gettext("No published candidates yet."),
            chart_id="chart-outcomes",
        ),
        "facts": [
            cite(claim)
            | {"candidate": candidate_row_short(claim.candidate)}
            | disputed_mark(claim, profile_url(claim.candidate))
            for claim in public.latest_facts()
        ],
    }
    return render(request, "elections/home.html", context)


def candidate_list(request):
    """Published candidates, filtered, searched, sorted and paginated by the query string."""
    filterset = CandidateFilter(request.GET)
    # The filters choose and order ids; only the page's rows are then read in full.
    page = public.page_of_ids(
        filterset.qs,
        request.GET.get("page"),
        size=PAGE_SIZE,
        total_with_page=filterset.reads_every_match,
        total=filterset.kept_total,
        clamp=True,
    )
    paginator = page.paginator
    active = {
        name: value
        for name, value in request.GET.items()
        if value and name in CandidateFilter.base_filters and name != "sort"
    }
    context = {
        "filter": filterset,
        "page": page,
        "rows": [candidate_row(candidate) for candidate in public.candidate_rows(list(page))],
        "count": paginator.count,
        "page_links": page_links(page),
        "filtered": bool(active),
        "query": request.GET.get("q", "").strip(),
    }
    return render(request, "elections/candidate_list.html", context)


def candidate_detail(request, slug):
    """A published profile; a merged record redirects to its published survivor.

    It shows the first facts of each property; `?facts=<property>` shows that property's
    facts a page at a time (`public.FactsShown`)."""
    shown = public.FactsShown.for_page(request.GET.get("facts"), request.GET.get("page"))
    profile = public.candidate_profile(slug, shown)
    if profile is None:
        survivor = public.merged_survivor(slug)
        if survivor is not None:
            return HttpResponsePermanentRedirect(survivor.get_absolute_url())
        raise Http404(NOT_FOUND)
    candidate = profile.candidate
    names = profile_names(profile)
    cite = Citations()
    context = {
        "candidate": candidate,
        "names": names,
        "name_lang": lang_of(candidate.display_name),
        "name_zh_lang": lang_of(candidate.name_zh, "zh-Hans"),
        "status": status_label(profile.status) if profile.status else "",
        "timeline": profile_timeline(profile, cite),
        "status_dispute": dispute_anchor(profile.status_dispute)
        if profile.status_dispute is not None
        else "",
        "gender_dispute": _property_dispute(profile, Property.GENDER),
        "birth_year_dispute": _property_dispute(profile, Property.BIRTH_YEAR),
        "facts": profile_facts(profile, cite),
        "focus": profile.focus,
        "focus_label": property_label(shown.property) if profile.focus else "",
        "page_links": page_links(profile.focus) if profile.focus else [],
        "disputes": [dispute_view(dispute, cite) for dispute in profile.disputes],
        "sources": [
            cite.summary(
                article,
                page=article.pk in profile.cited_articles,
                outlet_page=article.outlet_id in profile.cited_outlets,
            )
            for article in profile.sources
        ],
        "last_verified": profile.last_verified,
        "json_ld": person_json_ld(request, profile, names),
    }
    return render(request, "elections/candidate_detail.html", context)


def _property_dispute(profile, prop):
    """The anchor of the public dispute on the candidate's `prop`, or ""."""
    dispute = profile.disputed_properties.get(prop)
    return dispute_anchor(dispute) if dispute is not None else ""


def outlet_list(request):
    """Outlets cited by public claims, with how much of the record each one gave."""
    outlets = [
        {
            "url": outlet.get_absolute_url(),
            "name": outlet.name,
            "name_lang": lang_of(outlet.name),
            "kind": "" if outlet.kind == Outlet.Kind.OTHER else outlet.get_kind_display(),
            "facts": outlet.fact_count,
            "candidates": outlet.candidate_count,
            "articles": outlet.article_count,
        }
        for outlet in public.public_outlets()
    ]
    context = {"outlets": outlets, **_article_search(request)}
    return render(request, "elections/outlet_list.html", context)


SEARCH_PAGE_SIZE = 20


def _article_search(request, outlet=None):
    """The search over public articles asked for by `q` (of `outlet` only, when given): a
    page of hits with excerpts, ranked, and the number found; nothing when `q` is empty."""
    query = request.GET.get("q", "").strip()
    if not query:
        return {"search": {"query": ""}}
    paginator = Paginator(public.article_search(query, outlet=outlet), SEARCH_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    hits = [
        {
            "url": link("elections:article-detail", hit.article.pk),
            "title": hit.article.title,
            "title_lang": lang_of(hit.article.title),
            "outlet": hit.article.outlet.name,
            "outlet_lang": lang_of(hit.article.outlet.name),
            "outlet_url": hit.article.outlet.get_absolute_url(),
            "date": hit.article.published.display() if hit.article.published else "",
            "excerpts": [excerpt.html for excerpt in hit.excerpts],
            "text_lang": hit.article.language,
        }
        for hit in public.search_hits(page, query)
    ]
    return {
        "search": {
            "query": query,
            "hits": hits,
            "count": paginator.count,
            "page": page,
            "page_links": page_links(page),
        }
    }


def outlet_detail(request, slug):
    """What one outlet reported, a page of candidates at a time (`page`), and how often (and
    on what) other outlets disagreed; with `q`, the search over its articles instead (whose
    results `page` then numbers), under the same heading."""
    searching = bool(request.GET.get("q", "").strip())
    profile = public.outlet_profile(slug, request.GET.get("page"), reports=not searching)
    if profile is None:
        raise Http404(NOT_FOUND)
    outlet = profile.outlet
    cite = Citations()
    reports = []
    for report in profile.reports:
        candidate = candidate_row_short(report.candidate)
        facts = [
            # The page is the outlet's own: its name is not repeated under every quote.
            fact_item(cite(claim, same_outlet=True) | disputed_mark(claim, candidate["url"]))
            for claim in report.claims
        ]
        reports.append(report_block(candidate, facts, report.more))
    context = {
        "outlet": outlet,
        "outlet_lang": lang_of(outlet.name),
        "homepage": safe_url(outlet.homepage),
        "kind": "" if outlet.kind == Outlet.Kind.OTHER else outlet.get_kind_display(),
        "reports": reports,
        "page": profile.page,
        "page_links": page_links(profile.page),
        "disputes": [
            dispute_item(
                dispute_view(dispute, own_outlet=outlet.pk)
                | {
                    "candidate": candidate_row_short(dispute.candidate),
                    "url": f"{profile_url(dispute.candidate)}#{dispute_anchor(dispute.pk)}",
                }
            )
            for dispute in profile.disputes
        ],
        "dispute_count": profile.dispute_count,
        "by_property": [
            {"property": property_label(prop), "times": times, "wrong": wrong}
            for prop, times, wrong in profile.by_property
        ],
        "found_wrong": profile.found_wrong,
        "article_count": profile.article_count,
        "candidate_count": profile.candidate_count,
        "fact_count": profile.fact_count,
        **_article_search(request, outlet),
    }
    return render(request, "elections/outlet_detail.html", context)


def article_detail(request, pk):
    """A cited article: where it was published, and the passages public claims quote, a
    page of claims at a time (`page`)."""
    page = public.article_page(pk, request.GET.get("page"))
    if page is None:
        raise Http404(NOT_FOUND)
    article = page.article
    context = {
        "article": article,
        "summary": article_summary(article),
        "page": page.page,
        "page_links": page_links(page.page),
        "passages": [
            {
                "quote": quote_of(passage, article),
                "claims": [
                    {
                        "candidate": candidate_row_short(claim.candidate),
                        **disputed_mark(claim, profile_url(claim.candidate)),
                        "property": property_label(claim.property),
                        "value": claim.value,
                        "value_lang": article_lang(article, claim.value)
                        if has_han(claim.value)
                        else "",
                    }
                    for claim in passage.claims
                ],
            }
            for passage in page.passages
        ],
    }
    return render(request, "elections/article_detail.html", context)
