"""Reads that need the engine: statuses and stances as they stood on a given day, and
the party × proposal/term stance matrix. Used by the pages and the API alike."""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Sum
from django.utils import timezone

from negotiations.models import Participation, Role
from proposals import engine
from proposals.models import Proposal, Term
from proposals.snapshot import load_snapshot

ENGINES_KEPT = 4  # negotiations whose engine a process keeps
DAYS_KEPT = 64  # as-of answers kept per engine

_engines: OrderedDict[tuple[int, int, int, int | None], _Cached] = OrderedDict()
_lock = threading.Lock()


@dataclass
class _Cached:
    engine: engine.Engine
    days: OrderedDict[datetime.date, dict[int, engine.ProposalStatus]] = field(
        default_factory=OrderedDict
    )


def _inputs_key(negotiation_id: int) -> tuple[int, int, int, int | None]:
    """Changes whenever an input of the negotiation's engine changes, in one query: every
    write that can change a status bumps its proposals' status_generation (status.py
    mark_stale); adding or deleting a proposal moves the count and the highest id."""
    row = Proposal.objects.filter(negotiation_id=negotiation_id).aggregate(
        n=Count("pk"), generations=Sum("status_generation"), last=Max("pk")
    )
    return negotiation_id, row["n"], row["generations"] or 0, row["last"]


def _cached(negotiation_id: int) -> _Cached:
    key = _inputs_key(negotiation_id)
    with _lock:
        hit = _engines.get(key)
        if hit is not None:
            _engines.move_to_end(key)
            return hit
    fresh = _Cached(engine.Engine(load_snapshot(negotiation_id)))
    with _lock:
        _engines[key] = fresh
        while len(_engines) > ENGINES_KEPT:
            _engines.popitem(last=False)
    return fresh


def clear_engine_cache() -> None:
    with _lock:
        _engines.clear()


def negotiation_engine(negotiation_id: int) -> engine.Engine:
    """The negotiation's engine, reused while none of its inputs changed (pages and API
    as-of reads replay history on every view otherwise)."""
    return _cached(negotiation_id).engine


def statuses_as_of(negotiation_id: int, as_of: datetime.date) -> dict[int, engine.ProposalStatus]:
    return _statuses(_cached(negotiation_id), as_of)


def _statuses(cached: _Cached, as_of: datetime.date) -> dict[int, engine.ProposalStatus]:
    with _lock:
        answer = cached.days.get(as_of)
    if answer is None:
        answer = cached.engine.all_statuses(as_of)
        with _lock:
            cached.days[as_of] = answer
            while len(cached.days) > DAYS_KEPT:
                cached.days.popitem(last=False)
    return answer


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
    negotiation_id: int, *, as_of: datetime.date | None = None, with_terms: bool = True
) -> StanceMatrix:
    """Every participant × every proposal (and, with_terms, each term): the effective
    stance as of the day, replayed by the engine."""
    as_of = as_of or timezone.localdate()
    cached = _cached(negotiation_id)
    computed = cached.engine
    statuses = _statuses(cached, as_of)
    participations = sorted(
        Participation.objects.filter(negotiation_id=negotiation_id).select_related("party"),
        key=lambda p: (Role.PRINCIPAL not in p.roles, p.party.name),
    )
    proposals = list(
        Proposal.objects.filter(negotiation_id=negotiation_id)
        .order_by("tabled_on", "id")
        .values("id", "title")
    )
    terms_by_proposal: dict[int, list[dict[str, object]]] = {}
    if with_terms:
        for term in Term.objects.filter(proposal__negotiation_id=negotiation_id).values(
            "id", "proposal_id", "ordinal", "label", "text"
        ):
            terms_by_proposal.setdefault(term["proposal_id"], []).append(term)

    matrix = StanceMatrix(as_of=as_of, parties=participations, columns=[])
    for proposal in proposals:
        result = statuses.get(proposal["id"])
        if result is None:
            continue
        term_results = {t.term_id: t for t in result.terms}
        matrix.columns.append(
            MatrixColumn(proposal["id"], None, proposal["title"], "", result.status)
        )
        consent = computed.consent_parties(proposal["id"])
        bases = {None: {b.party_id: b for b in result.basis}}
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
