"""Rows of the public selectors turned into plain values for the templates.

Everything a template shows is prepared here, once per row: language tags of Chinese text,
quotes with a little context, citations with their links, verdicts in a reader's words.
Links point only at pages that exist: an article or outlet no public claim cites has none.
"""

import functools
import json
from urllib.parse import urlencode

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from elections import public
from elections.models import CandidateName, Contradiction, Property, Status
from elections.models.candidacy import STATUS_ZH
from elections.names import has_han
from sources.dates import PartialDate, PartialDateError
from sources.identifiers import wikidata_url
from sources.models import Passage

from .sources_display import escape, profile_fact_item

NAME_LANGS = {
    CandidateName.Kind.HANS: "zh-Hans",
    CandidateName.Kind.HANT: "zh-Hant",
    CandidateName.Kind.PINYIN: "zh-Latn-pinyin",
    CandidateName.Kind.WADE_GILES: "zh-Latn-wadegile",
}
VERDICT_TEXT = {
    Contradiction.Verdict.ONE_RIGHT: _("One version was found right; the others wrong."),
    Contradiction.Verdict.ALL_WRONG: _("Every version was found wrong."),
    Contradiction.Verdict.DIFFERENT_TIMES: _("Every version was true, at different times."),
}
# Characters that would let a value close the JSON-LD script element or start markup in it.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


PROPERTY_LABELS = dict(Property.choices)
STATUS_LABELS = dict(Status.choices)
# The statuses as the home page's outcome figures name them, where space is short.
STATUS_SHORT_LABELS = {
    Status.DECLARED: pgettext_lazy("short status", "declared"),
    Status.SEEKING_NOMINATION: pgettext_lazy("short status", "seeking nomination"),
    Status.PRELIMINARY: pgettext_lazy("short status", "preliminary"),
    Status.OFFICIAL: pgettext_lazy("short status", "official"),
    Status.ELECTED: pgettext_lazy("short status", "elected"),
    Status.DEFEATED: pgettext_lazy("short status", "defeated"),
    Status.WITHDREW: pgettext_lazy("short status", "withdrew"),
    Status.BARRED: pgettext_lazy("short status", "barred"),
}
NAME_KINDS = dict(CandidateName.Kind.choices)

lang_of = public.text_lang


@functools.lru_cache(maxsize=8192)
def _reversed(name, argument, prefix, urlconf):
    # `prefix` is only part of the key: reverse() reads the script prefix itself.
    return reverse(name, args=[argument], urlconf=urlconf)


def link(name, argument):
    """The path of the URL `name` for `argument` (a slug or an id).

    A page links the same profiles, outlets and articles many times, and reverse() is among
    the costliest calls a row makes, so paths are kept per script prefix and URLconf.
    """
    return _reversed(name, argument, get_script_prefix(), get_urlconf())


def article_lang(article, text=""):
    """The language of `text` printed in `article`: the article's, else read from the text."""
    return article.language or lang_of(text)


def safe_url(url):
    """`url` when it is a web address; anything else (javascript:, data:) is never linked."""
    return url if (url or "").lower().startswith(("https://", "http://")) else ""


def status_label(status):
    return STATUS_LABELS.get(status, _("no status reported"))


def status_short_label(status):
    """A status in few words (`official` for an official candidate); "not reported" when none."""
    return STATUS_SHORT_LABELS.get(status) or gettext("not reported")


def _before(prefix):
    """A quote's prefix, from a word boundary when the stored context was cut mid-word.

    A prefix shorter than the stored context starts at the beginning of the article.
    """
    if len(prefix) < Passage.CONTEXT:
        return prefix, False
    space = prefix.find(" ")
    return (prefix[space + 1 :] if 0 <= space < len(prefix) - 1 else prefix), True


def _after(suffix):
    """A quote's suffix, up to a word boundary when the stored context was cut mid-word."""
    if len(suffix) < Passage.CONTEXT:
        return suffix, False
    space = suffix.rfind(" ")
    return (suffix[:space] if space > 0 else suffix), True


def quote_of(passage, article):
    """A passage as shown: a little context either side of the quoted words."""
    before, cut_before = _before(passage.prefix)
    after, cut_after = _after(passage.suffix)
    return {
        "before": ("…" if cut_before else "") + before,
        "exact": passage.exact,
        "after": after + ("…" if cut_after else ""),
        "lang": article_lang(article, passage.exact),
    }


