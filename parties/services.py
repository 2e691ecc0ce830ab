from __future__ import annotations

from typing import Any

from django.db import transaction

from negotiations.core.signals import statuses_affected
from negotiations.core.versioning import create_validated, update_validated
from parties.models import Party, PartyKind, Person


@transaction.atomic
def party_create(
    *,
    name: str,
    kind: str = PartyKind.STATE,
    short_name: str = "",
    slug: str = "",
    country_code: str = "",
    aliases: list[str] | None = None,
    description: str = "",
) -> Party:
    party = Party(
        name=name,
        kind=kind,
        short_name=short_name,
        slug=slug,
        country_code=country_code.upper(),
        aliases=list(aliases or []),
        description=description,
    )
    return create_validated(party)


@transaction.atomic
def party_update(*, party: Party, expected_version: int | None = None, **changes: Any) -> Party:
    party = update_validated(party, changes=changes, expected_version=expected_version)
    if {"name", "short_name"} & changes.keys():
        # Status reasons name the parties; refresh them.
        statuses_affected.send(sender=Party, party_ids=[party.pk])
    return party


@transaction.atomic
def person_create(*, name: str, party: Party | None = None, title: str = "") -> Person:
    return create_validated(Person(name=name, party=party, title=title))


@transaction.atomic
def person_update(*, person: Person, expected_version: int | None = None, **changes: Any) -> Person:
    return update_validated(person, changes=changes, expected_version=expected_version)
