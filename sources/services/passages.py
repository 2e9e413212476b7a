"""Creating passages from a span or a quote, re-anchoring them, and an editor's decisions.

Every change records its acting user in the passage's history (django-simple-history).
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from sources.anchoring import (
    AnchoringError,
    AnchorStatus,
    Selector,
    TextChange,
    find_quote,
    selector_for_span,
)
from sources.audit import Reason, acting, read_only, service
from sources.models import Article, Passage
from sources.signals import PassageChange, passages_moved

# Articles whose passages are read in one query (and written in one statement each for the
# passages and their history). Far below every database's limit on query parameters.
REANCHOR_BATCH = 500
# The columns re-anchoring may change.
_REANCHORED = (
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "anchor_status",
    "anchored_version",
    "similarity",
    "updated_at",
)


def _locked_article(article: Article) -> Article:
    """The article's row, locked until the transaction ends, so its text cannot change."""
    return Article.objects.select_for_update().get(pk=article.pk)


def _apply_selector(passage: Passage, selector: Selector, *, version: int) -> None:
    passage.start, passage.end = selector.start, selector.end
    passage.exact, passage.prefix, passage.suffix = selector.exact, selector.prefix, selector.suffix
    passage.anchor_status = AnchorStatus.EXACT
    passage.anchored_version = version
    passage.similarity = None


@service(perm="sources.annotate_article", action="select passages")
def passage_create_from_span(
    *, article: Article, start: int, end: int, note: str = "", acting_user: User
) -> Passage:
    """Create a passage at exactly `start`..`end` (code points) of the article's text.

    The span must have been chosen in the text the caller holds: if the article's text has
    changed since (another version is stored), this raises `AnchoringError` rather than
    anchor the offsets in words the editor never saw.
    """
    current = _locked_article(article)
    if article.version != current.version:
        raise AnchoringError(
            _(
                "the article's text changed (it is now version %(current)s, the span was "
                "chosen in version %(chosen)s); select the passage again"
            )
            % {"current": current.version, "chosen": article.version}
        )
    passage = Passage(article=current, note=note, created_by=acting_user)
    _apply_selector(passage, selector_for_span(current.text, start, end), version=current.version)
    passage.full_clean()
    acting(passage, acting_user, Reason.PASSAGE_CREATED).save()
    return passage


@service(perm="sources.annotate_article", action="select passages")
def passage_create_from_quote(
    *,
    article: Article,
    exact: str,
    prefix: str = "",
    suffix: str = "",
    note: str = "",
    acting_user: User,
) -> Passage:
    """Create a passage where `exact` occurs; `prefix`/`suffix` choose between occurrences.

    Raises `AmbiguousQuote` (with the number of occurrences) when the context does not
    choose, and `QuoteNotFound` (quoting the closest text) when the words are not there.
    """
    current = _locked_article(article)
    start, end = find_quote(current.text, exact, prefix=prefix, suffix=suffix)
    return passage_create_from_span(
        article=current, start=start, end=end, note=note, acting_user=acting_user
    )


