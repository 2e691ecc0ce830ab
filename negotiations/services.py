from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from negotiations.core.precision import DatePrecision, earliest_day, normalise_changes
from negotiations.core.signals import statuses_affected
from negotiations.core.versioning import create_validated, update_validated
from negotiations.models import (
    Delegation,
    DelegationMember,
    MemberRole,
    Negotiation,
    NegotiationStatus,
    Participation,
    Round,
    RoundStatus,
)
from parties.models import Party, Person


def ensure_participant(*, negotiation: Negotiation, party: Party | None, field: str) -> None:
    if party is None:
        return
    if not Participation.objects.filter(negotiation=negotiation, party=party).exists():
        raise ValidationError(
            {field: f"{party} takes no part in “{negotiation}”. Add it as a participant first."}
        )


@transaction.atomic
def negotiation_create(
    *,
    title: str,
    slug: str = "",
    summary: str = "",
    status: str = NegotiationStatus.ACTIVE,
    started_on: datetime.date | None = None,
    ended_on: datetime.date | None = None,
) -> Negotiation:
    negotiation = Negotiation(
        title=title,
        slug=slug,  # blank: the model makes one (negotiations/core/slugs.py)
        summary=summary,
        status=status,
        started_on=started_on,
        ended_on=ended_on,
    )
    return create_validated(negotiation)


@transaction.atomic
def negotiation_update(
    *, negotiation: Negotiation, expected_version: int | None = None, **changes: Any
) -> Negotiation:
    return update_validated(negotiation, changes=changes, expected_version=expected_version)


@transaction.atomic
def participation_create(
    *, negotiation: Negotiation, party: Party, roles: list[str], note: str = ""
) -> Participation:
    participation = create_validated(
        Participation(negotiation=negotiation, party=party, roles=_unique(roles), note=note)
    )
    statuses_affected.send(sender=Participation, negotiation_ids=[negotiation.pk])
    return participation


@transaction.atomic
def participation_update(
    *, participation: Participation, expected_version: int | None = None, **changes: Any
) -> Participation:
    if "roles" in changes:
        changes["roles"] = _unique(changes["roles"])
    for fixed in ("negotiation", "party"):
        if fixed in changes and changes[fixed] != getattr(participation, fixed):
            raise ValidationError({fixed: "Record a new participation instead of moving this one."})
    participation = update_validated(
        participation, changes=changes, expected_version=expected_version
    )
    statuses_affected.send(sender=Participation, negotiation_ids=[participation.negotiation_id])
    return participation


@transaction.atomic
def participation_delete(*, participation: Participation, reason: str = "") -> None:
    negotiation_id = participation.negotiation_id
    with pghistory.context(reason=reason):
        participation.delete()
    statuses_affected.send(sender=Participation, negotiation_ids=[negotiation_id])


def _unique(roles: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(roles))


@transaction.atomic
def round_create(
    *,
    negotiation: Negotiation,
    number: int,
    starts_on: datetime.date,
    title: str = "",
    venue_city: str = "",
    venue_country: str = "",
    ends_on: datetime.date | None = None,
    status: str = RoundStatus.HELD,
    summary: str = "",
    hosts: Iterable[Party] = (),
    sources: Iterable[Any] = (),
    starts_on_precision: str = DatePrecision.DAY,
) -> Round:
    round_ = create_validated(
        Round(
            negotiation=negotiation,
            number=number,
            title=title,
            venue_city=venue_city,
            venue_country=venue_country,
            starts_on=earliest_day(starts_on, starts_on_precision) if starts_on else starts_on,
            starts_on_precision=starts_on_precision,
            ends_on=ends_on,
            status=status,
            summary=summary,
        )
    )
    round_.hosts.set(list(hosts))
    round_.sources.set(list(sources))
    # Round dates stand in for a proposal's missing tabled_on and date the convergence series.
    statuses_affected.send(sender=Round, negotiation_ids=[negotiation.pk])
    return round_


@transaction.atomic
def round_update(
    *,
    round: Round,  # noqa: A002 - the domain's word
    expected_version: int | None = None,
    hosts: Iterable[Party] | None = None,
    sources: Iterable[Any] | None = None,
    **changes: Any,
) -> Round:
    normalise_changes(changes, field="starts_on", instance=round)
    round_ = update_validated(round, changes=changes, expected_version=expected_version)
    if hosts is not None:
        round_.hosts.set(list(hosts))
    if sources is not None:
        round_.sources.set(list(sources))
    statuses_affected.send(sender=Round, negotiation_ids=[round_.negotiation_id])
    return round_


@transaction.atomic
def delegation_create(
    *,
    round: Round,  # noqa: A002
    party: Party,
    head: Person | None = None,
    members: Iterable[Person] = (),
    members_text: str = "",
) -> Delegation:
    ensure_participant(negotiation=round.negotiation, party=party, field="party")
    _check_head(party=party, head=head)
    delegation = create_validated(
        Delegation(round=round, party=party, head=head, members_text=members_text)
    )
    delegation.members.set(list(members))
    return delegation


@transaction.atomic
def delegation_update(
    *,
    delegation: Delegation,
    expected_version: int | None = None,
    members: Iterable[Person] | None = None,
    **changes: Any,
) -> Delegation:
    party = changes.get("party", delegation.party)
    ensure_participant(negotiation=delegation.round.negotiation, party=party, field="party")
    _check_head(party=party, head=changes.get("head", delegation.head))
    delegation = update_validated(delegation, changes=changes, expected_version=expected_version)
    if members is not None:
        delegation.members.set(list(members))
    return delegation


def _check_head(*, party: Party, head: Person | None) -> None:
    if head is not None and head.party_id not in (None, party.pk):
        raise ValidationError({"head": f"{head.name} belongs to {head.party}, not to {party}."})


@transaction.atomic
def delegation_delete(*, delegation: Delegation, reason: str = "") -> None:
    with pghistory.context(reason=reason):
        delegation.delete()


@transaction.atomic
def delegation_member_create(
    *, delegation: Delegation, person: Person, title: str = "", role: str = MemberRole.MEMBER
) -> DelegationMember:
    _check_member(delegation=delegation, person=person)
    member = DelegationMember(delegation=delegation, person=person, title=title, role=role)
    return create_validated(member)


@transaction.atomic
def delegation_member_update(
    *, member: DelegationMember, expected_version: int | None = None, **changes: Any
) -> DelegationMember:
    _check_member(
        delegation=changes.get("delegation", member.delegation),
        person=changes.get("person", member.person),
    )
    return update_validated(member, changes=changes, expected_version=expected_version)


@transaction.atomic
def delegation_member_delete(*, member: DelegationMember, reason: str = "") -> None:
    with pghistory.context(reason=reason):
        member.delete()


def _check_member(*, delegation: Delegation, person: Person) -> None:
    if person.party_id not in (None, delegation.party_id):
        raise ValidationError(
            {"person": f"{person.name} belongs to {person.party}, not to {delegation.party}."}
        )
