"""Stored statuses: marking them stale, and refreshing them from the agreement engine.

The engine (proposals/engine.py) is pure; this module is its only bridge to the
database: it reads one negotiation into an engine Snapshot and writes the answer back.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import transaction
from django.utils import timezone

from negotiations.models import Participation, Role
from proposals import engine
from proposals.models import (
    ImplementationEvent,
    LinkKind,
    Position,
    Proposal,
    ProposalLink,
    StatusChange,
    Term,
)


def mark_stale(*, proposal_ids: Iterable[int]) -> set[int]:
    """Flag the proposals, and every proposal whose conditional positions depend on them
    (transitively), as needing a recompute; refresh them once the transaction commits."""
    affected = _with_dependants(set(proposal_ids))
    if affected:
        Proposal.objects.filter(pk__in=affected, status_stale=False).update(status_stale=True)
        transaction.on_commit(lambda: refresh_stale(proposal_ids=affected))
    return affected


def mark_negotiations_stale(*, negotiation_ids: Iterable[int]) -> set[int]:
    ids = set(
        Proposal.objects.filter(negotiation_id__in=negotiation_ids).values_list("pk", flat=True)
    )
    return mark_stale(proposal_ids=ids)


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


def refresh_stale(*, proposal_ids: Iterable[int]) -> None:
    """Refresh those of the proposals that are still stale: many writes in one transaction
    schedule this many times, and only the first call finds work to do."""
    from proposals.summaries import negotiation_summary_refresh

    stale = Proposal.objects.filter(pk__in=list(proposal_ids), status_stale=True)
    negotiations = set()
    for proposal_id, negotiation_id in stale.order_by("pk").values_list("pk", "negotiation_id"):
        proposal_status_refresh(proposal_id=proposal_id)
        negotiations.add(negotiation_id)
    for negotiation_id in sorted(negotiations):
        negotiation_summary_refresh(negotiation_id=negotiation_id)


def load_snapshot(negotiation_id: int) -> engine.Snapshot:
    """Everything the engine needs about one negotiation, in a fixed number of queries."""
    participations = list(
        Participation.objects.filter(negotiation_id=negotiation_id).select_related("party")
    )
    principals = frozenset(p.party_id for p in participations if Role.PRINCIPAL in p.roles)
    party_names = {p.party_id: p.party.display_name for p in participations}

    superseded_on: dict[int, datetime.date] = {}
    links = ProposalLink.objects.filter(
        kind=LinkKind.SUPERSEDES, to_proposal__negotiation_id=negotiation_id
    ).select_related("from_proposal__round")
    for link in links:
        newer = link.from_proposal
        took_effect = (
            link.linked_on
            or newer.tabled_on
            or (newer.round.starts_on if newer.round else None)
            or datetime.date.min
        )
        previous = superseded_on.get(link.to_proposal_id)
        superseded_on[link.to_proposal_id] = min(took_effect, previous or took_effect)

    proposals = tuple(
        engine.ProposalIn(
            id=row["id"],
            tabled_by_id=row["tabled_by_id"],
            consent_party_ids=frozenset(p for p in row["required"] if p is not None) or principals,
            superseded_on=superseded_on.get(row["id"]),
        )
        for row in Proposal.objects.filter(negotiation_id=negotiation_id)
        .values("id", "tabled_by_id")
        .annotate(required=ArrayAgg("required_parties", default=[]))
    )
    terms = tuple(
        engine.TermIn(**row)
        for row in Term.objects.filter(proposal__negotiation_id=negotiation_id).values(
            "id", "proposal_id", "ordinal", "label", "option_group", "option", "quantity"
        )
    )
    positions = tuple(
        engine.PositionIn(
            id=row["id"],
            party_id=row["party_id"],
            proposal_id=row["proposal_id"],
            term_id=row["term_id"],
            stance=row["stance"],
            stated_on=row["stated_on"],
            conditional_on=tuple(sorted(t for t in row["refs"] if t is not None)),
        )
        for row in Position.objects.filter(proposal__negotiation_id=negotiation_id)
        .values("id", "party_id", "proposal_id", "term_id", "stance", "stated_on")
        .annotate(refs=ArrayAgg("conditional_on", default=[]))
    )
    events = tuple(
        engine.EventIn(**row)
        for row in ImplementationEvent.objects.filter(
            term__proposal__negotiation_id=negotiation_id
        ).values("id", "term_id", "happened_on", "quantity", "completes")
    )
    return engine.Snapshot(
        proposals=proposals,
        terms=terms,
        positions=positions,
        events=events,
        party_names=party_names,
    )


@transaction.atomic
def proposal_status_refresh(*, proposal_id: int, today: datetime.date | None = None) -> bool:
    """Recompute one proposal's status, its terms' statuses and its timeline from scratch.

    Idempotent: the rows it writes depend only on the inputs. Returns whether the
    proposal's status changed.
    """
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .filter(pk=proposal_id)
        .only("id", "negotiation_id", "status")
        .first()
    )
    if proposal is None:
        return False
    today = today or timezone.localdate()
    snapshot = load_snapshot(proposal.negotiation_id)
    result = engine.proposal_status(snapshot, proposal_id, today)
    entries = engine.timeline(snapshot, proposal_id, today)
    now = timezone.now()

    since: dict[int | None, datetime.date] = {}
    for entry in entries:
        since[entry.term_id] = entry.on

    terms = {t.pk: t for t in Term.objects.filter(proposal_id=proposal_id)}
    for term_status in result.terms:
        term = terms[term_status.term_id]
        term.status = term_status.status
        term.status_reason = term_status.reason[:500]
        term.status_basis = engine.basis_as_json(term_status.basis)
        term.status_since = since.get(term.pk)
        term.delivered = term_status.delivered
        term.status_stale = False
        term.status_computed_at = now
    Term.objects.bulk_update(
        terms.values(),
        [
            "status",
            "status_reason",
            "status_basis",
            "status_since",
            "delivered",
            "status_stale",
            "status_computed_at",
        ],
    )

    StatusChange.objects.filter(proposal_id=proposal_id).delete()
    StatusChange.objects.bulk_create(
        StatusChange(
            proposal_id=proposal_id,
            term_id=entry.term_id,
            changed_on=entry.on,
            status=entry.status,
            previous_status=entry.previous_status or "",
            reason=entry.reason[:500],
            seq=seq,
        )
        for seq, entry in enumerate(entries)
    )

    changed = proposal.status != result.status
    Proposal.objects.filter(pk=proposal_id).update(
        status=result.status,
        status_reason=result.reason[:500],
        status_basis=engine.basis_as_json(result.basis),
        status_since=since.get(None),
        status_stale=False,
        status_computed_at=now,
    )
    return changed
