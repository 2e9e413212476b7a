"""Changing an article's text: every version is kept and every passage re-anchored once."""

from django.db import transaction

from sources.models import Article, ArticleVersion
from sources.text import normalize_text, remove_boilerplate

from .passages import passages_reanchor

# What a change of text updates on the caller's article instance, so that it stays current.
_TEXT_FIELDS = ("source_text", "boilerplate", "text", "version", "updated_at")


@transaction.atomic
def article_set_text(
    *, article, text=None, boilerplate=None, reason=ArticleVersion.Reason.EDIT, changed_by=None
):
    """Replace an article's text and/or boilerplate; keep the old text as a version; re-anchor.

    `text` is raw (it is normalized here); `None` keeps the current source text, so that a
    change of boilerplate alone is re-applied to it. Returns True when the normalized text
    changed: a new `ArticleVersion` records it with `reason` and `changed_by`, and every
    passage of the article is re-anchored once (see `passages_reanchor`), its history
    recording `changed_by`. Returns False when the text stays the same. The instance passed
    in is updated to the stored text and version.
    """
    current = Article.objects.select_for_update().get(pk=article.pk)
    source_text = normalize_text(text) if text is not None else current.source_text
    if boilerplate is not None:
        current.boilerplate = boilerplate
    new_text = remove_boilerplate(source_text, current.boilerplate)
    current.source_text = source_text
    current._history_user = changed_by
    if new_text == current.text:
        current.save(update_fields=["source_text", "boilerplate", "updated_at"])
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
    current.full_clean()
    current.save()
    ArticleVersion.objects.create(
        article=current,
        number=current.version,
        text=new_text,
        reason=reason,
        created_by=changed_by,
    )
    passages_reanchor(article=current, old_text=old_text, changed_by=changed_by)
    _copy_text_fields(current, article)
    return True


def _copy_text_fields(source, target):
    if target is not source:
        for name in _TEXT_FIELDS:
            setattr(target, name, getattr(source, name))
