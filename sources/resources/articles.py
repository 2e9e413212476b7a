"""The article sheet: one article per row, its text in a column.

Rows go through `sources.importing.ArticleImport`, the import behind `import_articles`: the
text is normalized the same way, an article already stored (same URL, or same outlet and
title) is never duplicated, and a changed text becomes a new version whose passages are
re-anchored. As with `import_articles`, the other fields of a stored article stay as the
editors keep them. The outlet must exist (import the outlet sheet first): an unknown outlet
is a problem that names the closest ones.
"""

import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sources.dates import PartialDate, PartialDateError
from sources.importing import ArticleEntry, ArticleImport, ImportFailed
from sources.models import Article, Outlet
from sources.services.articles import outlet_key, outlets_named
from sources.text import normalize_line

from .base import NEW, SKIP, UPDATE, Column, SheetResource, change, did_you_mean
from .outlets import check_language

# Characters shown before the first difference of a changed text.
_CONTEXT = 20
_LABEL = re.compile(r"^row (\d+): (?:(\w+): )?(.*)$", re.S)
_OUTCOMES = {"created": NEW, "changed": UPDATE, "unchanged": SKIP}
_SUMMARIES = {
    "created": _("creates the article (text version 1)"),
    "changed": _("keeps the old text as a version and re-anchors its passages"),
    "unchanged": _("unchanged"),
}


class ArticleResource(SheetResource):
    """Articles with their text; see the module docstring."""

    columns = [
        Column("outlet", ("媒体", "来源"), _("the outlet's name, as in the outlet sheet")),
        Column("title", ("标题",)),
        Column("url", ("链接", "网址")),
        Column("published_on", ("published", "date", "发表日期", "日期"), _("2011-11-08, 2011-11")),
        Column("byline", ("作者",)),
        Column("language", ("语言",), _("BCP 47: en, zh-Hans")),
        Column(
            "text", ("正文", "全文"), _("the article's text; paragraphs separated by blank lines")
        ),
    ]
    required = [("outlet",), ("title",), ("text",)]

    class Meta:
        model = Article
        fields = ()
        name = _("Articles")

    def import_data(self, dataset, *args, **kwargs):
        self.file_name = kwargs.get("file_name") or getattr(dataset, "name", "") or "sheet"
        return super().import_data(dataset, *args, **kwargs)

    def import_rows(self, rows, *, report, user, dry_run):
        importer = ArticleImport(acting_user=user)
        outlets = outlets_named([row["outlet"] for row in rows])
        all_outlets = None
        for row in rows:
            entry = self._entry(row, report)
            if entry is None:
                continue
            if outlet_key(entry.outlet) not in outlets:
                if all_outlets is None:
                    all_outlets = list(Outlet.objects.values_list("name", flat=True))
                hint = did_you_mean(entry.outlet, all_outlets)
                report.problem(
                    row,
                    "outlet",
                    gettext(
                        "no outlet is called “%(outlet)s” (import it with the outlet sheet "
                        "first)%(hint)s"
                    )
                    % {"outlet": entry.outlet, "hint": hint},
                )
                continue
            importer.add_entry(entry)
        if not importer.entries:
            return
        try:
            result = importer.run(dry_run=dry_run or bool(report.problems))
        except ImportFailed as failed:
            for problem in failed.problems:
                self._report_failure(problem, report)
            return
        by_kind = {
            "created": iter(result.created),
            "changed": iter(result.changed),
            "unchanged": iter(result.unchanged),
        }
        numbers = {f"row {row.number}": row for row in rows}
        for outcome, label, _title in result.outcomes:
            article = next(by_kind[outcome])
            summary = str(_SUMMARIES[outcome])
            if outcome == "changed":
                summary = _text_change(result, article, summary)
            report.outcome(numbers[label], _OUTCOMES[outcome], summary, article)

    def _entry(self, row, report):
        problems = len(report.problems)
        for name in ("outlet", "title", "text"):
            if not normalize_line(row[name]):
                report.problem(
                    row, name, gettext("an article needs its %(column)s") % {"column": name}
                )
        published = None
        if row["published_on"]:
            try:
                published = PartialDate.parse(row["published_on"])
            except PartialDateError as error:
                report.problem(
                    row,
                    "published_on",
                    gettext("%(error)s; write YYYY, YYYY-MM or YYYY-MM-DD") % {"error": error},
                )
        url = row["url"].strip()
        if url:
            try:
                URLValidator()(url)
            except ValidationError:
                report.problem(row, "url", gettext("“%(url)s” is not a web address") % {"url": url})
        try:
            check_language(row["language"])
        except ValueError as error:
            report.problem(row, "language", str(error))
        if len(report.problems) > problems:
            return None
        return ArticleEntry(
            path=Path(self.file_name),
            label=f"row {row.number}",
            outlet=normalize_line(row["outlet"]),
            title=normalize_line(row["title"]),
            url=url,
            published=published,
            byline=normalize_line(row["byline"]),
            language=row["language"],
            text=row["text"],
        )

    def _report_failure(self, problem, report):
        match = _LABEL.match(problem)
        if match is None:
            report.problem(1, "", problem)
            return
        number, column, message = match.groups()
        if column not in {column.name for column in self.columns}:
            column, message = "", f"{column}: {message}" if column else message
        report.problem(int(number), column, message)

    def export_records(self, queryset):
        articles = queryset.select_related("outlet").order_by("outlet__name", "title", "pk")
        for article in articles.iterator(chunk_size=500):
            published = article.published
            yield {
                "outlet": article.outlet.name,
                "title": article.title,
                "url": article.url,
                "published_on": published.isoformat() if published else "",
                "byline": article.byline,
                "language": article.language,
                "text": article.source_text or article.text,
            }


def _text_change(result, article, summary):
    """The summary of a changed text: where it first differs, old → new, and its passages."""
    old, new = result.text_changes[article.pk]
    start = next(
        (index for index, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
        min(len(old), len(new)),
    )
    # A few words before the first difference, from a word's start, to find the place by.
    begin = max(0, start - _CONTEXT)
    if begin:
        space = old.find(" ", begin, start)
        begin = space + 1 if space != -1 else begin
    lead = "…" if begin else ""
    said = change("text", lead + old[begin:], lead + new[begin:])
    reanchoring = result.reanchoring.get(article.pk)
    if reanchoring is None:
        return f"{said}; {summary}"
    return f"{said}; {summary} ({reanchoring.describe()})"
