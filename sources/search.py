"""Full-text search over articles, Chinese and English alike, on PostgreSQL and SQLite.

Neither database's own word splitting reads Chinese: PostgreSQL's parsers and SQLite's
`unicode61` tokenizer take a run of Han characters as one "word", so a search for 刘萍 would
find nothing in 独立候选人刘萍表示. So the project splits text into search terms itself, the
same way for what is indexed and for what is asked, and lets the database index the terms:

- a run of Han (or kana, or hangul) characters becomes its overlapping pairs of characters,
  the bigrams (刘萍表示 → 刘萍 萍表 表示); a lone character stays a term of its own;
- any other run of letters and digits is a word, folded by NFKC and case (Ｌｉｕ → liu).

`Article.search_terms` holds the terms of the title, byline, address and text, in order,
separated by spaces (kept up to date by `Article.save()` and the batch insert). A query is
split the same way: each of its words must appear, and the terms of a word must appear side
by side, as a phrase (刘萍 asks for the bigram 刘萍; 独立候选人 for 独立 立候 候选 选人 in a row).

- PostgreSQL: a GIN index on `to_tsvector('simple', search_terms)` (migration 0009); the
  query is a `phraseto_tsquery` per word, joined by AND, ranked by `ts_rank`.
- SQLite: an FTS5 table over the same column (`sources_article_fts`, external content, kept
  by triggers that `ensure_sqlite_index` installs after every migrate), ranked by bm25.

Either way a query reads the index, not every article: its cost grows with the number of
matches, not of articles (measured by `make bench`, "article_search"). Highlighting is done
in Python on the few articles shown (`highlights`): each word of the query is found in the
text, whatever its case or width, and a few short excerpts around the first matches are
returned with the matching words marked.

What is searched is decided by the caller: the admin searches every article, the public
site only articles a public claim cites (`elections.public`).
"""

# The statements here are built from the constants below and the model's table name, never
# from input (queries reach SQL only as parameters).
# ruff: noqa: S608, S611

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, FloatField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Han ideographs (with extensions and compatibility forms), kana and hangul: scripts written
# without spaces between words.
_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003134f"  # CJK extensions B to G
)
_RUN = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")
# A query longer than this is cut: nobody types more, and each word costs a phrase.
MAX_QUERY_WORDS = 12
MAX_QUERY_CHARS = 200


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _terms_of_run(cjk: str | None, word: str | None) -> list[str]:
    if cjk:
        if len(cjk) == 1:
            return [cjk]
        return [cjk[index : index + 2] for index in range(len(cjk) - 1)]
    return [word] if word else []


def terms(text: str) -> list[str]:
    """The search terms of `text`, in order."""
    found: list[str] = []
    for match in _RUN.finditer(_fold(text)):
        found.extend(_terms_of_run(match.group(1), match.group(2)))
    return found


def search_terms(*texts: str) -> str:
    """What `Article.search_terms` holds for these texts (`sources.models.article.SEARCHED`)."""
    return " ".join(term for text in texts for term in terms(text))


def query_phrases(query: str) -> list[list[str]]:
    """The phrases of a query: one list of terms per word (or run of Chinese), at most
    MAX_QUERY_WORDS, duplicates dropped."""
    phrases: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for match in _RUN.finditer(_fold(query[:MAX_QUERY_CHARS])):
        phrase = _terms_of_run(match.group(1), match.group(2))
        if phrase and tuple(phrase) not in seen:
            seen.add(tuple(phrase))
            phrases.append(phrase)
        if len(phrases) == MAX_QUERY_WORDS:
            break
    return phrases


def query_words(query: str) -> list[str]:
    """The words of a query as typed (NFKC-folded, case kept), one per phrase of
    `query_phrases`: what a caller looks for in a text it shows."""
    words: list[str] = []
    for match in _RUN.finditer(unicodedata.normalize("NFKC", query[:MAX_QUERY_CHARS])):
        if match.group(0).casefold() not in {word.casefold() for word in words}:
            words.append(match.group(0))
        if len(words) == MAX_QUERY_WORDS:
            break
    return words


# --- the database side -------------------------------------------------------------------

FTS_TABLE = "sources_article_fts"
_FTS_TRIGGERS = {
    f"{FTS_TABLE}_insert": (
        "AFTER INSERT ON sources_article BEGIN "
        f"INSERT INTO {FTS_TABLE}(rowid, search_terms) VALUES (new.id, new.search_terms); END"
    ),
    f"{FTS_TABLE}_delete": (
        "AFTER DELETE ON sources_article BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_terms) "
        "VALUES ('delete', old.id, old.search_terms); END"
    ),
    f"{FTS_TABLE}_update": (
        "AFTER UPDATE OF search_terms ON sources_article BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_terms) "
        "VALUES ('delete', old.id, old.search_terms); "
        f"INSERT INTO {FTS_TABLE}(rowid, search_terms) VALUES (new.id, new.search_terms); END"
    ),
}


