"""Small presentational helpers shared by the analyst pages: status and stance badges
(colour always doubled by a word or a symbol), quantities, due dates."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from negotiations.core.precision import machine_day, shown_day
from proposals.models import AGREED_OR_BEYOND, Stance, Status

register = template.Library()

STANCE_SYMBOLS: dict[str | None, str] = {
    Stance.PROPOSES: "★",
    Stance.SUPPORTS: "+",
    Stance.ACCEPTS: "✓",
    Stance.ACCEPTS_WITH_RESERVATIONS: "✓*",
    Stance.CONDITIONAL: "≈",
    Stance.UNDECIDED: "?",
    Stance.REJECTS: "✗",
    Stance.WITHDRAWS: "↩",
    None: "·",
}
STANCE_WORDS: dict[str | None, str] = {
    Stance.PROPOSES: "proposes",
    Stance.SUPPORTS: "supports",
    Stance.ACCEPTS: "accepts",
    Stance.ACCEPTS_WITH_RESERVATIONS: "accepts with reservations",
    Stance.CONDITIONAL: "conditional",
    Stance.UNDECIDED: "undecided",
    Stance.REJECTS: "rejects",
    Stance.WITHDRAWS: "withdraws",
    None: "no position",
}
STATUS_LABELS = dict(Status.choices)
SETTLED = {Status.IMPLEMENTED, Status.REJECTED, Status.WITHDRAWN, Status.SUPERSEDED}


@register.simple_tag
def status_badge(status: str, stale: bool = False) -> str:
    """A status as a coloured badge with its name; a stale one says "recomputing"."""
    if stale:
        return format_html(
            '<span class="status status-stale" title="last computed: {}">recomputing</span>',
            STATUS_LABELS.get(status, status),
        )
    return format_html(
        '<span class="status status-{}">{}</span>', status, STATUS_LABELS.get(status, status)
    )


@register.simple_tag
def stance_badge(
    stance: str | None, counts_as: str | None = None, consent: bool = True, date: Any = None
) -> str:
    if stance is None:
        return mark_safe(  # noqa: S308 (constant markup)
            '<span class="stance stance-none"><span aria-hidden="true">·</span>'
            '<span class="visually-hidden">no position</span></span>'
        )
    symbol = STANCE_SYMBOLS.get(stance, "·")
    word = STANCE_WORDS.get(stance, str(stance))
    extra = ""
    if stance == Stance.CONDITIONAL and counts_as == Stance.ACCEPTS:
        extra = " (conditions met)"
    if not consent:
        extra += " °"
    title = word + extra + (f", {date:%-d %B %Y}" if date else "")
    return format_html(
        '<span class="stance stance-{}{}" title="{}"><span class="sym" aria-hidden="true">{}'
        "</span> {}{}</span>",
        stance or "none",
        "" if consent else " no-consent",
        title,
        symbol,
        word,
        extra,
    )


@register.filter
def stance_symbol(stance: str | None) -> str:
    return STANCE_SYMBOLS.get(stance, "·")


@register.filter
def stance_word(stance: str | None) -> str:
    return STANCE_WORDS.get(stance, str(stance))


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@register.filter
def thousands(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


@register.filter
def percent_of(part: int | None, whole: int | None) -> int:
    if not whole:
        return 0
    return min(100, round(100 * (part or 0) / whole))


@register.filter
def share_percent(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


@register.filter
def is_overdue(term: Any, today: datetime.date | None = None) -> bool:
    """A due date passed while the term is neither carried out nor off the table."""
    today = today or timezone.localdate()
    return bool(term.due_on and term.due_on < today and term.status not in SETTLED)


@register.filter
def is_agreed(status: str) -> bool:
    return status in AGREED_OR_BEYOND


@register.filter
def on_day(day: datetime.date | None, precision: str | None = None) -> str:
    """A date as precisely as it is known: "2 June 2025", "July 2025", "2025",
    "on or before 2 June 2025"."""
    return shown_day(day, precision)


@register.filter
def on_day_iso(day: datetime.date | None, precision: str | None = None) -> str:
    """The `<time datetime>` value of the same date: "2025-06-02", "2025-07", "2025"."""
    return machine_day(day, precision)
