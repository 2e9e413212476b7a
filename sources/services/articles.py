"""Creating articles, one at a time or in batches, and changing their fields.

A change of an article's text goes through `article_set_text` (`sources.services.revisions`),
which keeps the old text as a version and re-anchors the passages. Outlets are found and
created by `sources.services.outlets`; their names are imported here too for the callers
that read them from this module.
"""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from sources.audit import Reason, acting, read_only, service
from sources.dates import PartialDate
from sources.models import Article, ArticleVersion, Outlet
from sources.text import normalize_line, normalize_text, remove_boilerplate

from .changes import apply_given, field_shown, stale_revision_refusal
from .history import history_bulk_insert
from .outlets import (  # noqa: F401 (read from this module by importers)
    insert_outlets_with_slugs,
    outlet_for_name,
    outlet_key,
    outlets_for_names,
    outlets_named,
)
from .passages import concrete_field
from .unset import UNSET, Unset

BATCH_SIZE = 500


@service(perm="sources.add_article", action="add articles")
def article_create(
    *,
    outlet: Outlet,
    title: str,
    text: str,
    url: str = "",
    byline: str = "",
    language: str = "",
    published: PartialDate | None = None,
    source_format: str = Article.Format.TEXT,
    source_name: str = "",
    boilerplate: str = "",
    notes: str = "",
    acting_user: User,
) -> Article:
    """Create an article from its (already extracted) text, normalized, as version 1."""
    source_text = normalize_text(text)
    article = Article(
        outlet=outlet,
        title=normalize_line(title),
        url=url.strip(),
        byline=normalize_line(byline),
        language=language.strip(),
        source_format=source_format,
        source_name=source_name,
        source_text=source_text,
        boilerplate=boilerplate,
        text=remove_boilerplate(source_text, boilerplate),
        version=1,
        notes=notes,
    )
    article.published = published
    article.full_clean()
    acting(article, acting_user, Reason.ARTICLE_CREATED).save()
    ArticleVersion.objects.create(
        article=article,
        number=1,
        text=article.text,
        reason=ArticleVersion.Reason.IMPORT,
        created_by=acting_user,
    )
    return article


@read_only
def article_clean_for_batch(article: Article) -> None:
    """Validate an unsaved article's own fields the way a batch insert needs them checked.

    The outlet is left out (it may not be saved yet, and checking it costs a query per
    article), and so are uniqueness and constraints, which the batch settles with one query
    per batch and the database enforces. Raises ValidationError.
    """
    article.full_clean(exclude=["outlet"], validate_unique=False, validate_constraints=False)


@service(perm="sources.add_article", action="add articles")
def articles_bulk_create(
    *, articles: list[Article], acting_user: User, cleaned: bool = False
) -> list[Article]:
    """Insert unsaved `articles` as version 1 each, with their history, in a few queries.

    Each article's `text` must already be normalized (as `sources.extract` returns it);
    it becomes the source text, and the text passages point into once any boilerplate the
    article carries is removed. The caller makes sure no URL is taken. `cleaned` says the
    caller has just passed each article through `article_clean_for_batch` (to report every
    problem before writing), so that the check is not paid for twice.
    """
    for article in articles:
        if article.outlet_id is None:
            raise ValueError(f"the article {article.title!r} has no saved outlet")
        article.source_text = article.text
        if article.boilerplate:
            article.text = remove_boilerplate(article.text, article.boilerplate)
        article.version = 1
        article.refresh_search_terms()
        if not cleaned:
            article_clean_for_batch(article)
    created = Article.objects.bulk_create(articles, batch_size=BATCH_SIZE)
    history_bulk_insert(created, Article, user=acting_user, reason=Reason.ARTICLE_IMPORTED)
    ArticleVersion.objects.bulk_create(
        [
            ArticleVersion(
                article=article,
                number=1,
                text=article.text,
                reason=ArticleVersion.Reason.IMPORT,
                created_by=acting_user,
            )
            for article in created
        ],
        batch_size=BATCH_SIZE,
    )
    return created


# What a lost update is described in: every field an editor changes in the article form (the
# text by its version number, since the history does not keep texts).
DESCRIBED_FIELDS = (
    "outlet",
    "title",
    "url",
    "byline",
    "language",
    "published_on",
    "published_precision",
    "source_format",
    "source_name",
    "boilerplate",
    "version",
    "notes",
)


@read_only
def article_changes_since(article: Article, revision: int) -> list[tuple[str, str, str]]:
    """What was changed in `article` (as stored now) since its `revision`: (field, before,
    after) triples, read from its history; empty when that revision is not on record."""
    record = (
        Article.history.filter(id=article.pk, revision=revision)
        .order_by("-history_date", "-history_id")
        .first()
    )
    if record is None:
        return []
    then = record.instance
    changes = []
    for name in DESCRIBED_FIELDS:
        field = concrete_field(Article, name)
        if getattr(then, field.attname) != getattr(article, field.attname):
            label = "text version" if name == "version" else str(field.verbose_name)
            changes.append((label, field_shown(then, field), field_shown(article, field)))
    return changes


@read_only
def stale_revision_error(article: Article, opened: int) -> ValidationError:
    """The refusal of a change made to `article` as it was at revision `opened`."""
    changes = article_changes_since(article, opened)
    return stale_revision_refusal("article", opened, article.revision, changes, code="stale")


@service(perm="sources.change_article", action="change articles")
def article_update(
    *,
    article: Article,
    outlet: Outlet | Unset = UNSET,
    title: str | Unset = UNSET,
    url: str | Unset = UNSET,
    byline: str | Unset = UNSET,
    language: str | Unset = UNSET,
    published: PartialDate | Unset | None = UNSET,
    source_format: str | Unset = UNSET,
    source_name: str | Unset = UNSET,
    notes: str | Unset = UNSET,
    expected_revision: int | None = None,
    acting_user: User,
) -> Article:
    """Change an article's fields other than its text (see `article_set_text` for that).

    Fields left out are kept. The article's row stays locked until the caller's transaction
    ends. With `expected_revision` (the revision a form was opened at), a change on top of
    someone else's later save is refused with a ValidationError that says what they changed,
    instead of silently undoing it; the check is made even when no field changes, so that a
    caller changing the text next is held to it too. Nothing is written when no field
    changes; otherwise the revision goes up by one and the history names `acting_user`.
    """
    current = Article.objects.select_for_update().get(pk=article.pk)
    if expected_revision is not None and expected_revision != current.revision:
        raise stale_revision_error(current, expected_revision)
    given: dict[str, Any] = {
        "outlet_id": outlet.pk if isinstance(outlet, Outlet) else UNSET,
        "title": normalize_line(title) if title is not UNSET else UNSET,
        "url": url.strip() if url is not UNSET else UNSET,
        "byline": normalize_line(byline) if byline is not UNSET else UNSET,
        "language": language.strip() if language is not UNSET else UNSET,
        "source_format": source_format,
        "source_name": source_name,
        "notes": notes,
    }
    if published is not UNSET:
        dated = Article(published_on=None)
        dated.published = published
        given["published_on"] = dated.published_on
        given["published_precision"] = dated.published_precision
    changed = apply_given(current, given)
    if not changed:
        return current
    current.revision += 1
    current.full_clean()
    fields = [name.removesuffix("_id") for name in changed]
    acting(current, acting_user, Reason.ARTICLE_CHANGED).save(
        update_fields=[*fields, "revision", "updated_at"]
    )
    return current
