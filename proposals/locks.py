"""Transaction-scoped advisory locks that serialise the status pipeline's writers.

A recompute locks a key, not a row: the writers that mark a proposal stale lock its row
(proposals/staleness.py), so a long recompute never blocks an editor's write. The lock is
released when the transaction ends, whether it commits or rolls back.
"""

from __future__ import annotations

from django.db import connection

# The first half of the key (pg_locks.classid): what is locked. The pipeline tests look
# for PROPOSAL_LOCK in pg_locks to see a recompute in progress.
PROPOSAL_LOCK = 1
SUMMARY_LOCK = 2
NEGOTIATION_REQUESTS_LOCK = 3


def advisory_xact_lock(kind: int, key: int) -> None:
    """Wait for, then hold until the end of the transaction, the lock on (kind, key)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [kind, key])


def lock_proposal_recompute(proposal_id: int) -> None:
    """Recomputes of one proposal run one at a time."""
    advisory_xact_lock(PROPOSAL_LOCK, proposal_id)


def lock_proposals_recompute(proposal_ids: list[int]) -> None:
    """lock_proposal_recompute for many proposals in one statement, in id order (the
    order every writer locks in: see refresh._write)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(%s, key)) FROM unnest(%s::int[]) AS key",
            [PROPOSAL_LOCK, sorted(proposal_ids)],
        )


def lock_negotiation_summary(negotiation_id: int) -> None:
    """Rewrites of one negotiation's summaries run one at a time."""
    advisory_xact_lock(SUMMARY_LOCK, negotiation_id)


def lock_negotiation_requests(negotiation_id: int) -> None:
    """Wait until no writer is marking proposals of the negotiation (each holds this lock
    shared until it commits, proposals/staleness.py), and keep new ones out until the end
    of the transaction: what is stale then is all there is."""
    advisory_xact_lock(NEGOTIATION_REQUESTS_LOCK, negotiation_id)
