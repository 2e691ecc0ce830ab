"""Benchmark: a burst of position writes against a real Celery worker (issue 15, item 1).

    BENCH_DB_NAME=parley_bench_a DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        BENCH_REDIS_URL=redis://127.0.0.1:6379/11 python bench/writes.py
    BENCH_POSITIONS=20000 BENCH_WRITES=200 ...      # a quick check on a small set

Starts ONE real worker (`celery worker --concurrency 2 --pool prefork`) against Redis, then
`BENCH_WRITES` (1,000) position writes from `BENCH_CLIENTS` (8) threads across
`BENCH_PROPOSALS` (50) proposals, each a `POST /api/v1/positions/` with a token through the
real WSGI application, called in this process (no HTTP server). Measures:
- recompute task executions per write (the worker's log: every recompute task that
  succeeded while the burst and its backlog ran);
- write -> fresh status: from the POST's response until the proposal's stored status is
  no longer stale (polled every 20 ms), p50/p95;
- position POST p50/p95 in the burst; and of 30 POSTs from one client before it.
Floor: the direct recompute of a touched negotiation (refresh_proposals of all its
proposals, in this process), the median over a dozen touched negotiations; measured before
each burst (interleaved), `BENCH_WRITE_REPEATS` (3) repetitions, medians reported.
Writes artifacts/bench-writes.json; deletes the positions it wrote at the end and
recomputes what they touched, so the set stays as generated.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.dataset import POSITIONS, ROOT, ensure_synthetic, open_database  # noqa: E402
from bench.positions import (  # noqa: E402
    editor_token,
    fresh_statuses,
    percentiles,
    wsgi_post,
)
from bench.report import figure  # noqa: E402

# After bench.positions, which asks for the in-process mode: here a worker recomputes.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
os.environ["CELERY_BROKER_URL"] = REDIS_URL
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
os.environ.setdefault("PARLEY_QUEUE", "parley-bench-writes")
os.environ.setdefault("PARLEY_API_WRITE_RATE", "1000000/minute")
os.environ.setdefault("PARLEY_LOG_REQUESTS", "0")
# Persistent connections, as a production deployment has them (issue 15, item 3).
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

WRITES = int(os.environ.get("BENCH_WRITES", "1000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
N_PROPOSALS = int(os.environ.get("BENCH_PROPOSALS", "50"))
REPEATS = int(os.environ.get("BENCH_WRITE_REPEATS", "3"))
TIMEOUT = float(os.environ.get("BENCH_FRESH_TIMEOUT", "900"))
MARK = "bench/writes.py"
STANCES = ["supports", "accepts", "rejects", "undecided"]
LOG = ROOT / "artifacts" / "bench-writes-worker.log"
TASK_DONE = re.compile(r"Task proposals\.tasks\.recompute_\w+\[[^\]]+\] succeeded")


def choose_proposals(rng: random.Random) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT proposal_id FROM proposals_position WHERE term_id IS NULL "
            "AND stance NOT IN ('proposes', 'withdraws', 'conditional') ORDER BY proposal_id"
        )
        ids = [row[0] for row in cursor.fetchall()]
    return sorted(rng.sample(ids, min(N_PROPOSALS, len(ids))))


def bodies(proposals: list[int], n: int, rng: random.Random) -> list[dict[str, Any]]:
    """n positions restating, with another stance, a party's position on one of the
    proposals (so every rule the service checks is met)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proposal_id, party_id, stated_on FROM proposals_position "
            "WHERE term_id IS NULL AND stance NOT IN ('proposes', 'withdraws', 'conditional') "
            "AND proposal_id = ANY(%s)",
            [proposals],
        )
        rows = cursor.fetchall()
    return [
        {
            "proposal": proposal,
            "party": party,
            "stance": rng.choice(STANCES),
            "stated_on": day.isoformat(),
            "quote": MARK,
        }
        for proposal, party, day in (rng.choice(rows) for _ in range(n))
    ]


def post(body: dict[str, Any], token: str) -> float:
    """Seconds until the response is handed back and closed (bench/positions.py)."""
    started = time.perf_counter()
    _, close = wsgi_post(body, token)
    close()
    return time.perf_counter() - started


