"""Signals by which a lower app tells the apps above it that something they derive has
changed, so that dependencies still point one way (proposals -> negotiations -> parties).

statuses_affected: a write can change the computed statuses of proposals.
    Sent by: negotiations.services (a participation was created, updated or deleted, or
    a round created or re-dated: negotiation_ids=[its negotiation]) and parties.services
    (a party's name changed, and status reasons name parties: party_ids=[the party]).
    The ids are lists of primary keys.
    Sent with `send`, inside the sender's transaction and after its write.
    Received by: proposals (ProposalsConfig.ready connects proposals.staleness
    .mark_affected_stale), which asks proposals.dependencies.affected_proposal_ids and
    marks those proposals stale: the proposals of those negotiations, or of every
    negotiation those parties take part in.

Receivers run synchronously, in the sender's thread and transaction: the proposals are
marked stale atomically with the write, and a receiver that raises rolls the write back,
exactly as when the services called the status pipeline themselves.
"""

from __future__ import annotations

from django.dispatch import Signal

statuses_affected = Signal()
