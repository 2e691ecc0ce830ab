"""How precisely a date is known: the one vocabulary for positions, implementation events,
rounds and proposals (issue 12, point 8).

The stored date is always the earliest possible day, so everything that orders or
compares by date (the engine, as-of reads, timelines) needs to know nothing more:
- `day`: the day itself;
- `month`: the 1st of the month (any day of July 2025 is stored as 2025-07-01);
- `year`: the 1st of January;
- `on_or_before`: the latest day by which it was true, the only definite day; it counts
  from that day.
Pages show the date as precisely as it is known ("July 2025"), never an invented day.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db import models
from django.db.models.enums import TextChoices


class DatePrecision(TextChoices):
    DAY = "day", "exact day"
    MONTH = "month", "month"
    YEAR = "year", "year"
    ON_OR_BEFORE = "on_or_before", "on or before"


PRECISION_HELP = (
    "How precisely the date is known: day (default), month, year or on_or_before. The "
    "date stored is the earliest possible day: with month it becomes the 1st of the month "
    "(2025-07-19 is stored as 2025-07-01), with year the 1st of January; with on_or_before "
    "it is the latest day by which it was true, and it counts from that day."
)


class PrecisionFormField(forms.TypedChoiceField):
    """The select beside a date (admin, editor pages). Left out or blank it is the exact
    day, so a form posted without it (an older client, a row left at its defaults) keeps
    meaning what it meant."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["required"] = False
        kwargs.setdefault("choices", DatePrecision.choices)
        kwargs.setdefault("initial", DatePrecision.DAY)
        kwargs.setdefault("label", "Date known to")
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        return super().clean(value) or DatePrecision.DAY

    def has_changed(self, initial: Any, data: Any) -> bool:
        return (data or DatePrecision.DAY) != (initial or DatePrecision.DAY)


class DatePrecisionField(models.CharField):
    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return super().formfield(
            form_class=form_class,
            choices_form_class=choices_form_class or PrecisionFormField,
            **kwargs,
        )


def precision_field() -> DatePrecisionField:
    """The `<date>_precision` field every dated model carries next to its date."""
    return DatePrecisionField(
        max_length=12,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=PRECISION_HELP,
    )


def earliest_day(day: datetime.date, precision: str) -> datetime.date:
    """The day to store for `day` known to `precision`: the earliest possible day."""
    if precision == DatePrecision.MONTH:
        return day.replace(day=1)
    if precision == DatePrecision.YEAR:
        return day.replace(month=1, day=1)
    return day


def latest_day(day: datetime.date, precision: str) -> datetime.date:
    """The last day a stored date known to `precision` can stand for: the end of its month
    or year (for a round known only by month, the day its outcome is read at)."""
    if precision == DatePrecision.MONTH:
        following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return following - datetime.timedelta(days=1)
    if precision == DatePrecision.YEAR:
        return day.replace(month=12, day=31)
    return day


def normalise_changes(changes: dict[str, Any], *, field: str, instance: Any = None) -> None:
    """Store `changes[field]` as the earliest day its precision allows. When only the
    precision changes, the instance's date is normalised and written with it."""
    key = f"{field}_precision"
    if field not in changes and key not in changes:
        return
    day = changes.get(field, getattr(instance, field, None))
    precision = changes.get(key, getattr(instance, key, DatePrecision.DAY))
    if isinstance(day, datetime.date) and precision in DatePrecision.values:
        changes[field] = earliest_day(day, precision)


def shown_day(day: datetime.date | None, precision: str | None = None) -> str:
    """A date as precisely as it is known: "2 June 2025", "July 2025", "2025",
    "on or before 2 June 2025"."""
    if day is None:
        return ""
    if precision == DatePrecision.MONTH:
        return f"{day:%B %Y}"
    if precision == DatePrecision.YEAR:
        return f"{day:%Y}"
    exact = f"{day.day} {day:%B %Y}"
    return f"on or before {exact}" if precision == DatePrecision.ON_OR_BEFORE else exact


def machine_day(day: datetime.date | None, precision: str | None = None) -> str:
    """The value of a `<time datetime>` attribute: "2025-07" for a month, "2025" for a year."""
    if day is None:
        return ""
    if precision == DatePrecision.MONTH:
        return f"{day:%Y-%m}"
    if precision == DatePrecision.YEAR:
        return f"{day:%Y}"
    return day.isoformat()
