"""Stored statuses against a fresh engine run (issue 13: "statuses are always right").

Stored statuses are a cache of the engine's answer (DESIGN §4). `verify_negotiation`
reads the negotiation again, runs the engine as the recompute does (proposals/refresh.py)
and lists every stored value that differs: proposal and term statuses, reasons, since,
basis, delivered quantities, the StatusChange timeline and the round and negotiation
summaries (proposals/summaries.py; one never written is fine while it has no proposal to
count). A row flagged stale is legitimately behind and is skipped unless `include_stale`.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from negotiations.models import Negotiation, Round
from proposals import engine
from proposals.models import Proposal, StatusChange, Term
from proposals.results import proposal_values
from proposals.snapshot import load_snapshot
from proposals.summaries import convergence_series, summary_of


@dataclass(frozen=True)
class Divergence:
    kind: str  # proposal, term, timeline, round, negotiation
    object_id: int
    field: str
    stored: Any
    fresh: Any

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.object_id} {self.field}: "
            f"stored {self.stored!r}, fresh {self.fresh!r}"
        )


@dataclass(frozen=True)
class _Fresh:
    """What a recompute would write for one proposal (the conversions of refresh._write)."""

    proposal: dict[str, Any]
    terms: dict[int, dict[str, Any]]
    timeline: list[tuple[Any, ...]]


def verify_negotiation(
    negotiation_id: int,
    *,
    proposal_ids: Iterable[int] | None = None,
    include_stale: bool = False,
    today: datetime.date | None = None,
) -> list[Divergence]:
    """Every stored status value of the negotiation (or of `proposal_ids` in it) that a
    fresh engine run over the database would write differently. Summaries are checked
    only for the whole negotiation, and only when none of its proposals is stale (or
    with `include_stale`)."""
    today = today or timezone.localdate()
    computed = engine.Engine(load_snapshot(negotiation_id))
    proposals = Proposal.objects.filter(negotiation_id=negotiation_id)
    if proposal_ids is not None:
        proposals = proposals.filter(pk__in=list(proposal_ids))
    stored = list(
        proposals.order_by("pk").values(
            "id",
            "round_id",
            "status",
            "status_reason",
            "status_basis",
            "status_since",
            "status_stale",
        )
    )
    fresh = {row["id"]: _fresh(computed, row["id"], today) for row in stored}
    divergences: list[Divergence] = []
    checked = [row for row in stored if include_stale or not row["status_stale"]]
    for row in checked:
        divergences += _compare("proposal", row["id"], row, fresh[row["id"]].proposal)
    divergences += _compare_terms(checked, fresh, include_stale)
    divergences += _compare_timelines([row["id"] for row in checked], fresh)
    if proposal_ids is None and (include_stale or not any(r["status_stale"] for r in stored)):
        divergences += _compare_summaries(negotiation_id, stored, fresh, today)
    return divergences


def _fresh(computed: engine.Engine, proposal_id: int, today: datetime.date) -> _Fresh:
    values = proposal_values(computed, proposal_id, today)
    timeline = [
        (row.seq, row.term_id, row.on, row.status, row.previous_status, row.reason)
        for row in values.timeline
    ]
    terms = {
        term.term_id: {
            "status": term.status,
            "status_reason": term.reason,
            "status_basis": _json(term.basis),
            "status_since": term.since,
            "delivered": term.delivered,
        }
        for term in values.terms
    }
    proposal = {
        "status": values.status,
        "status_reason": values.reason,
        "status_basis": _json(values.basis),
        "status_since": values.since,
    }
    return _Fresh(proposal, terms, timeline)


def _json(value: Any) -> Any:
    """As the JSONField gives it back."""
    return json.loads(json.dumps(value))


def _compare(
    kind: str, object_id: int, stored: Mapping[str, Any], fresh: Mapping[str, Any]
) -> list[Divergence]:
    return [
        Divergence(kind, object_id, name, stored.get(name), value)
        for name, value in fresh.items()
        if stored.get(name) != value
    ]


def _compare_terms(
    proposals: Sequence[Mapping[str, Any]], fresh: Mapping[int, _Fresh], include_stale: bool
) -> list[Divergence]:
    divergences: list[Divergence] = []
    stored_terms = {
        row["id"]: row
        for row in Term.objects.filter(proposal_id__in=[p["id"] for p in proposals]).values(
            "id",
            "proposal_id",
            "status",
            "status_reason",
            "status_basis",
            "status_since",
            "delivered",
            "status_stale",
        )
    }
    for proposal in proposals:
        expected = fresh[proposal["id"]].terms
        for term_id, values in expected.items():
            row = stored_terms.get(term_id)
            if row is None:
                divergences.append(Divergence("term", term_id, "row", None, "exists"))
            elif include_stale or not row["status_stale"]:
                divergences += _compare("term", term_id, row, values)
    for term_id, row in stored_terms.items():
        if term_id not in fresh[row["proposal_id"]].terms:
            divergences.append(Divergence("term", term_id, "row", "exists", None))
    return divergences


def _compare_timelines(proposal_ids: list[int], fresh: Mapping[int, _Fresh]) -> list[Divergence]:
    stored: dict[int, list[tuple[Any, ...]]] = {pid: [] for pid in proposal_ids}
    for row in (
        StatusChange.objects.filter(proposal_id__in=proposal_ids)
        .order_by("proposal_id", "seq", "pk")
        .values_list(
            "proposal_id", "seq", "term_id", "changed_on", "status", "previous_status", "reason"
        )
    ):
        stored[row[0]].append(tuple(row[1:]))
    divergences: list[Divergence] = []
    for pid in proposal_ids:
        rows, expected = stored[pid], fresh[pid].timeline
        for index in range(max(len(rows), len(expected))):
            have = rows[index] if index < len(rows) else None
            want = expected[index] if index < len(expected) else None
            if have != want:
                divergences.append(Divergence("timeline", pid, f"row {index}", have, want))
    return divergences


def _compare_summaries(
    negotiation_id: int,
    stored: Sequence[Mapping[str, Any]],
    fresh: Mapping[int, _Fresh],
    today: datetime.date,
) -> list[Divergence]:
    proposals = [
        {
            "id": row["id"],
            "round_id": row["round_id"],
            "status": fresh[row["id"]].proposal["status"],
            "status_stale": row["status_stale"],
        }
        for row in stored
    ]
    terms = [
        {"proposal_id": row["id"], "status": values["status"]}
        for row in stored
        for values in fresh[row["id"]].terms.values()
    ]
    rounds = list(
        Round.objects.filter(negotiation_id=negotiation_id).order_by("starts_on", "number")
    )
    divergences: list[Divergence] = []
    for round_ in rounds:
        tabled_here = [p for p in proposals if p["round_id"] == round_.pk]
        if round_.status_summary_at is None and not tabled_here:
            continue  # nothing to summarise, and never summarised: nothing shown wrong
        ids = {p["id"] for p in tabled_here}
        expected = summary_of(tabled_here, [t for t in terms if t["proposal_id"] in ids])
        divergences += _compare_summary("round", round_.pk, round_.status_summary, expected)
    summary, written = (
        Negotiation.objects.filter(pk=negotiation_id)
        .values_list("status_summary", "status_summary_at")
        .get()
    )
    if written is None and not proposals:
        return divergences
    expected = summary_of(proposals, terms)
    expected["convergence"] = convergence_series(negotiation_id, rounds, today)
    divergences += _compare_summary("negotiation", negotiation_id, summary, expected)
    return divergences


def _compare_summary(
    kind: str, object_id: int, stored: Mapping[str, Any], expected: Mapping[str, Any]
) -> list[Divergence]:
    fresh = _json(expected)
    return [
        Divergence(kind, object_id, f"status_summary.{key}", stored.get(key), fresh[key])
        for key in sorted(set(stored) | set(fresh))
        if stored.get(key) != fresh.get(key)
    ]
