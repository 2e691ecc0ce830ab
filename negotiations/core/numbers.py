"""Whole numbers that people and clients type: an API's ?limit or id, an editor form's row
count, the id in a choice. Read one way everywhere: ASCII digits only, and few enough of
them (Python's int() takes "３" and "١٢", and raises on "²" and on 5,000 digits)."""

from __future__ import annotations

from typing import Any

MOST_DIGITS = 18  # any 18 digits fit a PostgreSQL bigint


def parse_whole(raw: Any, *, most_digits: int = MOST_DIGITS) -> int | None:
    """The whole number `raw` spells in at most `most_digits` ASCII digits; None for
    anything else ("", "-1", "1.0", "²", "３", 5,000 digits, a number that is not text)."""
    if isinstance(raw, str) and 0 < len(raw) <= most_digits and raw.isascii() and raw.isdigit():
        return int(raw)
    return None
