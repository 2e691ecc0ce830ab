"""Marking stored statuses stale, in the writer's transaction (DESIGN §4).

Every write that can change a status marks the affected proposals here; once the
transaction commits, one recompute per proposal is enqueued (proposals/tasks.py). Writes
in the lower apps (a participation, a round, a party's name) reach this module through the
statuses_affected signal (negotiations/core/signals.py), so they need not import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from proposals.dependencies import affected_proposal_ids
from proposals.models import Proposal, Term
from proposals.tasks import enqueue_recompute_after_commit, enqueue_summary_after_commit

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
    map, proposals/dependencies.py), as needing a recompute, in the caller's transaction;
    once it commits, one recompute per proposal is enqueued, however many writes the
    transaction made. Inside one_marking() the ids are only collected."""
    deferred = _deferred.get()
    if deferred is not None:
        ids = set(proposal_ids)
        deferred |= ids
        return ids
    affected = affected_proposal_ids(proposal_ids=proposal_ids)
    if not affected:
        return affected
    # Lock the rows in id order first: two transactions marking overlapping sets in
    # different orders would otherwise deadlock on the UPDATE below.
    list(
        Proposal.objects.select_for_update()
        .filter(pk__in=affected)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Proposal.objects.filter(pk__in=affected).update(
        status_stale=True,
        status_generation=F("status_generation") + 1,
        status_stale_since=Coalesce(F("status_stale_since"), Value(timezone.now())),
    )
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
    enqueue_recompute_after_commit(affected)
    return affected


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
