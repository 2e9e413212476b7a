"""How the elections admin shows a claim's evidence: its citation and its passage in context.

Article bodies, quotes, names and notes are untrusted text: every piece passes through
`format_html` (which escapes its arguments) or the template engine's autoescaping.
"""

import bisect
import re
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext

from elections.models import Property
from sources.models import AnchorStatus

# Where a sentence ends: Latin stops followed by a space (closing quotes allowed between),
# Chinese stops wherever they are, and line breaks.
_SENTENCE_END = re.compile(
    r"[.!?…]+[\"'”’)\]]*(?=\s|$)\s*"
    r"|[。！？]+[”’」』）)]*\s*"
    r"|\n+"
)
# The most of an article shown on either side of a passage, however long its sentences.
CONTEXT_LIMIT = 600


@dataclass(frozen=True)
class PassageInContext:
    """A passage's words with the text around them; `current` says whether it is the text now."""

    before: str
    words: str
    after: str
    current: bool
    note: str = ""


def sentences_around(text, start, end, *, sentences=2, limit=CONTEXT_LIMIT):
    """(before, words, after): `text[start:end]` with `sentences` whole sentences each side.

    The sentence the passage begins in is shown from its start, the one it ends in to its end,
    and `sentences` more on each side; each side is cut to `limit` characters.
    """
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    earlier = bisect.bisect_right(ends, start)
    begin = ends[earlier - sentences - 1] if earlier > sentences else 0
    later = bisect.bisect_left(ends, end)
    finish = ends[later + sentences] if later + sentences < len(ends) else len(text)
    before, after = text[begin:start].lstrip(), text[end:finish].rstrip()
    if len(before) > limit:
        before = "…" + before[-limit:]
    if len(after) > limit:
        after = after[:limit] + "…"
    return before, text[start:end], after


def passage_in_context(passage, *, article=None, sentences=2):
    """The passage in its article's current text, or as it was quoted when it is not there.

    Reads the text of `article` (by default `passage.article`): load it with its text.
    """
    article = article or passage.article
    text = article.text
    placed = (
        passage.anchor_status in (AnchorStatus.EXACT, AnchorStatus.RELOCATED)
        and passage.anchored_version == article.version
        and 0 <= passage.start < passage.end <= len(text)
    )
    if placed:
        before, words, after = sentences_around(
            text, passage.start, passage.end, sentences=sentences
        )
        return PassageInContext(before, words, after, current=True)
    note = {
        AnchorStatus.FUZZY: gettext(
            "The article's text changed; an editor has yet to confirm where "
            "these words are now. As quoted:"
        ),
        AnchorStatus.ORPHANED: gettext(
            "The article's text changed and these words were not found again. As quoted:"
        ),
    }.get(passage.anchor_status, gettext("As quoted:"))
    return PassageInContext(passage.prefix, passage.exact, passage.suffix, current=False, note=note)


def quote_html(passage):
    """The quoted words with the few characters of context stored beside them."""
    return format_html(
        '<span class="sb-quote">…{}<mark>{}</mark>{}…</span>',
        passage.prefix,
        passage.exact,
        passage.suffix,
    )


def article_date(article):
    published = article.published
    return published.display() if published else gettext("date unknown")


def citation_html(claim, *, quote=True):
    """Outlet, date, the quoted passage and links to the original and to the article's record.

    Needs `claim.article.outlet`, and `claim.passage` unless `quote` is False.
    """
    article = claim.article
    change = reverse("admin:sources_article_change", args=[article.pk])
    original = (
        format_html(
            ' · <a href="{}" rel="noopener noreferrer" target="_blank">{}</a>',
            article.url,
            gettext("original"),
        )
        if article.url
        else ""
    )
    return format_html(
        '<div class="sb-citation"><span class="sb-citation-source">{}, {}</span> '
        '<a href="{}">“{}”</a>{}{}</div>',
        article.outlet.name,
        article_date(article),
        change,
        article.title,
        original,
        format_html("<br>{}", quote_html(claim.passage)) if quote else "",
    )


def choice_label(choices, value):
    """`value`'s label among `choices` (a `TextChoices`), or `value` when it is none of them:
    what `get_FOO_display()` gives, without the dict of every choice (each label hashed as a
    lazy translation) that Django builds again on each call, hundreds of times a list page."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def claim_label(claim):
    """The claim as `str(claim)` reads ("Liu Ping: age = 27"), its property's label read by
    `choice_label`; needs `claim.candidate`."""
    return (
        f"{claim.candidate.display_name}: {choice_label(Property, claim.property)} = {claim.value}"
    )


def marker(text, kind, title=""):
    """A short badge (`disputed`, `overruled`, a state) that is readable without colour."""
    return format_html('<span class="sb-badge sb-badge-{}" title="{}">{}</span>', kind, title, text)


def state_badge(claim):
    return marker(choice_label(claim.State, claim.state), claim.state)


PLACE_KEY = "place:"


def read_keys(claims):
    """Give each of `claims` its `readable_key`: its normalized key in words, the places a
    place key names by their names ("Hangzhou (杭州市)") rather than their ids, read in one
    query for all of them. Editors never see an internal code such as "place:118"."""
    from elections.models import Place

    claims = list(claims)
    wanted = {
        int(part)
        for claim in claims
        if claim.value_key.startswith(PLACE_KEY)
        for part in claim.value_key[len(PLACE_KEY) :].split(",")
        if part.isdigit()
    }
    places = Place.objects.only("name", "name_zh").in_bulk(wanted) if wanted else {}
    between = pgettext("between alternatives", " or ")
    for claim in claims:
        key = claim.value_key
        if key.startswith(PLACE_KEY):
            ids = [int(part) for part in key[len(PLACE_KEY) :].split(",") if part.isdigit()]
            key = between.join(str(places[pk]) for pk in ids if pk in places) or claim.value
        claim.readable_key = key
    return claims


def readable_key(claim):
    """`claim`'s normalized key in words (see `read_keys`; read alone when not read yet)."""
    if not hasattr(claim, "readable_key"):
        read_keys([claim])
    return claim.readable_key
