"""Stance histories: a party's effective stance on a term or a whole proposal on a day."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from .data import PositionIn

# A subject's parties (consent parties, then the tabler) and their effective positions.
Stances = dict[int, PositionIn | None]


class History(NamedTuple):
    """One party's positions on one subject, sorted so the last one <= D is effective."""

    dates: list[date]
    positions: list[PositionIn]

    def as_of(self, day: date) -> PositionIn | None:
        i = bisect_right(self.dates, day)
        return self.positions[i - 1] if i else None


def effective(general: PositionIn | None, specific: PositionIn | None) -> PositionIn | None:
    """Rule 2 of §3: of a position on the whole proposal and one on the term, the later
    one; on the same day the term-level one, as the more specific. Positions said before
    the tabling day all take effect on it, in the order they were said."""
    if specific is None or (general is not None and general.order > specific.order):
        return general
    return specific


def _histories(rows: Iterable[tuple[int, PositionIn]]) -> dict[int, dict[int, History]]:
    grouped: dict[int, dict[int, list[PositionIn]]] = defaultdict(lambda: defaultdict(list))
    for key, row in rows:
        grouped[key][row.party_id].append(row)
    result: dict[int, dict[int, History]] = {}
    for key, by_party in grouped.items():
        result[key] = {}
        for party_id, items in by_party.items():
            # Of a party's positions on a subject on one day, the one recorded last wins.
            items.sort(key=lambda p: (*p.order, p.id))
            result[key][party_id] = History([p.stated_on for p in items], items)
    return result


class StanceIndex:
    """Every party's positions, by term and by whole proposal."""

    def __init__(self, positions: Iterable[PositionIn]) -> None:
        rows = list(positions)
        self.on_term = _histories((p.term_id, p) for p in rows if p.term_id is not None)
        self.on_proposal = _histories((p.proposal_id, p) for p in rows if p.term_id is None)

    def stance_of(
        self, party_id: int, proposal_id: int, term_id: int | None, day: date
    ) -> PositionIn | None:
        general_history = self.on_proposal.get(proposal_id, {}).get(party_id)
        general = general_history.as_of(day) if general_history else None
        if term_id is None:
            return general
        specific_history = self.on_term.get(term_id, {}).get(party_id)
        return effective(general, specific_history.as_of(day) if specific_history else None)

    def on_whole(self, proposal_id: int, parties: Iterable[int], day: date) -> Stances:
        histories = self.on_proposal.get(proposal_id, {})
        return {party: (h.as_of(day) if (h := histories.get(party)) else None) for party in parties}

    def on_one_term(self, term_id: int, whole: Stances, day: date) -> Stances:
        """The stances on a term, given those on its whole proposal the same day."""
        histories = self.on_term.get(term_id, {})
        return {
            party: effective(general, h.as_of(day) if (h := histories.get(party)) else None)
            for party, general in whole.items()
        }
