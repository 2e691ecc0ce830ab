"""The agreement engine: status of terms and proposals as of a date (DESIGN §3).

Pure functions over plain frozen data; no ORM, no I/O. Build an `Engine` once per
snapshot for repeated queries; the module-level functions accept either. One module per
concern: vocabulary, data, stances, conditions, rules, reasons; index (a snapshot indexed
once), changes (when each status changes), as_of (status on a day, the one path every
answer takes) and replay (the timeline).
"""

from __future__ import annotations

import weakref
from collections.abc import Set
from datetime import date

from .as_of import Statuses
from .data import (
    CommitmentIn,
    EventIn,
    PartyProgress,
    PositionIn,
    ProposalIn,
    ProposalStatus,
    Snapshot,
    StanceBasis,
    StepIn,
    TermIn,
    TermStatus,
    TimelineEntry,
    basis_as_json,
)
from .index import Index
from .replay import Timelines
from .vocabulary import (
    ACCEPTS,
    ACCEPTS_WITH_RESERVATIONS,
    ADVANCEMENT,
    AGREED,
    AGREED_OR_BEYOND,
    AGREEING,
    CONDITIONAL,
    CONDITIONAL_STANCE,
    DEAD,
    IMPLEMENTED,
    IN_IMPLEMENTATION,
    NOT_TABLED,
    OPEN,
    PARTIALLY_AGREED,
    PROPOSES,
    REJECTED,
    REJECTS,
    SUPERSEDED,
    SUPPORTS,
    SUSPENDED,
    UNDECIDED,
    WITHDRAWN,
    WITHDRAWS,
    Stance,
    Status,
)

__all__ = [
    "ACCEPTS",
    "ACCEPTS_WITH_RESERVATIONS",
    "ADVANCEMENT",
    "AGREED",
    "AGREED_OR_BEYOND",
    "AGREEING",
    "CONDITIONAL",
    "CONDITIONAL_STANCE",
    "DEAD",
    "IMPLEMENTED",
    "IN_IMPLEMENTATION",
    "NOT_TABLED",
    "OPEN",
    "PARTIALLY_AGREED",
    "PROPOSES",
    "REJECTED",
    "REJECTS",
    "SUPERSEDED",
    "SUPPORTS",
    "SUSPENDED",
    "UNDECIDED",
    "WITHDRAWN",
    "WITHDRAWS",
    "Engine",
    "CommitmentIn",
    "EventIn",
    "PartyProgress",
    "PositionIn",
    "ProposalIn",
    "ProposalStatus",
    "Snapshot",
    "Stance",
    "StanceBasis",
    "StepIn",
    "Status",
    "TermIn",
    "TermStatus",
    "TimelineEntry",
    "all_statuses",
    "basis_as_json",
    "proposal_status",
    "term_status",
    "timeline",
]


class Engine:
    """One negotiation's snapshot, indexed once so that each question is cheap."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._index = Index(snapshot)
        self._statuses = Statuses(self._index)
        self._timelines = Timelines(self._statuses)

    def proposal(self, proposal_id: int) -> ProposalIn:
        return self._index.proposal(proposal_id)

    @property
    def proposal_ids(self) -> Set[int]:
        return self._index.proposals.keys()

    def term_ids(self, proposal_id: int) -> tuple[int, ...]:
        """The proposal's terms, in ordinal order."""
        return tuple(t.id for t in self._index.terms_of[proposal_id])

    def consent_parties(self, proposal_id: int) -> frozenset[int]:
        return self._index.proposals[proposal_id].consent_party_ids

    def stance_of(
        self, party_id: int, proposal_id: int, term_id: int | None, as_of: date
    ) -> PositionIn | None:
        """Any party's effective position (consent party or not), by rule 2 of §3."""
        index = self._index
        return index.as_stated(index.stances.stance_of(party_id, proposal_id, term_id, as_of))

    def term_status(self, term_id: int, as_of: date) -> TermStatus:
        return self._statuses.term_status(term_id, as_of)

    def proposal_status(self, proposal_id: int, as_of: date) -> ProposalStatus:
        return self._statuses.proposal_status(proposal_id, as_of)

    def all_statuses(self, as_of: date) -> dict[int, ProposalStatus]:
        return self._statuses.all_statuses(as_of)

    def timeline(self, proposal_id: int, until: date) -> list[TimelineEntry]:
        return self._timelines.timeline(proposal_id, until)


# A Snapshot holds a dict, so it cannot key a cache; keep one Engine per live snapshot by
# identity and forget it when the snapshot is collected (the Engine never refers back to it).
_engines: dict[int, Engine] = {}


def _engine(source: Snapshot | Engine) -> Engine:
    if isinstance(source, Engine):
        return source
    key = id(source)
    if key not in _engines:
        _engines[key] = Engine(source)
        weakref.finalize(source, _engines.pop, key, None)
    return _engines[key]


def proposal_status(source: Snapshot | Engine, proposal_id: int, as_of: date) -> ProposalStatus:
    return _engine(source).proposal_status(proposal_id, as_of)


def term_status(source: Snapshot | Engine, term_id: int, as_of: date) -> TermStatus:
    return _engine(source).term_status(term_id, as_of)


def timeline(source: Snapshot | Engine, proposal_id: int, until: date) -> list[TimelineEntry]:
    return _engine(source).timeline(proposal_id, until)


def all_statuses(source: Snapshot | Engine, as_of: date) -> dict[int, ProposalStatus]:
    return _engine(source).all_statuses(as_of)
