"""Round and negotiation summaries: counts per status, the share of live terms agreed,
and (for a negotiation) the convergence series over its round dates.

Counts come from the stored statuses; the convergence series replays the engine as of
each round's date, so it is right even when old positions are entered late.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from negotiations.models import Negotiation, Round
from proposals import engine
from proposals.locks import lock_negotiation_summary
from proposals.models import AGREED_OR_BEYOND, Proposal, Status, Term
from proposals.snapshot import load_snapshot

# A proposal not yet tabled on the day asked is not on the table yet.
NOT_LIVE_PROPOSALS = {Status.SUPERSEDED, Status.WITHDRAWN, Status.NOT_TABLED}


class Change(Protocol):
    """A step of a proposal's timeline: engine.TimelineEntry or results.TimelineRow."""

    @property
    def on(self) -> datetime.date: ...
    @property
    def status(self) -> str: ...
    @property
    def term_id(self) -> int | None: ...


def _share(agreed: int, live: int) -> float | None:
    return round(agreed / live, 4) if live else None


def summary_of(
    proposals: Sequence[Mapping[str, Any]], terms: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    live_proposals = {p["id"] for p in proposals if p["status"] not in NOT_LIVE_PROPOSALS}
    live_terms = [
        t for t in terms if t["proposal_id"] in live_proposals and t["status"] != Status.WITHDRAWN
    ]
    agreed = sum(t["status"] in AGREED_OR_BEYOND for t in live_terms)
    return {
        "proposals": {
            "total": len(proposals),
            "by_status": dict(sorted(Counter(p["status"] for p in proposals).items())),
            "stale": sum(bool(p["status_stale"]) for p in proposals),
        },
        "terms": {
            "total": len(terms),
            "live": len(live_terms),
            "agreed": agreed,
            "share_agreed": _share(agreed, len(live_terms)),
            "by_status": dict(sorted(Counter(t["status"] for t in terms).items())),
        },
    }


def _points(rounds: list[Round], today: datetime.date) -> list[tuple[datetime.date, int | None]]:
    points: list[tuple[datetime.date, int | None]] = [
        (r.ends_on or r.starts_on, r.number) for r in rounds if (r.ends_on or r.starts_on) <= today
    ]
    if not points or points[-1][0] < today:
        points.append((today, None))
    return points


def _point(on: datetime.date, number: int | None, live: int, agreed: int) -> dict[str, Any]:
    return {
        "on": on.isoformat(),
        "round": number,
        "live": live,
        "agreed": agreed,
        "share_agreed": _share(agreed, live),
    }


def convergence_series(
    negotiation_id: int,
    rounds: list[Round],
    today: datetime.date,
    computed: engine.Engine | None = None,
    timelines: Mapping[int, Sequence[Change]] | None = None,
) -> list[dict[str, Any]]:
    """The share of live terms agreed as of each round's date and today. Given the
    negotiation's engine (and the timelines a recompute just built from it), it is read
    from the proposals' timelines, which hold every status change up to today."""
    tabled = dict(
        Proposal.objects.filter(negotiation_id=negotiation_id).values_list("id", "tabled_on")
    )
    points = _points(rounds, today)
    if computed is not None and all(pid in computed.proposal_ids for pid in tabled):
        return _series_from_timelines(computed, tabled, points, today, timelines or {})
    # No engine, or one read before a proposal was added: the negotiation read afresh.
    computed = engine.Engine(load_snapshot(negotiation_id, for_statuses=True))
    series: list[dict[str, Any]] = []
    for on, number in points:
        live = agreed = 0
        for status in computed.all_statuses(on).values():
            tabled_on = tabled.get(status.proposal_id)
            if status.status in NOT_LIVE_PROPOSALS or (tabled_on and tabled_on > on):
                continue
            for term in status.terms:
                if term.status == Status.WITHDRAWN:
                    continue
                live += 1
                agreed += term.status in AGREED_OR_BEYOND
        series.append(_point(on, number, live, agreed))
    return series


def _series_from_timelines(
    computed: engine.Engine,
    tabled: Mapping[int, datetime.date | None],
    points: list[tuple[datetime.date, int | None]],
    today: datetime.date,
    timelines: Mapping[int, Sequence[Change]],
) -> list[dict[str, Any]]:
    """The same series as all_statuses on each day gives: a status as of a day is the last
    one its timeline shows on or before it. Before its timeline starts a proposal is not
    yet tabled if its tabling day is later, otherwise open with every term open (nothing
    it hangs on was said, done or decided yet: replay.Timelines.change_dates)."""
    live = [0] * len(points)
    agreed = [0] * len(points)
    for proposal_id, tabled_on in tabled.items():
        entries = timelines.get(proposal_id)
        if entries is None:
            entries = computed.timeline(proposal_id, today)
        terms = computed.term_ids(proposal_id)
        tabling_day = computed.proposal(proposal_id).tabled_on
        for i, (on, _) in enumerate(points):
            if tabled_on and tabled_on > on:
                continue
            status: str = Status.OPEN.value
            term_status: dict[int, str] = dict.fromkeys(terms, Status.OPEN.value)
            if tabling_day is not None and on < tabling_day:
                status = Status.NOT_TABLED
            for entry in entries:  # in date order
                if entry.on > on:
                    break
                if entry.term_id is None:
                    status = entry.status
                else:
                    term_status[entry.term_id] = entry.status
            if status in NOT_LIVE_PROPOSALS:
                continue
            for term_id in terms:
                if term_status[term_id] != Status.WITHDRAWN:
                    live[i] += 1
                    agreed[i] += term_status[term_id] in AGREED_OR_BEYOND
    return [_point(on, number, live[i], agreed[i]) for i, (on, number) in enumerate(points)]


@transaction.atomic
def negotiation_generation(negotiation_id: int) -> int:
    """The sum of the negotiation's proposals' generations: it moves with every marking."""
    return Proposal.objects.filter(negotiation_id=negotiation_id).aggregate(
        generation=Coalesce(Sum("status_generation"), 0)
    )["generation"]


def negotiation_summary_refresh(
    *,
    negotiation_id: int,
    today: datetime.date | None = None,
    only_if_outdated: bool = False,
    computed: engine.Engine | None = None,
    timelines: Mapping[int, Sequence[Change]] | None = None,
    read_generation: int | None = None,
) -> bool:
    """Rewrite the summaries of a negotiation and of each of its rounds.

    With only_if_outdated, skip the work when the summaries are final (they counted no
    stale proposal) and no proposal of the negotiation was marked since: many recomputes,
    one summary. Generations, not clocks: a recompute that commits after a summary was
    written left its proposal stale in what that summary read, so the next refresh runs.

    A recompute that has just run the engine over the negotiation passes it (`computed`)
    and the timelines it built, so the convergence series reads no snapshot again; with
    them, `read_generation`, the negotiation's generation read before that snapshot: if a
    write marked a proposal since (another worker may have recomputed it already), the
    engine predates it and the negotiation is read afresh instead."""
    lock_negotiation_summary(negotiation_id)
    # Read before the rows it summarises: a write landing in between makes it look
    # outdated next time (one extra refresh, never a lost one).
    generation = negotiation_generation(negotiation_id)
    if computed is not None and read_generation != generation:
        computed = timelines = None  # the engine predates a marking: read afresh below
    if only_if_outdated:
        written = (
            Negotiation.objects.filter(pk=negotiation_id)
            .values_list("status_summary_generation", flat=True)
            .first()
        )
        if written is not None and written == generation:
            return False
    today = today or timezone.localdate()
    now = timezone.now()
    proposals = list(
        Proposal.objects.filter(negotiation_id=negotiation_id).values(
            "id", "round_id", "status", "status_stale"
        )
    )
    terms = list(
        Term.objects.filter(proposal__negotiation_id=negotiation_id).values("proposal_id", "status")
    )
    rounds = list(
        Round.objects.filter(negotiation_id=negotiation_id).order_by("starts_on", "number")
    )
    for round_ in rounds:
        tabled_here = [p for p in proposals if p["round_id"] == round_.pk]
        ids = {p["id"] for p in tabled_here}
        Round.objects.filter(pk=round_.pk).update(
            status_summary=summary_of(tabled_here, [t for t in terms if t["proposal_id"] in ids]),
            status_summary_at=now,
        )
    summary = summary_of(proposals, terms)
    summary["convergence"] = convergence_series(negotiation_id, rounds, today, computed, timelines)
    final = not any(p["status_stale"] for p in proposals)
    Negotiation.objects.filter(pk=negotiation_id).update(
        status_summary=summary,
        status_summary_at=now,
        status_summary_generation=generation if final else None,
    )
    return True
