"""Filters every resource shares: ids, choices, days, `updated_since`, and `q` search."""

from __future__ import annotations

import datetime
import re
from functools import cache
from typing import Any, ClassVar

import django_filters
from django import forms
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q
from django_filters.fields import DateRangeField
from rest_framework import exceptions

from negotiations.api.fields import DAY_RULE, EARLIEST_DAY, LATEST_DAY, DayField
from negotiations.api.params import FLAG_RULE, FLAG_WORDS
from negotiations.api.strict import EMPTY_PARAMETER
from negotiations.core import dates
from negotiations.core.folding import names_equal, names_matching
from negotiations.core.numbers import parse_whole


class IdFormField(forms.IntegerField):
    """An id in a query string: ASCII digits only (forms.IntegerField takes "1.0" and "１")."""

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        pk = parse_whole(value)
        if pk is None:
            raise ValidationError("Must be a whole number (an id), e.g. 3.", code="invalid")
        return pk


class IdFilter(django_filters.Filter):
    """An id (no existence check: an unknown id simply matches nothing)."""

    field_class = IdFormField


class WholeNumberFormField(IdFormField):
    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        number = parse_whole(value)
        if number is None:
            raise ValidationError("Must be a whole number, e.g. 3.", code="invalid")
        return number


class WholeNumberFilter(django_filters.Filter):
    field_class = WholeNumberFormField


SLUG = re.compile(r"[-a-zA-Z0-9_]{1,120}")


class IdOrSlugFormField(forms.Field):
    """An id (ASCII digits) or a slug; a slug made only of digits is read as an id."""

    def to_python(self, value: Any) -> int | str | None:
        if value in self.empty_values:
            return None
        text = str(value)
        pk = parse_whole(text)
        if pk is not None:
            return pk
        if not SLUG.fullmatch(text):
            raise ValidationError(
                "Give an id (e.g. 3) or a slug (letters, digits and hyphens, e.g. istanbul-2025).",
                code="invalid",
            )
        return text


class NegotiationKeyFilter(django_filters.Filter):
    """A negotiation by id or by slug: `field_name` is the path to its id (`…negotiation_id`),
    the slug is read beside it (`…negotiation__slug`)."""

    field_class = IdOrSlugFormField

    def __init__(self, *, field_name: str, help_text: str = "Only this negotiation.") -> None:
        assert field_name.endswith("negotiation_id"), field_name
        help_text = f"{help_text.rstrip('.')}: its id or its slug, e.g. 1 or istanbul-2025."
        super().__init__(field_name=field_name, help_text=help_text)

    def filter(self, qs: models.QuerySet, value: Any) -> models.QuerySet:
        if value is None:
            return qs
        if isinstance(value, int):
            return qs.filter(**{self.field_name: value})
        return qs.filter(**{f"{self.field_name.removesuffix('_id')}__slug": value})


class NameFilter(django_filters.CharFilter):
    """A name, short name or alias, exactly (not a part of it), accents and case ignored:
    `name=kyiv` finds the party whose alias is "Kyiv", not "Kyiv Oblast administration"."""

    def __init__(self, *, names: tuple[str, ...], aliases: tuple[str, ...], help_text: str):
        self.names, self.aliases = names, aliases
        super().__init__(help_text=help_text)

    def filter(self, qs: models.QuerySet, value: Any) -> models.QuerySet:
        if not value:
            return qs
        return qs.filter(names_equal(value, self.names, self.aliases))


class IdInFilter(django_filters.BaseInFilter, IdFilter):
    pass


class FlagFormField(forms.Field):
    """true or false (1 or 0, any case); forms.NullBooleanField reads "maybe" as no value
    and the filter as absent."""

    def to_python(self, value: Any) -> bool | None:
        if value in self.empty_values:
            return None
        flag = FLAG_WORDS.get(str(value).lower())
        if flag is None:
            raise ValidationError(FLAG_RULE, code="invalid")
        return flag


class FlagFilter(django_filters.BooleanFilter):
    field_class = FlagFormField


class DayFormField(forms.DateField):
    """A day in a query string, by DayField's rule: YYYY-MM-DD in ASCII digits, in range
    (forms.DateField takes 06/02/2025, 2025-6-2 and 0001-01-01)."""

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        try:
            day = dates.parse_as_of(str(value))
        except dates.NotADay as error:
            # The message quotes the value; django-filter %-formats messages, so a "%" in
            # the value must be doubled or the error itself fails (a 500).
            raise ValidationError(str(error).replace("%", "%%"), code="invalid") from None
        assert day is not None  # only an empty value parses to None
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            message = DayField.default_error_messages["out_of_range"]
            raise ValidationError(message.format(day=day.isoformat()), code="out_of_range")
        return day


