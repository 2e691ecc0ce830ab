"""Rates as the settings write them: `30/hour` (per second, minute, hour or day)."""

from __future__ import annotations

RATE_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """`30/hour` as (30, 3600): how many, in how many seconds."""
    count, _, period = rate.partition("/")
    if not count.isdigit() or period not in RATE_PERIODS:
        raise ValueError(rate)
    return int(count), RATE_PERIODS[period]