def article_summary(article, *, page=True, outlet_page=True, dates=None):
    """What a citation says about its article: outlet, title, date, links.

    `page` and `outlet_page` say whether the article and its outlet have public pages to
    link to (a public claim cites them). `dates` keeps the dates shown, for a page that
    summarizes many articles.
    """
    outlet = article.outlet
    published = article.published
    if published is None:
        date = gettext("undated")
    elif dates is None:
        date = published.display()
    else:
        date = dates.get(published)
        if date is None:
            date = dates[published] = published.display()
    return {
        "title": article.title,
        "title_lang": article_lang(article, article.title),
        "date": date,
        "iso": published.isoformat() if published else "",
        "byline": article.byline,
        "byline_lang": lang_of(article.byline),
        "original": safe_url(article.url),
        # The report as it was fetched, kept here: public wherever the article's page is.
        "archived": link("elections:article-archived", article.pk)
        if page and article.archived_at
        else "",
        "archived_iso": article.archived_at.isoformat() if article.archived_at else "",
        "archived_on": f"{article.archived_at:%Y-%m-%d}" if article.archived_at else "",
        "page": link("elections:article-detail", article.pk) if page else "",
        "outlet": outlet.name,
        "outlet_lang": lang_of(outlet.name),
        "outlet_url": link("elections:outlet-detail", outlet.slug) if outlet_page else "",
    }


def _lang(lang):
    return format_html(' lang="{}"', lang) if lang else ""


def _source_html(summary, *, same_outlet):
    """The line under a quote: outlet, date, title and the original's link, as HTML (each
    text escaped as `format_html` escapes it; the translations are trusted, as a
    template's are)."""
    outlet = ""
    if not same_outlet:
        lang = _attribute("lang", summary["outlet_lang"])
        name = escape(summary["outlet"])
        if summary["outlet_url"]:
            outlet = f'<a href="{escape(summary["outlet_url"])}"{lang}>{name}</a>, '
        else:
            outlet = f"<span{lang}>{name}</span>, "
    title_lang = _attribute("lang", summary["title_lang"])
    if summary["page"]:
        title = f'<a href="{escape(summary["page"])}"{title_lang}>{escape(summary["title"])}</a>'
    else:
        title = f"<cite{title_lang}>{escape(summary['title'])}</cite>"
    original = (
        gettext(
            ' · <a href="{url}" rel="noopener noreferrer external">original'
            '<span class="visually-hidden"> report by {outlet}</span></a>'
        ).format(url=escape(summary["original"]), outlet=escape(summary["outlet"]))
        if summary["original"]
        else ""
    )
    archived = (
        gettext(
            ' · <a href="{url}">archived copy<span class="visually-hidden"> of the report '
            "by {outlet}</span></a>"
        ).format(url=escape(summary["archived"]), outlet=escape(summary["outlet"]))
        if summary.get("archived")
        else ""
    )
    return mark_safe(  # every text in it is escaped above
        f'<p class="source">{outlet}<time{_attribute("datetime", summary["iso"])}>'
        f"{escape(summary['date'])}</time>: {title}{original}{archived}</p>"
    )


def _attribute(name, value):
    """` name="value"` (escaped), or "" without a value, as `format_html` would write it."""
    return f' {name}="{escape(value)}"' if value else ""


class Citations:
    """Claims turned into citations for one page, each article summarized only once.

    A citation's markup (the quote and the line naming its source) is written here rather
    than by a template include: a profile shows dozens of citations, and an include with
    its twenty lookups cost more than the rest of the page's rows together. What depends on
    the article alone (its summary, the quote's `cite` and the source line) is written once
    per article, and the rest with plain string formatting, each text escaped as
    `format_html` escapes it.
    """

    def __init__(self):
        self._summaries = {}
        self._sources = {}
        self._dates = {}
        self._labels = {}

    def summary(self, article, *, page=True, outlet_page=True):
        key = (article.pk, page, outlet_page)
        if key not in self._summaries:
            self._summaries[key] = article_summary(
                article, page=page, outlet_page=outlet_page, dates=self._dates
            )
        return self._summaries[key]

    def _source(self, article, page, outlet_page, same_outlet):
        """The summary of `article`, the quote's `cite` attribute and the source line."""
        key = (article.pk, page, outlet_page, same_outlet)
        source = self._sources.get(key)
        if source is None:
            summary = self.summary(article, page=page, outlet_page=outlet_page)
            source = self._sources[key] = (
                summary,
                _attribute("cite", summary["original"]),
                _source_html(summary, same_outlet=same_outlet),
            )
        return source

    def _label(self, prop):
        """A property's label, translated once per page."""
        label = self._labels.get(prop)
        if label is None:
            label = self._labels[prop] = str(PROPERTY_LABELS.get(prop, prop))
        return label

    def __call__(self, claim, *, linked=True, same_outlet=False):
        """A claim as shown: the value as printed, its date, the quote and the article, and
        `html`, the quote with its source line.

        An overruled claim's article and outlet may have no public page (`article_cited` and
        `outlet_cited`, set by `public.candidate_profile`); `linked=False` links neither.
        `same_outlet` leaves the outlet's name out of the source line (on its own page).
        """
        article = claim.article
        as_of = claim.as_of_date
        summary, cite, source = self._source(
            article,
            linked and getattr(claim, "article_cited", True),
            linked and getattr(claim, "outlet_cited", True),
            same_outlet,
        )
        quote = quote_of(claim.passage, article)
        html = mark_safe(  # every text in it is escaped; `source` is `_source_html`'s
            f'<blockquote class="quote"{_attribute("lang", quote["lang"])}{cite}><p>'
            f"{escape(quote['before'])}<mark>{escape(quote['exact'])}</mark>"
            f"{escape(quote['after'])}</p></blockquote>\n{source}\n"
        )
        value = claim.value
        return {
            "id": claim.pk,
            "property": self._label(claim.property),
            "value": value,
            "value_lang": article_lang(article, value) if has_han(value) else "",
            "as_of": as_of.display() if as_of and claim.as_of_explicit else "",
            "quote": quote,
            "article": summary,
            "html": html,
        }


