"""Slugs for public addresses, readable for Latin and Chinese names alike."""

import re

from django.utils.text import slugify

_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")


def slug_base(text, *, max_length=180):
    """A slug for `text`: Chinese characters become toneless pinyin (刘萍 → liu-ping)."""
    if _HAN.search(text or ""):
        # Imported here: its phrase dictionary takes a third of a second to load.
        from pypinyin import lazy_pinyin

        text = " ".join(lazy_pinyin(text))
    return slugify(text)[:max_length].strip("-") or "item"


def unique_slug(model, text, *, field="slug", exclude_pk=None):
    """A slug for `text` not yet used by `model` (adds -2, -3 ... when taken)."""
    base = slug_base(text)
    taken = set(
        model.objects.filter(**{f"{field}__startswith": base})
        .exclude(pk=exclude_pk)
        .values_list(field, flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug
