"""The reservations standing on a proposal: those of the positions its stances rest on
(the stored basis, or the engine's as of a day), one entry per position."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from proposals.engine import ACCEPTS_WITH_RESERVATIONS
from proposals.models import Position


def standing_reservations(bases: Iterable[Iterable[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """Every position accepting with reservations that one of `bases` (basis entries as
    JSON: party_id, stance, position_id...) rests on, in one query: position, party, term
    (null: the whole proposal), term_label, reservations, stated_on; by date, then id."""
    ids = {
        entry["position_id"]
        for basis in bases
        for entry in basis
        if entry.get("stance") == ACCEPTS_WITH_RESERVATIONS and entry.get("position_id")
    }
    if not ids:
        return []
    return [
        {
            "position": row["id"],
            "party": row["party_id"],
            "term": row["term_id"],
            "term_label": None
            if row["term_id"] is None
            else (row["term__label"] or str(row["term__ordinal"])),
            "reservations": row["reservations"],
            "stated_on": row["stated_on"],
        }
        for row in Position.objects.filter(pk__in=ids)
        .order_by("stated_on", "id")
        .values(
            "id",
            "party_id",
            "term_id",
            "term__label",
            "term__ordinal",
            "reservations",
            "stated_on",
        )
    ]
