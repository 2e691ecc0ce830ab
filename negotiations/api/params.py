"""What every resource reads the same way: the ?as_of parameter, the fields its serializers
declare (the one list a values() read, the dict building and the schema all use), and the
aggregate subqueries its detail's ETag is computed from."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django.db import models
from django.db.models import OuterRef, Subquery, Value
from rest_framework import serializers, viewsets
from rest_framework.request import Request

from negotiations.api.strict import EMPTY_PARAMETER
from negotiations.core import dates

# output name -> (through model, its column pointing at the row, the id column)
IdLists = dict[str, tuple[type[models.Model], str, str]]


def parse_as_of(request: Request) -> datetime.date | None:
    """?as_of=YYYY-MM-DD, None when absent; a 400 naming the parameter when not a day
    (an empty `as_of=` too: a client that meant "today" leaves the parameter out)."""
    raw = request.query_params.get("as_of")
    if raw == "":
        raise serializers.ValidationError({"as_of": [EMPTY_PARAMETER]})
    try:
        return dates.parse_as_of(raw)
    except dates.NotADay as error:
        raise serializers.ValidationError({"as_of": [str(error)]}) from None


FLAG_WORDS = {"true": True, "false": False, "1": True, "0": False}
FLAG_RULE = "Give true or false."


def parse_flag(request: Request, name: str, *, default: bool) -> bool:
    """?name=true|false (1|0 too, any case), the default when absent; a 400 otherwise: a
    "ture" must not silently mean either."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if raw.lower() not in FLAG_WORDS:
        raise serializers.ValidationError({name: [FLAG_RULE]})
    return FLAG_WORDS[raw.lower()]


# A resource whose reads take ?as_of, parsed once per request when first needed. No
# docstring: a resource inheriting this first would show it as the description of `create`.
class AsOfParameter(viewsets.GenericViewSet):
    as_of_actions: tuple[str, ...] = ("retrieve",)  # where ?as_of is taken (StrictQuery)

    @cached_property
    def as_of(self) -> datetime.date | None:
        return parse_as_of(self.request)


def output_fields(serializer_class: type[serializers.Serializer]) -> dict[str, str]:
    """Output name -> the key it is read from (the field's `source`), in the documented
    order: how a values() row or a record becomes the output without a serializer per row."""
    fields = {}
    for name, field in serializer_class().fields.items():
        if not field.write_only:
            assert isinstance(field.source, str), name  # a name once the field is bound
            fields[name] = field.source
    return fields


def _is_id_list(field: serializers.Field) -> bool:
    return isinstance(field, serializers.ManyRelatedField) and not field.write_only


def output_columns(
    serializer_class: type[serializers.Serializer], *, computed: Iterable[str] = ()
) -> tuple[str, ...]:
    """The values() columns of a resource: what its serializer outputs, less the id lists
    (id_lists), nested lists and the fields `computed` in Python after the read."""
    skipped = set(computed)
    return tuple(
        name
        for name, field in serializer_class().fields.items()
        if not field.write_only
        and name not in skipped
        and not _is_id_list(field)
        and not isinstance(field, serializers.ListSerializer)
    )


def id_lists(serializer_class: type[serializers.ModelSerializer]) -> IdLists:
    """The many-to-many fields a model serializer outputs as lists of ids, with where to
    read them (ResourceViewSet.arrays)."""
    model: type[models.Model] = serializer_class.Meta.model
    meta = model._meta
    lists: IdLists = {}
    for name, field in serializer_class().fields.items():
        if _is_id_list(field):
            assert isinstance(field.source, str), name
            m2m = meta.get_field(field.source)
            assert isinstance(m2m, models.ManyToManyField), name
            through = m2m.remote_field.through
            assert isinstance(through, type), name  # resolved once the apps are loaded
            lists[name] = (through, m2m.m2m_column_name(), m2m.m2m_reverse_name())
    return lists


def aggregate_of(queryset: models.QuerySet[Any], link: str, expression: Any) -> Subquery:
    """One aggregate over the rows of `queryset` that point at the outer row."""
    return Subquery(
        queryset.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(value=expression)
        .values("value")[:1]
    )


def aggregate_over(queryset: models.QuerySet[Any], expression: Any) -> Subquery:
    """One aggregate over all the rows of `queryset` (null when there are none)."""
    return Subquery(
        queryset.order_by()
        .annotate(everything=Value(1))
        .values("everything")
        .annotate(value=expression)
        .values("value")[:1]
    )
