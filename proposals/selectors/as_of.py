"""Statuses as of a day: the negotiation's engine, kept while its inputs are unchanged,
and what pages and endpoints derive from it (summaries, the statuses of a round's
proposals)."""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, Max, OuterRef, Sum

from proposals import engine
from proposals.models import Proposal, Tabling
from proposals.snapshot import load_snapshot
from proposals.summaries import summary_of

ENGINES_KEPT = 4  # negotiations whose engine a process keeps
DAYS_KEPT = 64  # as-of answers kept per engine

Statuses = dict[int, engine.ProposalStatus]  # by proposal id

_engines: OrderedDict[tuple[int, int, int, int | None], CachedEngine] = OrderedDict()
_lock = threading.Lock()


@dataclass
class CachedEngine:
    """A negotiation's engine with the statuses it already gave, day by day."""

    engine: engine.Engine
    days: OrderedDict[datetime.date, Statuses] = field(default_factory=OrderedDict)

    def statuses(self, as_of: datetime.date) -> Statuses:
        with _lock:
            answer = self.days.get(as_of)
        if answer is None:
            answer = self.engine.all_statuses(as_of)
            with _lock:
                self.days[as_of] = answer
                while len(self.days) > DAYS_KEPT:
                    self.days.popitem(last=False)
        return answer


def _inputs_key(negotiation_id: int) -> tuple[int, int, int, int | None]:
    """Changes whenever an input of the negotiation's engine changes, in one query: every
    write that can change a status bumps its proposals' status_generation (staleness.py
    mark_stale); adding or deleting a proposal moves the count and the highest id."""
    row = Proposal.objects.filter(negotiation_id=negotiation_id).aggregate(
        n=Count("pk"), generations=Sum("status_generation"), last=Max("pk")
    )
    return negotiation_id, row["n"], row["generations"] or 0, row["last"]


def cached_engine(negotiation_id: int) -> CachedEngine:
    """The negotiation's engine, reused while none of its inputs changed (pages and API
    as-of reads replay history on every view otherwise)."""
    key = _inputs_key(negotiation_id)
    with _lock:
        hit = _engines.get(key)
        if hit is not None:
            _engines.move_to_end(key)
            return hit
    fresh = CachedEngine(engine.Engine(load_snapshot(negotiation_id)))
    with _lock:
        _engines[key] = fresh
        while len(_engines) > ENGINES_KEPT:
            _engines.popitem(last=False)
    return fresh


def clear_engine_cache() -> None:
    with _lock:
        _engines.clear()


def negotiation_engine(negotiation_id: int) -> engine.Engine:
    return cached_engine(negotiation_id).engine


def statuses_as_of(negotiation_id: int, as_of: datetime.date) -> Statuses:
    return cached_engine(negotiation_id).statuses(as_of)


def summary_as_of(
    negotiation_id: int,
    as_of: datetime.date,
    *,
    proposal_filter: Mapping[str, Any] | None = None,
    computed: Mapping[int, engine.ProposalStatus] | None = None,
) -> dict[str, Any]:
    """Counts per status as the engine says they stood on `as_of`, over the proposals
    tabled by then (all of the negotiation's, or those of `proposal_filter`); `computed`
    saves a second look-up when the caller has that day's statuses already."""
    if computed is None:
        computed = statuses_as_of(negotiation_id, as_of)
    proposals: list[dict[str, Any]] = []
    terms: list[dict[str, Any]] = []
    for proposal in Proposal.objects.filter(
        negotiation_id=negotiation_id, **(proposal_filter or {})
    ).values("id", "tabled_on"):
        if proposal["tabled_on"] and proposal["tabled_on"] > as_of:
            continue
        result = computed.get(proposal["id"])
        if result is None:  # created after the snapshot was read
            continue
        proposals.append({"id": proposal["id"], "status": result.status, "status_stale": False})
        terms.extend(
            {"proposal_id": proposal["id"], "status": term.status} for term in result.terms
        )
    return summary_of(proposals, terms)


def negotiation_summary_as_of(
    negotiation_id: int, as_of: datetime.date, *, stored: Mapping[str, Any]
) -> dict[str, Any]:
    """The negotiation's status summary as it stood on `as_of`, with the convergence series
    of its `stored` summary up to that day."""
    summary = summary_as_of(negotiation_id, as_of)
    series = stored.get("convergence", [])
    summary["convergence"] = [point for point in series if point["on"] <= as_of.isoformat()]
    return summary


@dataclass
class RoundProposals:
    proposals: list[dict[str, Any]]  # in the order tabled
    summary: dict[str, Any] | None  # as of the day; None: the round's stored summary holds


def round_proposals(
    negotiation_id: int,
    round_id: int,
    *,
    fields: Sequence[str],
    as_of: datetime.date | None = None,
) -> RoundProposals:
    """The proposals tabled in a round (`fields` of each, id among them; `tabling_parties`
    gives their ids in order) with their stored statuses, or as of a day the engine's
    statuses and the round's summary for that day."""
    columns = [name for name in fields if name != "tabling_parties"]
    tabling = Tabling.objects.filter(proposal=OuterRef("pk")).order_by("ordinal", "id")
    proposals = list(
        Proposal.objects.filter(round_id=round_id)
        .order_by("tabled_on", "id")
        .values(
            *columns,
            **(
                {"tabling_ids": ArraySubquery(tabling.values("party_id"))}
                if "tabling_parties" in fields
                else {}
            ),
        )
    )
    for proposal in proposals:
        if "tabling_ids" in proposal:
            proposal["tabling_parties"] = proposal.pop("tabling_ids")
    if as_of is None:
        return RoundProposals(proposals, None)
    computed = statuses_as_of(negotiation_id, as_of)
    for proposal in proposals:
        result = computed[proposal["id"]]
        proposal.update(status=result.status, status_reason=result.reason, status_stale=False)
    summary = summary_as_of(
        negotiation_id, as_of, proposal_filter={"round_id": round_id}, computed=computed
    )
    return RoundProposals(proposals, summary)
