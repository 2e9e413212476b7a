"""Importing article files, all or nothing.

An import gathers entries (from a manifest, from files named on the command line, or built
by a caller such as a demo loader), reads and checks every one of them, collecting every
problem with the file name or manifest row it belongs to, and only then writes, in one
transaction. One problem anywhere and nothing is written.

An article already in the database is recognised by its URL, or else by its outlet and
title when one of the two has no URL (two pieces with the same headline at different
addresses are different articles). A recognised article is never duplicated: when its text
changed, the new text is applied through `article_set_text` (a new version is kept and its
passages re-anchor); its other fields are left as the editors keep them.

Queries do not grow with the number of articles: existing outlets are found in one query
and the missing ones created in one insert, existing articles are looked up with one query
per batch for URLs and one for outlets and titles, and new articles and their versions are
inserted in batches.

After a run that changed texts, `ImportResult.reanchoring` says, for each changed article,
how its passages came out: still anchored (exact or relocated), awaiting an editor (fuzzy)
and orphaned, counted in one query over the changed articles. Apps that build on passages
add to it through `register_reimport_reporter`: the elections app registers the count of
verified facts whose passage is now fuzzy or orphaned (withdrawn pending review). The
callback is how that count reaches this report without the sources app importing elections.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from sources.audit import unit_of_work
from sources.dates import PartialDate, PartialDateError
from sources.extract import ExtractionError, decode_bytes, extract_file, extract_text
from sources.models import AnchorStatus, Article, ArticleVersion, Passage
from sources.services.archives import archived_copy_keep
from sources.services.articles import (
    BATCH_SIZE,
    article_clean_for_batch,
    articles_bulk_create,
    outlet_key,
    outlets_for_names,
    outlets_named,
)
from sources.services.revisions import article_set_text
from sources.text import normalize_line

# Problems and summaries are shown to importers: translated when they are written, in the
# language active then (a request's; a command's or a task's is English). A task keeps them
# in its result in that language. A problem is "<label>: <reason>", never translated as a
# whole: the article sheet reads the row back from it (resources.articles._LABEL).
MANIFEST_COLUMNS = ("file", "outlet", "title", "url", "published_on", "byline", "language")
# The values an entry may take from the command line (or a caller) when its source is silent.
DEFAULT_FIELDS = ("outlet", "title", "url", "published", "byline", "language")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_LOOKUP_FIELDS = ("id", "url", "outlet_id", "title", "source_text", "text", "version")


# Callables taking `article_ids` (of articles whose text an import is about to change),
# called before the change, each returning a callable that, called after it, returns
# {article id: [phrase, ...]}, each phrase added to that article's report.
_REIMPORT_REPORTERS = []


def register_reimport_reporter(reporter):
    """Add `reporter` to what every re-import reports (once, however often registered)."""
    if reporter not in _REIMPORT_REPORTERS:
        _REIMPORT_REPORTERS.append(reporter)
    return reporter


@dataclass
class Reanchoring:
    """How the passages of one article came out of its new text, and what other apps add."""

    exact: int = 0
    relocated: int = 0
    fuzzy: int = 0
    orphaned: int = 0
    more: list = field(default_factory=list)

    @property
    def anchored(self):
        return self.exact + self.relocated

    def describe(self):
        """`passages: 3 still anchored (2 exact, 1 relocated), 1 awaiting …; …`."""
        text = _(
            "passages: %(anchored)s still anchored (%(exact)s exact, "
            "%(relocated)s relocated), %(fuzzy)s awaiting an editor (fuzzy), "
            "%(orphaned)s orphaned"
        ) % {
            "anchored": self.anchored,
            "exact": self.exact,
            "relocated": self.relocated,
            "fuzzy": self.fuzzy,
            "orphaned": self.orphaned,
        }
        return "; ".join([text, *self.more])


def reanchoring_of(article_ids, *, reported=()):
    """{article id: Reanchoring} for `article_ids`, read after their texts changed.

    `reported` holds what the registered reporters returned before the change; each is
    called now for its phrases.
    """
    found = {pk: Reanchoring() for pk in article_ids}
    if not found:
        return found
    counts = (
        Passage.objects.filter(article_id__in=found)
        .values_list("article_id", "anchor_status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for article_id, status, count in counts:
        if status in (AnchorStatus.EXACT, AnchorStatus.RELOCATED, AnchorStatus.FUZZY):
            setattr(found[article_id], status, count)
        else:
            found[article_id].orphaned += count
    for finish in reported:
        for article_id, phrases in finish().items():
            if article_id in found:
                found[article_id].more.extend(phrases)
    return found


class ImportFailed(Exception):
    """An import that wrote nothing; `problems` holds one line per problem found."""

    def __init__(self, problems):
        self.problems = list(problems)
        count = len(self.problems)
        heading = f"nothing was imported: {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n".join([heading, *(f"  {problem}" for problem in self.problems)]))


@dataclass
class ArticleEntry:
    """One article to import: where its text comes from, and what is known about it.

    `label` names the entry in messages (a file name, or a manifest row). Empty values are
    filled from the file's own metadata (HTML meta tags, Markdown front matter), then from
    the import's defaults. `text`, when given, is used as plain text instead of reading
    `path`; `data`, when given, is read as the file's bytes would be (an upload).
    """

    path: Path
    label: str
    outlet: str = ""
    title: str = ""
    url: str = ""
    published: PartialDate | None = None
    byline: str = ""
    language: str = ""
    text: str | None = None
    # The file's bytes when it was uploaded rather than read from `path` (the admin's
    # intake), and the format it was given as (pasted HTML, say); None: found from the bytes.
    data: bytes | None = None
    source_format: str | None = None
    # The page as fetched from its address (`sources.fetching.Fetched`), kept as the
    # article's archived copy when the import writes.
    archive: object = None

    def __post_init__(self):
        self.path = Path(self.path)


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do), article by article."""

    created: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    dry_run: bool = False
    outcomes: list = field(default_factory=list)
    # {article id: Reanchoring} of each changed article (none on a dry run).
    reanchoring: dict = field(default_factory=dict)
    # {article id: (its text before, the text imported)}, of each changed article.
    text_changes: dict = field(default_factory=dict)

    def summary(self):
        counts = {
            "created": len(self.created),
            "changed": len(self.changed),
            "unchanged": len(self.unchanged),
        }
        if self.dry_run:
            return (
                _(
                    "Dry run, nothing written: %(created)s created, %(changed)s changed, "
                    "%(unchanged)s unchanged."
                )
                % counts
            )
        return (
            _(
                "Imported articles: %(created)s created, %(changed)s changed, "
                "%(unchanged)s unchanged."
            )
            % counts
        )


