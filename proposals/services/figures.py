"""Conflicting figures: several sourced numbers for one event's, commitment's or term's
quantity. The counted one sets the owner's quantity through the owner's own update
service, so validation and staleness stay the owner's."""

from __future__ import annotations

from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from negotiations.core.versioning import create_validated, update_validated
from negotiations.services import ensure_participant
from parties.models import Party
from proposals.models import Commitment, Figure, ImplementationEvent, Source, Term
from proposals.models.figures import OWNER_FIELDS
from proposals.services.checks import require_reason
from proposals.services.ledger import commitment_update, implementation_event_update
from proposals.services.terms import term_update
from proposals.staleness import mark_stale


def _term_of(figure: Figure) -> Term | None:
    if figure.term is not None:
        return figure.term
    if figure.event is not None:
        return figure.event.term
    if figure.commitment is not None:
        return figure.commitment.term
    return None


def _count(figure: Figure) -> None:
    """Set the owner's quantity to the counted figure's value, through its service (its
    errors, e.g. an event kind without a quantity, are the figure's 400)."""
    try:
        # Fresh rows: the owner's update checks its version against the stored one.
        if figure.event_id is not None:
            event = ImplementationEvent.objects.get(pk=figure.event_id)
            if event.quantity != figure.value:
                implementation_event_update(event=event, quantity=figure.value)
        elif figure.commitment_id is not None:
            commitment = Commitment.objects.get(pk=figure.commitment_id)
            if commitment.quantity != figure.value:
                commitment_update(commitment=commitment, quantity=figure.value)
        elif figure.term_id is not None:
            term = Term.objects.get(pk=figure.term_id)
            if term.quantity != figure.value:
                term_update(term=term, quantity=figure.value)
    except ValidationError as error:
        messages = [m for ms in getattr(error, "message_dict", {}).values() for m in ms]
        raise ValidationError(
            {"counted": "It cannot be counted: " + " ".join(messages or error.messages)}
        ) from error


@transaction.atomic
def figure_create(
    *,
    value: int,
    event: ImplementationEvent | None = None,
    commitment: Commitment | None = None,
    term: Term | None = None,
    value_high: int | None = None,
    approximate: bool = False,
    source: Source | None = None,
    attributed_to: Party | None = None,
    note: str = "",
    counted: bool = False,
) -> Figure:
    figure = Figure(
        event=event,
        commitment=commitment,
        term=term,
        value=value,
        value_high=value_high,
        approximate=approximate,
        source=source,
        attributed_to=attributed_to,
        note=note,
        counted=counted,
    )
    owner_term = _term_of(figure)
    if owner_term is not None:
        ensure_participant(
            negotiation=owner_term.proposal.negotiation, party=attributed_to, field="attributed_to"
        )
    figure = create_validated(figure)
    if figure.counted and owner_term is not None:
        _count(figure)
        mark_stale(proposal_ids=[owner_term.proposal_id])
    return figure


@transaction.atomic
def figure_update(*, figure: Figure, expected_version: int | None = None, **changes: Any) -> Figure:
    for field in OWNER_FIELDS:
        if field in changes and changes[field] != getattr(figure, field):
            raise ValidationError({field: "Record the figure again on the other one instead."})
    owner_term = _term_of(figure)
    if "attributed_to" in changes and owner_term is not None:
        ensure_participant(
            negotiation=owner_term.proposal.negotiation,
            party=changes["attributed_to"],
            field="attributed_to",
        )
    figure = update_validated(figure, changes=changes, expected_version=expected_version)
    if figure.counted and owner_term is not None and {"counted", "value"} & changes.keys():
        _count(figure)
        mark_stale(proposal_ids=[owner_term.proposal_id])
    return figure


@transaction.atomic
def figure_delete(*, figure: Figure, reason: str) -> None:
    """Deleting a figure, even the counted one, leaves the owner's quantity as it is."""
    require_reason(reason)
    with pghistory.context(reason=reason):
        figure.delete()
