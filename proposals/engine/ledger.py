"""The exchange ledger of one term (DESIGN §3, implementation overlay): what each party
delivered, reversals and disputes, suspensions, halts and resumptions, and breaches, as of
any day. Events are read in date order (then id); the ledger keeps its state after each
one so that a day's state is one bisection away.

- A delivery adds its quantity to the total and to its `by_party`'s share.
- A reversal takes back the delivery it `reverses` (its own quantity if it gives one,
  else the whole delivery); only once, and only a delivery already in the ledger.
- A dispute leaves the delivery counted but flags it.
- A suspension or a halt is in force until a later resumption, unless the term was
  already implemented when it came.
- A breach is counted, never changes a status.
- A term with commitments is implemented when every committed party delivered at least
  its share; without commitments, when the total reaches the term's quantity; either
  way, once a delivery `completes` it (while that delivery is not reversed).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import date
from typing import NamedTuple

from .data import EventIn, PartyProgress, TermIn
from .vocabulary import BREACH, DELIVERY, DISPUTE, HALT, RESUMPTION, REVERSAL, SUSPENSION


class State(NamedTuple):
    """A term's ledger after some of its events."""

    delivered: int = 0  # the total: deliveries less reversals
    by_party: Mapping[int, int] = {}
    deliveries: int = 0  # deliveries recorded (reversed or not)
    started_on: date | None = None  # the first delivery's day
    implemented: bool = False
    completed_on: date | None = None
    suspension: EventIn | None = None  # the suspension or halt in force
    breaches: int = 0
    disputed: int = 0  # deliveries disputed and still counted


class Ledger:
    """A term's events in date order and its state after each of them."""

    def __init__(self, term: TermIn, events: Iterable[EventIn]) -> None:
        self.term = term
        rows = sorted(events, key=lambda e: (e.happened_on, e.id))
        self.dates = [e.happened_on for e in rows]
        self.states = [State()]
        seen: dict[int, EventIn] = {}
        reversed_ids: set[int] = set()
        disputed_ids: set[int] = set()
        completers: list[EventIn] = []  # deliveries that complete it, not reversed, by date
        for event in rows:
            state = self._step(self.states[-1], event, seen, reversed_ids, disputed_ids, completers)
            self.states.append(state)
            seen[event.id] = event

    def at(self, day: date) -> State:
        return self.states[bisect_right(self.dates, day)]

    def _step(
        self,
        state: State,
        event: EventIn,
        seen: Mapping[int, EventIn],
        reversed_ids: set[int],
        disputed_ids: set[int],
        completers: list[EventIn],
    ) -> State:
        by_party = dict(state.by_party)
        delivered, deliveries = state.delivered, state.deliveries
        completed_on, suspension = state.completed_on, state.suspension
        started_on = state.started_on
        breaches, disputed = state.breaches, state.disputed
        target = seen.get(event.reverses_id) if event.reverses_id is not None else None
        if target is not None and target.kind != DELIVERY:
            target = None
        if event.kind == DELIVERY:
            amount = event.quantity or 0
            delivered += amount
            deliveries += 1
            started_on = started_on or event.happened_on
            if event.by_party_id is not None:
                by_party[event.by_party_id] = by_party.get(event.by_party_id, 0) + amount
            if event.completes:
                completers.append(event)
                completed_on = completers[0].happened_on
        elif event.kind == REVERSAL and target is not None and target.id not in reversed_ids:
            reversed_ids.add(target.id)
            amount = target.quantity or 0
            if event.quantity is not None:
                amount = min(event.quantity, amount)
            delivered -= amount
            if target.by_party_id is not None:
                by_party[target.by_party_id] = by_party.get(target.by_party_id, 0) - amount
            if target.id in disputed_ids:
                disputed -= 1
            if target in completers:  # the delivery that completed it no longer stands
                completers.remove(target)
                completed_on = completers[0].happened_on if completers else None
        elif event.kind == DISPUTE and target is not None:
            if target.id not in disputed_ids and target.id not in reversed_ids:
                disputed_ids.add(target.id)
                disputed += 1
        elif event.kind in (SUSPENSION, HALT) and suspension is None and not state.implemented:
            suspension = event
        elif event.kind == RESUMPTION:
            suspension = None
        elif event.kind == BREACH:
            breaches += 1
        implemented = completed_on is not None or self._done(delivered, by_party)
        return State(
            delivered,
            by_party,
            deliveries,
            started_on,
            implemented,
            completed_on,
            suspension,
            breaches,
            disputed,
        )

    def _done(self, delivered: int, by_party: Mapping[int, int]) -> bool:
        term = self.term
        if term.commitments:
            return all(by_party.get(c.party_id, 0) >= c.quantity for c in term.commitments)
        return term.quantity is not None and delivered >= term.quantity


def progress(term: TermIn, state: State) -> tuple[PartyProgress, ...]:
    """Each committed party's share and what it delivered, by party id."""
    return tuple(
        PartyProgress(
            c.party_id,
            c.quantity,
            c.quantity_high,
            c.approximate,
            state.by_party.get(c.party_id, 0),
        )
        for c in sorted(term.commitments, key=lambda c: c.party_id)
    )


def party_progress(term: TermIn, events: Iterable[EventIn], day: date) -> tuple[PartyProgress, ...]:
    """Each committed party's progress on a term as of a day (for pages and the API)."""
    return progress(term, Ledger(term, events).at(day))


def breaches(events: Iterable[EventIn], day: date) -> list[EventIn]:
    """The breaches reported on or before a day, in date order."""
    return sorted(
        (e for e in events if e.kind == BREACH and e.happened_on <= day),
        key=lambda e: (e.happened_on, e.id),
    )
