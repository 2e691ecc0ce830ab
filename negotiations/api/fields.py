"""Strict input fields every resource's serializer uses (VersionedSerializer maps the model
fields to them): ids are whole numbers, id lists are JSON arrays without repeats and of a
bounded length read in one query, dates are YYYY-MM-DD within a sane range.

The rules, in one place (the README's API section says the same):
- an id is a JSON integer, or a string of ASCII digits ("3"); 1.5, true and "３" are refused;
- a list is a JSON array of at most MAX_ITEMS items; a list of ids names each id once;
- a date is YYYY-MM-DD in ASCII digits, from EARLIEST_DAY to LATEST_DAY.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from negotiations.core import dates
from negotiations.core.numbers import parse_whole

MAX_ITEMS = 100
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2100, 12, 31)
DAY_RULE = f"YYYY-MM-DD, from {EARLIEST_DAY} to {LATEST_DAY}"

LARGEST_ID = 2**63 - 1


def json_kind(value: Any) -> str:
    """What a client sent, in the words of JSON rather than of Python."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else "a number"


class IdField(serializers.PrimaryKeyRelatedField):
    """A foreign key given by id. `many=True` makes an IdListField."""

    default_error_messages = {
        "incorrect_type": "Must be a whole number (an id), e.g. 3; {data_type} was sent.",
        "does_not_exist": "There is no {noun} {pk_value}.",
    }

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> IdListField:
        list_kwargs: dict[str, Any] = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return IdListField(**list_kwargs)

    def rows(self) -> QuerySet[Any]:
        queryset = self.get_queryset()
        assert queryset is not None  # a writable related field has a queryset
        return queryset

    @property
    def noun(self) -> str:
        return str(self.rows().model._meta.verbose_name)

    def to_id(self, data: Any) -> int:
        pk = parse_whole(data)
        if pk is not None:
            return pk
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=json_kind(data))
        return data

    def to_internal_value(self, data: Any) -> Any:
        pk = self.to_id(data)
        if 0 < pk <= LARGEST_ID:
            found = self.rows().filter(pk=pk).first()
            if found is not None:
                return found
        self.fail("does_not_exist", noun=self.noun, pk_value=pk)


class IdListField(serializers.ManyRelatedField):
    """A list of ids: a JSON array of at most MAX_ITEMS distinct ids, all read in one query."""

    default_error_messages = {
        "not_a_list": "Must be a list of ids, e.g. [1, 2]; {input_type} was sent.",
        "empty": "This list may not be empty.",
        "too_long": "List at most {max} {noun}s; this lists {count}.",
        "repeated": "Lists {noun} {pk} twice; list each once.",
    }

    child_relation: IdField

    def to_internal_value(self, data: Any) -> list[Any]:
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=json_kind(data))
        if not self.allow_empty and not data:
            self.fail("empty")
        child = self.child_relation
        if len(data) > MAX_ITEMS:
            self.fail("too_long", max=MAX_ITEMS, noun=child.noun, count=len(data))
        ids: list[int] = []
        for item in data:
            pk = child.to_id(item)
            if pk in ids:
                self.fail("repeated", noun=child.noun, pk=pk)
            ids.append(pk)
        found = child.rows().in_bulk([pk for pk in ids if 0 < pk <= LARGEST_ID])
        for pk in ids:
            if pk not in found:
                child.fail("does_not_exist", noun=child.noun, pk_value=pk)
        return [found[pk] for pk in ids]


class ItemListField(serializers.ListField):
    """A list of values (an ArrayField's): a JSON array of at most MAX_ITEMS items."""

    default_error_messages = {
        "not_a_list": 'Must be a list, e.g. ["a", "b"]; {input_type} was sent.',
        "max_length": "List at most {max_length} items.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_ITEMS)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=json_kind(data))
        return super().to_internal_value(data)


class DayField(serializers.DateField):
    """A calendar day: YYYY-MM-DD in ASCII digits (the rule of ?as_of), in the sane range."""

    default_error_messages = {
        "invalid": "Must be a date as YYYY-MM-DD, e.g. 2025-06-02; {kind} was sent.",
        "out_of_range": f"{{day}} is out of range: dates run from {EARLIEST_DAY} to {LATEST_DAY}.",
    }

    def __init__(self, **kwargs: Any) -> None:
        help_text = kwargs.get("help_text")
        rule = f"A date: {DAY_RULE}."
        kwargs["help_text"] = f"{help_text.rstrip('.')}. {rule}" if help_text else rule
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> datetime.date:
        if not isinstance(value, str) or len(value) != len("2025-06-02"):
            self.fail("invalid", kind="empty text" if value == "" else json_kind(value))
        try:
            day = dates.parse_as_of(value)
        except dates.NotADay as error:
            raise serializers.ValidationError(str(error), code="invalid") from None
        assert day is not None  # only an empty value parses to None
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            self.fail("out_of_range", day=day.isoformat())
        return day
