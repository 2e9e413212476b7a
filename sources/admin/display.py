"""HTML and context snippets the annotate view and the passage queue show.

Article bodies and notes are untrusted: every piece of text passes through `escape` or
`format_html`, and pieces are joined with `format_html_join`, which keeps escaped pieces as
they are and escapes anything else.
"""

from collections import defaultdict
from itertools import pairwise

from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext as _

from sources.models import AnchorStatus, Passage

CONTEXT = Passage.CONTEXT


def fits(passage, text):
    """Whether the passage's offsets lie inside `text`."""
    return 0 <= passage.start < passage.end <= len(text)


def context_around(text, start, end, width=CONTEXT):
    """(before, span, after): `text[start:end]` with up to `width` characters on each side."""
    return text[max(0, start - width) : start], text[start:end], text[end : end + width]


def highlighted_text(text, passages, *, focus=None):
    """`text` as HTML with each passage's span in a `<mark>`.

    Overlapping passages cut the text into segments; a segment inside several passages
    carries all their ids in `data-passages`. An empty `<span id="passage-N">` before the
    first segment of each passage makes it a link target without adding any text, so the
    element's text content stays exactly `text` and browser offsets match the server's.
    Passages whose offsets do not fit the text are left out.
    """
    spans = sorted((p for p in passages if fits(p, text)), key=lambda p: (p.start, p.end))
    starting, ending = defaultdict(list), defaultdict(list)
    for passage in spans:
        starting[passage.start].append(passage)
        ending[passage.end].append(passage)
    cuts = sorted({0, len(text), *starting, *ending})
    active = {}
    pieces = []
    for left, right in pairwise(cuts):
        for passage in ending.get(left, ()):
            active.pop(passage.pk, None)
        for passage in starting.get(left, ()):
            active[passage.pk] = passage
            pieces.append(
                format_html('<span class="passage-anchor" id="passage-{}"></span>', passage.pk)
            )
        covering = list(active.values())
        chunk = text[left:right]
        if not covering:
            pieces.append(escape(chunk))
            continue
        classes = ["passage"]
        if any(p.anchor_status == AnchorStatus.FUZZY for p in covering):
            classes.append("passage-fuzzy")
        if len(covering) > 1:
            classes.append("passage-overlap")
        if focus is not None and any(p.pk == focus.pk for p in covering):
            classes.append("passage-focus")
        title = "\n".join(
            _("Passage %(id)s: %(note)s") % {"id": p.pk, "note": p.note}
            if p.note
            else _("Passage %(id)s") % {"id": p.pk}
            for p in covering
        )
        pieces.append(
            format_html(
                '<mark class="{}" data-passages="{}" title="{}">{}</mark>',
                " ".join(classes),
                " ".join(str(p.pk) for p in covering),
                title,
                chunk,
            )
        )
    return format_html_join("", "{}", ((piece,) for piece in pieces))