def profile_url(candidate):
    """The path of a candidate's public profile."""
    return link("elections:candidate-detail", candidate.slug)


def candidate_row_short(candidate):
    """A candidate as a link with both names."""
    return {
        "url": profile_url(candidate),
        "name": candidate.display_name,
        "name_lang": lang_of(candidate.display_name),
        "name_zh": candidate.name_zh,
        "name_zh_lang": lang_of(candidate.name_zh, "zh-Hans"),
    }


def candidate_row(candidate):
    """A candidate as a line of a list: name, Chinese name, places, status, and `html`, the
    card the list shows (written here once per row, like a citation, rather than by the
    template's lookups and conditions)."""
    places = []
    for place in candidate.places:
        text = f"{place.name}, {place.province}" if place.province else place.name
        if text not in places:
            places.append(text)
    row = {
        "url": link("elections:candidate-detail", candidate.slug),
        "name": candidate.display_name,
        "name_lang": lang_of(candidate.display_name),
        "name_zh": candidate.name_zh,
        "name_zh_lang": lang_of(candidate.name_zh, "zh-Hans"),
        "places": "; ".join(places),
        "status": status_label(candidate.public_status) if candidate.public_status else "",
        "disputed": candidate.disputed,
        **_verified_on(candidate.last_verified),
    }
    row["html"] = _card_html(row)
    return row


def _card_html(row):
    name_zh = (
        format_html(' <span lang="{}">{}</span>', row["name_zh_lang"], row["name_zh"])
        if row["name_zh"]
        else ""
    )
    places = (
        format_html("<span>{}</span>", row["places"])
        if row["places"]
        else format_html('<span class="muted">{}</span>', gettext("place not reported"))
    )
    status = (
        format_html(' · <span class="status">{}</span>', row["status"]) if row["status"] else ""
    )
    disputed = (
        format_html(' · <span class="badge badge--disputed">{}</span>', gettext("disputed facts"))
        if row["disputed"]
        else ""
    )
    verified = (
        format_html(
            '\n      <p class="candidate-card__verified muted">{}</p>',
            format_html(
                gettext('Last verified <time datetime="{iso}">{date}</time>'),
                iso=row["verified_iso"],
                date=row["verified"],
            ),
        )
        if row["verified"]
        else ""
    )
    return format_html(
        '<li class="candidate-card">\n'
        '      <h3 class="candidate-card__name"><a href="{}"><span{}>{}</span>{}</a></h3>\n'
        '      <p class="candidate-card__meta">{}{}{}</p>{}\n'
        "    </li>",
        row["url"],
        _lang(row["name_lang"]),
        row["name"],
        name_zh,
        places,
        status,
        disputed,
        verified,
    )


def _verified_on(moment):
    """A review time as the list shows it (as the `date` filter would, once per row)."""
    if moment is None:
        return {"verified_iso": "", "verified": ""}
    moment = timezone.localtime(moment)
    return {"verified_iso": moment.isoformat(), "verified": date_format(moment, "DATE_FORMAT")}


