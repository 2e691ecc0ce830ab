"""Refreshing stored statuses from the agreement engine (DESIGN §4).

Reads each negotiation once (proposals/snapshot.py), runs the engine, and writes the
proposals' and terms' statuses and the StatusChange timeline back with set-based SQL.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from proposals import engine
from proposals.locks import lock_proposals_recompute
from proposals.models import Proposal, StatusChange, Term
from proposals.results import ProposalValues, TimelineRow, proposal_values
from proposals.snapshot import load_snapshot
from proposals.summaries import negotiation_generation, negotiation_summary_refresh

# Passes over a proposal marked again while it was being recomputed, before it is left
# stale for the recompute that the marking enqueued.
ATTEMPTS = 3


@dataclass(frozen=True)
class RefreshResult:
    refreshed: bool  # False: nothing to do (gone, or already fresh)
    changed: bool = False  # the proposal's status differs from the stored one
    cleared: bool = False  # the stale flag was cleared (always, when refreshed)
    negotiation_id: int | None = None


def proposal_status_refresh(
    *, proposal_id: int, today: datetime.date | None = None, only_if_stale: bool = False
) -> RefreshResult:
    """Recompute one proposal's status, its terms' statuses and its timeline from scratch.

    Idempotent: the rows it writes depend only on the inputs, so running it twice, or
    twice at once, leaves the same rows. The stale flag is cleared only if no write
    marked the proposal again after this run read its generation.
    """
    [result] = refresh_proposals(
        proposal_ids=[proposal_id], today=today, only_if_stale=only_if_stale
    )
    return result


def refresh_proposals(
    *,
    proposal_ids: Iterable[int],
    today: datetime.date | None = None,
    only_if_stale: bool = False,
    chunk: int = 50,
    progress: Callable[[int], object] | None = None,
    summaries: bool = False,
) -> list[RefreshResult]:
    """Recompute many proposals, reading each negotiation once. Each chunk of proposals
    is written in its own transaction, so a long run holds no lock for long.

    A proposal marked again after this run read it is not written (its result could be
    older than one already stored); it is read and computed again, a few times at most,
    and otherwise left stale for the recompute that the marking enqueued.

    With `summaries`, the summaries of each negotiation touched are rewritten too, from
    the engine and timelines just computed where every proposal was written at once."""
    today = today or timezone.localdate()
    ids = list(dict.fromkeys(proposal_ids))
    results = {pid: RefreshResult(refreshed=False) for pid in ids}
    pending = ids
    summarised: set[int] = set()
    for _ in range(ATTEMPTS):
        pending = _refresh_once(
            pending,
            results,
            today,
            only_if_stale,
            chunk,
            progress,
            summarised if summaries else None,
        )
        if not pending:
            break
    if summaries:
        touched = {r.negotiation_id for r in results.values() if r.negotiation_id is not None}
        for negotiation_id in sorted(touched - summarised):
            negotiation_summary_refresh(negotiation_id=negotiation_id, today=today)
    return [results[pid] for pid in ids]


def _refresh_once(
    ids: list[int],
    results: dict[int, RefreshResult],
    today: datetime.date,
    only_if_stale: bool,
    chunk: int,
    progress: Callable[[int], object] | None,
    summarised: set[int] | None,
) -> list[int]:
    """One pass over the proposals; returns those marked again since they were read.
    Given `summarised`, rewrites the summaries of each negotiation none of whose proposals
    moved, with the engine of this pass, and adds it to the set."""
    # Generations are read before the inputs, and a result is written only if its
    # proposal's generation is still the one read: a write that lands after this read
    # bumps it, so this run's result, which may predate the write, is never stored.
    rows = {
        row["pk"]: row
        for row in Proposal.objects.filter(pk__in=ids).values(
            "pk", "negotiation_id", "status", "status_stale", "status_generation"
        )
    }
    by_negotiation: dict[int, list[int]] = {}
    for pid in ids:
        row = rows.get(pid)
        if row is not None and (row["status_stale"] or not only_if_stale):
            by_negotiation.setdefault(row["negotiation_id"], []).append(pid)
    moved: list[int] = []
    for negotiation_id, pids in by_negotiation.items():
        # The negotiation's generations as the snapshot is read: a summary written from
        # this engine is final only if no proposal was marked since (summaries.py).
        read_generation = negotiation_generation(negotiation_id) if summarised is not None else None
        computed = engine.Engine(load_snapshot(negotiation_id, for_statuses=True))
        timelines: dict[int, tuple[TimelineRow, ...]] = {}
        moved_here = 0
        for start in range(0, len(pids), chunk):
            part = pids[start : start + chunk]
            written, part_moved = _write(computed, part, rows, today, only_if_stale, timelines)
            results.update(written)
            moved += part_moved
            moved_here += len(part_moved)
            if progress is not None:
                progress(len(part) - len(part_moved))
        if summarised is not None and not moved_here and negotiation_id not in summarised:
            negotiation_summary_refresh(
                negotiation_id=negotiation_id,
                today=today,
                computed=computed,
                timelines=timelines,
                read_generation=read_generation,
            )
            summarised.add(negotiation_id)
    return moved


def stale_proposal_ids(*, limit: int) -> list[int]:
    """The oldest stale proposals first: the sweep's work list."""
    return list(
        Proposal.objects.filter(status_stale=True)
        .order_by(F("status_stale_since").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def _write(
    computed: engine.Engine,
    proposal_ids: list[int],
    rows: Mapping[int, Mapping[str, Any]],
    today: datetime.date,
    only_if_stale: bool,
    timelines: dict[int, tuple[TimelineRow, ...]],
) -> tuple[dict[int, RefreshResult], list[int]]:
    """Write the results of the proposals whose generation is still the one read; return
    them, and the proposals marked again since (not written). A fixed number of
    statements, however many proposals."""
    # Id order, as mark_stale locks rows: a recompute and a writer locking overlapping
    # proposals in different orders would deadlock.
    proposal_ids = sorted(proposal_ids)
    lock_proposals_recompute(proposal_ids)
    if only_if_stale:
        # Another run may have finished while this one waited for the locks.
        still = set(
            Proposal.objects.filter(pk__in=proposal_ids, status_stale=True).values_list(
                "pk", flat=True
            )
        )
        proposal_ids = [pid for pid in proposal_ids if pid in still]
    if not proposal_ids:
        return {}, []
    # Terms before proposals, as the term writes lock them (the term's row, then its
    # proposal's to mark it): the other order deadlocks a recompute with a term edit.
    # Both in id order, as mark_stale locks them.
    list(
        Term.objects.select_for_update(no_key=True)
        .filter(proposal_id__in=proposal_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    list(
        Proposal.objects.select_for_update(no_key=True)
        .filter(pk__in=proposal_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    values = {pid: proposal_values(computed, pid, today) for pid in proposal_ids}
    # The generation check is in the UPDATE itself, so no marking can slip between check
    # and write; the marking waits for these rows until the transaction ends.
    written = _write_proposals(proposal_ids, rows, values, now)
    moved = [pid for pid in proposal_ids if pid not in written]
    results: dict[int, RefreshResult] = {}
    term_rows: list[tuple[object, ...]] = []
    for proposal_id in proposal_ids:
        if proposal_id not in written:
            continue
        row, computed_values = rows[proposal_id], values[proposal_id]
        timelines[proposal_id] = computed_values.timeline
        term_rows += [
            (
                term.term_id,
                term.status,
                term.reason,
                json.dumps(term.basis),
                term.since,
                term.delivered,
            )
            for term in computed_values.terms
        ]
        results[proposal_id] = RefreshResult(
            refreshed=True,
            changed=row["status"] != computed_values.status,
            cleared=True,
            negotiation_id=int(row["negotiation_id"]),
        )
    if moved:
        # Marked while this run held their terms, which mark_stale then skipped: flag them
        # here, as it would have.
        Term.objects.filter(proposal_id__in=moved, status_stale=False).update(status_stale=True)
    _write_terms(term_rows, now)
    _write_timelines({pid: values[pid].timeline for pid in results}, now)
    return results, moved


def _write_proposals(
    proposal_ids: list[int],
    rows: Mapping[int, Mapping[str, Any]],
    values: Mapping[int, ProposalValues],
    now: datetime.datetime,
) -> set[int]:
    """One UPDATE for the chunk's proposals whose generation is still the one read;
    returns the ids written."""
    columns = [
        (
            pid,
            rows[pid]["status_generation"],
            values[pid].status,
            values[pid].reason,
            json.dumps(values[pid].basis),
            values[pid].since,
        )
        for pid in proposal_ids
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Proposal._meta.db_table} AS p
            SET status = v.status, status_reason = v.reason, status_basis = v.basis::jsonb,
                status_since = v.since, status_computed_at = %s, status_stale = false,
                status_stale_since = NULL
            FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[],
                        %s::date[]) AS v(id, generation, status, reason, basis, since)
            WHERE p.id = v.id AND p.status_generation = v.generation
            RETURNING p.id
            """,
            [now, *map(list, zip(*columns, strict=True))],
        )
        return {pk for (pk,) in cursor.fetchall()}


def _write_terms(term_rows: list[tuple[object, ...]], now: datetime.datetime) -> None:
    # Set-based: one statement for all terms of the chunk (unnest of arrays), instead of a
    # statement or a CASE branch per row.
    if not term_rows:
        return
    with connection.cursor() as cursor:
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


_TIMELINE_COLUMNS = ("term_id", "changed_on", "status", "previous_status", "reason", "seq")


def _write_timelines(
    timelines: Mapping[int, tuple[TimelineRow, ...]], now: datetime.datetime
) -> None:
    """Rebuild the StatusChange rows of the proposals whose timeline changed; a timeline
    the engine gives again row for row is left as it is (its ids and created_at, the sync
    key, stay: nothing in it moved)."""
    if not timelines:
        return
    table = StatusChange._meta.db_table
    stored: dict[int, list[tuple[object, ...]]] = {pid: [] for pid in timelines}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT proposal_id, {', '.join(_TIMELINE_COLUMNS)} FROM {table} "
            "WHERE proposal_id = ANY(%s) ORDER BY proposal_id, seq",
            [list(timelines)],
        )
        for proposal_id, *columns in cursor.fetchall():
            stored[proposal_id].append(tuple(columns))
        changed = [
            pid
            for pid, timeline in timelines.items()
            if stored[pid]
            != [(e.term_id, e.on, e.status, e.previous_status, e.reason, e.seq) for e in timeline]
        ]
        _pause_half_written()
        if not changed:
            return
        cursor.execute(f"DELETE FROM {table} WHERE proposal_id = ANY(%s)", [changed])
        copy_sql = (
            f"COPY {table} (proposal_id, {', '.join(_TIMELINE_COLUMNS)}, created_at) FROM STDIN"
        )
        with cursor.cursor.copy(copy_sql) as copy:
            for pid in changed:
                for e in timelines[pid]:
                    copy.write_row(
                        (pid, e.term_id, e.on, e.status, e.previous_status, e.reason, e.seq, now)
                    )


def _pause_half_written() -> None:
    # Fault-injection seam for the pipeline tests: hold the transaction open, half-written,
    # so a test can kill the worker in the middle of a recompute. Active only when the test
    # setting PARLEY_TEST_FAULTS is on (off by default, and never on in production), so
    # production never sleeps here.
    if settings.PARLEY_TEST_FAULTS and settings.PARLEY_RECOMPUTE_PAUSE:
        time.sleep(settings.PARLEY_RECOMPUTE_PAUSE)