def start_worker() -> subprocess.Popen[bytes]:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    LOG.parent.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "DB_CONN_MAX_AGE": "0"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "negotiations", "worker", "--loglevel=INFO",
         "--concurrency=2", "--pool=prefork", "--without-gossip", "--without-mingle",
         "-n", "bench-writes@%h"],
        cwd=ROOT, env=env, stdout=LOG.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while "ready." not in LOG.read_text(errors="replace"):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start; see {LOG}")
        time.sleep(0.2)
    return worker


def tasks_done() -> int:
    return len(TASK_DONE.findall(LOG.read_text(errors="replace")))


def queue_length() -> int:
    import redis

    return int(redis.Redis.from_url(REDIS_URL).llen(os.environ["PARLEY_QUEUE"]))


def floor(negotiations: list[int]) -> float:
    """The direct recompute of each negotiation, in this process: the median."""
    from proposals.models import Proposal
    from proposals.refresh import refresh_proposals

    seconds = []
    for negotiation_id in negotiations:
        ids = list(
            Proposal.objects.filter(negotiation_id=negotiation_id).values_list("pk", flat=True)
        )
        started = time.perf_counter()
        refresh_proposals(proposal_ids=ids)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def burst(writes: list[dict[str, Any]], token: str) -> dict[str, Any]:
    """The writes from CLIENTS threads; then wait until every write's proposal was seen
    fresh after its response, and the worker is idle."""
    from django.db import connection, connections

    before = tasks_done()
    posted: list[tuple[int, float]] = []  # (proposal, when the response came back)
    post_seconds: list[float] = []
    lock = threading.Lock()
    work = iter(writes)
    errors: list[BaseException] = []

    def client() -> None:
        try:
            while True:
                with lock:
                    body = next(work, None)
                if body is None:
                    return
                seconds = post(body, token)
                with lock:
                    post_seconds.append(seconds)
                    posted.append((body["proposal"], time.perf_counter()))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    latencies: list[float] = []
    waiting: list[tuple[int, float]] = []
    seen = 0
    deadline = started + TIMEOUT
    while True:
        with lock:
            waiting += posted[seen:]
            seen = len(posted)
        alive = any(t.is_alive() for t in threads)
        if waiting:
            polled = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM proposals_proposal WHERE id = ANY(%s) AND NOT status_stale",
                    [sorted({p for p, _ in waiting})],
                )
                fresh = {row[0] for row in cursor.fetchall()}
            # A write is reflected once its proposal is seen fresh after its response.
            latencies += [polled - t for p, t in waiting if p in fresh and t < polled]
            waiting = [(p, t) for p, t in waiting if not (p in fresh and t < polled)]
        if errors:
            raise SystemExit(f"a client failed: {errors[0]!r}")
        if not alive and not waiting and seen == len(writes):
            break
        if time.perf_counter() > deadline:
            raise SystemExit(f"{len(waiting)} writes still not fresh after {TIMEOUT}s")
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    # The backlog: tasks still queued or running once every write was reflected.
    idle_since = time.perf_counter()
    last = tasks_done()
    while time.perf_counter() - idle_since < 3 or queue_length():
        time.sleep(0.5)
        now = tasks_done()
        if now != last:
            last, idle_since = now, time.perf_counter()
        if time.perf_counter() > deadline:
            break
    drained = time.perf_counter() - started
    return {
        "tasks": tasks_done() - before,
        "post": percentiles(post_seconds),
        "fresh": percentiles(latencies),
        "fresh_max_s": max(latencies),
        "elapsed_s": elapsed,
        "drained_s": drained,
    }


def clean_up() -> int:
    """Delete what the benchmark wrote; recompute everything it touched."""
    from django.db import transaction
    from django.db.models import F

    from proposals.dependencies import affected_proposal_ids
    from proposals.models import Position, Proposal

    written = Position.objects.filter(quote=MARK)
    proposals = set(written.values_list("proposal_id", flat=True))
    with transaction.atomic():
        affected = affected_proposal_ids(proposal_ids=proposals)
        deleted = written._raw_delete(written.db)  # type: ignore[attr-defined]  # no signals needed
        Proposal.objects.filter(pk__in=affected).update(
            status_stale=True, status_generation=F("status_generation") + 1
        )
    fresh_statuses()
    return deleted


