"""Error texts in plain words a client can act on, in place of DRF's defaults that speak of
Python and DRF ("A valid biginteger is required.", "Incorrect type. Expected pk value,
received str.", "Expected a list of items but got type \\"dict\\".").

`PlainErrors` is the base of every input serializer (VersionedSerializer, the token and
the deleted-feed queries): when its fields are built it rewrites, in every field and in
the fields nested in it, each message still at DRF's default text. A message a field class
words itself (negotiations/api/fields.py) is left as it is. Texts are format strings, as
DRF's: braces a client should see are doubled.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

WHOLE = "Must be a whole number, e.g. 3."
OBJECT = 'Must be an object, e.g. {{"title": "Ceasefire"}}.'

# DRF's default text -> ours. Keyed by the text, so that one a field words itself stays.
PLAIN: dict[str, str] = {
    "A valid integer is required.": WHOLE,
    "A valid biginteger is required.": WHOLE,
    "String value too large.": "Too many digits for a number.",
    "A valid number is required.": "Must be a number, e.g. 2.5.",
    "Integer value too large to convert to float": "Too large a number.",
    "Not a valid string.": 'Must be text, e.g. "Istanbul".',
    "Must be a valid boolean.": "Must be true or false.",
    'Expected a list of items but got type "{input_type}".': "Must be a list, e.g. [1, 2].",
    'Expected a dictionary of items but got type "{input_type}".': OBJECT,
    "Invalid data. Expected a dictionary, but got {datatype}.": OBJECT,
    "Datetime has wrong format. Use one of these formats instead: {format}.": (
        "Must be a moment in ISO 8601, e.g. 2025-06-02T10:00:00Z."
    ),
    "Expected a datetime but got a date.": (
        "Must be a moment with its time, e.g. 2025-06-02T10:00:00Z."
    ),
    "Date has wrong format. Use one of these formats instead: {format}.": (
        "Must be a date as YYYY-MM-DD, e.g. 2025-06-02."
    ),
    "Expected a date but got a datetime.": "Must be a date without a time, e.g. 2025-06-02.",
    "Incorrect type. Expected pk value, received {data_type}.": (
        "Must be a whole number (an id), e.g. 3."
    ),
    "Invalid value.": "Not a value this field takes.",
}
DRF_INVALID_CHOICE = '"{input}" is not a valid choice.'
DRF_NO_PK = 'Invalid pk "{pk_value}" - object does not exist.'
DRF_NO_SLUG = "Object with {slug_name}={value} does not exist."


def _braced(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _noun(field: RelatedField) -> str:
    queryset = field.queryset
    if isinstance(queryset, QuerySet):
        return _braced(str(queryset.model._meta.verbose_name))
    return "item"


def _choices_message(field: serializers.ChoiceField) -> str:
    listed = ", ".join(_braced(str(choice)) for choice in field.choices)
    return f"“{{input}}” is not one of the choices: {listed}."


def plain_errors(field: serializers.Field) -> None:
    """Rewrite the field's default messages, and those of the fields nested in it."""
    messages = field.error_messages
    for key, text in list(messages.items()):
        text = str(text)
        if text in PLAIN:
            messages[key] = PLAIN[text]
        elif text == DRF_INVALID_CHOICE and isinstance(field, serializers.ChoiceField):
            messages[key] = _choices_message(field)
        elif text == DRF_NO_PK and isinstance(field, RelatedField):
            messages[key] = f"There is no {_noun(field)} {{pk_value}}."
        elif text == DRF_NO_SLUG and isinstance(field, RelatedField):
            messages[key] = f"There is no {_noun(field)} with {{slug_name}} “{{value}}”."
    if isinstance(field, serializers.MultipleChoiceField):
        messages["not_a_list"] = 'Must be a list of choices, e.g. ["{}"].'.format(
            _braced(str(next(iter(field.choices), "…")))
        )
    for nested in _nested(field):
        plain_errors(nested)


def _nested(field: serializers.Field) -> list[Any]:
    if isinstance(field, serializers.ListSerializer):
        return [field.child]
    if isinstance(field, serializers.Serializer) and not isinstance(field, PlainErrors):
        return list(field.fields.values())  # a PlainErrors serializer rewrites its own
    if isinstance(field, serializers.ListField | serializers.DictField):
        return [field.child]
    if isinstance(field, ManyRelatedField):
        return [field.child_relation]
    return []


class PlainErrors(serializers.Serializer):
    """A serializer whose fields (and itself) speak plainly; see the module docstring."""

    default_error_messages = {"invalid": OBJECT}

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            plain_errors(field)
        return fields
