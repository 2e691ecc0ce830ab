"""Slugs made from names in any script: transliterated to ASCII (anyascii), so that the
pages' <slug:...> URLs take them, never blank, and unique (-2, -3... when taken)."""

from __future__ import annotations

from typing import Any

from anyascii import anyascii
from django.db import models
from django.utils.text import slugify


def slug_base(text: str, *, max_length: int, fallback: str) -> str:
    """'Україна' -> 'ukraina', '中国' -> 'zhongguo'; `fallback` when nothing is left
    (a name made only of punctuation)."""
    return slugify(anyascii(text))[:max_length].strip("-") or fallback


def unique_slug(
    queryset: models.QuerySet[Any], text: str, *, max_length: int, fallback: str
) -> str:
    """A slug for `text` that no row of `queryset` has yet (one query)."""
    base = slug_base(text, max_length=max_length, fallback=fallback)
    stem = base[: max_length - 8]  # what every candidate starts with, up to "-9999999"
    taken = set(queryset.filter(slug__startswith=stem).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        suffix = f"-{number}"
        slug = base[: max_length - len(suffix)].rstrip("-") + suffix
    return slug
