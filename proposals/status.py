"""Stored statuses: marking them stale, and refreshing them from the agreement engine.

The engine (proposals/engine.py) is pure; this module is its only bridge to the
database: it reads one negotiation into an engine Snapshot and writes the answer back.
"""

from __future__ import annotations

import datetime
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from negotiations.models import Participation, Role
from proposals import engine
from proposals.models import (
    ImplementationEvent,
    LinkKind,
    Position,
    Proposal,
    ProposalLink,
    StatusChange,
    Term,
)

logger = logging.getLogger(__name__)


def mark_stale(*, proposal_ids: Iterable[int]) -> set[int]:
    """Flag the proposals, and every proposal whose conditional positions depend on them
    (transitively), as needing a recompute, in the caller's transaction; once it commits,
    one recompute per proposal is enqueued, however many writes the transaction made."""
    affected = _with_dependants(set(proposal_ids))
    if not affected:
        return affected
    # Lock the rows in id order first: two transactions marking overlapping sets in
    # different orders would otherwise deadlock on the UPDATE below.
    list(
        Proposal.objects.select_for_update()
        .filter(pk__in=affected)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Proposal.objects.filter(pk__in=affected).update(
        status_stale=True,
        status_generation=F("status_generation") + 1,
        status_stale_since=Coalesce(F("status_stale_since"), Value(timezone.now())),
    )
    _enqueue_after_commit(affected)
    return affected


def mark_negotiations_stale(*, negotiation_ids: Iterable[int]) -> set[int]:
    ids = set(
        Proposal.objects.filter(negotiation_id__in=negotiation_ids).values_list("pk", flat=True)
    )
    return mark_stale(proposal_ids=ids)


def _with_dependants(ids: set[int]) -> set[int]:
    seen: set[int] = set()
    frontier = ids
    while frontier:
        seen |= frontier
        frontier = (
            set(
                Position.objects.filter(conditional_on__proposal_id__in=frontier).values_list(
                    "proposal_id", flat=True
                )
            )
            - seen
        )
    return seen


class _EnqueueOnCommit:
    """One on-commit callback per transaction, collecting every proposal it marked."""

    def __init__(self) -> None:
        self.proposal_ids: set[int] = set()
        self.done = False

    def __call__(self) -> None:
        self.done = True
        enqueue_recompute(self.proposal_ids)


def _enqueue_after_commit(proposal_ids: set[int]) -> None:
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _savepoints, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _EnqueueOnCommit) and not callback.done:
                callback.proposal_ids |= proposal_ids
                return
    callback = _EnqueueOnCommit()
    callback.proposal_ids |= proposal_ids
    # robust: the write has committed; a failure to enqueue must not turn it into an error.
    transaction.on_commit(callback, robust=True)


def enqueue_recompute(proposal_ids: Iterable[int]) -> int:
    """Publish one recompute task per proposal. Never raises: if the broker is down the
    proposals stay flagged stale and the periodic sweep recomputes them later."""
    from proposals.tasks import recompute_proposal

    sent = 0
    for proposal_id in sorted(proposal_ids):
        try:
            recompute_proposal.apply_async(args=[proposal_id], retry=False)
        except Exception as error:  # noqa: BLE001 - any broker failure, by design
            logger.warning(
                "Could not enqueue the recompute of proposal %s (%s); it stays stale and "
                "the sweep will pick it up.",
                proposal_id,
                error,
            )
            break
        sent += 1
    return sent


def enqueue_summary_after_commit(negotiation_id: int, *, force: bool = False) -> None:
    """Refresh a negotiation's summaries once the transaction commits (never raises);
    without force, only if a proposal was recomputed since they were written."""

    def publish() -> None:
        from proposals.tasks import refresh_negotiation_summary

        try:
            refresh_negotiation_summary.apply_async(
                args=[negotiation_id], kwargs={"force": force}, retry=False
            )
        except Exception as error:  # noqa: BLE001 - any broker failure, by design
            logger.warning(
                "Could not enqueue the summary of negotiation %s (%s).", negotiation_id, error
            )

    transaction.on_commit(publish, robust=True)