class DayRangeField(DateRangeField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = (DayFormField(required=False), DayFormField(required=False))


class DayRangeFilter(django_filters.DateFromToRangeFilter):
    """Days from `<name>_after` to `<name>_before`, both included, each a DayFormField."""

    field_class = DayRangeField

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any) -> None:
        help_text = f"{help_text.rstrip('.')}. Dates: {DAY_RULE}.".lstrip(". ")
        super().__init__(*args, help_text=help_text, **kwargs)


def parameters_of(name: str, field: forms.Field) -> list[str]:
    """The query parameters a filter reads: its name, or one per part of a range
    (`tabled_on_after`, `tabled_on_before`)."""
    suffixes = getattr(field.widget, "suffixes", None)
    return [f"{name}_{suffix}" for suffix in suffixes] if suffixes else [name]


@cache
def filter_parameters(filterset_class: type[django_filters.FilterSet]) -> tuple[str, ...]:
    """The query parameters a filter set reads (StrictQuery): a range filter reads two."""
    return tuple(
        parameter
        for name, each in filterset_class.base_filters.items()
        for parameter in parameters_of(name, each.field)
    )


def choice_filter(choices: Any, field_name: str, help_text: str) -> django_filters.Filter:
    """One of the choices, repeatable; a wrong value is named with the choices it could be
    (Django's "Select a valid choice" lists none)."""
    listed = ", ".join(str(value) for value, _ in choices)
    return django_filters.MultipleChoiceFilter(
        field_name=field_name,
        choices=choices,
        help_text=help_text,
        error_messages={"invalid_choice": f"“%(value)s” is not one of the choices: {listed}."},
    )


def in_utc(value: datetime.datetime, name: str) -> datetime.datetime:
    """PostgreSQL refuses offsets beyond ±15:59; the moment itself is what counts."""
    try:
        return value.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise exceptions.ValidationError({name: ["This moment is out of range."]}) from None


class SinceFilter(django_filters.IsoDateTimeFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        message = "Must be a moment in ISO 8601, e.g. 2025-06-02T10:00:00Z."
        super().__init__(*args, error_messages={"invalid": message}, **kwargs)

    def filter(self, qs: models.QuerySet, value: Any) -> models.QuerySet:
        if value:
            value = in_utc(value, self.field_name)
        return super().filter(qs, value)


class ParleyFilterSet(django_filters.FilterSet):
    """Filters every list has: ids, `updated_since` (the sync key) and full-text `q`."""

    id = IdInFilter(field_name="id", help_text="Only these ids, comma-separated (1,2,3).")
    updated_since = SinceFilter(
        field_name="changed_at",
        lookup_expr="gte",
        help_text="Only items whose `changed_at` is at or after this moment (ISO 8601). Pass "
        "the largest `changed_at` of your last sync; items on the boundary come again.",
    )
    q = django_filters.CharFilter(
        method="search",
        help_text="Full-text search (PostgreSQL, English stemming; quotes, OR and -word work "
        "as in a web search). Where a list has names (parties, people), a name or alias that "
        "contains the words, accents and case ignored, also matches.",
    )

    search_fields: ClassVar[tuple[str, ...]] = ()
    # Name columns matched by substring, accents and case ignored, beside the full text;
    # and the array columns of aliases matched the same way.
    name_fields: ClassVar[tuple[str, ...]] = ()
    alias_fields: ClassVar[tuple[str, ...]] = ()

    def is_valid(self) -> bool:
        """Also refuses a filter sent empty (`?party=`): django-filter would ignore it and
        answer every item, which a client that lost a value on its way would take as the
        answer to its question. A range's error names the half that is wrong
        (`tabled_on_after`), the parameter the client sent."""
        valid = super().is_valid()
        errors = self.form.errors
        for name, field in self.form.fields.items():
            names = parameters_of(name, field)
            if name in errors and isinstance(field, forms.MultiValueField):  # which part?
                del errors[name]
                for parameter, part in zip(names, field.fields, strict=True):
                    try:
                        part.clean(self.data.get(parameter))
                    except ValidationError as error:
                        errors[parameter] = self.form.error_class(error.messages)
            for parameter in names:  # in place of what the field would say about ""
                if self.data.get(parameter, None) == "":
                    errors[parameter] = self.form.error_class([EMPTY_PARAMETER])
        return valid and not errors

    def search(self, queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        vector = SearchVector(*self.search_fields, config="english")
        query = SearchQuery(value, config="english", search_type="websearch")
        matches = Q(search_document=query)
        if self.name_fields or self.alias_fields:
            matches |= names_matching(value, self.name_fields, self.alias_fields)
        return queryset.annotate(search_document=vector).filter(matches)


def array_of(through: type[models.Model], owner: str, value: str) -> ArraySubquery:
    """The ids a many-to-many field holds, as one array column of the row's own query."""
    return ArraySubquery(
        through._default_manager.filter(**{owner: OuterRef("pk")}).order_by(value).values(value)
    )
