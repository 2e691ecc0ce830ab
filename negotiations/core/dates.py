"""The "as of" day of a read (?as_of=YYYY-MM-DD), parsed one way for the API and the pages."""

from __future__ import annotations

import datetime
import re

DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SHOWN = 40  # characters of a wrong value quoted back: enough to recognise it


class NotADay(ValueError):
    """An ?as_of value that is not a calendar day; its message says what to send."""


def parse_as_of(raw: str | None) -> datetime.date | None:
    """The day to replay history at, None when none was asked for.

    Only the ISO form YYYY-MM-DD in ASCII digits is a day: `20250601`, `2025-6-1` and
    fullwidth digits are refused rather than guessed."""
    if raw is None or raw == "":
        return None
    if DAY.fullmatch(raw):
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            pass
    shown = raw if len(raw) <= SHOWN else f"{raw[:SHOWN]}…"
    raise NotADay(f"“{shown}” is not a date; use YYYY-MM-DD.")
