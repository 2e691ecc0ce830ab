"""Writes of proposals and of the links between them (supersedes, amends, responds to...)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from negotiations.core.precision import DatePrecision, earliest_day, normalise_changes
from negotiations.core.versioning import create_validated, update_validated
from negotiations.models import Negotiation, Round
from negotiations.services import ensure_participant
from parties.models import Party, Person
from proposals.dependencies import affected_proposal_ids
from proposals.models import (
    ImplementationEvent,
    LinkKind,
    Position,
    Proposal,
    ProposalLink,
    Source,
    Stance,
    Tabling,
    TextStatus,
)
from proposals.services.checks import require_reason
from proposals.services.positions import position_record
from proposals.staleness import mark_stale
from proposals.tasks import enqueue_summary_after_commit


def _check_round(*, negotiation: Negotiation, round_: Round | None) -> None:
    if round_ is not None and round_.negotiation_id != negotiation.pk:
        raise ValidationError({"round": f"{round_} belongs to another negotiation."})


def _tabling_position(proposal: Proposal) -> Q:
    """The positions proposal_create recorded for the tabling parties on the tabling day:
    they say when the proposal was tabled, so they move with tabled_on."""
    return Q(
        party_id__in=Tabling.objects.filter(proposal=proposal).values("party_id"),
        stance=Stance.PROPOSES,
        term__isnull=True,
        stated_on=proposal.tabled_on,
    )


def _check_tabled_before_positions(*, proposal: Proposal, tabled_on: datetime.date) -> None:
    positions = Position.objects.filter(proposal=proposal)
    if proposal.tabled_on is not None:
        positions = positions.exclude(_tabling_position(proposal))
    earliest = positions.aggregate(earliest=Min("stated_on"))["earliest"]
    if earliest is not None and earliest < tabled_on:
        raise ValidationError(
            {
                "tabled_on": f"A position on this proposal was stated on {earliest.isoformat()}; "
                "it cannot have been tabled later. Delete or re-date that position first."
            }
        )
    delivered = ImplementationEvent.objects.filter(term__proposal=proposal).aggregate(
        earliest=Min("happened_on")
    )["earliest"]
    if delivered is not None and delivered < tabled_on:
        raise ValidationError(
            {
                "tabled_on": f"Part of this proposal was carried out on {delivered.isoformat()}; "
                "it cannot have been tabled later. Correct that delivery's date first."
            }
        )


def _only_the_precision_changes(proposal: Proposal, changes: dict[str, Any]) -> bool:
    """The tabling day stays, known more or less precisely: its positions follow."""
    return (
        proposal.tabled_on is not None
        and changes.get("tabled_on", proposal.tabled_on) == proposal.tabled_on
        and changes.get("tabled_on_precision", proposal.tabled_on_precision)
        != proposal.tabled_on_precision
    )


def _check_required_parties(
    *, negotiation: Negotiation, parties: Iterable[Party], field: str = "required_parties"
) -> None:
    for party in parties:
        ensure_participant(negotiation=negotiation, party=party, field=field)


def _check_tabling(
    *, negotiation: Negotiation, tabling_parties: list[Party], mediators: list[Party]
) -> None:
    if len({party.pk for party in tabling_parties}) != len(tabling_parties):
        raise ValidationError({"tabling_parties": "Name each tabling party once."})
    _check_required_parties(
        negotiation=negotiation, parties=tabling_parties, field="tabling_parties"
    )
    _check_required_parties(negotiation=negotiation, parties=mediators, field="mediators")


def _set_tabling(proposal: Proposal, tabling_parties: list[Party]) -> list[Party]:
    """Make `tabling_parties` the proposal's, in that order; the parties that were not
    tabling it before are returned."""
    current = list(Tabling.objects.filter(proposal=proposal).values_list("party_id", flat=True))
    if current == [party.pk for party in tabling_parties]:
        return []
    before = set(current)
    Tabling.objects.filter(proposal=proposal).delete()
    Tabling.objects.bulk_create(
        Tabling(proposal=proposal, party=party, ordinal=i)
        for i, party in enumerate(tabling_parties, start=1)
    )
    return [party for party in tabling_parties if party.pk not in before]


@transaction.atomic
def proposal_create(
    *,
    negotiation: Negotiation,
    title: str,
    kind: str,
    round: Round | None = None,  # noqa: A002
    tabling_parties: Iterable[Party] = (),
    mediators: Iterable[Party] = (),
    tabled_on: datetime.date | None = None,
    summary: str = "",
    text: str = "",
    text_status: str = TextStatus.REPORTED,
    required_parties: Iterable[Party] = (),
    sources: Iterable[Source] = (),
    speaker: Person | None = None,
    quote: str = "",
    tabled_on_precision: str = DatePrecision.DAY,
) -> Proposal:
    """Table a proposal. Each tabling party's `proposes` position is recorded with it,
    dated the day it was tabled (or the round's first day). Without tabling parties it is
    a mediators' text (`mediators` names them)."""
    required_parties = list(required_parties)
    tabling_parties, mediators = list(tabling_parties), list(mediators)
    sources = list(sources)
    _check_round(negotiation=negotiation, round_=round)
    _check_tabling(negotiation=negotiation, tabling_parties=tabling_parties, mediators=mediators)
    _check_required_parties(negotiation=negotiation, parties=required_parties)
    if tabled_on is None and round is not None:
        tabled_on = round.starts_on
        tabled_on_precision = round.starts_on_precision
    if tabled_on is not None:
        tabled_on = earliest_day(tabled_on, tabled_on_precision)
    proposal = create_validated(
        Proposal(
            negotiation=negotiation,
            round=round,
            title=title,
            kind=kind,
            summary=summary,
            text=text,
            tabled_on=tabled_on,
            tabled_on_precision=tabled_on_precision,
            text_status=text_status,
        )
    )
    proposal.required_parties.set(required_parties)
    proposal.mediators.set(mediators)
    proposal.sources.set(sources)
    _set_tabling(proposal, tabling_parties)
    for party in tabling_parties:
        position_record(
            proposal=proposal,
            party=party,
            stance=Stance.PROPOSES,
            stated_on=tabled_on or timezone.localdate(),
            stated_on_precision=tabled_on_precision if tabled_on else DatePrecision.DAY,
            round=round,
            # The words it was tabled with are the first sponsor's.
            speaker=speaker if party == tabling_parties[0] else None,
            quote=quote if party == tabling_parties[0] else "",
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
    tabling_parties: Iterable[Party] | None = None,
    mediators: Iterable[Party] | None = None,
    **changes: Any,
) -> Proposal:
    """Change a proposal. A party newly among its tabling parties gets the `proposes`
    position proposal_create records for each of them."""
    if "negotiation" in changes and changes["negotiation"] != proposal.negotiation:
        raise ValidationError({"negotiation": "A proposal cannot move to another negotiation."})
    _check_round(negotiation=proposal.negotiation, round_=changes.get("round", proposal.round))
    tabling_parties = None if tabling_parties is None else list(tabling_parties)
    mediators = None if mediators is None else list(mediators)
    _check_tabling(
        negotiation=proposal.negotiation,
        tabling_parties=tabling_parties or [],
        mediators=mediators or [],
    )
    normalise_changes(changes, field="tabled_on", instance=proposal)
    moved_tabling = Position.objects.none()
    if changes.get("tabled_on") is not None and changes["tabled_on"] != proposal.tabled_on:
        _check_tabled_before_positions(proposal=proposal, tabled_on=changes["tabled_on"])
        if proposal.tabled_on is not None:
            moved_tabling = Position.objects.filter(
                Q(proposal=proposal) & _tabling_position(proposal)
            )
    elif _only_the_precision_changes(proposal, changes):
        moved_tabling = Position.objects.filter(Q(proposal=proposal) & _tabling_position(proposal))
    moved_ids = list(moved_tabling.values_list("pk", flat=True))
    proposal = update_validated(proposal, changes=changes, expected_version=expected_version)
    if moved_ids:
        # A correction of the tabling day, not a new statement: the audit history keeps
        # the old date.
        Position.objects.filter(pk__in=moved_ids).update(
            stated_on=proposal.tabled_on,
            stated_on_precision=proposal.tabled_on_precision,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
    if required_parties is not None:
        required_parties = list(required_parties)
        _check_required_parties(negotiation=proposal.negotiation, parties=required_parties)
        proposal.required_parties.set(required_parties)
    if sources is not None:
        proposal.sources.set(list(sources))
    if mediators is not None:
        proposal.mediators.set(mediators)
    if tabling_parties is not None:
        tabled_on = proposal.tabled_on or timezone.localdate()
        for party in _set_tabling(proposal, tabling_parties):
            proposed = Position.objects.filter(
                proposal=proposal, party=party, stance=Stance.PROPOSES, term__isnull=True
            )
            if tabled_on <= timezone.localdate() and not proposed.exists():
                position_record(
                    proposal=proposal,
                    party=party,
                    stance=Stance.PROPOSES,
                    stated_on=tabled_on,
                    round=proposal.round,
                )
    mark_stale(proposal_ids=[proposal.pk])
    return proposal


@transaction.atomic
def proposal_delete(*, proposal: Proposal, reason: str) -> None:
    require_reason(reason)
    # Asked before the delete: the links and conditions leading to them go with it.
    dependants = affected_proposal_ids(proposal_ids=[proposal.pk]) - {proposal.pk}
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
    if kind == LinkKind.SUPERSEDES:
        _check_no_supersedes_cycle(from_proposal=from_proposal, to_proposal=to_proposal)
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


def _check_no_supersedes_cycle(*, from_proposal: Proposal, to_proposal: Proposal) -> None:
    """Refuse a link that would close a loop of supersessions (A→B→C→A supersedes them all)."""
    supersedes: dict[int, set[int]] = {}
    for newer, older in ProposalLink.objects.filter(
        kind=LinkKind.SUPERSEDES, from_proposal__negotiation_id=from_proposal.negotiation_id
    ).values_list("from_proposal_id", "to_proposal_id"):
        supersedes.setdefault(newer, set()).add(older)
    came_from: dict[int, int] = {}
    frontier = [to_proposal.pk]
    while frontier and from_proposal.pk not in came_from and from_proposal.pk != to_proposal.pk:
        newer = frontier.pop()
        for older in sorted(supersedes.get(newer, ())):
            if older not in came_from and older != to_proposal.pk:
                came_from[older] = newer
                frontier.append(older)
    if from_proposal.pk != to_proposal.pk and from_proposal.pk not in came_from:
        return
    path = [from_proposal.pk]
    while path[-1] != to_proposal.pk:
        path.append(came_from[path[-1]])
    path.reverse()  # to_proposal ... from_proposal, each superseding the next
    titles = dict(Proposal.objects.filter(pk__in=path).values_list("pk", "title"))
    chain = [(from_proposal.pk, to_proposal.pk), *zip(path, path[1:], strict=False)]
    said = ", ".join(f"“{titles[a]}” supersedes “{titles[b]}”" for a, b in chain)
    raise ValidationError(
        {
            "kind": f"This would make a cycle of supersessions ({said}); a proposal can only "
            "be replaced by a later one. Link them with another kind, or remove a link first."
        }
    )


@transaction.atomic
def proposal_link_delete(*, link: ProposalLink, reason: str) -> None:
    require_reason(reason)
    ids = [link.from_proposal_id, link.to_proposal_id]
    with pghistory.context(reason=reason):
        link.delete()
    mark_stale(proposal_ids=ids)
