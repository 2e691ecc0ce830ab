"""The demo: the second round of Russia–Ukraine direct talks, Istanbul, 2 June 2025.

Facts from one news report of that day (shared/seed/), written as structured data in
our own words. Loading is idempotent: every row is looked up by its natural key first
and created through the services only when missing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model

from negotiations import services as negotiation_services
from negotiations.models import Delegation, Negotiation, Participation, Round
from parties import services as party_services
from parties.models import Party, Person
from proposals import services as proposal_services
from proposals.models import AgendaItem, Position, Proposal, Source, Term

from .facts import (
    AGENDA,
    DAY,
    MEMORANDUM_TERMS,
    MEMORANDUM_TEXT,
    NEGOTIATION_SLUG,
    PARTICIPANTS,
    PARTIES,
    PEOPLE,
    REPORT,
)

M = TypeVar("M", bound=Model)


def _get_or_create(model: type[M], lookup: dict[str, Any], create: Callable[[], M]) -> M:
    found = model._default_manager.filter(**lookup).first()
    return found if found is not None else create()


@transaction.atomic
def load_demo() -> Negotiation:
    parties: dict[str, Party] = {}
    for spec in PARTIES:
        parties[spec["slug"]] = _get_or_create(
            Party, {"slug": spec["slug"]}, partial(party_services.party_create, **spec)
        )
    people: dict[str, Person] = {}
    for name, party_slug, title in PEOPLE:
        party = parties[party_slug]
        people[name] = _get_or_create(
            Person,
            {"name": name, "party": party},
            partial(party_services.person_create, name=name, party=party, title=title),
        )

    negotiation = _get_or_create(
        Negotiation,
        {"slug": NEGOTIATION_SLUG},
        lambda: negotiation_services.negotiation_create(
            title="Russia–Ukraine direct talks, Istanbul 2025",
            slug=NEGOTIATION_SLUG,
            summary="Direct talks between Russian and Ukrainian delegations in Istanbul, "
            "hosted by Türkiye, on a ceasefire, exchanges of prisoners and of the dead, "
            "and the terms of a settlement.",
            started_on=datetime.date(2025, 5, 16),
        ),
    )
    for slug, roles, note in PARTICIPANTS:
        _get_or_create(
            Participation,
            {"negotiation": negotiation, "party": parties[slug]},
            partial(
                negotiation_services.participation_create,
                negotiation=negotiation,
                party=parties[slug],
                roles=roles,
                note=note,
            ),
        )

    round_ = _get_or_create(
        Round,
        {"negotiation": negotiation, "number": 2},
        lambda: negotiation_services.round_create(
            negotiation=negotiation,
            number=2,
            title="Second round, Istanbul",
            venue_city="Istanbul",
            venue_country="Türkiye",
            starts_on=DAY,
            ends_on=DAY,
            hosts=[parties["turkey"]],
            summary="The delegations agreed a large-scale prisoner exchange, the return of "
            "6,000 bodies of soldiers killed in action and a commission on exchanging the "
            "seriously wounded. Russia again rejected an unconditional ceasefire and its "
            "memorandum was published after the talks.",
        ),
    )
    for slug in ("russia", "ukraine"):
        _get_or_create(
            Delegation,
            {"round": round_, "party": parties[slug]},
            partial(
                negotiation_services.delegation_create,
                round=round_,
                party=parties[slug],
                members=[people["Sergiy Kyslytsya"]] if slug == "ukraine" else [],
            ),
        )

    report = _get_or_create(
        Source, {"title": REPORT["title"]}, lambda: proposal_services.source_create(**REPORT)
    )
    memorandum_text = _get_or_create(
        Source,
        {"title": MEMORANDUM_TEXT["title"]},
        lambda: proposal_services.source_create(**MEMORANDUM_TEXT),
    )

    def proposal(title: str, terms: list[dict[str, Any]], **fields: Any) -> Proposal:
        existing = Proposal.objects.filter(negotiation=negotiation, title=title).first()
        if existing is not None:
            return existing
        created = proposal_services.proposal_create(
            negotiation=negotiation, title=title, sources=[report], **fields
        )
        for ordinal, term in enumerate(terms, start=1):
            proposal_services.term_create(proposal=created, ordinal=ordinal, **term)
        return created

    def position(
        proposal_: Proposal, party: str, stance: str, term: Term | None = None, **fields: Any
    ) -> None:
        lookup: dict[str, Any] = dict(
            proposal=proposal_, term=term, party=parties[party], stance=stance, stated_on=DAY
        )
        if not Position.objects.filter(**lookup).exists():
            proposal_services.position_record(
                **lookup, round=round_, source=fields.pop("source", report), **fields
            )

    ceasefire = proposal(
        "Unconditional ceasefire",
        [
            dict(
                text="An unconditional halt to hostilities.",
                category="ceasefire",
                stage="ceasefire",
            )
        ],
        kind="ceasefire",
        round=round_,
        tabling_parties=[parties["ukraine"]],
        summary="Kyiv's call for an immediate halt to hostilities without preconditions.",
    )
    position(
        ceasefire,
        "russia",
        "rejects",
        quote="The Russian side continued to reject the motion of an unconditional ceasefire.",
        note="As reported to journalists by Sergiy Kyslytsya of the Ukrainian delegation.",
    )

    prisoners = proposal(
        "Large-scale prisoner exchange",
        [
            dict(
                text="The sides exchange prisoners of war on a large scale.",
                category="exchange",
                stage="implementation",
            )
        ],
        kind="exchange",
        round=round_,
        summary="Both delegations agreed to a large-scale exchange of prisoners.",
    )
    bodies = proposal(
        "Return of the bodies of 6,000 soldiers",
        [
            dict(
                text="Each side hands over the bodies of soldiers killed in action: 6,000 in all.",
                category="exchange",
                stage="implementation",
                quantity=6000,
                unit="bodies",
            )
        ],
        kind="exchange",
        round=round_,
        summary="The delegations agreed to swap the bodies of 6,000 soldiers killed in action.",
    )
    wounded = proposal(
        "Commission on exchanging seriously wounded troops",
        [
            dict(
                text="A joint commission is set up to organise the exchange of seriously "
                "wounded troops.",
                category="humanitarian",
                stage="implementation",
            )
        ],
        kind="humanitarian",
        round=round_,
        summary="A commission to arrange exchanges of seriously wounded soldiers.",
    )
    for agreed in (prisoners, bodies, wounded):
        position(agreed, "russia", "accepts")
        position(agreed, "ukraine", "accepts")

    memorandum = proposal(
        "Russian memorandum on a settlement",
        [
            dict(
                label=label,
                text=text,
                category=category,
                stage=stage,
                option_group=group,
                option=option,
            )
            for label, text, category, stage, group, option in MEMORANDUM_TERMS
        ],
        kind="memorandum",
        round=round_,
        tabling_parties=[parties["russia"]],
        text_status="official",
        summary="Two alternative ways to a truce (withdrawal from four regions, or a package "
        "of four military conditions), then the end of martial law and elections, then a "
        "peace treaty on neutrality, NATO, army size and the Russian language.",
    )
    if not memorandum.sources.filter(pk=memorandum_text.pk).exists():
        memorandum.sources.add(memorandum_text)
    position(
        memorandum,
        "ukraine",
        "rejects",
        note="The report recalls that Ukraine had rejected all of these demands before.",
    )
    position(
        memorandum,
        "the-west",
        "rejects",
        note="The report recalls that the West had rejected all of these demands before.",
    )

    summit = proposal(
        "Leaders' summit in Istanbul or Ankara",
        [],
        kind="meeting",
        tabling_parties=[parties["turkey"]],
        tabled_on=DAY,
        required_parties=[parties["russia"], parties["ukraine"], parties["united-states"]],
        speaker=people["Recep Tayyip Erdoğan"],
        quote="My greatest wish is to bring both Vladimir Putin and Zelenskyy together in "
        "Istanbul or Ankara, and even to bring Mr. Trump to their side, if they accept.",
        summary="Türkiye's offer to host Putin and Zelenskyy, with Trump joining them.",
    )
    position(
        summit,
        "united-states",
        "conditional",
        speaker=people["Karoline Leavitt"],
        quote="The president has said he's open to it if it comes to that, but he wants both "
        "of these leaders and both sides to come to the table together.",
        conditions="Both leaders and both sides come to the table together, with genuine "
        "readiness from all sides to seek peace.",
    )
    round_.sources.add(report)
    named = dict(ceasefire=ceasefire, memorandum=memorandum, prisoners=prisoners)
    named |= dict(bodies=bodies, wounded=wounded, summit=summit)
    for number, (title, description, keys) in enumerate(AGENDA, start=1):
        if not AgendaItem.objects.filter(negotiation=negotiation, number=number).exists():
            proposal_services.agenda_item_create(
                negotiation=negotiation,
                number=number,
                title=title,
                description=description,
                sources=[report],
                proposals=[named[key] for key in keys],
            )
    return negotiation
