"""The round's frame: its negotiation and participants, the sources the document cites,
the round itself, its delegations and the agenda items."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db.models import Q

from negotiations import services as structure
from negotiations.core.precision import DatePrecision, earliest_day
from negotiations.models import Delegation, DelegationMember, Negotiation, Participation, Round
from parties.models import Party, Person
from proposals.api.outcome.base import Writer, scalars
from proposals.models import AgendaItem, Source
from proposals.services import agenda_item_create, source_create
from proposals.services.sources import normalised_url


def dated(part: dict[str, Any], field: str) -> None:
    """Store a date as its earliest possible day, as the services do, before comparing."""
    if part.get(field) is not None:
        part[field] = earliest_day(part[field], part.get(f"{field}_precision", DatePrecision.DAY))


def write_negotiation(writer: Writer, part: dict[str, Any]) -> Negotiation | None:
    path = "negotiation"
    part = dict(part)
    part.pop("participants", None)
    pk = part.pop("id", None)
    if pk is not None:
        found = Negotiation.objects.filter(pk=pk).first()
        if found is None:
            writer.report(f"{path}.id", f"There is no negotiation {pk}.")
            return None
    elif part.get("slug"):
        found = Negotiation.objects.filter(slug=part["slug"]).first()
        if found is None and not part.get("title"):
            writer.report(
                f"{path}.slug",
                f"No negotiation has the slug {part['slug']!r}; give its title too to create it.",
            )
            return None
    else:
        title = part["title"]
        matches = list(Negotiation.objects.filter(title__iexact=title.strip())[:5])
        if len(matches) > 1:
            ids = ", ".join(f"{n.slug} (id {n.pk})" for n in matches)
            writer.report(
                f"{path}.title",
                f"Several negotiations have this title: {ids}; give the slug or id.",
            )
            return None
        found = matches[0] if matches else None
    return writer.put(
        path,
        "negotiation",
        found=found,
        create=partial(structure.negotiation_create, **part),
        stated=scalars(part),
    )


def write_participants(writer: Writer, negotiation: Negotiation, parts: list[Any]) -> None:
    for i, part in enumerate(parts):
        path = f"negotiation.participants[{i}]"
        party = writer.refs.party(part["party"], f"{path}.party")
        if party is None:
            continue
        found = Participation.objects.filter(negotiation=negotiation, party=party).first()
        if found is not None and not set(part["roles"]) <= set(found.roles):
            writer.conflicts.add(f"{path}.roles")
            writer.report(
                f"{path}.roles",
                f"{party} takes part with the roles "
                f"{', '.join(found.roles)}; the document adds others. Change the "
                "participation with its PATCH.",
            )
        writer.put(
            path,
            "participation",
            found=found,
            create=partial(
                structure.participation_create,
                negotiation=negotiation,
                party=party,
                roles=part["roles"],
                note=part.get("note", ""),
            ),
            stated=scalars(part, "roles"),
        )


def write_sources(writer: Writer, parts: list[Any]) -> None:
    for i, part in enumerate(parts):
        path = f"sources[{i}]"
        writer.refs.declare(part.get("key"), "source", path)
    for i, part in enumerate(parts):
        path = f"sources[{i}]"
        values = scalars(part)
        url = normalised_url(values.get("url", ""))
        if url:
            values["url"] = url
            look = Q(url=url)
        else:
            look = Q(
                url="",
                title=values.get("title", ""),
                publisher=values.get("publisher", ""),
                published_on=values.get("published_on"),
            )
        source = writer.put(
            path,
            "source",
            key=part.get("key"),
            found=Source.objects.filter(look).order_by("pk").first(),
            create=partial(source_create, **values),
            stated={k: v for k, v in values.items() if k != "url"},
        )
        if source is not None and source.url:
            writer.refs.urls.setdefault(source.url, source)


def write_round(writer: Writer, negotiation: Negotiation, part: dict[str, Any]) -> Round | None:
    path = "round"
    hosts = writer.refs.parties(part.get("hosts", []), f"{path}.hosts")
    sources = writer.refs.sources(part.get("sources", []), f"{path}.sources")
    values = scalars(part)
    dated(values, "starts_on")
    found = Round.objects.filter(negotiation=negotiation, number=values["number"]).first()
    if found is None and values.get("starts_on") is None:
        writer.report(
            f"{path}.starts_on", f"Round {values['number']} is new: give its first day (starts_on)."
        )
        return None
    if found is None and (hosts is None or sources is None):
        return None
    return writer.put(
        path,
        "round",
        found=found,
        create=partial(
            structure.round_create,
            negotiation=negotiation,
            hosts=hosts or [],
            sources=sources or [],
            **values,
        ),
        stated=values,
    )


def write_delegations(writer: Writer, round_: Round, parts: list[Any]) -> None:
    for i, part in enumerate(parts):
        path = f"delegations[{i}]"
        party = writer.refs.party(part["party"], f"{path}.party")
        if party is None:
            continue
        people = [
            _person(writer, member["person"], f"{path}.members[{j}].person", party)
            for j, member in enumerate(part.get("members", []))
        ]
        head = next(
            (
                p
                for p, m in zip(people, part.get("members", []), strict=True)
                if p is not None and m.get("role") == "head"
            ),
            None,
        )
        delegation = writer.put(
            path,
            "delegation",
            found=Delegation.objects.filter(round=round_, party=party).first(),
            create=partial(
                structure.delegation_create,
                round=round_,
                party=party,
                head=head,
                members_text=part.get("members_text", ""),
            ),
            stated=scalars(part),
        )
        if delegation is None:
            continue
        for j, (person, member) in enumerate(zip(people, part.get("members", []), strict=True)):
            if person is None:
                continue
            values = scalars(member)
            writer.put(
                f"{path}.members[{j}]",
                "delegation-member",
                found=DelegationMember.objects.filter(delegation=delegation, person=person).first(),
                create=partial(
                    structure.delegation_member_create,
                    delegation=delegation,
                    person=person,
                    **values,
                ),
                stated=values,
            )


def _person(writer: Writer, ref: Any, path: str, party: Party | None) -> Person | None:
    return writer.refs.person(
        ref, path, party, lambda made: writer.note(path, "person", None, made, "created")
    )


def write_agenda(writer: Writer, negotiation: Negotiation, parts: list[Any]) -> None:
    for i, part in enumerate(parts):
        writer.refs.declare(part.get("key"), "agenda item", f"agenda[{i}]")
    for i, part in enumerate(parts):
        path = f"agenda[{i}]"
        sources = writer.refs.sources(part.get("sources", []), f"{path}.sources")
        values = scalars(part)
        found = AgendaItem.objects.filter(negotiation=negotiation, number=values["number"]).first()
        if found is None and not values.get("title"):
            writer.report(f"{path}.title", f"Item {values['number']} is new: give its title.")
            continue
        writer.put(
            path,
            "agenda-item",
            key=part.get("key"),
            found=AgendaItem.objects.filter(
                negotiation=negotiation, number=values["number"]
            ).first(),
            create=partial(
                agenda_item_create, negotiation=negotiation, sources=sources or [], **values
            ),
            stated=values,
        )
