"""The rows of an outlet's page and an article's page as HTML, written once per row.

These pages list many facts (an outlet's page up to 200, an article's page 50); a template's
loop with its lookups and conditions for each cost more than the rest of the page, so each
fact's list item is written here, as `display.Citations` writes a citation. Every text is
escaped as a template would escape it (`html.escape`, which Django's `escape` calls, here
without its check for lazy strings on each call); the translations are trusted, as a
template's are.
"""

from html import escape as _escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext


def escape(text):
    """`text` escaped for HTML, as Django's `escape` does (a lazy translation made a string)."""
    return _escape(str(text))


def _capfirst(text):
    text = str(text)
    return text[:1].upper() + text[1:]


def _lang(lang):
    return f' lang="{escape(lang)}"' if lang else ""


def _fact_marks(citation):
    """What follows a fact's value, on an outlet's page and a profile alike: its date when
    an editor set it, and whether it is disputed (with a link to the dispute); escaped."""
    as_of = citation["as_of"]
    as_of = (
        f' <span class="muted">{gettext("(as of %(date)s)") % {"date": escape(as_of)}}</span>'
        if as_of
        else ""
    )
    disputed = (
        f' <a class="badge badge--disputed" href="{escape(citation["dispute_url"])}">'
        f"{gettext('disputed')}</a>"
        if citation["disputed"]
        else ""
    )
    return as_of + disputed


def fact_item(citation):
    """A fact of an outlet's page as a list item: the value as printed, its date when an
    editor set it, whether it is disputed (with a link to the dispute) and its citation;
    `citation` is `Citations`' with `disputed_mark`'s keys."""
    marks = _fact_marks(citation)
    return mark_safe(  # every text in it is escaped above; `html` is a citation's markup
        '<li class="fact">\n'
        f'        <p class="fact__value">{escape(_capfirst(citation["property"]))}: '
        f"<strong{_lang(citation['value_lang'])}>{escape(citation['value'])}</strong>"
        f"{marks}</p>\n"
        f"        {citation['html']}\n"
        "      </li>"
    )


def profile_fact_item(citation):
    """A fact of a profile as a list item: the value as printed, its date when an editor set
    it, whether it is disputed (with a link to the dispute) and its citation; `citation` is
    `Citations`' with `disputed_mark`'s keys. Written here as the profile's template wrote
    it, once per fact."""
    marks = _fact_marks(citation)
    return mark_safe(  # every text in it is escaped above; `html` is a citation's markup
        f'<li class="fact" id="claim-{escape(citation["id"])}">\n'
        f'        <p class="fact__value"><strong{_lang(citation["value_lang"])}>'
        f"{escape(citation['value'])}</strong>{marks}</p>\n"
        f"        {citation['html']}\n"
        "      </li>"
    )


def _candidate_link(candidate):
    """A candidate's name linking to their profile, with the Chinese name after it."""
    name_zh = (
        f' <span lang="{escape(candidate["name_zh_lang"])}">{escape(candidate["name_zh"])}</span>'
        if candidate["name_zh"]
        else ""
    )
    return (
        f'<a href="{escape(candidate["url"])}"><span{_lang(candidate["name_lang"])}>'
        f"{escape(candidate['name'])}</span></a>{name_zh}"
    )


def report_block(candidate, facts, more):
    """What an outlet reported about one candidate, as its page shows it: the candidate
    (`candidate_row_short`), the facts (`fact_item`s) and a link to the profile for the
    `more` it reported."""
    more_link = ""
    if more:
        words = ngettext(
            '%(counter)s more fact from it<span class="visually-hidden"> about %(name)s</span>'
            ", on the profile",
            '%(counter)s more facts from it<span class="visually-hidden"> about %(name)s</span>'
            ", on the profile",
            more,
        ) % {"counter": more, "name": escape(candidate["name"])}
        more_link = f'<p class="report__more"><a href="{escape(candidate["url"])}">{words}</a></p>'
    items = "".join(f"\n      {fact}\n      " for fact in facts)
    return mark_safe(  # every text in it is escaped; `facts` are `fact_item`s
        '<div class="report">\n'
        f"    <h3>{_candidate_link(candidate)}</h3>\n"
        '    <ul class="facts">\n'
        f"      {items}\n"
        "    </ul>\n"
        f"    {more_link}\n"
        "  </div>"
    )


def _version_item(version):
    """A version of a dispute on an outlet's page (`display.version_view`, with `own`)."""
    if version["own"]:
        printed = gettext("It printed")
    else:
        printed = gettext("%(outlets)s printed") % {"outlets": escape(version["outlets_text"])}
    values = " / ".join(
        f"<strong{_lang(value['lang'])}>{escape(value['value'])}</strong>"
        for value in version["values"]
    )
    others = (
        gettext(", as did %(others)s") % {"others": escape(version["others_text"])}
        if version["own"] and version["others_text"]
        else ""
    )
    if version["found_wrong"]:
        badge = f' <span class="badge badge--wrong">{gettext("found wrong")}</span>'
    elif version["found_right"]:
        badge = f' <span class="badge badge--right">{gettext("found right")}</span>'
    else:
        badge = ""
    if version["new"]:
        badge += f' <span class="badge badge--new">{gettext("new since the verdict")}</span>'
    own = ' class="versions__own"' if version["own"] else ""
    return f"<li{own}>{printed} {values}{others}{badge}</li>"


def dispute_item(dispute):
    """A dispute an outlet took part in, as its page shows it: the candidate and question,
    each version (its own marked) and the verdict, with a link to the dispute on the
    profile; `dispute` is `display.dispute_view`'s with `candidate` and `url`."""
    note = f" {escape(dispute['note'])}" if dispute["note"] else ""
    earlier = ""
    if dispute["earlier_verdict"]:
        earlier = " " + gettext("The earlier verdict: %(verdict)s") % {
            "verdict": escape(dispute["earlier_verdict"])
        }
        if dispute["earlier_note"]:
            earlier += f" {escape(dispute['earlier_note'])}"
    sources = gettext(
        'Every version with its sources<span class="visually-hidden"> for %(name)s</span>'
    ) % {"name": escape(dispute["candidate"]["name"])}
    versions = "".join(
        f"\n        {_version_item(version)}\n        " for version in dispute["versions"]
    )
    open_ = " verdict--open" if dispute["open"] else ""
    return mark_safe(  # every text in it is escaped above; the translations are trusted
        '<li class="contradiction">\n'
        f"      <h3>{_candidate_link(dispute['candidate'])}: {escape(dispute['property'])}</h3>\n"
        '      <ul class="versions">\n'
        f"        {versions}\n"
        "      </ul>\n"
        f'      <p class="verdict{open_}"><strong>{escape(dispute["heading"])}</strong> '
        f"{escape(dispute['verdict'])}{note}{earlier} "
        f'<a href="{escape(dispute["url"])}">{sources}</a></p>\n'
        "    </li>"
    )
