"""Bar charts drawn on the server as SVG: readable without JavaScript, styled by site.css.

A chart is an image with a title and a description (`<title>`, `<desc>`, referenced by
`aria-labelledby`); the page shows the same figures as a table beside it. Every label is
escaped here, since names of places and statuses come from the database. The SVG carries no
`style` attribute, so a Content Security Policy without inline styles lets it through.
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join

# Drawn at about its own size on a phone (340 units across 328 pixels), so that the 14px
# labels of site.css stay readable there.
WIDTH = 340
LABEL_WIDTH = 128
VALUE_WIDTH = 36
ROW_HEIGHT = 30
BAR_HEIGHT = 18
PADDING = 6
LABEL_CHARACTERS = 15


@dataclass(frozen=True)
class Bar:
    """One bar: its label and its value."""

    label: str
    value: int


def _shortened(label):
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def bar_chart(*, bars, title, description, chart_id):
    """An SVG horizontal bar chart of `bars`, titled and described for screen readers.

    `chart_id` makes the ids of the title and the description unique on the page.
    """
    bars = list(bars)
    largest = max((bar.value for bar in bars), default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = PADDING * 2 + ROW_HEIGHT * max(len(bars), 1)
    rows = []
    for index, bar in enumerate(bars):
        top = PADDING + index * ROW_HEIGHT
        length = round(span * bar.value / largest, 1)
        middle = top + ROW_HEIGHT / 2
        rows.append(
            (
                LABEL_WIDTH - 8,
                middle,
                _shortened(bar.label),
                LABEL_WIDTH,
                top + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                length,
                BAR_HEIGHT,
                LABEL_WIDTH + length + 6,
                middle,
                bar.value,
            )
        )
    body = format_html_join(
        "",
        '<g class="chart-row"><text class="chart-label" x="{}" y="{}" text-anchor="end" '
        'dominant-baseline="middle">{}</text>'
        '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" rx="2"></rect>'
        '<text class="chart-value" x="{}" y="{}" dominant-baseline="middle">{}</text></g>',
        rows,
    )
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'role="img" aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        body,
    )
