"""Marking stored statuses stale, in the writer's transaction (DESIGN §4).

Every write that can change a status marks the affected proposals here; once the
transaction commits, one recompute per proposal is enqueued (proposals/tasks.py). Writes
in the lower apps (a participation, a party's name) reach this module through the
statuses_affected signal (negotiations/core/signals.py), so they need not import it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from negotiations.models import Participation
from proposals.models import Position, Proposal
from proposals.tasks import enqueue_recompute_after_commit


def mark_stale(*, proposal_ids: Iterable[int]) -> set[int]:
    """Flag the proposals, and every proposal whose conditional positions depend on them
    (transitively), as needing a recompute, in the caller's transaction; once it commits,
    one recompute per proposal is enqueued, however many writes the transaction made."""
    affected = _with_dependants(set(proposal_ids))
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
    enqueue_recompute_after_commit(affected)
    return affected


def mark_negotiations_stale(*, negotiation_ids: Iterable[int]) -> set[int]:
    ids = set(
        Proposal.objects.filter(negotiation_id__in=negotiation_ids).values_list("pk", flat=True)
    )
    return mark_stale(proposal_ids=ids)


def mark_affected_stale(
    sender: object,
    *,
    negotiation_ids: Iterable[int] = (),
    party_ids: Iterable[int] = (),
    **kwargs: object,
) -> None:
    """Receiver of negotiations.core.signals.statuses_affected (connected in
    ProposalsConfig.ready): the proposals of the negotiations named, and of every
    negotiation the parties named take part in, are marked stale."""
    if negotiation_ids:
        mark_negotiations_stale(negotiation_ids=negotiation_ids)
    if party_ids:
        mark_negotiations_stale(
            negotiation_ids=Participation.objects.filter(party_id__in=party_ids).values_list(
                "negotiation_id", flat=True
            )
        )


def _with_dependants(ids: set[int]) -> set[int]:
    seen: set[int] = set()
    frontier = ids
    while frontier:
        seen |= frontier
        frontier = (
            set(
                Position.objects.filter(conditional_on__proposal_id__in=frontier).values_list(
                    "proposal_id", flat=True
                )
            )
            - seen
        )
    return seen
