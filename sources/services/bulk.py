"""The bulk paths of the sources services, for imports: the same rules, a few queries a batch.

`passages_existing` and `passages_bulk_create` are `passage_for_quote` for many quotes at
once: each span of an article's current text reuses the passage already there (same span,
same words, not orphaned), else becomes a new exact passage, created with its history in
one insert per batch. `outlets_bulk_create` and `outlets_bulk_update` write outlets an
import has checked. `history_bulk_insert` writes the history records of rows written in
bulk, for every app's imports.
"""

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone

from sources.anchoring import AnchorStatus, selector_for_span
from sources.models import Outlet, Passage

from .articles import insert_outlets_with_slugs
from .passages import _rows

BATCH_SIZE = 500


def passages_existing(*, spans):
    """{(article id, start, end): passage id} of the passages already at `spans`.

    `spans` maps (article id, start, end) to the words the article's current text holds
    there; a passage counts when it quotes exactly those words there and is not orphaned,
    as `passage_for_quote` reuses one. One query per BATCH_SIZE articles.
    """
    found = {}
    by_article = {}
    for article_id, start, _end in spans:
        by_article.setdefault(article_id, set()).add(start)
    article_ids = list(by_article)
    for first in range(0, len(article_ids), BATCH_SIZE):
        chunk = article_ids[first : first + BATCH_SIZE]
        starts = set().union(*(by_article[article_id] for article_id in chunk))
        rows = (
            Passage.objects.filter(article_id__in=chunk, start__in=starts)
            .exclude(anchor_status=AnchorStatus.ORPHANED)
            .order_by("pk")
            .values_list("pk", "article_id", "start", "end", "exact")
        )
        for pk, article_id, start, end, exact in rows:
            key = (article_id, start, end)
            if spans.get(key) == exact:
                found.setdefault(key, pk)
    return found


@transaction.atomic
def passages_bulk_create(*, spans, articles, created_by=None):
    """Create an exact passage at each (article id, start, end) of `spans`; return them.

    `articles` maps each article id to the article (its current `text` and `version`),
    read in the caller's transaction. Returns {(article id, start, end): Passage}, each
    passage saved with a history record naming `created_by`.
    """
    passages = []
    for article_id, start, end in spans:
        article = articles[article_id]
        selector = selector_for_span(article.text, start, end)
        passages.append(
            Passage(
                article_id=article_id,
                start=selector.start,
                end=selector.end,
                exact=selector.exact,
                prefix=selector.prefix,
                suffix=selector.suffix,
                anchor_status=AnchorStatus.EXACT,
                anchored_version=article.version,
                created_by=created_by,
            )
        )
    for passage in passages:
        # The article is known to exist (it was read in this transaction) and the span
        # was checked by selector_for_span; checking them again costs a query a passage.
        passage.full_clean(
            exclude=["article", "created_by"], validate_unique=False, validate_constraints=False
        )
    created = Passage.objects.bulk_create(passages, batch_size=BATCH_SIZE)
    history_bulk_insert(created, Passage, user=created_by)
    return {(passage.article_id, passage.start, passage.end): passage for passage in created}


@transaction.atomic
def outlets_bulk_create(*, outlets):
    """Insert unsaved, checked `outlets`, each given a slug no other outlet has."""
    return insert_outlets_with_slugs(outlets)


@transaction.atomic
def outlets_bulk_update(*, outlets, fields):
    """Write `fields` of checked, saved `outlets` (and their `updated_at`)."""
    now = timezone.now()
    for outlet in outlets:
        outlet.updated_at = now
        outlet.full_clean(validate_unique=False, validate_constraints=False)
    Outlet.objects.bulk_update(outlets, [*fields, "updated_at"], batch_size=BATCH_SIZE)
    return outlets


def history_bulk_insert(objects, model, *, user=None, reason="", updated=False, date=None):
    """Add the history record of each of `objects` (saved rows of `model`) in one INSERT.

    The rows are those django-simple-history's `bulk_history_create` makes (a creation "+",
    or with `updated` a change "~", by `user` at `date`, for `reason`), written without
    building a historical model instance for each and without the ORM's insert compiler:
    for the thousands of rows of an import those cost as much as the insert of the rows
    themselves. (`sources.services.passages` records re-anchoring the same way.)
    """
    if not objects or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = model.history.model
    database = connections[router.db_for_write(history)]
    fixed = {
        "history_date": date or timezone.now(),
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": reason or None,
        "history_type": "~" if updated else "+",
    }
    fields = {field.attname: field for field in history._meta.concrete_fields}
    tracked = [fields[field.attname] for field in history.tracked_fields]
    constant_fields = [fields[name] for name in fixed]
    constants = [
        field.get_db_prep_save(fixed[field.attname], database) for field in constant_fields
    ]
    quote = database.ops.quote_name
    columns = ", ".join(quote(field.column) for field in tracked + constant_fields)
    placeholders = ", ".join(["%s"] * (len(tracked) + len(constant_fields)))
    # Only names from the models' metadata are spliced in; every value is a parameter.
    sql = f"INSERT INTO {quote(history._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    with database.cursor() as cursor:
        for first in range(0, len(objects), BATCH_SIZE):
            batch = objects[first : first + BATCH_SIZE]
            cursor.executemany(sql, _rows(batch, tracked, database, extra=constants))