@service(perm="sources.annotate_article", action="select passages")
def passage_for_quote(
    *, article: Article, exact: str, prefix: str = "", suffix: str = "", acting_user: User
) -> tuple[Passage, bool]:
    """Return (the passage quoting `exact`, whether it was created): get-or-create for importers.

    An existing passage of the article with the same words at the same span is reused, so
    importing the same quote twice makes one passage. Errors are those of
    `passage_create_from_quote`.
    """
    current = _locked_article(article)
    start, end = find_quote(current.text, exact, prefix=prefix, suffix=suffix)
    existing = (
        Passage.objects.filter(article=current, start=start, end=end, exact=current.text[start:end])
        .exclude(anchor_status=AnchorStatus.ORPHANED)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing, False
    passage = passage_create_from_span(
        article=current, start=start, end=end, acting_user=acting_user
    )
    return passage, True


def _locked_passage(passage: Passage) -> Passage:
    return Passage.objects.select_for_update().select_related("article").get(pk=passage.pk)


def _moved(passage_ids: Sequence[int], user: User, change: PassageChange) -> None:
    """Tell the apps citing passages that these no longer quote what they were checked
    against (see `sources.signals`); sent within the service, so its writes join ours."""
    if passage_ids:
        passages_moved.send(
            sender=Passage, passage_ids=list(passage_ids), acting_user=user, change=change
        )


@service(perm="sources.change_passage", action="confirm passages")
def passage_confirm(*, passage: Passage, acting_user: User) -> Passage:
    """Accept a fuzzy match: the passage takes the words now at its proposed span.

    A relocated passage may be confirmed too (it becomes exact); an orphan has no proposed
    span and raises `AnchoringError` (it needs `passage_reselect`). What cites a fuzzy
    passage was checked against the old words, so `passages_moved` is sent for it (a
    relocated passage quotes the same words as before, and is only marked exact).
    """
    _locked_article(passage.article)
    current = _locked_passage(passage)
    if current.anchor_status == AnchorStatus.ORPHANED:
        raise AnchoringError(
            "an orphaned passage has no proposed span to confirm; select its words again"
        )
    article = current.article
    was_fuzzy = current.anchor_status == AnchorStatus.FUZZY
    if current.anchored_version != article.version:
        raise AnchoringError(
            _(
                "the proposed span belongs to version %(anchored)s of the text, "
                "which is now version %(current)s; select the words again"
            )
            % {"anchored": current.anchored_version, "current": article.version}
        )
    _apply_selector(
        current,
        selector_for_span(article.text, current.start, current.end),
        version=article.version,
    )
    current.full_clean()
    acting(current, acting_user, Reason.PASSAGE_CONFIRMED).save()
    if was_fuzzy:
        _moved([current.pk], acting_user, PassageChange.CONFIRMED)
    return current


@read_only
def reselect_refusal(passage: Passage) -> str:
    """Why `passage` may not be selected again, or "" when it may (it is fuzzy or orphaned).

    A passage found word for word (exact or relocated) needs no new selection, and
    re-pointing it would change what checked claims quote.
    """
    if passage.anchor_status not in (AnchorStatus.EXACT, AnchorStatus.RELOCATED):
        return ""
    return _(
        "Passage %(id)s is %(status)s: its words are where "
        "it says, so it cannot be selected again (only fuzzy and orphaned passages can). "
        "Select a new passage instead."
    ) % {"id": passage.pk, "status": passage.get_anchor_status_display()}


@service(perm="sources.change_passage", action="select passages again")
def passage_reselect(*, passage: Passage, start: int, end: int, acting_user: User) -> Passage:
    """Point a fuzzy or orphaned passage at a span an editor selected in the article's
    current text; what cites it was checked against other words (`passages_moved` is sent).

    A passage found word for word (exact or relocated) raises `AnchoringError` with
    `reselect_refusal`'s message.
    """
    article = _locked_article(passage.article)
    current = _locked_passage(passage)
    refusal = reselect_refusal(current)
    if refusal:
        raise AnchoringError(refusal)
    _apply_selector(current, selector_for_span(article.text, start, end), version=article.version)
    current.full_clean()
    acting(current, acting_user, Reason.PASSAGE_RESELECTED).save()
    _moved([current.pk], acting_user, PassageChange.RESELECTED)
    return current


@service(perm="sources.change_passage", action="change passages")
def passage_set_note(*, passage: Passage, note: str, acting_user: User) -> Passage:
    """Replace the editor's note on a passage; its span and words are left as they are.

    Nothing is written when the note stays the same.
    """
    current = _locked_passage(passage)
    note = note.replace("\r\n", "\n").strip()
    if note == current.note:
        return current
    current.note = note
    current.full_clean()
    acting(current, acting_user, Reason.PASSAGE_CHANGED).save(update_fields=["note", "updated_at"])
    return current


@service(perm="sources.delete_passage", action="delete passages")
def passage_delete(*, passage: Passage, acting_user: User) -> None:
    """Delete a passage nothing cites (one selected by mistake); its history records who.

    A passage that a record of another app points at (a claim cites it) is refused with a
    ValidationError: the evidence of a claim is never deleted from under it.
    """
    current = _locked_passage(passage)
    try:
        acting(current, acting_user, Reason.PASSAGE_DELETED).delete()
    except ProtectedError as error:
        cited = len(error.protected_objects)
        raise ValidationError(
            _("%(passage)s is cited by %(count)s record(s) and is kept.")
            % {"passage": current, "count": cited}
        ) from error


@service(perm="sources.change_article", action="re-anchor passages")
def passages_reanchor(*, article: Article, old_text: str, acting_user: User) -> Counter[str]:
    """Re-anchor every passage of `article` from `old_text` into its current text, once.

    Returns a Counter of the passages' new statuses (see `passages_reanchor_many`).
    """
    return passages_reanchor_many(changes=[(article, old_text)], acting_user=acting_user)


@service(perm="sources.change_article", action="re-anchor passages")
def passages_reanchor_many(
    *, changes: Iterable[tuple[Article, str]], acting_user: User
) -> Counter[str]:
    """Re-anchor the passages of many articles: `changes` is a list of (article, old_text).

    Each article must hold its new text (`article.text`, `article.version`); its passages
    are anchored in `old_text`. The number of queries does not grow with the number of
    passages or articles: per batch of REANCHOR_BATCH articles, one query reads their
    passages, one batched UPDATE writes them and one batched INSERT records their history
    (with `acting_user`). An orphan that stays one is not written. The passages that end
    fuzzy or orphaned no longer hold the words they quoted: `passages_moved` is sent with
    them, once for the whole call.
    Returns a Counter of the statuses the passages ended in.
    """
    changes = list(changes)
    if len({article.pk for article, _ in changes}) != len(changes):
        raise ValueError("each article may appear only once among the changes")
    statuses: Counter[str] = Counter()
    unanchored: list[int] = []
    for first in range(0, len(changes), REANCHOR_BATCH):
        batch = changes[first : first + REANCHOR_BATCH]
        by_article = {
            article.pk: (article, TextChange(old_text, article.text)) for article, old_text in batch
        }
        now = timezone.now()
        written = []
        for passage in Passage.objects.filter(article_id__in=by_article).order_by():
            article, change = by_article[passage.article_id]
            result = change.reanchor(passage)
            statuses[result.status] += 1
            if (
                result.status == AnchorStatus.ORPHANED
                and passage.anchor_status == AnchorStatus.ORPHANED
            ):
                continue
            passage.start, passage.end = result.start, result.end
            passage.exact, passage.prefix, passage.suffix = (
                result.exact,
                result.prefix,
                result.suffix,
            )
            passage.similarity = result.similarity
            if result.status != AnchorStatus.ORPHANED:
                passage.anchored_version = article.version
            passage.anchor_status = AnchorStatus(result.status).value
            passage.updated_at = now
            written.append(passage)
        _update_rows(written, _REANCHORED)
        _record_history(written, user=acting_user, date=now)
        unanchored.extend(passage.pk for passage in written if passage.needs_attention)
    _moved(unanchored, acting_user, PassageChange.REANCHORED)
    return statuses


# Fields whose Python values every database driver takes as they are. Any other field's
# values (datetimes, for one) go through the field's own preparation for the database.
_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


def _is_plain(field: models.Field) -> bool:
    if isinstance(field, models.ForeignKey):
        return isinstance(field.target_field, _PLAIN_FIELDS)
    return isinstance(field, _PLAIN_FIELDS)


@read_only
def concrete_field(model: type[models.Model], name: str) -> models.Field:
    """The field `name` of `model`, a column of its table (`get_field` may return relations
    seen from the other side, which have none)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise LookupError(f"{model.__name__}.{name} is not a column")
    return field


def _rows(
    objects: Iterable[models.Model],
    fields: Sequence[models.Field],
    database: BaseDatabaseWrapper,
    extra: Sequence[Any] = (),
) -> list[list[Any]]:
    """Each object's values of `fields` as `database` takes them, followed by `extra`.

    Preparing a datetime costs more than the rest of a row, and a batch repeats one
    (`updated_at`) on every row, so each prepared value is remembered.
    """
    read = attrgetter(*(field.attname for field in fields))
    prepare = [(index, field) for index, field in enumerate(fields) if not _is_plain(field)]
    known, rows = {}, []
    for obj in objects:
        row = list(read(obj)) if len(fields) > 1 else [read(obj)]
        for index, field in prepare:
            value = row[index]
            if value is not None:
                if (index, value) not in known:
                    known[index, value] = field.get_db_prep_save(value, database)
                row[index] = known[index, value]
        row.extend(extra)
        rows.append(row)
    return rows


def _update_rows(passages: Sequence[Passage], fields: Sequence[str]) -> None:
    """Write `fields` of `passages` with one UPDATE statement run for every row."""
    if not passages:
        return
    database = connections[router.db_for_write(Passage)]
    model_fields = [concrete_field(Passage, name) for name in fields]
    primary_key = concrete_field(Passage, "id")
    quote = database.ops.quote_name
    table, key = quote(Passage._meta.db_table), quote(primary_key.column)
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in model_fields)
    # Only names from the model's metadata are spliced in; every value is a parameter.
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608
    rows = _rows(passages, [*model_fields, primary_key], database)
    with database.cursor() as cursor:
        cursor.executemany(sql, rows)


def _record_history(passages: Sequence[Passage], *, user: User, date: datetime) -> None:
    """Add a historical record of each re-anchored passage, in one INSERT statement.

    The rows are those django-simple-history's `bulk_history_create` would make (a change,
    "~", by `user` at `date`), written without building a model instance for each.
    """
    if not passages or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = Passage.history.model
    database = connections[router.db_for_write(history)]
    columns = [field for field in history._meta.concrete_fields if not field.primary_key]
    fixed = {
        "history_date": date,
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": Reason.PASSAGE_REANCHORED.value,
        "history_type": "~",
    }
    constant_fields = [field for field in columns if field.attname in fixed]
    tracked = [field for field in columns if field.attname not in fixed]
    constants = [
        field.get_db_prep_save(fixed[field.attname], database) for field in constant_fields
    ]
    quote = database.ops.quote_name
    table = quote(history._meta.db_table)
    names = ", ".join(quote(field.column) for field in tracked + constant_fields)
    placeholders = ", ".join(["%s"] * len(columns))
    # Only names from the model's metadata are spliced in; every value is a parameter.
    sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
    rows = _rows(passages, tracked, database, extra=constants)
    with database.cursor() as cursor:
        cursor.executemany(sql, rows)
