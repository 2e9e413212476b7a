"""Creating outlets and articles, one at a time or in batches."""

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from sources.models import Article, ArticleVersion, Outlet
from sources.text import normalize_line, normalize_text, remove_boilerplate

BATCH_SIZE = 500


def _slug_base(name):
    return slugify(name, allow_unicode=True)[:180].strip("-") or "outlet"


def _unique_slug(model, base, *, field="slug"):
    base = _slug_base(base)
    slug, number = base, 2
    while model.objects.filter(**{field: slug}).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def outlet_for_name(name, *, create=True, **defaults):
    """Return the outlet called `name` (case-insensitive), creating it when allowed."""
    name = normalize_line(name)
    if not name:
        raise ValueError("an outlet needs a name")
    outlet = Outlet.objects.filter(name__iexact=name).first()
    if outlet is None and create:
        outlet = Outlet(name=name, slug=_unique_slug(Outlet, name), **defaults)
        outlet.full_clean()
        outlet.save()
    return outlet


def outlet_key(name):
    """The form outlet names are compared in: normalized, on one line, case folded."""
    return normalize_line(name).lower()


def outlets_for_names(*, names, create=True):
    """Return {outlet_key(name): Outlet} for `names`, found case-insensitively in one query.

    With `create`, the missing outlets are created together in one insert (each with a slug
    no other outlet has); without it they are left out of the result.
    """
    wanted = {}
    for name in dict.fromkeys(names):
        clean = normalize_line(name)
        if clean:
            wanted.setdefault(clean.lower(), clean)
    if not wanted:
        return {}
    found = {}
    # Exact names as well as lowered ones: SQLite's LOWER() folds ASCII letters only.
    existing = (
        Outlet.objects.annotate(folded=Lower("name"))
        .filter(Q(name__in=wanted.values()) | Q(folded__in=wanted.keys()))
        .order_by("pk")
    )
    for outlet in existing:
        found.setdefault(outlet.name.lower(), outlet)
    missing = [name for key, name in wanted.items() if key not in found]
    if missing and create:
        for outlet in outlets_create(names=missing):
            found[outlet.name.lower()] = outlet
    return found


@transaction.atomic
def outlets_create(*, names):
    """Create one outlet per name in a single insert (see `insert_outlets_with_slugs`)."""
    return insert_outlets_with_slugs([Outlet(name=normalize_line(name)) for name in names])


def _taken_slugs(bases):
    taken = set()
    bases = sorted(bases)
    for first in range(0, len(bases), 100):
        query = Q()
        for base in bases[first : first + 100]:
            query |= Q(slug__startswith=base)
        taken.update(Outlet.objects.filter(query).values_list("slug", flat=True))
    return taken


def insert_outlets_with_slugs(outlets):
    """Insert unsaved `outlets`, each given a slug no other outlet has (one query per 100
    slug bases to learn which are taken, then one insert per batch)."""
    taken = _taken_slugs({_slug_base(outlet.name) for outlet in outlets})
    for outlet in outlets:
        base = _slug_base(outlet.name)
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        outlet.slug = slug
        # Uniqueness is settled above and by the database; validate_unique would cost a
        # query per outlet.
        outlet.full_clean(validate_unique=False, validate_constraints=False)
    return Outlet.objects.bulk_create(outlets, batch_size=BATCH_SIZE)


@transaction.atomic
def article_create(
    *,
    outlet,
    title,
    text,
    url="",
    byline="",
    language="",
    published=None,
    source_format=Article.Format.TEXT,
    source_name="",
    boilerplate="",
    created_by=None,
):
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
    )
    article.published = published
    article.full_clean()
    article.save()
    ArticleVersion.objects.create(
        article=article,
        number=1,
        text=article.text,
        reason=ArticleVersion.Reason.IMPORT,
        created_by=created_by,
    )
    return article


def article_clean_for_batch(article):
    """Validate an unsaved article's own fields the way a batch insert needs them checked.

    The outlet is left out (it may not be saved yet, and checking it costs a query per
    article), and so are uniqueness and constraints, which the batch settles with one query
    per batch and the database enforces. Raises ValidationError.
    """
    article.full_clean(exclude=["outlet"], validate_unique=False, validate_constraints=False)


@transaction.atomic
def articles_bulk_create(*, articles, created_by=None, cleaned=False):
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
        if not cleaned:
            article_clean_for_batch(article)
    created = bulk_create_with_history(
        articles, Article, batch_size=BATCH_SIZE, default_user=created_by
    )
    ArticleVersion.objects.bulk_create(
        [
            ArticleVersion(
                article=article,
                number=1,
                text=article.text,
                reason=ArticleVersion.Reason.IMPORT,
                created_by=created_by,
            )
            for article in created
        ],
        batch_size=BATCH_SIZE,
    )
    return created