@dataclass
class _Prepared:
    entry: ArticleEntry
    article: Article
    outlet_name: str
    outlet_key: str
    existing: Article | None = None


def _published(value, *, where, problems):
    if isinstance(value, PartialDate) or value in (None, ""):
        return value or None
    try:
        return PartialDate.parse_iso(value)
    except PartialDateError as error:
        problems.append(f"{where}: {error}")
        return None


class ArticleImport:
    """An all-or-nothing import of article files.

    Add entries with `add_manifest`, `add_files` or `add_entry`, then call `run`, which
    returns an ImportResult or raises ImportFailed listing every problem (nothing written).
    `progress(done, total)` is called after each file is read.
    """

    def __init__(self, *, acting_user, encoding=None, progress=None):
        self.encoding = encoding or None
        self.acting_user = acting_user
        self.progress = progress
        self.entries = []
        self.problems = []

    def defaults(self, **values):
        """Check command-line defaults (DEFAULT_FIELDS); return them, `published` parsed."""
        values = {key: value for key, value in values.items() if value not in (None, "")}
        if "published" in values:
            values["published"] = _published(
                values["published"], where="--published", problems=self.problems
            )
        return values

    def add_entry(self, entry):
        self.entries.append(entry)

    def add_files(self, paths, *, defaults=None):
        """Add one entry per file path; `defaults` (see `defaults`) supply the metadata."""
        defaults = defaults or {}
        for path in paths:
            self.add_entry(ArticleEntry(path=Path(path), label=str(path), **defaults))

    def add_manifest(self, path, *, defaults=None, only=()):
        """Add an entry per row of the CSV manifest at `path`.

        The columns are MANIFEST_COLUMNS (any order, any case; `file` required); file names
        are relative to the manifest's folder; `published_on` is `YYYY[-MM[-DD]]`. Empty
        cells take `defaults`. With `only`, just the rows naming those files are added, and a
        file the manifest does not list is a problem. Rows are numbered as a spreadsheet
        shows them, the header being row 1.
        """
        path = Path(path)
        defaults = defaults or {}
        try:
            text, _encoding = decode_bytes(path.read_bytes(), name=str(path))
        except OSError as error:
            self.problems.append(
                _("%(path)s: the manifest cannot be read (%(error)s)")
                % {"path": path, "error": error.strerror}
            )
            return
        except ExtractionError as error:
            self.problems.append(
                _("%(name)s: the manifest %(reason)s")
                % {"name": error.name, "reason": error.reason}
            )
            return
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as error:
            self.problems.append(
                _("%(path)s: not a CSV file (%(error)s)") % {"path": path, "error": error}
            )
            return
        header = [cell.strip().lower() for cell in rows[0]] if rows else []
        if not self._manifest_header_ok(path, header):
            return
        wanted, found = {Path(name).resolve(): str(name) for name in only}, set()
        for number, row in enumerate(rows[1:], start=2):
            values = dict(zip(header, (cell.strip() for cell in row), strict=False))
            resolved = (path.parent / values.get("file", "")).resolve()
            if not any(cell.strip() for cell in row) or (wanted and resolved not in wanted):
                continue
            found.add(resolved)
            entry = self._manifest_entry(path, number, header, row, values, defaults)
            if entry is not None:
                self.add_entry(entry)
        for resolved, name in wanted.items():
            if resolved not in found:
                self.problems.append(
                    _("%(name)s: not listed in the manifest %(path)s")
                    % {"name": name, "path": path}
                )

    def _manifest_header_ok(self, path, header):
        problems = []
        if "file" not in header:
            problems.append(_("%(path)s: the manifest has no 'file' column") % {"path": path})
        known = ", ".join(MANIFEST_COLUMNS)
        for column in dict.fromkeys(header):
            if column not in MANIFEST_COLUMNS:
                problems.append(
                    _("%(path)s: unknown column %(column)s (the columns are %(known)s)")
                    % {"path": path, "column": repr(column), "known": known}
                )
            elif header.count(column) > 1:
                problems.append(
                    _("%(path)s: the column %(column)s appears more than once")
                    % {"path": path, "column": repr(column)}
                )
        self.problems.extend(problems)
        return not problems

    def _manifest_entry(self, path, number, header, row, values, defaults):
        name = path.name
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            self.problems.append(
                _("%(name)s row %(number)s: %(cells)s cells, but the header has %(header)s")
                % {"name": name, "number": number, "cells": len(row), "header": len(header)}
            )
            return None
        file_name = values.get("file", "")
        if not file_name:
            self.problems.append(
                _("%(name)s row %(number)s: no file named in the 'file' column")
                % {"name": name, "number": number}
            )
            return None
        where = _("%(name)s row %(number)s (%(file)s)") % {
            "name": name,
            "number": number,
            "file": file_name,
        }
        published = _published(
            values.get("published_on", ""), where=f"{where}: published_on", problems=self.problems
        )
        entry = ArticleEntry(
            path=path.parent / file_name,
            label=where,
            outlet=values.get("outlet", ""),
            title=values.get("title", ""),
            url=values.get("url", ""),
            published=published,
            byline=values.get("byline", ""),
            language=values.get("language", ""),
        )
        for key, value in defaults.items():
            if not getattr(entry, key):
                setattr(entry, key, value)
        return entry

    def _prepare(self, entry):
        """Read and check one entry; return a _Prepared, or None after noting problems."""
        try:
            if entry.data is not None:
                extracted = extract_text(
                    entry.data,
                    name=entry.label,
                    encoding=self.encoding,
                    source_format=entry.source_format,
                )
            elif entry.text is not None:
                extracted = extract_text(
                    entry.text.encode("utf-8"), name=entry.label, source_format="text"
                )
            else:
                extracted = extract_file(entry.path, encoding=self.encoding, name=entry.label)
        except ExtractionError as error:
            self.problems.append(f"{entry.label}: {error.reason}")
            return None
        outlet = normalize_line(entry.outlet or extracted.outlet)
        title = normalize_line(entry.title or extracted.title)
        language = (entry.language or extracted.language).strip()
        missing = [
            message
            for message, value in (
                (_("no outlet (give it in the manifest or with --outlet)"), outlet),
                (_("no title (give it in the manifest or with --title)"), title),
            )
            if not value
        ]
        if language and not _LANGUAGE.fullmatch(language):
            missing.append(
                _("language %(language)s is not a BCP 47 code such as en or zh-Hans")
                % {"language": repr(language)}
            )
        article = Article(
            title=title,
            url=(entry.url or extracted.url).strip(),
            byline=normalize_line(entry.byline or extracted.byline),
            language=language,
            source_format=extracted.source_format,
            source_name=entry.path.name[:300],
            text=extracted.text,
            source_text=extracted.text,
        )
        article.published = entry.published or extracted.published
        try:
            article_clean_for_batch(article)
        except ValidationError as error:
            missing.extend(
                f"{name}: {' '.join(messages)}"
                for name, messages in error.message_dict.items()
                if not (name == "title" and not title)
            )
        for problem in missing:
            self.problems.append(f"{entry.label}: {problem}")
        return None if missing else _Prepared(entry, article, outlet, outlet_key(outlet))

    def _check_repeats(self, prepared):
        """Two entries of one run that would be the same article are a problem."""
        by_url, by_outlet_title = {}, {}
        for item in prepared:
            url = item.article.url
            if url:
                first = by_url.setdefault(url, item)
                if first is not item:
                    self.problems.append(
                        _("%(label)s: the same URL as %(first)s")
                        % {"label": item.entry.label, "first": first.entry.label}
                    )
                    continue
            key = (item.outlet_key, item.article.title)
            first = by_outlet_title.setdefault(key, item)
            if first is not item and not (url and first.article.url):
                self.problems.append(
                    _("%(label)s: the same outlet and title as %(first)s")
                    % {"label": item.entry.label, "first": first.entry.label}
                )

    def _find_existing(self, prepared, outlets):
        """Match entries to articles already stored: one query per batch for each key."""
        claimed = {}
        for start in range(0, len(prepared), BATCH_SIZE):
            batch = prepared[start : start + BATCH_SIZE]
            urls = {item.article.url for item in batch if item.article.url}
            by_url = {}
            if urls:
                for article in Article.objects.filter(url__in=urls).only(*_LOOKUP_FIELDS):
                    by_url[article.url] = article
            titles = {}
            for item in batch:
                outlet = outlets.get(item.outlet_key)
                if outlet is not None:
                    titles.setdefault(outlet.pk, set()).add(item.article.title)
            by_outlet_title = {}
            if titles:
                query = Q()
                for outlet_pk, outlet_titles in titles.items():
                    query |= Q(outlet_id=outlet_pk, title__in=outlet_titles)
                for article in Article.objects.filter(query).only(*_LOOKUP_FIELDS).order_by("pk"):
                    by_outlet_title.setdefault((article.outlet_id, article.title), []).append(
                        article
                    )
            for item in batch:
                item.existing = self._match(item, outlets, by_url, by_outlet_title)
                if item.existing is None:
                    continue
                first = claimed.setdefault(item.existing.pk, item)
                if first is not item:
                    self.problems.append(
                        _("%(label)s: the same stored article as %(first)s")
                        % {"label": item.entry.label, "first": first.entry.label}
                    )

    def _match(self, item, outlets, by_url, by_outlet_title):
        url = item.article.url
        if url and url in by_url:
            return by_url[url]
        outlet = outlets.get(item.outlet_key)
        if outlet is None:
            return None
        candidates = [
            article
            for article in by_outlet_title.get((outlet.pk, item.article.title), [])
            if not (url and article.url)
        ]
        if len(candidates) > 1:
            self.problems.append(
                _(
                    "%(label)s: %(count)s stored articles of %(outlet)s have "
                    "this title; give the article's URL to say which"
                )
                % {"label": item.entry.label, "count": len(candidates), "outlet": outlet.name}
            )
            return None
        return candidates[0] if candidates else None

    def run(self, *, dry_run=False):
        """Read, check and (unless `dry_run`) write every entry; see the class docstring."""
        prepared = []
        total = len(self.entries)
        for done, entry in enumerate(self.entries, start=1):
            item = self._prepare(entry)
            if item is not None:
                prepared.append(item)
            if self.progress is not None:
                self.progress(done, total)
        if not self.entries and not self.problems:
            self.problems.append(_("no article files were given"))
        self._check_repeats(prepared)
        with unit_of_work():
            outlets = outlets_named([item.outlet_name for item in prepared])
            self._find_existing(prepared, outlets)
            if self.problems:
                raise ImportFailed(self.problems)
            result = ImportResult(dry_run=dry_run)
            new = [item for item in prepared if item.existing is None]
            if new and not dry_run:
                outlets = outlets_for_names(
                    names=[item.outlet_name for item in new], acting_user=self.acting_user
                )
                for item in new:
                    item.article.outlet = outlets[item.outlet_key]
                # Each article passed article_clean_for_batch when it was prepared.
                articles_bulk_create(
                    articles=[item.article for item in new],
                    acting_user=self.acting_user,
                    cleaned=True,
                )
            reported = []
            if not dry_run:
                # What other apps must see before the texts change (which facts are public).
                changing = [item.existing.pk for item in prepared if self._changes(item)]
                if changing:
                    reported = [reporter(article_ids=changing) for reporter in _REIMPORT_REPORTERS]
            for item in prepared:
                outcome = self._apply(item, result, dry_run=dry_run)
                result.outcomes.append((outcome, item.entry.label, item.article.title))
                if item.entry.archive is not None and not dry_run:
                    archived_copy_keep(
                        article=item.existing or item.article,
                        fetched=item.entry.archive,
                        acting_user=self.acting_user,
                    )
            if not dry_run:
                result.reanchoring = reanchoring_of(
                    [article.pk for article in result.changed], reported=reported
                )
        return result

    @staticmethod
    def _changes(item):
        existing = item.existing
        return existing is not None and item.article.text != (existing.source_text or existing.text)

    def _apply(self, item, result, *, dry_run):
        if item.existing is None:
            result.created.append(item.article)
            return "created"
        existing = item.existing
        # Compared before boilerplate removal, as the file gives it; only a real difference
        # costs the queries of a new version.
        previous = existing.source_text or existing.text
        changed = item.article.text != previous
        if changed and not dry_run:
            changed = article_set_text(
                article=existing,
                text=item.article.text,
                reason=ArticleVersion.Reason.REIMPORT,
                acting_user=self.acting_user,
            )
        if changed:
            result.text_changes[existing.pk] = (previous, item.article.text)
        (result.changed if changed else result.unchanged).append(existing)
        return "changed" if changed else "unchanged"
