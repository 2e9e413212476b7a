"""Archived copies of reports as fetched (`sources.fetching`), kept with their articles."""

from __future__ import annotations

from django.contrib.auth.models import User

from sources.audit import service
from sources.fetching import Fetched
from sources.models import ArchivedCopy, Article


@service(perm="sources.add_article", action="archive reports")
def archived_copy_keep(*, article: Article, fetched: Fetched, acting_user: User) -> ArchivedCopy:
    """Keep `fetched` as an archived copy of `article`; the same bytes are kept once."""
    copy, _created = ArchivedCopy.objects.get_or_create(
        article=article,
        sha256=fetched.sha256,
        defaults={
            "url": fetched.url[:2000],
            "final_url": fetched.final_url[:2000],
            "fetched_at": fetched.fetched_at,
            "content_type": fetched.content_type,
            "size": len(fetched.data),
            "data": fetched.data,
            "created_by": acting_user,
        },
    )
    latest = article.archived_at
    if latest is None or copy.fetched_at > latest:
        # What citations read to link the copy, without a query of their own.
        Article.objects.filter(pk=article.pk).update(archived_at=copy.fetched_at)
        article.archived_at = copy.fetched_at
    return copy
