"""Reads a page and an endpoint share, one module per concern: statuses as of a day and
the summaries derived from them (as_of), the stance matrix (matrix), a proposal's nested
read (detail), its history (history) and the reservations standing on it (reservations)."""

from proposals.selectors.as_of import (
    CachedEngine,
    RoundProposals,
    cached_engine,
    clear_engine_cache,
    negotiation_engine,
    negotiation_summary_as_of,
    round_proposals,
    statuses_as_of,
    summary_as_of,
)
from proposals.selectors.detail import ProposalDetail, as_basis, proposal_detail, proposal_row
from proposals.selectors.history import EVENT_TYPES, proposal_history
from proposals.selectors.matrix import MatrixColumn, StanceCell, StanceMatrix, stance_matrix
from proposals.selectors.reservations import standing_reservations

__all__ = [
    "EVENT_TYPES",
    "CachedEngine",
    "MatrixColumn",
    "ProposalDetail",
    "RoundProposals",
    "StanceCell",
    "StanceMatrix",
    "as_basis",
    "cached_engine",
    "clear_engine_cache",
    "negotiation_engine",
    "negotiation_summary_as_of",
    "proposal_detail",
    "proposal_history",
    "proposal_row",
    "round_proposals",
    "stance_matrix",
    "standing_reservations",
    "statuses_as_of",
    "summary_as_of",
]