def _json_ld(data):
    """`data` as a JSON-LD script element whose content no value can break out of."""
    # `default=str`: a translated label is a lazy string, which json does not know.
    text = json.dumps(data, ensure_ascii=False, default=str).translate(JSON_SCRIPT_ESCAPES)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text),  # <, > and & are escaped above as JSON \u escapes
    )


def person_json_ld(request, profile, names):
    candidate = profile.candidate
    alternate = [name["name"] for name in names if name["name"] != candidate.display_name]
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": candidate.display_name,
        "url": request.build_absolute_uri(link("elections:candidate-detail", candidate.slug)),
    }
    if alternate:
        data["alternateName"] = alternate
    if candidate.gender:
        data["gender"] = candidate.gender.capitalize()
    if candidate.birth_year:
        data["birthDate"] = str(candidate.birth_year)
    if candidate.wikidata:
        data["sameAs"] = [wikidata_url(candidate.wikidata)]
    data["subjectOf"] = [
        {
            "@type": "Article",
            "headline": article.title,
            "url": article.url
            or request.build_absolute_uri(link("elections:article-detail", article.pk)),
            **({"datePublished": article.published.isoformat()} if article.published else {}),
            "publisher": {"@type": "Organization", "name": article.outlet.name},
        }
        for article in profile.sources
    ]
    return _json_ld(data)


def profile_names(profile):
    candidate = profile.candidate
    names = [
        {
            "name": candidate.display_name,
            "kind": gettext("name"),
            "lang": lang_of(candidate.display_name),
        }
    ]
    if candidate.name_zh:
        names.append(
            {
                "name": candidate.name_zh,
                "kind": gettext("in Chinese characters"),
                "lang": lang_of(candidate.name_zh, "zh-Hans"),
            }
        )
    seen = {candidate.display_name, candidate.name_zh}
    for form in profile.names:
        if form.name in seen:
            continue
        seen.add(form.name)
        names.append(
            {
                "name": form.name,
                "kind": NAME_KINDS.get(form.kind, form.kind),
                "lang": NAME_LANGS.get(form.kind) or lang_of(form.name),
            }
        )
    return names


def profile_timeline(profile, cite):
    runs = []
    for candidacy in profile.candidacies:
        election, place = candidacy.election, candidacy.election.place
        runs.append(
            {
                "election": election.name,
                "place": place.name,
                "place_zh": place.name_zh,
                "province": place.province.name
                if place.province_id and place.province_id != place.pk
                else "",
                "polling": election.polling.display() if election.polling else "",
                "status": status_label(candidacy.public_status) if candidacy.public_status else "",
                "status_dispute": dispute_anchor(candidacy.status_dispute)
                if candidacy.status_dispute is not None
                else "",
                "steps": [
                    {
                        "status": status_label(step.status),
                        "status_zh": STATUS_ZH.get(step.status, ""),
                        "date": step.date.display(),
                        "citation": cite(step.claim),
                        **disputed_mark(step.claim),
                    }
                    for step in candidacy.public_steps
                ],
            }
        )
    return runs


def disputed_mark(claim, url=""):
    """What a fact shows of its dispute: `disputed` (whether its question is in public
    dispute) and `dispute_url`, where the dispute is shown: at the dispute itself when the
    claim carries its id (`dispute_id`), else at the disputes of its candidate's profile;
    `url` is that profile's path, empty on the profile itself."""
    dispute = getattr(claim, "dispute_id", None)
    disputed = dispute is not None or bool(getattr(claim, "disputed", False))
    if not disputed:
        return {"disputed": False, "dispute_url": ""}
    return {"disputed": True, "dispute_url": f"{url}#{dispute_anchor(dispute)}"}


def dispute_anchor(dispute_id):
    """The id of a dispute's block on its candidate's profile ("disputes" when unknown)."""
    return f"dispute-{dispute_id}" if dispute_id is not None else "disputes"


def profile_facts(profile, cite):
    """The profile's facts by property, each group a dict: `label`, `citations`, `more`
    (how many of its facts the page leaves out) and `url` (the page of them all, from the
    first)."""
    groups = {}
    for claim in profile.facts:
        if claim.property == Property.STATUS:
            continue
        if claim.property not in groups:
            total = profile.fact_totals.get(claim.property, 0)
            groups[claim.property] = {
                "label": property_label(claim.property),
                "citations": [],
                "more": total,
                "total": total,
                "url": "?" + urlencode({"facts": claim.property}) + "#facts",
            }
        group = groups[claim.property]
        citation = cite(claim) | disputed_mark(claim)
        citation["item"] = profile_fact_item(citation)
        group["citations"].append(citation)
        group["more"] -= 1
    return list(groups.values())


