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

from proposals.dependencies import affected_proposal_ids
from proposals.locks import share_negotiation_requests
from proposals.models import Proposal, RecomputeRequest, Term
from proposals.tasks import (
    enqueue_negotiation_recompute_after_commit,
    enqueue_recompute_after_commit,
    enqueue_summary_after_commit,
    runs_in_process,
)

PROPOSALS = Proposal._meta.db_table
REQUESTS = RecomputeRequest._meta.db_table

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
    affected = affected_proposal_ids(proposal_ids=proposal_ids)
    if not affected:
        return affected
    with transaction.atomic(savepoint=False):  # one transaction even in autocommit mode
        negotiation_ids = _flag(affected)
        if runs_in_process():
            enqueue_recompute_after_commit(affected)
        else:
            enqueue_negotiation_recompute_after_commit(_request(negotiation_ids))
    return affected


def _flag(affected: set[int]) -> list[int]:
    """Flag the proposals and their terms; return their negotiations."""
    # Lock the rows in id order first (the subquery), then update them: two transactions
    # marking overlapping sets in different orders would otherwise deadlock. FOR NO KEY
    # UPDATE, the lock the UPDATE takes anyway: it lets a position be inserted meanwhile.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {PROPOSALS} AS p
            SET status_stale = true, status_generation = p.status_generation + 1,
                status_stale_since = COALESCE(p.status_stale_since, %s)
            WHERE p.id IN (
                SELECT id FROM {PROPOSALS} WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE
            )
            RETURNING p.negotiation_id
            """,
            [timezone.now(), sorted(affected)],
        )
        negotiation_ids = sorted({row[0] for row in cursor.fetchall()})
    # Their terms too (the recompute clears them), so a term says "recomputing" as well.
    # Term rows another transaction holds are skipped, not waited for: a term write locks
    # its row before it marks the proposal (so it waits for the lock above), and marks
    # that term itself once this transaction ends; waiting here would deadlock.
    Term.objects.filter(
        pk__in=Term.objects.select_for_update(no_key=True, skip_locked=True)
        .filter(proposal_id__in=affected, status_stale=False)
        .order_by("pk")
        .values("pk")
    ).update(status_stale=True)
    return negotiation_ids


def _request(negotiation_ids: list[int]) -> list[int]:
    """Ask for a recompute of the negotiations in the writer's transaction; return those
    that had no request pending (this transaction publishes their task once it commits).

    The shared lock, held until the commit, is what the worker takes exclusively before it
    deletes a request (proposals/negotiation_recompute.py): it cannot delete one while a
    write that found it pending has yet to commit its stale flags."""
    if not negotiation_ids:
        return []
    share_negotiation_requests(negotiation_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {REQUESTS} (negotiation_id, requested_at)
            SELECT n, %s FROM (SELECT n FROM unnest(%s::bigint[]) AS n ORDER BY n) AS ordered
            ON CONFLICT (negotiation_id) DO NOTHING
            RETURNING negotiation_id
            """,
            [timezone.now(), negotiation_ids],
        )
        return sorted(row[0] for row in cursor.fetchall())


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
