from __future__ import annotations

from typing import Any

from django.db import transaction

from negotiations.core.signals import statuses_affected
from negotiations.core.versioning import create_validated, update_validated
from parties.models import Party, PartyKind, Person


def _clean_aliases(aliases: list[str] | None) -> list[str]:
    """Aliases trimmed, blanks and repeats dropped, in the order given."""
    return list(dict.fromkeys(a.strip() for a in aliases or () if a and a.strip()))


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
    ucdp_actor_id: int | None = None,
    acled_actor: str = "",
    wikidata_id: str = "",
) -> Party:
    party = Party(
        name=name,
        kind=kind,
        short_name=short_name,
        slug=slug,
        country_code=country_code.upper(),
        aliases=_clean_aliases(aliases),
        description=description,
        ucdp_actor_id=ucdp_actor_id,
        acled_actor=acled_actor,
        wikidata_id=wikidata_id.upper(),
    )
    return create_validated(party)


@transaction.atomic
def party_update(*, party: Party, expected_version: int | None = None, **changes: Any) -> Party:
    if "aliases" in changes:
        changes["aliases"] = _clean_aliases(changes["aliases"])
    if isinstance(changes.get("wikidata_id"), str):
        changes["wikidata_id"] = changes["wikidata_id"].upper()
    party = update_validated(party, changes=changes, expected_version=expected_version)
    if {"name", "short_name"} & changes.keys():
        # Status reasons name the parties; refresh them.
        statuses_affected.send(sender=Party, party_ids=[party.pk])
    return party


@transaction.atomic
def person_create(
    *, name: str, party: Party | None = None, title: str = "", aliases: list[str] | None = None
) -> Person:
    person = Person(name=name, party=party, title=title, aliases=_clean_aliases(aliases))
    return create_validated(person)


@transaction.atomic
def person_update(*, person: Person, expected_version: int | None = None, **changes: Any) -> Person:
    if "aliases" in changes:
        changes["aliases"] = _clean_aliases(changes["aliases"])
    return update_validated(person, changes=changes, expected_version=expected_version)
