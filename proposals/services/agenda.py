"""Writes of agenda items: a negotiation's numbered points and the proposals tabled on
each. An item's status is derived on read (engine/agenda.py), so no proposal's stored
status depends on these writes and nothing is marked stale."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from negotiations.core.versioning import create_validated, update_validated
from negotiations.models import Negotiation
from proposals.models import AgendaItem, Proposal, Source
from proposals.services.checks import require_reason


def _check_proposals(negotiation_id: int, proposals: list[Proposal]) -> None:
    strangers = [p for p in proposals if p.negotiation_id != negotiation_id]
    if strangers:
        names = ", ".join(f"«{p.title}»" for p in strangers)
        raise ValidationError(
            {"proposals": f"Only proposals of this negotiation go on its agenda: {names}."}
        )


@transaction.atomic
def agenda_item_create(
    *,
    negotiation: Negotiation,
    title: str,
    number: int | None = None,
    description: str = "",
    sources: Iterable[Source] = (),
    proposals: Iterable[Proposal] = (),
) -> AgendaItem:
    proposals = list(proposals)
    _check_proposals(negotiation.pk, proposals)
    if number is None:
        last = (
            AgendaItem.objects.filter(negotiation=negotiation)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        number = (last or 0) + 1
    item = create_validated(
        AgendaItem(negotiation=negotiation, number=number, title=title, description=description)
    )
    item.sources.set(list(sources))
    item.proposals.set(proposals)
    return item


@transaction.atomic
def agenda_item_update(
    *,
    item: AgendaItem,
    expected_version: int | None = None,
    sources: Iterable[Source] | None = None,
    proposals: Iterable[Proposal] | None = None,
    **changes: Any,
) -> AgendaItem:
    if "negotiation" in changes and changes["negotiation"] != item.negotiation:
        raise ValidationError({"negotiation": "An agenda item cannot move to another negotiation."})
    if proposals is not None:
        proposals = list(proposals)
        _check_proposals(item.negotiation_id, proposals)
    item = update_validated(item, changes=changes, expected_version=expected_version)
    if sources is not None:
        item.sources.set(list(sources))
    if proposals is not None:
        item.proposals.set(proposals)
    return item


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, reason: str) -> None:
    require_reason(reason)
    with pghistory.context(reason=reason):
        item.delete()
