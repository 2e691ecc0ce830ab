"""A proposal's nested read, the one a client gets in a single call: its terms, the stances
of the consent parties on it and on each term, its links and the sources it cites, with
the stored statuses or as they stood on a day."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q

from negotiations.models import Participation
from parties.models import Party
from proposals import engine
from proposals.models import (
    COMPUTED_STATUS_FIELDS,
    Proposal,
    ProposalLink,
    Source,
    Term,
    consent_party_ids,
)
from proposals.selectors.as_of import statuses_as_of
from proposals.selectors.ratification import ratification_of, ratification_steps
from proposals.selectors.reservations import standing_reservations

Basis = list[dict[str, Any]]  # the engine's StanceBasis entries, as stored (JSON)


@dataclass
class ProposalDetail:
    """`proposal`: the row it was read from, its statuses those of `as_of` if given.
    `basis`: the stances on the proposal as a whole. `terms`: the fields asked for, with
    `sources` (ids) and `status_basis` (the stances on the term). `consent_parties`: ids of
    whose consent makes it agreed. `parties`: every party the stances or the consent name,
    by name. `links`: id, kind, direction ("out": from this proposal), linked_on, note, and
    the other proposal's id, title and status as `proposal`, `title`, `status`.
    `cited_sources`: those of the proposal and of its terms, by id. `ratification`: the
    state of its ratification steps (`ratification_steps`) that day or today.
    `reservations`: those standing on it (selectors/reservations.py), as of the day asked."""

    proposal: dict[str, Any]
    as_of: datetime.date | None
    basis: Basis
    terms: list[dict[str, Any]]
    consent_parties: list[int]
    parties: list[dict[str, Any]]
    links: list[dict[str, Any]]
    cited_sources: list[dict[str, Any]]
    reservations: list[dict[str, Any]]
    ratification: str | None = None
    ratification_steps: list[dict[str, Any]] = field(default_factory=list)


def as_basis(entries: Iterable[engine.StanceBasis | dict[str, Any]] | None) -> Basis:
    """A stored basis (JSON, {} before the first computation) or the engine's, as JSON."""
    return [entry if isinstance(entry, dict) else entry.to_dict() for entry in entries or []]


def proposal_row(proposal: Proposal) -> dict[str, Any]:
    """What proposal_detail needs of a proposal already in hand (prefetch its
    required_parties and sources, or this reads them)."""
    return {
        "id": proposal.pk,
        "negotiation": proposal.negotiation_id,
        "required_parties": [party.pk for party in proposal.required_parties.all()],
        "sources": [source.pk for source in proposal.sources.all()],
        **{name: getattr(proposal, name) for name in COMPUTED_STATUS_FIELDS},
    }


def proposal_detail(
    proposal: Mapping[str, Any],
    *,
    as_of: datetime.date | None,
    term_fields: Iterable[str],
    party_fields: Iterable[str],
    source_fields: Iterable[str],
) -> ProposalDetail | None:
    """The nested read of the proposal whose row is `proposal` (it needs id, negotiation,
    required_parties and sources as id lists, status_basis and the status fields), in a
    fixed number of queries whatever the number of terms; terms, parties and sources are
    read with the fields asked for. As of a day, statuses, stances and deliveries are the
    engine's for that day; None if the proposal was not yet in the engine's reading."""
    proposal_id = proposal["id"]
    row = dict(proposal)
    terms = list(
        Term.objects.filter(proposal_id=proposal_id)
        .order_by("ordinal", "id")
        .values(*term_fields, "status_basis")
        .annotate(
            source_ids=ArraySubquery(
                Term.sources.through._default_manager.filter(term_id=OuterRef("pk"))
                .order_by("source_id")
                .values("source_id")
            )
        )
    )
    basis = as_basis(row["status_basis"])
    steps = ratification_steps(proposal_id)
    ratification = ratification_of(steps)
    for term in terms:
        term["sources"] = term.pop("source_ids")
        term["status_basis"] = as_basis(term["status_basis"])
    if as_of is not None:
        computed = statuses_as_of(row["negotiation"], as_of).get(proposal_id)
        if computed is None:  # created after the snapshot was read: nothing as of then
            return None
        row.update(
            status=computed.status,
            status_reason=computed.reason,
            status_since=None,
            status_stale=False,
            status_computed_at=None,
        )
        basis = as_basis(computed.basis)
        ratification = computed.ratification
        for step in steps:  # a decision taken after the day was not known then
            if step["decided_on"] is not None and step["decided_on"] > as_of:
                step.update(
                    outcome="pending",
                    decided_on=None,
                    **dict.fromkeys(
                        ("votes_for", "votes_against", "abstentions", "share_for", "turnout")
                    ),
                )
        by_term = {t.term_id: t for t in computed.terms}
        for term in terms:
            result = by_term.get(term["id"])
            if result is None:  # added after the snapshot was read
                continue
            term.update(
                status=result.status,
                status_reason=result.reason,
                status_since=None,
                status_stale=False,
                delivered=result.delivered,
                status_basis=as_basis(result.basis),
            )
    consent = consent_party_ids(
        row["required_parties"], Participation.objects.principal_ids(row["negotiation"])
    )
    named = {entry["party_id"] for entry in basis}
    named |= {entry["party_id"] for term in terms for entry in term["status_basis"]}
    parties = list(
        Party.objects.filter(pk__in=named | consent).order_by("name").values(*party_fields)
    )
    links = _links(proposal_id)
    source_ids = set(row["sources"]) | {s for term in terms for s in term["sources"]}
    cited = list(Source.objects.filter(pk__in=source_ids).order_by("id").values(*source_fields))
    return ProposalDetail(
        proposal=row,
        as_of=as_of,
        basis=basis,
        terms=terms,
        consent_parties=sorted(consent),
        parties=parties,
        links=links,
        cited_sources=cited,
        ratification=ratification,
        ratification_steps=steps,
        reservations=standing_reservations([basis, *(term["status_basis"] for term in terms)]),
    )


def _links(proposal_id: int) -> list[dict[str, Any]]:
    """The links from and to the proposal, each as seen from it."""
    links = []
    for link in (
        ProposalLink.objects.filter(Q(from_proposal_id=proposal_id) | Q(to_proposal_id=proposal_id))
        .order_by("id")
        .values(
            "id",
            "kind",
            "from_proposal_id",
            "linked_on",
            "note",
            "from_proposal__id",
            "from_proposal__title",
            "from_proposal__status",
            "to_proposal__id",
            "to_proposal__title",
            "to_proposal__status",
        )
    ):
        outgoing = link["from_proposal_id"] == proposal_id
        if outgoing:
            other = (
                link["to_proposal__id"],
                link["to_proposal__title"],
                link["to_proposal__status"],
            )
        else:
            other = (
                link["from_proposal__id"],
                link["from_proposal__title"],
                link["from_proposal__status"],
            )
        links.append(
            {
                "id": link["id"],
                "kind": link["kind"],
                "direction": "out" if outgoing else "in",
                "proposal": other[0],
                "title": other[1],
                "status": other[2],
                "linked_on": link["linked_on"],
                "note": link["note"],
            }
        )
    return links