def load_snapshot(negotiation_id: int) -> engine.Snapshot:
    """Everything the engine needs about one negotiation, in a fixed number of queries."""
    participations = list(
        Participation.objects.filter(negotiation_id=negotiation_id).select_related("party")
    )
    principals = frozenset(p.party_id for p in participations if Role.PRINCIPAL in p.roles)
    party_names = {p.party_id: p.party.display_name for p in participations}

    superseded_on: dict[int, datetime.date] = {}
    links = ProposalLink.objects.filter(
        kind=LinkKind.SUPERSEDES, to_proposal__negotiation_id=negotiation_id
    ).select_related("from_proposal__round")
    for link in links:
        newer = link.from_proposal
        took_effect = (
            link.linked_on
            or newer.tabled_on
            or (newer.round.starts_on if newer.round else None)
            or datetime.date.min
        )
        previous = superseded_on.get(link.to_proposal_id)
        superseded_on[link.to_proposal_id] = min(took_effect, previous or took_effect)

    proposals = tuple(
        engine.ProposalIn(
            id=row["id"],
            tabled_by_id=row["tabled_by_id"],
            consent_party_ids=frozenset(p for p in row["required"] if p is not None) or principals,
            superseded_on=superseded_on.get(row["id"]),
        )
        for row in Proposal.objects.filter(negotiation_id=negotiation_id)
        .values("id", "tabled_by_id")
        .annotate(required=ArrayAgg("required_parties", default=[]))
    )
    terms = tuple(
        engine.TermIn(**row)
        for row in Term.objects.filter(proposal__negotiation_id=negotiation_id).values(
            "id", "proposal_id", "ordinal", "label", "option_group", "option", "quantity"
        )
    )
    refs: dict[int, list[int]] = {}
    for position_id, term_id in Position.conditional_on.through.objects.filter(
        position__proposal__negotiation_id=negotiation_id
    ).values_list("position_id", "term_id"):
        refs.setdefault(position_id, []).append(term_id)
    positions = tuple(
        engine.PositionIn(
            id=pk,
            party_id=party_id,
            proposal_id=proposal_id,
            term_id=term_id,
            stance=stance,
            stated_on=stated_on,
            conditional_on=tuple(sorted(refs.get(pk, ()))),
        )
        for pk, party_id, proposal_id, term_id, stance, stated_on in Position.objects.filter(
            proposal__negotiation_id=negotiation_id
        ).values_list("id", "party_id", "proposal_id", "term_id", "stance", "stated_on")
    )
    events = tuple(
        engine.EventIn(**row)
        for row in ImplementationEvent.objects.filter(
            term__proposal__negotiation_id=negotiation_id
        ).values("id", "term_id", "happened_on", "quantity", "completes")
    )
    return engine.Snapshot(
        proposals=proposals,
        terms=terms,
        positions=positions,
        events=events,
        party_names=party_names,
    )


@dataclass(frozen=True)
class RefreshResult:
    refreshed: bool  # False: nothing to do (gone, or already fresh)
    changed: bool = False  # the proposal's status differs from the stored one
    cleared: bool = False  # the stale flag was cleared (nothing changed meanwhile)
    negotiation_id: int | None = None