def ensure_sqlite_index(using: str = "default", **_signal: object) -> None:
    """Create the FTS5 table and its triggers on SQLite when missing, and fill it then.

    Connected to `post_migrate`: SQLite drops a table's triggers when a migration rebuilds
    the table, so they are checked after every migrate; a rebuild after a missing trigger
    reads every article once. Does nothing on other databases.
    """
    from django.db import connections

    db = connections[using]
    if db.vendor != "sqlite" or "sources_article" not in db.introspection.table_names():
        return
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name = %s OR name LIKE %s",
            [FTS_TABLE, f"{FTS_TABLE}\\_%"],
        )
        present = {name for (name,) in cursor.fetchall()}
        missing = [name for name in _FTS_TRIGGERS if name not in present]
        if FTS_TABLE in present and not missing:
            return
        if FTS_TABLE not in present:
            cursor.execute(
                f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_terms, "
                "content='sources_article', content_rowid='id', "
                "tokenize='unicode61 remove_diacritics 0')"
            )
        for name in missing:
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {_FTS_TRIGGERS[name]}")
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def _fts5_query(phrases: list[list[str]]) -> str:
    # Terms hold only letters and digits (see _RUN), so quoting them needs no escaping.
    return " AND ".join('"' + " ".join(phrase) + '"' for phrase in phrases)


def search_articles(articles: QuerySet, query: str) -> QuerySet:
    """`articles` that match every word of `query`, best first, each with `rank` (higher is
    better); none when the query has no word."""
    phrases = query_phrases(query)
    if not phrases:
        return articles.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        asked = None
        for phrase in phrases:
            part = SearchQuery(" ".join(phrase), search_type="phrase", config="simple")
            asked = part if asked is None else asked & part
        vector = search_vector()
        return (
            articles.annotate(rank=SearchRank(vector, asked))
            .alias(document=vector)
            .filter(document=asked)
            .order_by("-rank", F("published_on").desc(nulls_last=True), "pk")
        )
    # SQLite, the project's other database.
    table = articles.model._meta.db_table
    match = _fts5_query(phrases)
    # bm25() is lower for better matches; its negation sorts like PostgreSQL's rank. The
    # membership and each matched row's rank are both read from the FTS index.
    members = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
    rank = RawSQL(
        f"SELECT -bm25({FTS_TABLE}) FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH %s AND rowid = {table}.id",
        [match],
        output_field=FloatField(),
    )
    return (
        articles.filter(pk__in=members)
        .annotate(rank=rank)
        .order_by("-rank", F("published_on").desc(nulls_last=True), "pk")
    )


def search_vector():
    """The indexed expression on PostgreSQL (the GIN index is made on exactly this)."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector("search_terms", config="simple")


# --- highlighting ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Excerpt:
    """A short stretch of an article's text around a match, with the matches marked."""

    html: SafeString


def _patterns(query: str) -> list[re.Pattern[str]]:
    # Longest first, so that a longer word is marked rather than a shorter one inside it.
    words = sorted(query_words(query), key=len, reverse=True)
    return [re.compile(re.escape(word), re.IGNORECASE) for word in words]


def _spans(text: str, patterns: Iterable[re.Pattern[str]]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for pattern in patterns:
        for match in pattern.finditer(text):
            if not any(start < match.end() and match.start() < end for start, end in spans):
                spans.append(match.span())
    return sorted(spans)


def highlights(text: str, query: str, *, count: int = 3, width: int = 60) -> list[Excerpt]:
    """Up to `count` excerpts of `text` around the words of `query`, each about `2 * width`
    characters, escaped, with each match in `<mark>`."""
    # Matched and cut in the NFKC form the query words are in (full-width letters become
    # ASCII, each still one character), which reads the same.
    source = unicodedata.normalize("NFKC", text)
    spans = _spans(source, _patterns(query))
    excerpts: list[Excerpt] = []
    covered_to = -1
    for start, _end in spans:
        if start < covered_to:
            continue
        left = max(0, start - width)
        right = min(len(source), start + width)
        inside = [(s, e) for s, e in spans if s >= left and e <= right]
        parts: list[str] = ["…" if left > 0 else ""]
        position = left
        for s, e in inside:
            parts.append(escape(source[position:s]))
            parts.append(f"<mark>{escape(source[s:e])}</mark>")
            position = e
        parts.append(escape(source[position:right]))
        parts.append("…" if right < len(source) else "")
        # Every piece of the text went through escape(); only the <mark> tags are ours.
        excerpts.append(Excerpt(html=mark_safe("".join(parts).replace("\n", " "))))
        covered_to = right
        if len(excerpts) == count:
            break
    return excerpts
