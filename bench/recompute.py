"""Benchmark: a full status recompute (`manage.py recompute_status --all`: statuses,
timelines, round and negotiation summaries) of a synthetic set of (by default) 1,000,000
positions, against the floor of one SQL query that reads the latest stances.

    make bench                      # 1,000,000 positions, seed 1
    BENCH_POSITIONS=20000 make bench
    BENCH_REPEATS=5 make bench

Runs on the server DATABASE_URL points at (the embedded one when unset), in the database
`BENCH_DB_NAME` (default parley_bench), filled once and reused while size and seed match.
The floor and the recompute are interleaved, `BENCH_REPEATS` times (at least 3); each
recompute runs in a fresh subprocess, so its peak memory (ru_maxrss) is its own. Figures
are medians. `BENCH_COLD=1` empties the StatusChange table before each recompute
(untimed), so that every timeline is written again, as after a change to the engine.
`BENCH_CODE_ROOT` runs the recompute with another checkout's code (the "before" of a
change) against the same database. Writes artifacts/bench-recompute[-cold].json.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dataset import DB_NAME, POSITIONS, ROOT, ensure_synthetic, open_database  # noqa: E402
from bench.report import figure  # noqa: E402

REPEATS = max(3, int(os.environ.get("BENCH_REPEATS", "3")))
COLD = os.environ.get("BENCH_COLD", "0") == "1"
CODE_ROOT = Path(os.environ.get("BENCH_CODE_ROOT", str(ROOT))).resolve()
RATIO_TARGET = 8.0
MEMORY_TARGET_MIB = 512.0

FLOOR_SQL = """
SELECT DISTINCT ON (party_id, proposal_id, term_id)
       party_id, proposal_id, term_id, stance, stated_on
FROM proposals_position
ORDER BY party_id, proposal_id, term_id, stated_on DESC, id DESC
"""

# Run in a subprocess: Django set up outside the timing, then the command, timed.
CHILD = """
import json, os, resource, sys, time
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.core.management import call_command
started = time.perf_counter()
call_command("recompute_status", all=True, no_progress=True, verbosity=0)
print(json.dumps({"seconds": time.perf_counter() - started,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def recompute_once() -> dict[str, float]:
    env = {
        **os.environ,
        "PARLEY_DB_NAME": DB_NAME,
        "DJANGO_SETTINGS_MODULE": "negotiations.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=CODE_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def floor_once() -> tuple[float, int]:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL)
        rows = len(cursor.fetchall())
    return time.perf_counter() - started, rows


def main() -> None:
    open_database()
    ensure_synthetic()
    from django.db import connection

    from proposals.models import Proposal

    proposals = Proposal.objects.count()
    connection.close()
    print(
        f"Full recompute of {proposals:,} proposals over {POSITIONS:,} positions, "
        f"{REPEATS} interleaved repetitions (code: {CODE_ROOT})...",
        flush=True,
    )
    floors: list[float] = []
    runs: list[dict[str, float]] = []
    rows = 0
    for i in range(REPEATS):
        seconds, rows = floor_once()
        floors.append(seconds)
        if COLD:
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE proposals_statuschange")
        connection.close()
        runs.append(recompute_once())
        print(
            f"  #{i + 1}: floor {seconds:.3f}s, recompute {runs[-1]['seconds']:.2f}s, "
            f"peak {runs[-1]['peak_mib']:.0f} MiB",
            flush=True,
        )
    floor_s = statistics.median(floors)
    recompute_s = statistics.median(r["seconds"] for r in runs)
    peak = max(r["peak_mib"] for r in runs)
    ratio = recompute_s / floor_s
    floor_name = f"SQL floor: latest stance per party and subject ({rows:,} rows)"
    figures = [
        figure(
            "full recompute" + (" (every timeline rewritten)" if COLD else ""),
            recompute_s,
            "s",
            floor_name,
            floor_s,
            f"ratio <= {RATIO_TARGET:g}",
            ratio <= RATIO_TARGET,
        ),
        figure(
            "full recompute peak memory",
            peak,
            "MiB",
            "",
            None,
            f"value < {MEMORY_TARGET_MIB:g}",
            peak < MEMORY_TARGET_MIB,
        ),
    ]
    report = {
        "name": "recompute-cold" if COLD else "recompute",
        "positions": POSITIONS,
        "repeats": REPEATS,
        "proposals": proposals,
        "code": str(CODE_ROOT),
        "runs": runs,
        "floors": floors,
        "figures": figures,
    }
    print()
    for f in figures:
        floor = "" if f["floor"] is None else f"floor {f['floor']}s"
        ratio_text = "" if f["ratio"] is None else f"ratio {f['ratio']}"
        print(
            f"{f['figure']}  {f['value']} {f['unit']}  {floor}  {ratio_text}  {f['target']}  "
            f"{'PASS' if f['pass'] else 'FAIL'}"
        )
    out = ROOT / "artifacts" / f"bench-recompute{'-cold' if COLD else ''}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
