"""Partial realisation (issue 12, point 3): a narrower deal B that "realises part of" a
maximal demand A. While B is agreed or beyond (the link counting from its day), A, if
neither agreed or beyond nor dead nor superseded, is `partially_agreed`, its reason naming
B. B's status is read WITHOUT its own partial-realisation step: no chaining, so cycles of
links cannot loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from . import ratification
from .changes import NO_CHANGES, Histories
from .index import Index
from .rules import aggregate, is_not_tabled, is_superseded, items
from .vocabulary import ADVANCEMENT, DEAD, NOT_TABLED, PARTIALLY_AGREED, SUPERSEDED


class Statuses(Protocol):
    """What this step reads of as_of.Statuses (which owns it)."""

    index: Index

    @property
    def histories(self) -> Histories: ...

    def statuses_only(self, proposal_id: int, on: date) -> tuple[str, ...]: ...


class PartialRealisation:
    def __init__(self, statuses: Statuses) -> None:
        self._statuses = statuses

    def own_status(self, proposal_id: int, on: date) -> str:
        """A proposal's status before partial realisation, without reasons: the steps of
        as_of.Statuses.own_outcome (not yet tabled, superseded, the items' aggregate, the
        ratification overlay)."""
        statuses = self._statuses
        proposal = statuses.index.proposals[proposal_id]
        if is_not_tabled(proposal, on):
            return NOT_TABLED
        if is_superseded(proposal, on):
            return SUPERSEDED
        own = statuses.statuses_only(proposal_id, on)
        terms = statuses.index.terms_of[proposal_id]
        if not terms:
            status = own[0]
        else:
            entries = items(terms, list(own))
            status = aggregate([e.status for e in entries], [e.deliverable for e in entries])
        return ratification.overlay(status, proposal.steps, on)[0]

    def realised_by(self, proposal_id: int, on: date) -> tuple[int, date] | None:
        """The first narrower proposal (by id) agreed or beyond on a day whose link counts
        by then, and the day its current run of agreement began."""
        index = self._statuses.index
        for other, since in index.proposals[proposal_id].realised_in_part_by:
            if other not in index.proposals or (since is not None and since > on):
                continue
            if self.own_status(other, on) in ADVANCEMENT:
                return other, self._agreed_since(other, on)
        return None

    def outcome(self, proposal_id: int, on: date, status: str, reason: str) -> tuple[str, str]:
        if status in ADVANCEMENT or status in DEAD or status in (SUPERSEDED, NOT_TABLED):
            return status, reason
        found = self.realised_by(proposal_id, on)
        if found is None:
            return status, reason
        other, since = found
        title = self._statuses.index.proposals[other].title or f"proposal {other}"
        return PARTIALLY_AGREED, f"partially realised by «{title}», agreed on {since}; {reason}"

    def moments(self, proposal_id: int) -> set[date]:
        """The days on which a proposal's own status can change (for the timelines of the
        proposals it realises in part)."""
        statuses = self._statuses
        histories, ledgers = statuses.histories, statuses.index.ledgers
        proposal = statuses.index.proposals[proposal_id]
        days: set[date] = set(histories.proposals.get(proposal_id, NO_CHANGES)[0])
        for term in statuses.index.terms_of[proposal_id]:
            days.update(histories.terms.get(term.id, NO_CHANGES)[0])
            if term.id in ledgers:
                days.update(ledgers[term.id].dates)
        if proposal.superseded_on is not None:
            days.add(proposal.superseded_on)
        if proposal.tabled_on is not None:
            days.add(proposal.tabled_on)
        days.update(step.decided_on for step in proposal.steps if step.decided_on is not None)
        return days

    def linked_moments(self, proposal_id: int) -> Iterable[date]:
        """The days the narrower proposals' statuses (and their links) can change."""
        index = self._statuses.index
        for other, since in index.proposals[proposal_id].realised_in_part_by:
            if other not in index.proposals:
                continue
            if since is not None:
                yield since
            yield from self.moments(other)

    def _agreed_since(self, proposal_id: int, on: date) -> date:
        """The first day of the run of days up to `on` on which the proposal is agreed or
        beyond (its status can only change on its moments)."""
        start = on
        for day in sorted((d for d in self.moments(proposal_id) if d <= on), reverse=True):
            start = day
            before = date.fromordinal(day.toordinal() - 1)
            if day.toordinal() == 1 or self.own_status(proposal_id, before) not in ADVANCEMENT:
                break
        return start
