"""Marking stored statuses stale, in the writer's transaction (DESIGN §4).

Every write that can change a status marks the affected proposals here, and asks for a
recompute of their negotiations (a RecomputeRequest row, the pending marker); once the
transaction commits, the negotiations that had none pending are published, one task each
(proposals/tasks.py). In-process, one recompute per proposal runs instead. Writes
in the lower apps (a participation, a round, a party's name) reach this module through the
statuses_affected signal (negotiations/core/signals.py), so they need not import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django.utils import timezone

from proposals.dependencies import CLOSURE_CTE, affected_proposal_ids, closure_params
from proposals.locks import NEGOTIATION_REQUESTS_LOCK
from proposals.models import Proposal, RecomputeRequest, Term
from proposals.tasks import (
    enqueue_negotiation_recompute_after_commit,
    enqueue_recompute_after_commit,
    enqueue_summary_after_commit,
    runs_in_process,
)

PROPOSALS = Proposal._meta.db_table
REQUESTS = RecomputeRequest._meta.db_table
TERMS = Term._meta.db_table

# The proposals a one_marking() block has been asked to mark, None outside such a block.
_deferred: ContextVar[set[int] | None] = ContextVar("deferred_marking", default=None)


@contextmanager
def one_marking() -> Iterator[set[int]]:
    """Collect the markings of the services called inside the block and mark them all
    stale once, at its end (one dependency walk, one locking UPDATE, one enqueue): how a
    write of many rows (a round's outcome, proposals/api/outcome) stays one recompute
    per proposal. The block must run inside the writer's transaction; if it raises,
    nothing is marked (the transaction rolls back anyway)."""
    collected: set[int] = set()
    token = _deferred.set(collected)
    try:
        yield collected
    finally:
        _deferred.reset(token)
    mark_stale(proposal_ids=collected)


def mark_stale(*, proposal_ids: Iterable[int]) -> set[int]:
    """Flag the proposals, and every proposal whose status depends on them (the dependency
    map, proposals/dependencies.py), as needing a recompute, in the caller's transaction.
    Once it commits, a worker is asked to recompute each negotiation concerned, unless one
    already was (its RecomputeRequest exists); in-process, one recompute per proposal runs,
    however many writes the transaction made. Inside one_marking() the ids are only
    collected."""
    deferred = _deferred.get()
    if deferred is not None:
        ids = set(proposal_ids)
        deferred |= ids
        return ids
    start = set(proposal_ids)
    if not start:
        return start
    with transaction.atomic(savepoint=False):  # one transaction even in autocommit mode
        if runs_in_process():
            affected, _ = _flag(start, request=False)
            enqueue_recompute_after_commit(affected)
        else:
            affected, requested = _flag(start, request=True)
            enqueue_negotiation_recompute_after_commit(requested)
    return affected


# One statement, so that a write costs one round trip to mark whatever it affects:
# - the closure of the dependency map (proposals/dependencies.py);
# - `locked`: the proposals, locked in id order first: two transactions marking overlapping
#   sets in different orders would otherwise deadlock. FOR NO KEY UPDATE, the lock their
#   UPDATE takes anyway: a position may still be inserted on them meanwhile;
# - `flagged`: flag them, bump their generations;
# - `terms`: their terms too (the recompute clears them), so a term says "recomputing" as
#   well. Term rows another transaction holds are skipped, not waited for: a term write
#   locks its row before it marks the proposal (so it waits for the lock above), and marks
#   that term itself once this transaction ends; waiting here would deadlock. (`IS NOT
#   TRUE`, not `= false`: terms are found through their proposal's index even when the
#   planner believes few are fresh, as after a bulk load.)
FLAG_SQL = f"""
WITH RECURSIVE {CLOSURE_CTE},
locked AS (
    SELECT id FROM {PROPOSALS} WHERE id IN (SELECT id FROM closure) ORDER BY id
    FOR NO KEY UPDATE
),
flagged AS (
    UPDATE {PROPOSALS} AS p
    SET status_stale = true, status_generation = p.status_generation + 1,
        status_stale_since = COALESCE(p.status_stale_since, %(now)s)
    FROM locked WHERE p.id = locked.id
    RETURNING p.id, p.negotiation_id
),
terms AS (
    UPDATE {TERMS} SET status_stale = true WHERE id IN (
        SELECT id FROM {TERMS}
        WHERE proposal_id IN (SELECT id FROM locked) AND status_stale IS NOT TRUE
        ORDER BY id FOR NO KEY UPDATE SKIP LOCKED
    )
)
"""
# With a worker, the same statement asks for the recompute of their negotiations: it takes
# the negotiations' lock shared (held until the commit: the worker takes it exclusively
# before it deletes a request, proposals/negotiation_recompute.py, so it cannot delete one
# that a write still marking found pending) and inserts each negotiation's request unless
# one is pending. Those it inserted are published once the transaction commits.
REQUEST_SQL = f"""{FLAG_SQL},
shared AS (
    SELECT n, pg_advisory_xact_lock_shared({NEGOTIATION_REQUESTS_LOCK}, n::int)
    FROM (SELECT DISTINCT negotiation_id AS n FROM flagged ORDER BY 1) AS ordered
),
requested AS (
    INSERT INTO {REQUESTS} (negotiation_id, requested_at)
    SELECT n, %(now)s FROM shared ORDER BY n
    ON CONFLICT (negotiation_id) DO NOTHING
    RETURNING negotiation_id
)
SELECT id, NULL::bigint FROM closure
UNION ALL SELECT NULL::bigint, negotiation_id FROM requested
"""
FLAG_SQL += "SELECT id, NULL::bigint FROM closure"


def _flag(start: set[int], *, request: bool) -> tuple[set[int], list[int]]:
    """Flag the proposals the map finds from `start`, and their terms; with `request`, ask
    for their negotiations' recompute. Returns the proposals, and the negotiations whose
    request this transaction inserted."""
    with connection.cursor() as cursor:
        cursor.execute(
            REQUEST_SQL if request else FLAG_SQL,
            {**closure_params(start), "now": timezone.now()},
        )
        rows = cursor.fetchall()
    affected = {row[0] for row in rows if row[0] is not None}
    return affected, sorted(row[1] for row in rows if row[1] is not None)


def mark_negotiations_stale(*, negotiation_ids: Iterable[int]) -> set[int]:
    return mark_stale(proposal_ids=affected_proposal_ids(negotiation_ids=negotiation_ids))


def mark_affected_stale(
    sender: object,
    *,
    negotiation_ids: Iterable[int] = (),
    party_ids: Iterable[int] = (),
    **kwargs: object,
) -> None:
    """Receiver of negotiations.core.signals.statuses_affected (connected in
    ProposalsConfig.ready): the proposals of the negotiations named, and of every
    negotiation the parties named take part in, are marked stale. The summaries of the
    negotiations named are refreshed too: their rounds date the convergence series even
    when no status changes."""
    negotiation_ids = list(negotiation_ids)
    mark_stale(
        proposal_ids=affected_proposal_ids(negotiation_ids=negotiation_ids, party_ids=party_ids)
    )
    for negotiation_id in sorted(set(negotiation_ids)):
        enqueue_summary_after_commit(negotiation_id, force=True)
