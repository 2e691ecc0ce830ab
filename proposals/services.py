"""Every write to proposals, terms, positions, sources and the exchange ledger.

Each service validates (full_clean plus the cross-row rules below), writes in one
transaction, and marks the proposals whose status may change as stale in that same
transaction; their statuses are recomputed once the transaction commits.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from negotiations.core.versioning import create_validated, update_validated
from negotiations.models import Negotiation, Round
from negotiations.services import ensure_participant
from parties.models import Party, Person
from proposals.models import (
    ImplementationEvent,
    LinkKind,
    Position,
    Proposal,
    ProposalLink,
    Source,
    SourceKind,
    Stance,
    Term,
    TextStatus,
)
from proposals.staleness import mark_stale
from proposals.tasks import enqueue_summary_after_commit

# --- sources -------------------------------------------------------------------------


@transaction.atomic
def source_create(
    *,
    title: str,
    url: str = "",
    publisher: str = "",
    published_on: datetime.date | None = None,
    retrieved_on: datetime.date | None = None,
    kind: str = SourceKind.NEWS,
) -> Source:
    return create_validated(
        Source(
            title=title,
            url=url,
            publisher=publisher,
            published_on=published_on,
            retrieved_on=retrieved_on,
            kind=kind,
        )
    )


@transaction.atomic
def source_update(*, source: Source, expected_version: int | None = None, **changes: Any) -> Source:
    return update_validated(source, changes=changes, expected_version=expected_version)


# --- proposals -----------------------------------------------------------------------


def _check_round(*, negotiation: Negotiation, round_: Round | None) -> None:
    if round_ is not None and round_.negotiation_id != negotiation.pk:
        raise ValidationError({"round": f"{round_} belongs to another negotiation."})


def _check_required_parties(*, negotiation: Negotiation, parties: Iterable[Party]) -> None:
    for party in parties:
        ensure_participant(negotiation=negotiation, party=party, field="required_parties")


@transaction.atomic
def proposal_create(
    *,
    negotiation: Negotiation,
    title: str,
    kind: str,
    round: Round | None = None,  # noqa: A002
    tabled_by: Party | None = None,
    tabled_on: datetime.date | None = None,
    summary: str = "",
    text: str = "",
    text_status: str = TextStatus.REPORTED,
    required_parties: Iterable[Party] = (),
    sources: Iterable[Source] = (),
    speaker: Person | None = None,
    quote: str = "",
) -> Proposal:
    """Table a proposal. The tabling party's `proposes` position is recorded with it,
    dated the day it was tabled (or the round's first day)."""
    required_parties = list(required_parties)
    sources = list(sources)
    _check_round(negotiation=negotiation, round_=round)
    ensure_participant(negotiation=negotiation, party=tabled_by, field="tabled_by")
    _check_required_parties(negotiation=negotiation, parties=required_parties)
    if tabled_on is None and round is not None:
        tabled_on = round.starts_on
    proposal = create_validated(
        Proposal(
            negotiation=negotiation,
            round=round,
            tabled_by=tabled_by,
            title=title,
            kind=kind,
            summary=summary,
            text=text,
            tabled_on=tabled_on,
            text_status=text_status,
        )
    )
    proposal.required_parties.set(required_parties)
    proposal.sources.set(sources)
    if tabled_by is not None:
        position_record(
            proposal=proposal,
            party=tabled_by,
            stance=Stance.PROPOSES,
            stated_on=tabled_on or timezone.localdate(),
            round=round,
            speaker=speaker,
            quote=quote,
            source=sources[0] if sources else None,
        )
    mark_stale(proposal_ids=[proposal.pk])
    return proposal


@transaction.atomic
def proposal_update(
    *,
    proposal: Proposal,
    expected_version: int | None = None,
    required_parties: Iterable[Party] | None = None,
    sources: Iterable[Source] | None = None,
    **changes: Any,
) -> Proposal:
    if "negotiation" in changes and changes["negotiation"] != proposal.negotiation:
        raise ValidationError({"negotiation": "A proposal cannot move to another negotiation."})
    _check_round(negotiation=proposal.negotiation, round_=changes.get("round", proposal.round))
    if "tabled_by" in changes:
        ensure_participant(
            negotiation=proposal.negotiation, party=changes["tabled_by"], field="tabled_by"
        )
    proposal = update_validated(proposal, changes=changes, expected_version=expected_version)
    if required_parties is not None:
        required_parties = list(required_parties)
        _check_required_parties(negotiation=proposal.negotiation, parties=required_parties)
        proposal.required_parties.set(required_parties)
    if sources is not None:
        proposal.sources.set(list(sources))
    mark_stale(proposal_ids=[proposal.pk])
    return proposal


@transaction.atomic
def proposal_delete(*, proposal: Proposal, reason: str) -> None:
    _require_reason(reason)
    dependants = _proposals_conditional_on(proposal_ids=[proposal.pk])
    negotiation_id = proposal.negotiation_id
    with pghistory.context(reason=reason):
        proposal.delete()
    mark_stale(proposal_ids=dependants)
    # Its round's and negotiation's counts change even if no other status does.
    enqueue_summary_after_commit(negotiation_id, force=True)


@transaction.atomic
def proposal_link_create(
    *,
    from_proposal: Proposal,
    to_proposal: Proposal,
    kind: str,
    linked_on: datetime.date | None = None,
    note: str = "",
) -> ProposalLink:
    if from_proposal.negotiation_id != to_proposal.negotiation_id:
        raise ValidationError(
            {"to_proposal": "Linked proposals must belong to the same negotiation."}
        )
    if (
        kind == LinkKind.SUPERSEDES
        and ProposalLink.objects.filter(
            from_proposal=to_proposal, to_proposal=from_proposal, kind=LinkKind.SUPERSEDES
        ).exists()
    ):
        raise ValidationError({"kind": "Two proposals cannot supersede each other."})
    link = create_validated(
        ProposalLink(
            from_proposal=from_proposal,
            to_proposal=to_proposal,
            kind=kind,
            linked_on=linked_on,
            note=note,
        )
    )
    mark_stale(proposal_ids=[from_proposal.pk, to_proposal.pk])
    return link


@transaction.atomic
def proposal_link_delete(*, link: ProposalLink, reason: str) -> None:
    _require_reason(reason)
    ids = [link.from_proposal_id, link.to_proposal_id]
    with pghistory.context(reason=reason):
        link.delete()
    mark_stale(proposal_ids=ids)


# --- terms ---------------------------------------------------------------------------


def _check_derived_from(*, term: Term, derived_from: Term | None) -> None:
    if derived_from is None:
        return
    if derived_from.proposal_id == term.proposal_id:
        raise ValidationError(
            {"derived_from": "A term derives from a term of another (earlier or rival) proposal."}
        )


@transaction.atomic
def term_create(
    *,
    proposal: Proposal,
    text: str,
    ordinal: int | None = None,
    label: str = "",
    category: str = "other",
    stage: str = "settlement",
    option_group: str = "",
    option: str = "",
    derived_from: Term | None = None,
    quantity: int | None = None,
    unit: str = "",
    due_on: datetime.date | None = None,
    sources: Iterable[Source] = (),
) -> Term:
    if ordinal is None:
        last = proposal.terms.order_by("-ordinal").values_list("ordinal", flat=True).first()
        ordinal = (last or 0) + 1
    term = Term(
        proposal=proposal,
        ordinal=ordinal,
        label=label,
        text=text,
        category=category,
        stage=stage,
        option_group=option_group.strip(),
        option=option.strip(),
        derived_from=derived_from,
        quantity=quantity,
        unit=unit,
        due_on=due_on,
    )
    _check_derived_from(term=term, derived_from=derived_from)
    create_validated(term)
    term.sources.set(list(sources))
    mark_stale(proposal_ids=[proposal.pk])
    return term


@transaction.atomic
def term_update(
    *,
    term: Term,
    expected_version: int | None = None,
    sources: Iterable[Source] | None = None,
    **changes: Any,
) -> Term:
    if "proposal" in changes and changes["proposal"] != term.proposal:
        raise ValidationError({"proposal": "A term cannot move to another proposal."})
    _check_derived_from(term=term, derived_from=changes.get("derived_from", term.derived_from))
    term = update_validated(term, changes=changes, expected_version=expected_version)
    if sources is not None:
        term.sources.set(list(sources))
    mark_stale(proposal_ids=[term.proposal_id])
    return term


@transaction.atomic
def term_delete(*, term: Term, reason: str) -> None:
    _require_reason(reason)
    ids = [term.proposal_id, *_proposals_conditional_on(term_ids=[term.pk])]
    with pghistory.context(reason=reason):
        term.delete()
    mark_stale(proposal_ids=ids)


# --- positions -----------------------------------------------------------------------


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
    conditional_on: Iterable[Term] = (),
    source: Source | None = None,
    note: str = "",
) -> Position:
    """Record what a party said. Positions are never edited: a later statement, or a
    correction, is a new position; the latest one counts."""
    conditional_on = list(conditional_on)
    negotiation = proposal.negotiation
    errors: dict[str, str] = {}
    if not negotiation.participations.filter(party=party).exists():
        errors["party"] = (
            f"{party} takes no part in “{negotiation}”. Add it as a participant first."
        )
    if term is not None and term.proposal_id != proposal.pk:
        errors["term"] = "This term belongs to another proposal."
    if stance == Stance.WITHDRAWS and party.pk != proposal.tabled_by_id:
        errors["stance"] = "Only the party that tabled a proposal can withdraw it."
    if round is not None and round.negotiation_id != negotiation.pk:
        errors["round"] = f"{round} belongs to another negotiation."
    if speaker is not None and speaker.party_id not in (None, party.pk):
        errors["speaker"] = f"{speaker.name} speaks for {speaker.party}, not for {party}."
    if stated_on and stated_on > timezone.localdate():
        errors["stated_on"] = "A position cannot be dated in the future."
    foreign = [t for t in conditional_on if t.proposal.negotiation_id != negotiation.pk]
    if foreign:
        errors["conditional_on"] = "Conditions can only refer to terms of the same negotiation."
    if conditional_on and stance != Stance.CONDITIONAL:
        errors["conditional_on"] = "Only a conditional stance refers to terms it depends on."
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
            round=round,
            speaker=speaker,
            quote=quote,
            conditions=conditions,
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
    _require_reason(reason)
    proposal_id = position.proposal_id
    with pghistory.context(reason=reason):
        position.delete()
    mark_stale(proposal_ids=[proposal_id])


