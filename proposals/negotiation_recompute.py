"""Recomputing a negotiation's stale proposals, as the worker does for each pending
RecomputeRequest (issue 15): the coalesced half of the pipeline (DESIGN §4).

Writes mark proposals stale and insert the negotiation's request if none is pending
(proposals/staleness.py); the task published for it recomputes whatever of the negotiation
is stale when it runs, reading the negotiation once per pass, and deletes the request only
once nothing is stale, under a lock that waits for every write still marking the
negotiation. A write that lands while it runs is therefore caught by its next pass, or
finds no request and publishes a task of its own: none is lost.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from proposals.locks import lock_negotiation_requests
from proposals.models import Proposal, RecomputeRequest
from proposals.refresh import refresh_proposals

# Passes over a negotiation that writes keep marking, before the task hands it on to a
# fresh task of its own, at the back of the queue: one, so that under a burst the worker
# goes round the negotiations that wait instead of staying with the busiest.
PASSES = 1


@dataclass(frozen=True)
class NegotiationRecompute:
    refreshed: int  # proposals recomputed
    cleared: bool  # nothing was left stale: the request is gone


def negotiation_recompute(*, negotiation_id: int, passes: int = PASSES) -> NegotiationRecompute:
    """Recompute the stale proposals of the negotiation until none is left, then delete its
    request; at most `passes` times (cleared=False then: the request stays pending)."""
    refreshed = 0
    for _ in range(passes):
        stale = list(
            Proposal.objects.filter(negotiation_id=negotiation_id, status_stale=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if stale:
            # The summaries from the same engine and timelines: no second read of the
            # negotiation (the task's summary refresh then finds them current).
            results = refresh_proposals(proposal_ids=stale, only_if_stale=True, summaries=True)
            refreshed += sum(r.refreshed for r in results)
        if _clear_if_fresh(negotiation_id):
            return NegotiationRecompute(refreshed=refreshed, cleared=True)
    return NegotiationRecompute(refreshed=refreshed, cleared=False)


def _clear_if_fresh(negotiation_id: int) -> bool:
    with transaction.atomic():
        # Every write marking this negotiation holds the lock shared until it commits: once
        # it is ours, each stale flag is either committed and visible here, or belongs to a
        # write that will find no request and publish a task of its own.
        lock_negotiation_requests(negotiation_id)
        if Proposal.objects.filter(negotiation_id=negotiation_id, status_stale=True).exists():
            return False
        RecomputeRequest.objects.filter(negotiation_id=negotiation_id).delete()
        return True


def overdue_requests(*, older_than: datetime.timedelta) -> list[int]:
    """The negotiations whose request has waited longer than a task should: its message
    was lost, its worker died, or the broker was down when it was published."""
    return list(
        RecomputeRequest.objects.filter(requested_at__lt=timezone.now() - older_than)
        .order_by("requested_at")
        .values_list("negotiation_id", flat=True)
    )