def outlet_names(claims):
    """The outlets that printed `claims`, each once, in the order they first appear."""
    return list(dict.fromkeys(claim.article.outlet.name for claim in claims))


def _names_text(names):
    if len(names) <= 1:
        return "".join(names)
    return gettext("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def right_version_text(dispute):
    """Who printed the version a verdict of one version right found right."""
    right = [version for version in dispute.versions if version.found_right]
    if len(right) != 1:
        return VERDICT_TEXT[Contradiction.Verdict.ONE_RIGHT]
    names = outlet_names(right[0].claims)
    if len(names) == 1:
        return gettext("%(outlet)s's version was found right.") % {"outlet": names[0]}
    return gettext("The version of %(outlets)s was found right.") % {"outlets": _names_text(names)}


def _verdict_said(dispute):
    if dispute.verdict == Contradiction.Verdict.ONE_RIGHT:
        return right_version_text(dispute)
    return VERDICT_TEXT.get(dispute.verdict, dispute.get_verdict_display())


def verdict_text(dispute):
    """The outcome of a dispute in a reader's words: the verdict, or that it is under review
    (the earlier verdict is `earlier_verdict`'s)."""
    if dispute.status == Contradiction.Status.OPEN:
        if dispute.is_reopened:
            return gettext("The editors have not yet decided again which version holds.")
        return gettext("The editors have not yet decided which version holds.")
    return _verdict_said(dispute)


def dispute_state(dispute):
    """The state of a dispute's outcome: "resolved", "open", or "reopened" (open again since
    its verdict)."""
    if dispute.status == Contradiction.Status.RESOLVED:
        return "resolved"
    return "reopened" if dispute.is_reopened else "open"


def state_heading(dispute):
    """The words that head a dispute's outcome."""
    state = dispute_state(dispute)
    if state == "resolved":
        return gettext("Verdict:")
    if state == "open":
        return gettext("Open: under review.")
    if any(version.new for version in dispute.versions):
        return gettext("Reopened: a new version since the verdict.")
    return gettext("Reopened: under review again.")


def property_label(value):
    return PROPERTY_LABELS.get(value, value)


def question_label(dispute):
    """What a dispute is about: its property, and for a status the date in question."""
    label = property_label(dispute.property)
    if not dispute.on_date:
        return label
    try:
        on = PartialDate.parse_iso(dispute.on_date).display()
    except PartialDateError:  # "undated": statuses printed with no date
        return gettext("%(property)s (undated)") % {"property": label}
    return gettext("%(property)s on %(date)s") % {"property": label, "date": on}


def version_view(version, cite=None, *, own_outlet=None):
    """A version as shown: the values as printed, the outlets that printed them, each claim
    as a citation (with `cite`), and what the verdict found of it."""
    values = []
    for claim in version.claims:
        if claim.value not in {value["value"] for value in values}:
            lang = article_lang(claim.article, claim.value) if has_han(claim.value) else ""
            values.append({"value": claim.value, "lang": lang})
    names = outlet_names(version.claims)
    others = outlet_names(
        [claim for claim in version.claims if claim.article.outlet_id != own_outlet]
    )
    return {
        "group": version.group,
        "values": values,
        "outlets": names,
        "outlets_text": _names_text(names),
        # With `own_outlet`: whether it printed this version, and who else did.
        "own": len(others) < len(names),
        "others_text": _names_text(others),
        "found_wrong": version.found_wrong,
        "found_right": version.found_right,
        "new": version.new,
        "citations": [cite(claim) for claim in version.claims] if cite is not None else [],
    }


def dispute_view(dispute, cite=None, *, own_outlet=None):
    """A dispute shown once: each of its versions (with its citations, given `cite`) and what
    the verdict found of it, and the verdict with its note (or that it is under review, with
    the earlier verdict when a new version reopened it). `own_outlet` (an outlet's id) marks
    the versions that outlet printed (`own`)."""
    reopened = dispute.is_reopened
    return {
        "id": dispute.pk,
        "anchor": dispute_anchor(dispute.pk),
        "property": question_label(dispute),
        "versions": [
            version_view(version, cite, own_outlet=own_outlet) for version in dispute.versions
        ],
        "state": dispute_state(dispute),
        "heading": state_heading(dispute),
        "open": dispute.status == Contradiction.Status.OPEN,
        "verdict": verdict_text(dispute),
        "note": dispute.verdict_note if dispute.status == Contradiction.Status.RESOLVED else "",
        "earlier_verdict": _verdict_said(dispute) if reopened else "",
        "earlier_note": dispute.verdict_note if reopened else "",
    }
