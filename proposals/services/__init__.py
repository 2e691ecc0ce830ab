"""Every write to proposals, terms, positions, sources and the exchange ledger, one module
per concern.

Each service validates (full_clean plus the cross-row rules), writes in one transaction,
and marks the proposals whose status may change as stale in that same transaction; their
statuses are recomputed once the transaction commits (proposals/staleness.py, tasks.py).
"""

from proposals.services.agenda import (
    agenda_item_create,
    agenda_item_delete,
    agenda_item_update,
)
from proposals.services.figures import figure_create, figure_delete, figure_update
from proposals.services.ledger import (
    commitment_create,
    commitment_delete,
    commitment_update,
    implementation_event_delete,
    implementation_event_record,
    implementation_event_update,
)
from proposals.services.positions import position_delete, position_record
from proposals.services.proposals import (
    proposal_create,
    proposal_delete,
    proposal_link_create,
    proposal_link_delete,
    proposal_update,
)
from proposals.services.ratification import (
    ratification_step_create,
    ratification_step_delete,
    ratification_step_update,
)
from proposals.services.sources import source_create, source_update
from proposals.services.terms import term_create, term_delete, term_update

__all__ = [
    "agenda_item_create",
    "agenda_item_delete",
    "agenda_item_update",
    "commitment_create",
    "commitment_delete",
    "commitment_update",
    "figure_create",
    "figure_delete",
    "figure_update",
    "implementation_event_delete",
    "implementation_event_record",
    "implementation_event_update",
    "position_delete",
    "position_record",
    "proposal_create",
    "proposal_delete",
    "proposal_link_create",
    "proposal_link_delete",
    "proposal_update",
    "ratification_step_create",
    "ratification_step_delete",
    "ratification_step_update",
    "source_create",
    "source_update",
    "term_create",
    "term_delete",
    "term_update",
]
