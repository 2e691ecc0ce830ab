"""Celery tasks: thin wrappers over the status services (DESIGN §4), and the functions
that enqueue them once a transaction commits.

With a worker, a write publishes at most one `recompute_negotiation` per negotiation, and
none while one is pending (its RecomputeRequest row, proposals/negotiation_recompute.py).
`recompute_proposal(s)` stay for the in-process mode, messages already queued, and callers.

Every task is idempotent, so late acknowledgement (a task is re-run if its worker dies)
is safe. Only database errors that can pass (a dropped connection, a lock timeout) are
retried; anything else is a bug and is logged, and the stale flag keeps the work for
the sweep. Publishing never raises: if the broker is down the proposals stay flagged
stale and the periodic sweep recomputes them later.

In-process (eager) mode inside a request, the recomputes and summary refreshes run after
the response has been sent (negotiations/core/after_response.py): a write returns as soon
as it has committed and marked its proposals stale.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypedDict
from weakref import WeakKeyDictionary

from celery import shared_task
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction

from negotiations.core.after_response import defer, pending
from proposals.audit import proposal_statuses_audit
from proposals.models import Proposal
from proposals.models.content import fold_bumps
from proposals.negotiation_recompute import negotiation_recompute, overdue_requests
from proposals.refresh import proposal_status_refresh, refresh_proposals, stale_proposal_ids
from proposals.summaries import negotiation_summary_refresh

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)


class _RetryOptions(TypedDict):
    autoretry_for: tuple[type[Exception], ...]
    retry_backoff: int
    retry_backoff_max: int
    retry_jitter: bool
    max_retries: int


RETRY: _RetryOptions = {
    "autoretry_for": DATABASE_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY)
def recompute_proposal(proposal_id: int) -> bool:
    """Recompute one proposal if it is still stale; then its negotiation's summaries.

    Found fresh, another recompute took it first: a direct one (`recompute_status`, the
    admin) refreshes no summary, so the summaries are still asked for here; the refresh
    only if outdated makes that a look at one aggregate when they are current."""
    result = proposal_status_refresh(proposal_id=proposal_id, only_if_stale=True)
    negotiation_id = result.negotiation_id
    if negotiation_id is None:
        negotiation_id = (
            Proposal.objects.filter(pk=proposal_id).values_list("negotiation_id", flat=True).first()
        )
    if negotiation_id is not None:
        enqueue_summary_after_commit(negotiation_id)
    return result.changed


@shared_task(**RETRY)
def recompute_proposals(proposal_ids: list[int]) -> int:
    """Recompute the proposals still stale among these, reading each negotiation once;
    then their negotiations' summaries (as recompute_proposal does). Returns how many
    were recomputed."""
    results = refresh_proposals(proposal_ids=proposal_ids, only_if_stale=True)
    negotiations = Proposal.objects.filter(pk__in=proposal_ids).values_list(
        "negotiation_id", flat=True
    )
    for negotiation_id in sorted(set(negotiations)):
        enqueue_summary_after_commit(negotiation_id)
    return sum(r.refreshed for r in results)


@shared_task(**RETRY)
def refresh_negotiation_summary(negotiation_id: int, force: bool = False) -> bool:
    return negotiation_summary_refresh(negotiation_id=negotiation_id, only_if_outdated=not force)


@shared_task(**RETRY)
def recompute_negotiation(negotiation_id: int) -> int:
    """Recompute what is stale in the negotiation until nothing is, delete its pending
    request, then refresh its summaries once. A negotiation that writes keep marking is
    handed on to a fresh task (its request stays pending). Returns how many proposals
    were recomputed."""
    result = negotiation_recompute(negotiation_id=negotiation_id)
    negotiation_summary_refresh(negotiation_id=negotiation_id, only_if_outdated=True)
    if not result.cleared:
        enqueue_negotiation_recompute([negotiation_id])
    return result.refreshed


@shared_task(**RETRY)
def sweep_stale_proposals(batch: int = 200, overdue: int = 60) -> int:
    """Recompute, in this worker, the negotiations of the oldest stale proposals (`batch` of
    them at most) and those whose request is pending for more than `overdue` seconds.
    Catches what a lost message, a dead worker or a broker outage left behind."""
    negotiation_ids = set(overdue_requests(older_than=datetime.timedelta(seconds=overdue)))
    negotiation_ids |= set(
        Proposal.objects.filter(pk__in=stale_proposal_ids(limit=batch)).values_list(
            "negotiation_id", flat=True
        )
    )
    done = 0
    for negotiation_id in sorted(negotiation_ids):
        done += negotiation_recompute(negotiation_id=negotiation_id).refreshed
        negotiation_summary_refresh(negotiation_id=negotiation_id)
    if done:
        logger.info("Sweep recomputed %s stale proposals.", done)
    return done


@shared_task(**RETRY)
def audit_proposal_statuses(share: float) -> int:
    """Compare a share of the proposals, those verified longest ago first, with a fresh
    engine run; repair and warn about each divergence. Returns how many diverged."""
    run = proposal_statuses_audit(share=share)
    return run.divergent if run else 0


@shared_task(**RETRY)
def fold_content_bumps(batch: int = 500, rounds: int = 20) -> int:
    """Move the content bump rows into their proposals' content_version (the version the
    API reads, their sum, is unchanged), a batch of proposals per transaction, so the
    table stays small. Never waits on a row lock (proposals/models/content.py)."""
    folded = 0
    for _ in range(rounds):
        with transaction.atomic():
            done = fold_bumps(batch)
        folded += done
        if done < batch:
            break
    return folded


# --- enqueueing ----------------------------------------------------------------------


def _publish(task: Any, ids: Iterable[int], what: str, left: str) -> int:
    """Publish one `task` per id, now; return how many were published. After the first
    broker failure the rest is left to the sweep (a commit waits on a dead broker once)."""
    sent = 0
    for id_ in sorted(ids):
        try:
            task.apply_async(args=(id_,), retry=False)
        except Exception as error:  # noqa: BLE001 - any broker failure, by design
            logger.warning(
                "Could not enqueue the recompute of %s %s (%s); %s and the sweep will pick it up.",
                what,
                id_,
                error,
                left,
            )
            break
        sent += 1
    return sent


def enqueue_recompute(proposal_ids: Iterable[int]) -> int:
    """Publish one recompute task per proposal, now; return how many were published."""
    return _publish(recompute_proposal, proposal_ids, "proposal", "it stays stale")


def enqueue_negotiation_recompute(negotiation_ids: Iterable[int]) -> int:
    """Publish one recompute task per negotiation, now; return how many were published.
    After a broker failure the rest stays pending, for the sweep."""
    return _publish(
        recompute_negotiation, negotiation_ids, "negotiation", "its request stays pending"
    )


def enqueue_negotiation_recompute_after_commit(negotiation_ids: Iterable[int]) -> None:
    """Publish the recompute of these negotiations once the current transaction commits;
    nothing if it rolls back (the requests roll back with it). Never raises."""
    ids = sorted(set(negotiation_ids))
    if ids:
        # robust: the write has committed; a failure to enqueue must not turn it into an error.
        transaction.on_commit(lambda: enqueue_negotiation_recompute(ids), robust=True)


class _CommitBatch:
    """The recomputes that one transaction publishes when it commits.

    Each marking registers its own on-commit callback, because Django discards the
    callbacks of a savepoint or transaction that rolls back: what runs is exactly what
    committed, and nothing rolled back can linger. The callbacks of one commit share this
    batch, so a proposal marked by many writes is published once; after the first broker
    failure the rest is left to the sweep, so a commit waits on a dead broker only once.
    """

    def __init__(self) -> None:
        self.started = False
        self.published: set[int] = set()
        self.failed = False

    def publish(self, proposal_ids: frozenset[int]) -> None:
        self.started = True
        fresh = proposal_ids - self.published
        self.published |= fresh
        if fresh and not self.failed and not _defer_recompute(fresh):
            self.failed = enqueue_recompute(fresh) < len(fresh)


def runs_in_process() -> bool:
    """No worker: tasks run eagerly in this process (CELERY_BROKER_URL unset)."""
    return bool(recompute_proposal.app.conf.task_always_eager)


class _AfterResponseRecompute:
    """The proposals one request marked stale, recomputed in one task after its response
    is sent: each negotiation is read once, however many proposals a write touched."""

    def __init__(self) -> None:
        self.ids: set[int] = set()

    def __call__(self) -> None:
        recompute_proposals.apply_async(args=(sorted(self.ids),), retry=False)


def _defer_recompute(proposal_ids: Iterable[int]) -> bool:
    """In-process mode, inside a request: recompute after the response is sent, so a
    write costs its own work only, whatever the size of the database (issue 14, item 4).
    False where the work must be published now (a worker takes it, or no request)."""
    if not runs_in_process():
        return False
    batch = pending("recompute", _AfterResponseRecompute)
    if batch is None:
        return False
    batch.ids.update(proposal_ids)
    return True


_batches: WeakKeyDictionary[BaseDatabaseWrapper, _CommitBatch] = WeakKeyDictionary()


def enqueue_recompute_after_commit(proposal_ids: Iterable[int]) -> None:
    """Publish one recompute per proposal once the current transaction commits (at once
    outside a transaction); nothing if it rolls back. Never raises."""
    ids = frozenset(proposal_ids)
    connection = connections[DEFAULT_DB_ALIAS]
    batch = _batches.get(connection)
    if batch is None or batch.started:
        # The batch's callbacks have run (its transaction committed, or a test ran them):
        # the next marking belongs to the next commit. A batch whose transaction rolled
        # back never started, holds nothing, and is simply reused.
        batch = _batches[connection] = _CommitBatch()

    def publish() -> None:
        batch.publish(ids)

    # robust: the write has committed; a failure to enqueue must not turn it into an error.
    transaction.on_commit(publish, robust=True)


def enqueue_summary_after_commit(negotiation_id: int, *, force: bool = False) -> None:
    """Refresh a negotiation's summaries once the transaction commits (never raises);
    without force, only if a proposal was recomputed since they were written."""

    def publish() -> None:
        if runs_in_process() and defer(("summary", negotiation_id, force), send):
            return
        send()

    def send() -> None:
        try:
            refresh_negotiation_summary.apply_async(
                args=(negotiation_id,), kwargs={"force": force}, retry=False
            )
        except Exception as error:  # noqa: BLE001 - any broker failure, by design
            logger.warning(
                "Could not enqueue the summary of negotiation %s (%s).", negotiation_id, error
            )

    transaction.on_commit(publish, robust=True)
