"""Recording what a party said about a proposal or a term. Positions are never edited:
a correction is a new position, a mistaken one is deleted with a reason."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from negotiations.core.precision import DatePrecision, earliest_day
from negotiations.core.versioning import create_validated
from negotiations.models import Round
from parties.models import Party, Person
from proposals.models import (
    Position,
    Proposal,
    Source,
    Stance,
    Tabling,
    Term,
)
from proposals.services.checks import require_reason
from proposals.staleness import mark_stale


@transaction.atomic
def position_record(
    *,
    proposal: Proposal,
    party: Party,
    stance: str,
    stated_on: datetime.date,
    term: Term | None = None,
    round: Round | None = None,  # noqa: A002
    speaker: Person | None = None,
    quote: str = "",
    conditions: str = "",
    reservations: str = "",
    conditional_on: Iterable[Term] = (),
    source: Source | None = None,
    note: str = "",
    stated_on_precision: str = DatePrecision.DAY,
) -> Position:
    """Record what a party said. Positions are never edited: a later statement, or a
    correction, is a new position; the latest one counts."""
    conditional_on = list(conditional_on)
    if stated_on:
        stated_on = earliest_day(stated_on, stated_on_precision)
    negotiation = proposal.negotiation
    errors: dict[str, str] = {}
    if not negotiation.participations.filter(party=party).exists():
        errors["party"] = (
            f"{party} takes no part in “{negotiation}”. Add it as a participant first."
        )
    if term is not None and term.proposal_id != proposal.pk:
        errors["term"] = "This term belongs to another proposal."
    if (
        stance == Stance.WITHDRAWS
        and not Tabling.objects.filter(proposal=proposal, party=party).exists()
    ):
        errors["stance"] = (
            "Only the party that tabled a proposal (or a co-sponsor) can withdraw it."
        )
    if round is not None and round.negotiation_id != negotiation.pk:
        errors["round"] = f"{round} belongs to another negotiation."
    if speaker is not None and speaker.party_id not in (None, party.pk):
        errors["speaker"] = f"{speaker.name} speaks for {speaker.party}, not for {party}."
    if stated_on and stated_on > timezone.localdate():
        errors["stated_on"] = "A position cannot be dated in the future."
    elif stated_on and proposal.tabled_on and stated_on < proposal.tabled_on:
        errors["stated_on"] = (
            f"The proposal was only tabled on {proposal.tabled_on.isoformat()}; a position "
            "on it cannot be older. Correct the date, or the proposal's tabled_on."
        )
    foreign = [t for t in conditional_on if t.proposal.negotiation_id != negotiation.pk]
    if foreign:
        errors["conditional_on"] = "Conditions can only refer to terms of the same negotiation."
    if conditional_on and stance != Stance.CONDITIONAL:
        errors["conditional_on"] = "Only a conditional stance refers to terms it depends on."
    if stance == Stance.ACCEPTS_WITH_RESERVATIONS and not reservations.strip():
        errors["reservations"] = (
            "Accepting with reservations needs the reservations: say what the party reserves."
        )
    elif reservations.strip() and stance != Stance.ACCEPTS_WITH_RESERVATIONS:
        errors["reservations"] = (
            "Only a party accepting with reservations states reservations; choose that stance "
            "or move the text to the note."
        )
    if term is not None and term in conditional_on:
        errors["conditional_on"] = "A term cannot be conditional on itself."
    if errors:
        raise ValidationError(errors)
    position = create_validated(
        Position(
            proposal=proposal,
            term=term,
            party=party,
            stance=stance,
            stated_on=stated_on,
            stated_on_precision=stated_on_precision,
            round=round,
            speaker=speaker,
            quote=quote,
            conditions=conditions,
            reservations=reservations,
            source=source,
            note=note,
        )
    )
    position.conditional_on.set(conditional_on)
    mark_stale(proposal_ids=[proposal.pk])
    return position


@transaction.atomic
def position_delete(*, position: Position, reason: str) -> None:
    """Delete a position recorded by mistake; the reason stays in the audit history."""
    require_reason(reason)
    proposal_id = position.proposal_id
    with pghistory.context(reason=reason):
        position.delete()
    mark_stale(proposal_ids=[proposal_id])
