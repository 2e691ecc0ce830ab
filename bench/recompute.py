"""Benchmark: a full status recompute of a synthetic set of (by default) 1,000,000
positions, against the floor of one SQL query that reads the same inputs.

    make bench                      # 1,000,000 positions, seed 1
    BENCH_POSITIONS=200000 make bench

Runs on the server DATABASE_URL points at (the embedded one when unset), in a separate
database `parley_bench` that it creates, fills once and reuses while the size and seed
match. Prints positions per second, the peak memory of this process and the ratio to
the SQL floor; also writes artifacts/bench-recompute.json.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dataset import POSITIONS, ROOT, ensure_synthetic, open_database  # noqa: E402

FLOOR_SQL = """
SELECT DISTINCT ON (party_id, proposal_id, term_id)
       party_id, proposal_id, term_id, stance, stated_on
FROM proposals_position
ORDER BY party_id, proposal_id, term_id, stated_on DESC, id DESC
"""


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    open_database()
    ensure_synthetic()
    from django.db import connection

    from proposals.models import Proposal
    from proposals.refresh import refresh_proposals
    from proposals.summaries import negotiation_summary_refresh

    ids = list(Proposal.objects.order_by("negotiation_id", "pk").values_list("pk", flat=True))
    base_mib = peak_mib()
    print(f"Recomputing {len(ids):,} proposals over {POSITIONS:,} positions...", flush=True)
    started = time.perf_counter()
    results = refresh_proposals(proposal_ids=ids)
    recompute_s = time.perf_counter() - started
    negotiations = sorted({r.negotiation_id for r in results if r.negotiation_id})
    started = time.perf_counter()
    for negotiation_id in negotiations:
        negotiation_summary_refresh(negotiation_id=negotiation_id)
    summaries_s = time.perf_counter() - started

    floor = []
    for _ in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL)
            rows = len(cursor.fetchall())
        floor.append(time.perf_counter() - started)
    floor_s = min(floor)

    report = {
        "positions": POSITIONS,
        "proposals": len(ids),
        "negotiations": len(negotiations),
        "recompute_seconds": round(recompute_s, 2),
        "positions_per_second": round(POSITIONS / recompute_s),
        "summaries_seconds": round(summaries_s, 2),
        "peak_memory_mib": round(peak_mib(), 1),
        "memory_before_recompute_mib": round(base_mib, 1),
        "sql_floor_seconds": round(floor_s, 3),
        "sql_floor_rows": rows,
        "ratio_to_sql_floor": round(recompute_s / floor_s, 1),
    }
    print(
        f"\nFull recompute: {recompute_s:.1f}s = {report['positions_per_second']:,} positions/s "
        f"(summaries and convergence: {summaries_s:.1f}s more)\n"
        f"Peak memory of this process: {report['peak_memory_mib']:.0f} MiB "
        f"({base_mib:.0f} MiB before the recompute)\n"
        f"SQL floor (latest stance per party and term, {rows:,} rows): {floor_s:.2f}s; "
        f"the recompute takes {report['ratio_to_sql_floor']}x as long"
    )
    out = ROOT / "artifacts" / "bench-recompute.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
