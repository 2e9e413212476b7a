"""The passages behind public facts, as the W3C Web Annotations of /api/annotations/ and
of the data releases read them: one annotation per public claim (verified, standing,
citing words its article still holds, about a published candidate), in claim id order."""

from django.db.models import QuerySet

from elections.models import Claim

from .base import public_claims

ANNOTATIONS_PER_PAGE = 100


def public_annotations(*, article: int | None = None) -> QuerySet[Claim]:
    """Public claims with what an annotation of each says: its candidate, passage and
    article (and outlet), by id; of one article when `article` is given."""
    claims = public_claims()
    if article is not None:
        claims = claims.filter(article_id=article)
    return (
        claims.select_related("candidate", "passage", "article", "article__outlet")
        .only(
            "property",
            "value",
            "as_of",
            "as_of_precision",
            "reviewed_at",
            "candidate__slug",
            "candidate__display_name",
            "passage__start",
            "passage__end",
            "passage__exact",
            "passage__prefix",
            "passage__suffix",
            "article__url",
            "article__title",
            "article__language",
            "article__outlet__name",
        )
        .order_by("pk")
    )


def annotation_page(
    after: int | None = None, *, article: int | None = None, size: int | None = None
) -> tuple[list[Claim], int | None]:
    """The public claims after the claim id `after` (from the first when None), a page of
    `size`, and the `after` of the next page when there is one: one query."""
    size = size or ANNOTATIONS_PER_PAGE
    claims = public_annotations(article=article)
    if after is not None:
        claims = claims.filter(pk__gt=after)
    rows = list(claims[: size + 1])
    following = rows[size - 1].pk if len(rows) > size else None
    return rows[:size], following
