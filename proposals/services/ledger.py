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
from proposals.models import ImplementationEvent, Source, Term
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
) -> ImplementationEvent:
    negotiation = term.proposal.negotiation
    ensure_participant(negotiation=negotiation, party=by_party, field="by_party")
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
    if "by_party" in changes:
        ensure_participant(
            negotiation=event.term.proposal.negotiation, party=changes["by_party"], field="by_party"
        )
    normalise_changes(changes, field="happened_on", instance=event)
    if "happened_on" in changes:
        _check_happened_on(term=event.term, happened_on=changes["happened_on"])
    event = update_validated(event, changes=changes, expected_version=expected_version)
    mark_stale(proposal_ids=[event.term.proposal_id])
    return event


@transaction.atomic
def implementation_event_delete(*, event: ImplementationEvent, reason: str) -> None:
    require_reason(reason)
    proposal_id = event.term.proposal_id
    with pghistory.context(reason=reason):
        event.delete()
    mark_stale(proposal_ids=[proposal_id])