# --- the exchange ledger -------------------------------------------------------------


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
) -> ImplementationEvent:
    negotiation = term.proposal.negotiation
    ensure_participant(negotiation=negotiation, party=by_party, field="by_party")
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": "A delivery cannot be dated in the future."})
    tabled_on = term.proposal.tabled_on
    if tabled_on and happened_on < tabled_on:
        raise ValidationError(
            {"happened_on": f"The proposal was only tabled on {tabled_on.isoformat()}."}
        )
    event = create_validated(
        ImplementationEvent(
            term=term,
            happened_on=happened_on,
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
    event = update_validated(event, changes=changes, expected_version=expected_version)
    mark_stale(proposal_ids=[event.term.proposal_id])
    return event


@transaction.atomic
def implementation_event_delete(*, event: ImplementationEvent, reason: str) -> None:
    _require_reason(reason)
    proposal_id = event.term.proposal_id
    with pghistory.context(reason=reason):
        event.delete()
    mark_stale(proposal_ids=[proposal_id])


# --- helpers -------------------------------------------------------------------------


def _require_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why this is deleted; the reason is kept."})


def _proposals_conditional_on(
    *, proposal_ids: Iterable[int] = (), term_ids: Iterable[int] = ()
) -> list[int]:
    from django.db.models import Q

    return list(
        Position.objects.filter(
            Q(conditional_on__proposal_id__in=list(proposal_ids))
            | Q(conditional_on__in=list(term_ids))
        )
        .values_list("proposal_id", flat=True)
        .distinct()
    )
