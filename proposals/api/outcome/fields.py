"""The round-outcome document's fields that are not a model's: references (document.py
says the syntax), lists of parts, local keys; and DRF's nested errors as JSON paths."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from negotiations.api.fields import json_kind
from negotiations.core.numbers import parse_whole

MAX_ROWS = 1000  # of any one list; the body's size (2.5 MiB) bounds the whole
KEY_LENGTH = 100
REF_SCHEMA = {
    "oneOf": [
        {
            "type": "string",
            "minLength": 1,
            "maxLength": 1000,
            "description": "A natural key: party slug, name, alias or external id; source "
            "URL; person name; proposal title.",
        },
        {
            "type": "object",
            "properties": {"key": {"type": "string", "minLength": 1, "maxLength": KEY_LENGTH}},
            "required": ["key"],
            "additionalProperties": False,
            "description": "A part of this document, by its local key.",
        },
        {
            "type": "object",
            "properties": {"id": {"type": "integer", "minimum": 1}},
            "required": ["id"],
            "additionalProperties": False,
            "description": "An existing row, by id.",
        },
    ]
}


class Ref:
    """A parsed reference: exactly one of key, id, natural."""

    __slots__ = ("id", "key", "natural")

    def __init__(self, *, key: str = "", id: int | None = None, natural: str = "") -> None:  # noqa: A002
        self.key, self.id, self.natural = key, id, natural

    def __repr__(self) -> str:
        if self.key:
            return f'{{"key": "{self.key}"}}'
        if self.id is not None:
            return f'{{"id": {self.id}}}'
        return f'"{self.natural}"'


@extend_schema_field(REF_SCHEMA)
class RefField(serializers.Field):
    default_error_messages = {
        "invalid": 'Must be a reference: a natural key as text ("ukraine"), {{"key": "p1"}} '
        'for a part of this document or {{"id": 3}} for an existing row; {kind} was sent.',
    }

    def to_internal_value(self, data: Any) -> Ref:
        if isinstance(data, str) and 0 < len(data.strip()) <= 1000:
            return Ref(natural=data.strip())
        if isinstance(data, dict) and len(data) == 1:
            if isinstance(data.get("key"), str) and 0 < len(data["key"]) <= KEY_LENGTH:
                return Ref(key=data["key"])
            raw = data.get("id")
            pk = parse_whole(raw) if isinstance(raw, str) else raw
            if isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk < 2**63:
                return Ref(id=pk)
        self.fail("invalid", kind=json_kind(data))

    def to_representation(self, value: Any) -> Any:
        return value


def refs(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=RefField(), required=False, max_length=100, **kwargs)


def rows(serializer: type[serializers.Serializer], **kwargs: Any) -> serializers.ListSerializer:
    return serializers.ListSerializer(
        child=serializer(), required=False, max_length=MAX_ROWS, **kwargs
    )


def key_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=KEY_LENGTH,
        required=False,
        help_text="Your local key for this part, to refer to it elsewhere in the document "
        '({"key": ...}) and to find its id in the answer.',
    )


def flatten(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {JSON path: [messages]} (the root is non_field_errors)."""
    errors: dict[str, list[str]] = {}
    stack: list[tuple[Any, str]] = [(detail, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, Mapping):
            for name, inner in value.items():
                if name == "non_field_errors":
                    stack.append((inner, where))
                elif isinstance(name, int):
                    stack.append((inner, f"{where}[{name}]"))
                else:
                    stack.append((inner, f"{where}.{name}" if where else str(name)))
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            errors.setdefault(where or "non_field_errors", []).extend(str(v) for v in value)
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                stack.append((inner, f"{where}[{i}]"))
        elif value:
            errors.setdefault(where or "non_field_errors", []).append(str(value))
    return dict(sorted(errors.items()))
