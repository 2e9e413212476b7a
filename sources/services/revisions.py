"""Changing an article's text: every version is kept and every passage re-anchored once."""

from django.contrib.auth.models import User

from sources.audit import Reason, acting, service
from sources.models import Article, ArticleVersion
from sources.text import normalize_text, remove_boilerplate

from .passages import passages_reanchor

# What a change of text updates on the caller's article instance, so that it stays current.
_TEXT_FIELDS = ("source_text", "boilerplate", "text", "version", "revision", "updated_at")


@service(perm="sources.change_article", action="change articles")
def article_set_text(
    *,
    article: Article,
    text: str | None = None,
    boilerplate: str | None = None,
    reason: str = ArticleVersion.Reason.EDIT,
    acting_user: User,
) -> bool:
    """Replace an article's text and/or boilerplate; keep the old text as a version; re-anchor.

    `text` is raw (it is normalized here); `None` keeps the current source text, so that a
    change of boilerplate alone is re-applied to it. Returns True when the normalized text
    changed: a new `ArticleVersion` records it with `reason` and `acting_user`, and every
    passage of the article is re-anchored once (see `passages_reanchor`), its history
    recording `acting_user`. Returns False when the text stays the same. Any change, of the
    text or of the source text and boilerplate alone, adds one to the article's `revision`
    (see `article_update`). The instance passed in is updated to the stored text, version and
    revision.
    """
    current = Article.objects.select_for_update().get(pk=article.pk)
    stored = (current.source_text, current.boilerplate)
    source_text = normalize_text(text) if text is not None else current.source_text
    if boilerplate is not None:
        current.boilerplate = boilerplate
    new_text = remove_boilerplate(source_text, current.boilerplate)
    current.source_text = source_text
    acting(current, acting_user, Reason.ARTICLE_TEXT_CHANGED)
    if new_text == current.text:
        if (source_text, current.boilerplate) != stored:
            current.revision += 1
            current.save(update_fields=["source_text", "boilerplate", "revision", "updated_at"])
        _copy_text_fields(current, article)
        return False
    old_text = current.text
    # Articles made before versions were kept (or by a bulk load) get their old text saved
    # now, so that no text an editor anchored a passage in is ever lost.
    ArticleVersion.objects.get_or_create(
        article=current,
        number=current.version,
        defaults={"text": old_text, "reason": ArticleVersion.Reason.IMPORT},
    )
    current.text = new_text
    current.version += 1
    current.revision += 1
    current.full_clean()
    current.save()
    ArticleVersion.objects.create(
        article=current,
        number=current.version,
        text=new_text,
        reason=reason,
        created_by=acting_user,
    )
    passages_reanchor(article=current, old_text=old_text, acting_user=acting_user)
    _copy_text_fields(current, article)
    return True


def _copy_text_fields(source: Article, target: Article) -> None:
    if target is not source:
        for name in _TEXT_FIELDS:
            setattr(target, name, getattr(source, name))
