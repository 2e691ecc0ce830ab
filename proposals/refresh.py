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
from proposals.locks import lock_proposal_recompute
from proposals.models import Proposal, StatusChange, Term
from proposals.results import proposal_values
from proposals.snapshot import load_snapshot

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
) -> list[RefreshResult]:
    """Recompute many proposals, reading each negotiation once. Each chunk of proposals
    is written in its own transaction, so a long run holds no lock for long.

    A proposal marked again after this run read it is not written (its result could be
    older than one already stored); it is read and computed again, a few times at most,
    and otherwise left stale for the recompute that the marking enqueued."""
    today = today or timezone.localdate()
    ids = list(dict.fromkeys(proposal_ids))
    results = {pid: RefreshResult(refreshed=False) for pid in ids}
    pending = ids
    for _ in range(ATTEMPTS):
        pending = _refresh_once(pending, results, today, only_if_stale, chunk, progress)
        if not pending:
            break
    return [results[pid] for pid in ids]


def _refresh_once(
    ids: list[int],
    results: dict[int, RefreshResult],
    today: datetime.date,
    only_if_stale: bool,
    chunk: int,
    progress: Callable[[int], object] | None,
) -> list[int]:
    """One pass over the proposals; returns those marked again since they were read."""
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
        computed = engine.Engine(load_snapshot(negotiation_id))
        for start in range(0, len(pids), chunk):
            part = pids[start : start + chunk]
            written, part_moved = _write(computed, part, rows, today, only_if_stale)
            results.update(written)
            moved += part_moved
            if progress is not None:
                progress(len(part) - len(part_moved))
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
) -> tuple[dict[int, RefreshResult], list[int]]:
    """Write the results of the proposals whose generation is still the one read; return
    them, and the proposals marked again since (not written)."""
    # Id order, as mark_stale locks rows: a recompute and a writer locking overlapping
    # proposals in different orders would deadlock.
    proposal_ids = sorted(proposal_ids)
    for proposal_id in proposal_ids:
        lock_proposal_recompute(proposal_id)
    if only_if_stale:
        # Another run may have finished while this one waited for the locks.
        still = set(
            Proposal.objects.filter(pk__in=proposal_ids, status_stale=True).values_list(
                "pk", flat=True
            )
        )
        proposal_ids = [pid for pid in proposal_ids if pid in still]
    # Terms before proposals, as the term writes lock them (the term's row, then its
    # proposal's to mark it): the other order deadlocks a recompute with a term edit.
    list(
        Term.objects.select_for_update(no_key=True)
        .filter(proposal_id__in=proposal_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    results: dict[int, RefreshResult] = {}
    moved: list[int] = []
    term_rows: list[tuple[object, ...]] = []
    change_rows: list[tuple[object, ...]] = []
    for proposal_id in proposal_ids:
        row = rows[proposal_id]
        values = proposal_values(computed, proposal_id, today)
        # The generation check is in the UPDATE itself, so no marking can slip between
        # check and write; the marking waits for this row until the transaction ends.
        written = Proposal.objects.filter(
            pk=proposal_id, status_generation=row["status_generation"]
        ).update(
            status=values.status,
            status_reason=values.reason,
            status_basis=values.basis,
            status_since=values.since,
            status_computed_at=now,
            status_stale=False,
            status_stale_since=None,
        )
        if not written:
            moved.append(proposal_id)
            continue
        change_rows += [
            (
                proposal_id,
                entry.term_id,
                entry.on,
                entry.status,
                entry.previous_status,
                entry.reason,
                entry.seq,
            )
            for entry in values.timeline
        ]
        term_rows += [
            (
                term.term_id,
                term.status,
                term.reason,
                json.dumps(term.basis),
                term.since,
                term.delivered,
            )
            for term in values.terms
        ]
        results[proposal_id] = RefreshResult(
            refreshed=True,
            changed=row["status"] != values.status,
            cleared=True,
            negotiation_id=int(row["negotiation_id"]),
        )
    if moved:
        # Marked while this run held their terms, which mark_stale then skipped: flag them
        # here, as it would have.
        Term.objects.filter(proposal_id__in=moved, status_stale=False).update(status_stale=True)
    _write_terms_and_timeline(list(results), term_rows, change_rows, now)
    return results, moved


def _write_terms_and_timeline(
    proposal_ids: list[int],
    term_rows: list[tuple[object, ...]],
    change_rows: list[tuple[object, ...]],
    now: datetime.datetime,
) -> None:
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
        _pause_half_written()
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


def _pause_half_written() -> None:
    # Fault-injection seam for the pipeline tests: hold the transaction open, half-written,
    # so a test can kill the worker in the middle of a recompute. Active only when the test
    # setting PARLEY_TEST_FAULTS is on (off by default, and never on in production), so
    # production never sleeps here.
    if settings.PARLEY_TEST_FAULTS and settings.PARLEY_RECOMPUTE_PAUSE:
        time.sleep(settings.PARLEY_RECOMPUTE_PAUSE)