def _lock(kind: int, key: int) -> None:
    """A transaction-scoped advisory lock: recomputes of one proposal run one at a time,
    without blocking the writers that mark it stale (they lock the row, not this key)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [kind, key])


PROPOSAL_LOCK, SUMMARY_LOCK = 1, 2


def proposal_status_refresh(
    *, proposal_id: int, today: datetime.date | None = None, only_if_stale: bool = False
) -> RefreshResult:
    """Recompute one proposal's status, its terms' statuses and its timeline from scratch.

    Idempotent: the rows it writes depend only on the inputs, so running it twice, or
    twice at once, leaves the same rows. The stale flag is cleared only if no write
    marked the proposal again after this run read its generation.
    """
    return refresh_proposals(proposal_ids=[proposal_id], today=today, only_if_stale=only_if_stale)[
        0
    ]


def refresh_proposals(
    *,
    proposal_ids: Iterable[int],
    today: datetime.date | None = None,
    only_if_stale: bool = False,
    chunk: int = 50,
    progress: Callable[[int], object] | None = None,
) -> list[RefreshResult]:
    """Recompute many proposals, reading each negotiation once. Each chunk of proposals
    is written in its own transaction, so a long run holds no lock for long."""
    today = today or timezone.localdate()
    ids = list(dict.fromkeys(proposal_ids))
    # Generations are read before the inputs: a write that lands after this read bumps
    # the generation, so its proposal keeps the stale flag even if the inputs below
    # already include the write (one extra recompute, never a lost one).
    rows = {
        row["pk"]: row
        for row in Proposal.objects.filter(pk__in=ids).values(
            "pk", "negotiation_id", "status", "status_stale", "status_generation"
        )
    }
    results = {pid: RefreshResult(refreshed=False) for pid in ids}
    by_negotiation: dict[int, list[int]] = {}
    for pid in ids:
        row = rows.get(pid)
        if row is not None and (row["status_stale"] or not only_if_stale):
            by_negotiation.setdefault(row["negotiation_id"], []).append(pid)
    for negotiation_id, pids in by_negotiation.items():
        computed = engine.Engine(load_snapshot(negotiation_id))
        for start in range(0, len(pids), chunk):
            part = pids[start : start + chunk]
            results.update(_write(computed, part, rows, today, only_if_stale))
            if progress is not None:
                progress(len(part))
    return [results[pid] for pid in ids]


@transaction.atomic
def _write(
    computed: engine.Engine,
    proposal_ids: list[int],
    rows: dict[int, dict[str, object]],
    today: datetime.date,
    only_if_stale: bool,
) -> dict[int, RefreshResult]:
    for proposal_id in sorted(proposal_ids):
        _lock(PROPOSAL_LOCK, proposal_id)
    if only_if_stale:
        # Another run may have finished while this one waited for the locks.
        still = set(
            Proposal.objects.filter(pk__in=proposal_ids, status_stale=True).values_list(
                "pk", flat=True
            )
        )
        proposal_ids = [pid for pid in proposal_ids if pid in still]
    now = timezone.now()
    results: dict[int, RefreshResult] = {}
    term_rows: list[tuple[object, ...]] = []
    change_rows: list[tuple[object, ...]] = []
    for proposal_id in proposal_ids:
        result = computed.proposal_status(proposal_id, today)
        entries = computed.timeline(proposal_id, today)
        since: dict[int | None, datetime.date] = {}
        for seq, entry in enumerate(entries):
            since[entry.term_id] = entry.on
            change_rows.append(
                (
                    proposal_id,
                    entry.term_id,
                    entry.on,
                    entry.status,
                    entry.previous_status or "",
                    entry.reason[:500],
                    seq,
                )
            )
        for term in result.terms:
            term_rows.append(
                (
                    term.term_id,
                    term.status,
                    term.reason[:500],
                    json.dumps(engine.basis_as_json(term.basis)),
                    since.get(term.term_id),
                    term.delivered,
                )
            )
        Proposal.objects.filter(pk=proposal_id).update(
            status=result.status,
            status_reason=result.reason[:500],
            status_basis=engine.basis_as_json(result.basis),
            status_since=since.get(None),
            status_computed_at=now,
        )
        row = rows[proposal_id]
        cleared = Proposal.objects.filter(
            pk=proposal_id, status_generation=row["status_generation"]
        ).update(status_stale=False, status_stale_since=None)
        results[proposal_id] = RefreshResult(
            refreshed=True,
            changed=row["status"] != result.status,
            cleared=bool(cleared),
            negotiation_id=int(row["negotiation_id"]),  # type: ignore[call-overload]
        )
    # Set-based writes: one statement each for all terms and all timeline rows of the
    # chunk (unnest of arrays), instead of a statement or a CASE branch per row.
    with connection.cursor() as cursor:
        if term_rows:
            cursor.execute(
                f"""
                UPDATE {Term._meta.db_table} AS t
                SET status = v.status, status_reason = v.reason, status_basis = v.basis::jsonb,
                    status_since = v.since, delivered = v.delivered, status_stale = false,
                    status_computed_at = %s
                FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::date[],
                            %s::bigint[]) AS v(id, status, reason, basis, since, delivered)
                WHERE t.id = v.id
                """,
                [now, *map(list, zip(*term_rows, strict=True))],
            )
        cursor.execute(
            f"DELETE FROM {StatusChange._meta.db_table} WHERE proposal_id = ANY(%s)",
            [list(proposal_ids)],
        )
        if settings.PARLEY_RECOMPUTE_PAUSE:
            # Fault-injection seam for the pipeline tests: hold the transaction open,
            # half-written, so a test can kill the worker in the middle of a recompute.
            time.sleep(settings.PARLEY_RECOMPUTE_PAUSE)
        if change_rows:
            cursor.execute(
                f"""
                INSERT INTO {StatusChange._meta.db_table}
                    (proposal_id, term_id, changed_on, status, previous_status, reason, seq,
                     created_at)
                SELECT v.*, %s FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::text[],
                                           %s::text[], %s::text[], %s::int[]) AS v
                """,
                [now, *map(list, zip(*change_rows, strict=True))],
            )
    return results


def stale_proposal_ids(*, limit: int) -> list[int]:
    """The oldest stale proposals first: the sweep's work list."""
    return list(
        Proposal.objects.filter(status_stale=True)
        .order_by(F("status_stale_since").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:limit]
    )
