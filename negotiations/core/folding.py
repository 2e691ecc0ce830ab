"""Accent- and case-insensitive matching of names ("Turkiye" finds "Türkiye", "zelensky"
finds "Zelensky"), done in PostgreSQL by `parley_fold(text)`.

The function is created by a migration (parties 0002): on a server with the `unaccent`
extension (PostgreSQL's contrib, on every production and CI server) it is
`lower(unaccent(text))`; on one without it (the newcomer's embedded PostgreSQL) it folds
the Latin letters with diacritics that `translate` can map one to one. Python folds a query
the same way with `fold` (unicodedata), so a value can be compared either side.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import CharField, F, Func, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.db.models.lookups import Contains, Exact

_SEPARATOR = "\x1f"  # between aliases, so that a match never spans two of them


class Fold(Func):
    """`parley_fold(expression)`: lower case, diacritics removed."""

    function = "parley_fold"
    output_field = CharField()


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def names_matching(value: str, fields: tuple[str, ...], arrays: tuple[str, ...] = ()) -> Q:
    """A condition: the value, folded, occurs in one of the text `fields` or in one element
    of one of the `arrays` (aliases), both folded. Empty when the value folds to nothing."""
    value = value.strip()
    condition = Q()
    if not fold(value):
        return condition
    needle = Fold(Value(value))  # folded by the database, exactly as the names are
    for field in fields:
        condition |= Q(Contains(Fold(F(field)), needle))
    for array in arrays:
        joined = Func(F(array), Value(_SEPARATOR), function="array_to_string")
        condition |= Q(Contains(Fold(joined), needle))
    return condition


def names_equal(value: str, fields: tuple[str, ...], arrays: tuple[str, ...] = ()) -> Q:
    """A condition: the value, folded, equals one of the text `fields` or one element of one
    of the `arrays` (aliases), both folded. Matches nothing when the value folds to nothing."""
    value = value.strip()
    if not fold(value):
        return Q(pk__in=[])
    needle = Fold(Value(value))
    condition = Q()
    for field in fields:
        condition |= Q(Exact(Fold(F(field)), needle))
    for array in arrays:
        # Each alias between separators, so that the whole of one alias must match.
        joined = Concat(
            Value(_SEPARATOR),
            Func(F(array), Value(_SEPARATOR), function="array_to_string", output_field=CharField()),
            Value(_SEPARATOR),
            output_field=CharField(),
        )
        fenced = Concat(Value(_SEPARATOR), needle, Value(_SEPARATOR), output_field=CharField())
        condition |= Q(Contains(Fold(joined), fenced))
    return condition


def filter_names(
    queryset: QuerySet[Any], value: str, fields: tuple[str, ...], arrays: tuple[str, ...] = ()
) -> QuerySet[Any]:
    condition = names_matching(value, fields, arrays)
    return queryset.filter(condition) if condition else queryset
