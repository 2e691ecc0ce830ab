"""What a recompute stores for one proposal: the engine's answer as column values.

The refresh (proposals/refresh.py) writes these values and the verification
(proposals/verification.py) compares the stored rows with them: one conversion, so the
two can never disagree about what "the engine's answer" looks like in the database.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from proposals import engine

REASON_LENGTH = 500  # the models' status_reason columns


@dataclass(frozen=True)
class TermValues:
    term_id: int
    status: str
    reason: str
    basis: list[dict[str, Any]]
    since: datetime.date | None
    delivered: int


@dataclass(frozen=True)
class TimelineRow:
    seq: int
    term_id: int | None
    on: datetime.date
    status: str
    previous_status: str
    reason: str


@dataclass(frozen=True)
class ProposalValues:
    status: str
    reason: str
    basis: list[dict[str, Any]]
    since: datetime.date | None
    terms: tuple[TermValues, ...]
    timeline: tuple[TimelineRow, ...]


def proposal_values(
    computed: engine.Engine, proposal_id: int, today: datetime.date
) -> ProposalValues:
    """The proposal's and its terms' stored status columns and its StatusChange rows."""
    result = computed.proposal_status(proposal_id, today)
    timeline = computed.timeline(proposal_id, today)
    since = {entry.term_id: entry.on for entry in timeline}
    return ProposalValues(
        status=result.status,
        reason=result.reason[:REASON_LENGTH],
        basis=engine.basis_as_json(result.basis),
        since=since.get(None),
        terms=tuple(
            TermValues(
                term_id=term.term_id,
                status=term.status,
                reason=term.reason[:REASON_LENGTH],
                basis=engine.basis_as_json(term.basis),
                since=since.get(term.term_id),
                delivered=term.delivered,
            )
            for term in result.terms
        ),
        timeline=tuple(
            TimelineRow(
                seq=seq,
                term_id=entry.term_id,
                on=entry.on,
                status=entry.status,
                previous_status=entry.previous_status or "",
                reason=entry.reason[:REASON_LENGTH],
            )
            for seq, entry in enumerate(timeline)
        ),
    )
