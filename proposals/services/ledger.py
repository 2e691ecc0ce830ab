"""The exchange ledger: what each side delivered of an agreed term, and when."""

from __future__ import annotations

import datetime
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from negotiations.core.precision import DatePrecision, earliest_day, normalise_changes
from negotiations.core.versioning import create_validated, update_validated
from negotiations.services import ensure_participant
from parties.models import Party
from proposals.models import Commitment, EventKind, ImplementationEvent, Source, Term
from proposals.services.checks import require_reason
from proposals.staleness import mark_stale


def _check_happened_on(*, term: Term, happened_on: datetime.date | None) -> None:
    if happened_on is None:
        return  # full_clean reports the missing date
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": "A delivery cannot be dated in the future."})
    tabled_on = term.proposal.tabled_on
    if tabled_on and happened_on < tabled_on:
        raise ValidationError(
            {"happened_on": f"The proposal was only tabled on {tabled_on.isoformat()}."}
        )


@transaction.atomic
def implementation_event_record(
    *,
    term: Term,
    happened_on: datetime.date,
    by_party: Party | None = None,
    quantity: int | None = None,
    completes: bool = False,
    note: str = "",
    source: Source | None = None,
    happened_on_precision: str = DatePrecision.DAY,
    kind: str = EventKind.DELIVERY,
    to_party: Party | None = None,
    location: str = "",
    reverses: ImplementationEvent | None = None,
) -> ImplementationEvent:
    negotiation = term.proposal.negotiation
    ensure_participant(negotiation=negotiation, party=by_party, field="by_party")
    ensure_participant(negotiation=negotiation, party=to_party, field="to_party")
    if happened_on:
        happened_on = earliest_day(happened_on, happened_on_precision)
    _check_happened_on(term=term, happened_on=happened_on)
    event = create_validated(
        ImplementationEvent(
            term=term,
            happened_on=happened_on,
            happened_on_precision=happened_on_precision,
            by_party=by_party,
            quantity=quantity,
            completes=completes,
            note=note,
            source=source,
            kind=kind,
            to_party=to_party,
            location=location,
            reverses=reverses,
        )
    )
    mark_stale(proposal_ids=[term.proposal_id])
    return event


@transaction.atomic
def implementation_event_update(
    *, event: ImplementationEvent, expected_version: int | None = None, **changes: Any
) -> ImplementationEvent:
    if "term" in changes and changes["term"] != event.term:
        raise ValidationError({"term": "Record the delivery again on the other term instead."})
    for field in ("by_party", "to_party"):
        if field in changes:
            ensure_participant(
                negotiation=event.term.proposal.negotiation, party=changes[field], field=field
            )
    if changes.get("kind", event.kind) != EventKind.DELIVERY and event.reversed_by.exists():
        raise ValidationError(
            {"kind": "Later reversals or disputes refer to this delivery; it stays a delivery."}
        )
    normalise_changes(changes, field="happened_on", instance=event)
    if "happened_on" in changes:
        _check_happened_on(term=event.term, happened_on=changes["happened_on"])
        if (
            changes["happened_on"]
            and event.reversed_by.filter(happened_on__lt=changes["happened_on"]).exists()
        ):
            raise ValidationError(
                {"happened_on": "A reversal or dispute of this delivery is dated earlier."}
            )
    event = update_validated(event, changes=changes, expected_version=expected_version)
    mark_stale(proposal_ids=[event.term.proposal_id])
    return event


@transaction.atomic
def implementation_event_delete(*, event: ImplementationEvent, reason: str) -> None:
    require_reason(reason)
    if event.reversed_by.exists():
        raise ValidationError(
            "Later reversals or disputes refer to this delivery: delete them first."
        )
    proposal_id = event.term.proposal_id
    with pghistory.context(reason=reason):
        event.delete()
    mark_stale(proposal_ids=[proposal_id])


# ---------------------------------------------------------------- commitments


@transaction.atomic
def commitment_create(
    *,
    term: Term,
    party: Party,
    quantity: int,
    quantity_high: int | None = None,
    approximate: bool = False,
    unit: str = "",
    note: str = "",
) -> Commitment:
    ensure_participant(negotiation=term.proposal.negotiation, party=party, field="party")
    commitment = create_validated(
        Commitment(
            term=term,
            party=party,
            quantity=quantity,
            quantity_high=quantity_high,
            approximate=approximate,
            unit=unit or term.unit,
            note=note,
        )
    )
    mark_stale(proposal_ids=[term.proposal_id])
    return commitment


@transaction.atomic
def commitment_update(
    *, commitment: Commitment, expected_version: int | None = None, **changes: Any
) -> Commitment:
    if "term" in changes and changes["term"] != commitment.term:
        raise ValidationError({"term": "Record the commitment again on the other term instead."})
    if "party" in changes:
        ensure_participant(
            negotiation=commitment.term.proposal.negotiation, party=changes["party"], field="party"
        )
    commitment = update_validated(commitment, changes=changes, expected_version=expected_version)
    mark_stale(proposal_ids=[commitment.term.proposal_id])
    return commitment


@transaction.atomic
def commitment_delete(*, commitment: Commitment, reason: str) -> None:
    require_reason(reason)
    proposal_id = commitment.term.proposal_id
    with pghistory.context(reason=reason):
        commitment.delete()
    mark_stale(proposal_ids=[proposal_id])