def main() -> None:
    open_database()
    clean_up()  # what an interrupted run left
    ensure_synthetic()
    fresh_statuses()
    from django.db import connection

    from proposals.models import Proposal

    rng = random.Random(15)
    token = editor_token()
    proposals = choose_proposals(rng)
    negotiations = sorted(
        set(Proposal.objects.filter(pk__in=proposals).values_list("negotiation_id", flat=True))
    )
    worker = start_worker()
    runs: list[dict[str, Any]] = []
    try:
        for body in bodies(proposals, 8, rng):  # warm-up: imports, caches, connections
            post(body, token)
        print(
            f"Write bursts on {POSITIONS:,} positions: {REPEATS} x {WRITES} writes from "
            f"{CLIENTS} clients across {len(proposals)} proposals "
            f"({len(negotiations)} negotiations), one worker of 2 processes...",
            flush=True,
        )
        time.sleep(3)
        for repeat in range(REPEATS):
            # The floor reads and writes the negotiations while the worker is idle.
            # (A dozen of them, spread over the list: the median moves little beyond.)
            run: dict[str, Any] = {
                "floor_s": floor(negotiations[:: max(1, len(negotiations) // 12)])
            }
            # One client alone first: what a write costs without 7 others in this process.
            run["post_alone"] = percentiles([post(b, token) for b in bodies(proposals, 30, rng)])
            run.update(burst(bodies(proposals, WRITES, rng), token))
            print(
                f"  run {repeat + 1}: floor {run['floor_s'] * 1000:.0f} ms; "
                f"tasks/write {run['tasks'] / WRITES:.2f}; fresh p50/p95 "
                f"{run['fresh'][0]:.0f}/{run['fresh'][1]:.0f} ms (max "
                f"{run['fresh_max_s']:.1f} s); POST p50/p95 {run['post'][0]:.1f}/"
                f"{run['post'][1]:.1f} ms (alone {run['post_alone'][0]:.1f}/"
                f"{run['post_alone'][1]:.1f}); burst {run['elapsed_s']:.1f} s, drained "
                f"{run['drained_s']:.1f} s",
                flush=True,
            )
            runs.append(run)
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(30)
        deleted = clean_up()
        connection.close()

    def med(key: str, index: int | None = None) -> float:
        return statistics.median(r[key] if index is None else r[key][index] for r in runs)

    fl = med("floor_s") * 1000
    per_write = med("tasks") / WRITES
    fresh95, fresh50 = med("fresh", 1), med("fresh", 0)
    post95, post50 = med("post", 1), med("post", 0)
    direct = "direct recompute of the negotiation"
    figures = [
        figure("recompute tasks per write", per_write, "tasks", "", None, "<= 0.2",
               per_write <= 0.2),
        figure("write->fresh p50", fresh50, "ms", direct, fl, "(reported)", None),
        figure("write->fresh p95", fresh95, "ms", direct, fl, "ratio <= 5 and value <= 2000",
               fresh95 <= 2000 and fresh95 <= 5 * fl),
        figure("position POST p50", post50, "ms", "", None, "(reported)", None),
        figure("position POST p95", post95, "ms", "", None, "value <= 50", post95 <= 50),
        figure("position POST p95, 1 client", med("post_alone", 1), "ms", "", None,
               "(reported)", None),
    ]  # fmt: skip
    report = {
        "name": "writes",
        "positions": POSITIONS,
        "repeats": REPEATS,
        "writes": WRITES,
        "clients": CLIENTS,
        "proposals": len(proposals),
        "negotiations": len(negotiations),
        "runs": runs,
        "written_and_deleted": deleted,
        "figures": figures,
    }
    for f in figures:
        print(
            f"{f['figure']:28}{f['value']:>10.2f} {f['unit']:6}"
            f"{'' if f['floor'] is None else f['floor']:>10}"
            f"{'' if f['ratio'] is None else f['ratio']:>8}  {f['target']:32}"
            f"{'-' if f['pass'] is None else 'PASS' if f['pass'] else 'FAIL'}"
        )
    out = ROOT / "artifacts" / "bench-writes.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
