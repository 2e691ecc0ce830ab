"""Celery tasks: thin wrappers over the status services (DESIGN §4).

Every task is idempotent, so late acknowledgement (a task is re-run if its worker dies)
is safe. Only database errors that can pass (a dropped connection, a lock timeout) are
retried; anything else is a bug and is logged, and the stale flag keeps the work for
the sweep.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from proposals.status import (
    enqueue_summary_after_commit,
    proposal_status_refresh,
    refresh_proposals,
    stale_proposal_ids,
)
from proposals.summaries import negotiation_summary_refresh

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY = dict(
    autoretry_for=DATABASE_ERRORS,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
)


@shared_task(**RETRY)
def recompute_proposal(proposal_id: int) -> bool:
    """Recompute one proposal if it is still stale; then its negotiation's summaries."""
    result = proposal_status_refresh(proposal_id=proposal_id, only_if_stale=True)
    if result.refreshed and result.negotiation_id is not None:
        enqueue_summary_after_commit(result.negotiation_id)
    return result.changed


@shared_task(**RETRY)
def refresh_negotiation_summary(negotiation_id: int, force: bool = False) -> bool:
    return negotiation_summary_refresh(negotiation_id=negotiation_id, only_if_outdated=not force)


@shared_task(**RETRY)
def sweep_stale_proposals(batch: int = 200) -> int:
    """Recompute the oldest stale proposals in this worker, at most `batch` of them. Catches
    what a lost message, a dead worker or a broker outage left behind."""
    results = refresh_proposals(proposal_ids=stale_proposal_ids(limit=batch), only_if_stale=True)
    done = sum(r.refreshed for r in results)
    negotiations = {r.negotiation_id for r in results if r.negotiation_id is not None}
    for negotiation_id in sorted(negotiations):
        negotiation_summary_refresh(negotiation_id=negotiation_id)
    if done:
        logger.info("Sweep recomputed %s stale proposals.", done)
    return done
