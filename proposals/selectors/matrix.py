"""The party × proposal/term stance matrix of a negotiation, as of a day."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from negotiations.models import Participation
from proposals import engine
from proposals.models import Proposal, Term
from proposals.selectors.as_of import cached_engine


@dataclass(frozen=True)
class StanceCell:
    stance: str | None  # what the party said (None: nothing yet)
    counts_as: str | None  # after conditions are resolved, for consent parties
    position_id: int | None
    stated_on: datetime.date | None
    consent: bool  # whether this party's consent is required here


@dataclass
class MatrixColumn:
    proposal_id: int
    term_id: int | None
    title: str
    label: str
    status: str


@dataclass
class StanceMatrix:
    as_of: datetime.date
    parties: list[Participation]
    columns: list[MatrixColumn]
    cells: dict[tuple[int, int, int | None], StanceCell] = field(default_factory=dict)

    def cell(self, party_id: int, column: MatrixColumn) -> StanceCell | None:
        return self.cells.get((party_id, column.proposal_id, column.term_id))


def stance_matrix(
    negotiation_id: int,
    *,
    as_of: datetime.date | None = None,
    with_terms: bool = True,
    proposal_ids: Collection[int] | None = None,
) -> StanceMatrix:
    """Every participant × every proposal (and, with_terms, each term): the effective
    stance as of the day, replayed by the engine. `proposal_ids` narrows the columns to
    those proposals (a page of the proposals list), in the same number of queries."""
    as_of = as_of or timezone.localdate()
    cached = cached_engine(negotiation_id)
    computed = cached.engine
    statuses = cached.statuses(as_of)
    participations = sorted(
        Participation.objects.filter(negotiation_id=negotiation_id).select_related("party"),
        key=lambda p: (not p.is_principal, p.party.name),
    )
    proposals = Proposal.objects.filter(negotiation_id=negotiation_id)
    terms = Term.objects.filter(proposal__negotiation_id=negotiation_id)
    if proposal_ids is not None:
        proposals = proposals.filter(pk__in=proposal_ids)
        terms = terms.filter(proposal_id__in=proposal_ids)
    terms_by_proposal: dict[int, list[Any]] = {}  # values() rows
    if with_terms:
        for term in terms.values("id", "proposal_id", "ordinal", "label", "text"):
            terms_by_proposal.setdefault(term["proposal_id"], []).append(term)

    matrix = StanceMatrix(as_of=as_of, parties=participations, columns=[])
    for proposal in proposals.order_by("tabled_on", "id").values("id", "title"):
        result = statuses.get(proposal["id"])
        if result is None:
            continue
        term_results = {t.term_id: t for t in result.terms}
        matrix.columns.append(
            MatrixColumn(proposal["id"], None, proposal["title"], "", result.status)
        )
        consent = computed.consent_parties(proposal["id"])
        bases: dict[int | None, dict[int, engine.StanceBasis]] = {
            None: {b.party_id: b for b in result.basis}
        }
        for term in sorted(terms_by_proposal.get(proposal["id"], []), key=lambda t: t["ordinal"]):
            term_result = term_results.get(term["id"])
            if term_result is None:  # added after the snapshot was read
                continue
            label = str(term["label"] or term["ordinal"])
            matrix.columns.append(
                MatrixColumn(
                    proposal["id"], term["id"], str(term["text"]), label, term_result.status
                )
            )
            bases[term["id"]] = {b.party_id: b for b in term_result.basis}
        for participation in participations:
            for term_id, basis in bases.items():
                position = computed.stance_of(
                    participation.party_id, proposal["id"], term_id, as_of
                )
                known = basis.get(participation.party_id)
                matrix.cells[(participation.party_id, proposal["id"], term_id)] = StanceCell(
                    stance=position.stance if position else None,
                    counts_as=known.counts_as if known else None,
                    position_id=position.id if position else None,
                    stated_on=position.stated_on if position else None,
                    consent=participation.party_id in consent,
                )
    return matrix
