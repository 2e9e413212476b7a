"""The bulk paths of the sources services, for imports: the same rules, a few queries a batch.

`passages_existing` and `passages_bulk_create` are `passage_for_quote` for many quotes at
once: each span of an article's current text reuses the passage already there (same span,
same words, not orphaned), else becomes a new exact passage, created with its history in
one insert per batch. `outlets_bulk_create` and `outlets_bulk_update` write outlets an
import has checked, with their history. `history_bulk_insert` (`sources.services.history`,
imported here for the imports of both apps) writes the history records of rows written in
bulk.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from sources.anchoring import AnchorStatus, selector_for_span
from sources.audit import Reason, read_only, service
from sources.models import Outlet, Passage

from .history import history_bulk_insert
from .outlets import insert_outlets_with_slugs

__all__ = [
    "history_bulk_insert",
    "outlets_bulk_create",
    "outlets_bulk_update",
    "passages_bulk_create",
    "passages_existing",
]

BATCH_SIZE = 500


@read_only
def passages_existing(
    *, spans: Mapping[tuple[int, int, int], str]
) -> dict[tuple[int, int, int], int]:
    """{(article id, start, end): passage id} of the passages already at `spans`.

    `spans` maps (article id, start, end) to the words the article's current text holds
    there; a passage counts when it quotes exactly those words there and is not orphaned,
    as `passage_for_quote` reuses one. One query per BATCH_SIZE articles.
    """
    found: dict[tuple[int, int, int], int] = {}
    by_article: dict[int, set[int]] = {}
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


@service(perm="sources.annotate_article", action="select passages")
def passages_bulk_create(
    *,
    spans: Sequence[tuple[int, int, int]],
    articles: Mapping[int, Any],
    acting_user: User,
) -> dict[tuple[int, int, int], Passage]:
    """Create an exact passage at each (article id, start, end) of `spans`; return them.

    `articles` maps each article id to the article (its current `text` and `version`),
    read in the caller's transaction. Returns {(article id, start, end): Passage}, each
    passage saved with a history record naming `acting_user`.
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
                created_by=acting_user,
            )
        )
    for passage in passages:
        # The article is known to exist (it was read in this transaction) and the span
        # was checked by selector_for_span; checking them again costs a query a passage.
        passage.full_clean(
            exclude=["article", "created_by"], validate_unique=False, validate_constraints=False
        )
    created = Passage.objects.bulk_create(passages, batch_size=BATCH_SIZE)
    history_bulk_insert(created, Passage, user=acting_user, reason=Reason.PASSAGE_CREATED)
    return {(passage.article_id, passage.start, passage.end): passage for passage in created}


@service(perm="sources.add_outlet", action="add outlets")
def outlets_bulk_create(*, outlets: list[Outlet], acting_user: User) -> list[Outlet]:
    """Insert unsaved, checked `outlets`, each given a slug no other outlet has."""
    return insert_outlets_with_slugs(outlets, acting_user)


@service(perm="sources.change_outlet", action="change outlets")
def outlets_bulk_update(
    *, outlets: list[Outlet], fields: Sequence[str], acting_user: User
) -> list[Outlet]:
    """Write `fields` of checked, saved `outlets` (and their `updated_at`), with their history."""
    now = timezone.now()
    for outlet in outlets:
        outlet.updated_at = now
        outlet.full_clean(validate_unique=False, validate_constraints=False)
    Outlet.objects.bulk_update(outlets, [*fields, "updated_at"], batch_size=BATCH_SIZE)
    history_bulk_insert(
        outlets, Outlet, user=acting_user, reason=Reason.OUTLET_CHANGED, updated=True, date=now
    )
    return outlets
