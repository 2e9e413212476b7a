"""The rows of an outlet's page and an article's page as HTML, written once per row.

These pages list many facts (an outlet's page up to 200, an article's page 50); a template's
loop with its lookups and conditions for each cost more than the rest of the page, so each
fact's list item is written here, as `display.Citations` writes a citation. Every text is
escaped as a template would escape it (`html.escape`, which Django's `escape` calls, here
without its check for lazy strings on each call); the translations are trusted, as a
template's are.
"""

from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext


def _capfirst(text):
    text = str(text)
    return text[:1].upper() + text[1:]


def _lang(lang):
    return f' lang="{escape(lang)}"' if lang else ""


def fact_item(citation):
    """A fact of an outlet's page as a list item: the value as printed, its date when an
    editor set it, whether it is disputed (with a link to the dispute) and its citation;
    `citation` is `Citations`' with `disputed_mark`'s keys."""
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
    return mark_safe(  # every text in it is escaped above; `html` is a citation's markup
        '<li class="fact">\n'
        f'        <p class="fact__value">{escape(_capfirst(citation["property"]))}: '
        f"<strong{_lang(citation['value_lang'])}>{escape(citation['value'])}</strong>"
        f"{as_of}{disputed}</p>\n"
        f"        {citation['html']}\n"
        "      </li>"
    )
