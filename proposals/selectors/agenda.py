"""A negotiation's agenda as read: its items with the proposals tabled on each and the
status each item derives from theirs (engine/agenda.py), from the proposals' stored
statuses, or as of a day from the engine's."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from proposals.engine.agenda import OnItem, item_status
from proposals.models import AgendaItem, Proposal
from proposals.selectors.as_of import statuses_as_of

Brief = dict[str, Any]  # a proposal on an item: id, title, status (and since, if known)


def proposal_briefs(negotiation_id: int, as_of: datetime.date | None = None) -> dict[int, Brief]:
    """The negotiation's proposals by id with their stored status, or as of a day the
    engine's (those not tabled by then, or newer than the engine's reading, left out)."""
    rows = Proposal.objects.filter(negotiation_id=negotiation_id).values(
        "id", "title", "status", "status_since", "tabled_on"
    )
    if as_of is None:
        return {
            row["id"]: {
                "id": row["id"],
                "title": row["title"],
                "status": row["status"],
                "since": row["status_since"],
            }
            for row in rows
        }
    computed = statuses_as_of(negotiation_id, as_of)
    briefs = {}
    for row in rows:
        result = computed.get(row["id"])
        if result is None or (row["tabled_on"] is not None and row["tabled_on"] > as_of):
            continue
        briefs[row["id"]] = {
            "id": row["id"],
            "title": row["title"],
            "status": result.status,
            "since": None,
        }
    return briefs


def item_values(proposal_ids: Iterable[int], briefs: dict[int, Brief]) -> dict[str, Any]:
    """An item's `status`, `status_reason` and `proposal_statuses` (id, title, status of
    each of its proposals known in `briefs`, in id order)."""
    on_item = [briefs[pid] for pid in sorted(proposal_ids) if pid in briefs]
    result = item_status([OnItem(b["id"], b["title"], b["status"], b["since"]) for b in on_item])
    return {
        "status": result.status,
        "status_reason": result.reason,
        "proposal_statuses": [
            {"id": b["id"], "title": b["title"], "status": b["status"]} for b in on_item
        ],
    }


def agenda(negotiation_id: int, as_of: datetime.date | None = None) -> list[dict[str, Any]]:
    """The negotiation's items in number order: id, number, title, description, status,
    status_reason and proposal_statuses (one query without an agenda, three with one)."""
    items = list(
        AgendaItem.objects.filter(negotiation_id=negotiation_id)
        .order_by("number")
        .values("id", "number", "title", "description")
    )
    if not items:
        return []
    briefs = proposal_briefs(negotiation_id, as_of)
    on: dict[int, list[int]] = {}
    for item_id, proposal_id in AgendaItem.proposals.through.objects.filter(
        agendaitem__negotiation_id=negotiation_id
    ).values_list("agendaitem_id", "proposal_id"):
        on.setdefault(item_id, []).append(proposal_id)
    return [{**item, **item_values(on.get(item["id"], []), briefs)} for item in items]


def agenda_items_of(proposal_id: int) -> list[dict[str, Any]]:
    """The agenda items a proposal is tabled on: id, number, title."""
    return agenda_items_by_proposal([proposal_id]).get(proposal_id, [])


def agenda_items_by_proposal(proposal_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The agenda items each of the proposals is tabled on (id, number, title, in number
    order), in one query whatever their number."""
    items: dict[int, list[dict[str, Any]]] = {}
    for row in (
        AgendaItem.proposals.through.objects.filter(proposal_id__in=list(proposal_ids))
        .order_by("agendaitem__number", "agendaitem_id")
        .values("proposal_id", "agendaitem_id", "agendaitem__number", "agendaitem__title")
    ):
        items.setdefault(row["proposal_id"], []).append(
            {
                "id": row["agendaitem_id"],
                "number": row["agendaitem__number"],
                "title": row["agendaitem__title"],
            }
        )
    return items
