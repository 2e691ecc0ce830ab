"""Load benchmark: gunicorn with the production settings, a worker and beat, a
mid-sized synthetic dataset plus the demo, and wrk with 32 connections for 60 s on
loopback: page views, API lists, proposal histories, and writes (1 in 20 requests).

    make load     # LOAD_POSITIONS=200000 LOAD_SECONDS=60 LOAD_CONNECTIONS=32 LOAD_REPEATS=3

The dataset is prepared once into the database `<LOAD_DB_NAME>_prepared` (demo +
LOAD_POSITIONS synthetic positions, recomputed: a few minutes) and copied for every run
(`LOAD_PREPARE=1` prepares it again). Each repetition starts the stack on a fresh copy
and runs wrk once; the figures are the median over LOAD_REPEATS repetitions.
Prints throughput, p50/p90/p99 latency, socket errors, non-2xx/3xx answers, the 5xx
count from the application's request log and the paths that took the most server
time; writes artifacts/bench-load.json in the shared format (bench/report.py).
Server sizing comes from negotiations/gunicorn_conf.py (WEB_CONCURRENCY, WEB_THREADS).
Needs wrk (Debian package `wrk`), PostgreSQL and Redis on loopback.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import ROOT, Stack  # noqa: E402

POSITIONS = os.environ.get("LOAD_POSITIONS", "200000")
SECONDS = os.environ.get("LOAD_SECONDS", "60")
CONNECTIONS = os.environ.get("LOAD_CONNECTIONS", "32")
REPEATS = int(os.environ.get("LOAD_REPEATS", "3"))
DB_NAME = os.environ.get("LOAD_DB_NAME", "parley_load")
FLOOR_SECONDS = int(os.environ.get("LOAD_FLOOR_SECONDS", "10"))
EDITORS = int(os.environ.get("LOAD_EDITORS", "4"))
# The issue-15 measurement of `make load` before the work on it (main, 2 cores).
BASELINE_RPS, BASELINE_P99_MS = 27.0, 1870.0


def paths(stack: Stack, token: str) -> list[str]:
    def api(path: str) -> dict:
        status, body = stack.call("GET", path, token=token)
        assert status == 200, (path, status, body)
        return body

    found = ["/", "/search/?q=ceasefire", "/feeds/status-changes/", "/api/v1/negotiations/"]
    negotiations = api("/api/v1/negotiations/?limit=6")["results"]
    for negotiation in negotiations:
        found += [
            f"/negotiations/{negotiation['slug']}/",
            f"/api/v1/negotiations/{negotiation['id']}/",
            f"/api/v1/proposals/?negotiation={negotiation['id']}&limit=100",
        ]
        for round_ in api(f"/api/v1/rounds/?negotiation={negotiation['id']}&limit=2")["results"]:
            found.append(f"/negotiations/{negotiation['slug']}/rounds/{round_['number']}/")
    for proposal in api("/api/v1/proposals/?limit=12")["results"]:
        found += [
            f"/proposals/{proposal['id']}/",
            f"/api/v1/proposals/{proposal['id']}/",
            f"/api/v1/proposals/{proposal['id']}/history/",
        ]
    for party in api("/api/v1/parties/?limit=4")["results"]:
        found.append(f"/parties/{party['slug']}/")
    found += ["/api/v1/positions/?limit=200", "/api/v1/terms/?limit=200"]
    return found


def prepare(stack: Stack, template: str) -> None:
    if stack.database_exists(template) and os.environ.get("LOAD_PREPARE") != "1":
        return
    print(f"Preparing {template}: demo + {POSITIONS} synthetic positions...", flush=True)
    stack.fresh_database()
    stack.manage("load_demo")
    stack.manage("generate_synthetic", "--positions", POSITIONS, "--seed", "2", "--no-progress")
    stack.manage("recompute_status", "--all", "--no-progress")
    pg = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *pg, "--if-exists", template], check=True, capture_output=True)
    subprocess.run(["createdb", *pg, "-T", stack.db, template], check=True)


def run_once(stack: Stack, template: str, seconds: str) -> dict:
    stack.fresh_database(template=template)
    (stack.logs / "gunicorn.log").unlink(missing_ok=True)
    with stack.running():
        tokens = stack.create_editors([f"load-editor-{n}" for n in range(EDITORS)])
        token = tokens[0]
        targets = paths(stack, token)
        summit = stack.call("GET", "/api/v1/proposals/?kind=meeting", token=token)[1]["results"][0]
        russia = next(
            p
            for p in stack.call("GET", "/api/v1/parties/?limit=100", token=token)[1]["results"]
            if p["slug"] == "russia"
        )
        result = stack.logs / "wrk.json"
        env = {
            **os.environ,
            "LOAD_PATHS": "\n".join(targets),
            "LOAD_TOKENS": "\n".join(tokens),
            "LOAD_PROPOSAL": str(summit["id"]),
            "LOAD_PARTY": str(russia["id"]),
            "LOAD_RESULT": str(result),
        }
        print(
            f"wrk: {CONNECTIONS} connections, {seconds}s, {len(targets)} paths + writes", flush=True
        )
        cpu_before = stack.cpu_seconds()
        subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(ROOT / "bench" / "load.lua"),
                stack.base,
            ],
            env=env,
            check=True,
        )
        cpu_after = stack.cpu_seconds()
        # The requests still queued when wrk stopped are served first.
        health = stack.wait(lambda: stack.call("GET", "/healthz")[1], 120, "/healthz after wrk")
        floor = static_floor(stack) if FLOOR_SECONDS else None
    report = json.loads(result.read_text())
    report["static_floor_rps"] = floor
    statuses: dict[str, int] = {}
    by_path: dict[str, list[float]] = {}
    for line in (stack.logs / "gunicorn.log").read_text().splitlines():
        if line.startswith("{") and '"parley.requests"' in line:
            entry = json.loads(line)
            if str(entry.get("path", "")).startswith("/static/"):
                continue  # the floor's, not the mix's
            status = str(entry.get("status"))
            statuses[status] = statuses.get(status, 0) + 1
            key = f"{entry.get('method')} {entry.get('path')}"
            by_path.setdefault(key, []).append(float(entry.get("duration_ms", 0)))
    report["server_statuses"] = statuses
    report["server_5xx"] = sum(n for s, n in statuses.items() if s.startswith("5"))
    report["stale_backlog_after"] = health.get("recompute")
    # Where the CPU went during the wrk run (PostgreSQL's share is not counted).
    report["cpu_seconds"] = {
        name: round(cpu_after[name] - cpu_before.get(name, 0.0), 1) for name in cpu_after
    }
    # Less sensitive to other work on the machine than the throughput: what a request
    # costs the web processes (ps counts whole seconds: a long run reads better).
    served = max(1, report["requests"])
    report["web_cpu_ms_per_request"] = round(report["cpu_seconds"]["gunicorn"] * 1000 / served, 1)
    heaviest = sorted(by_path.items(), key=lambda item: -sum(item[1]))[:12]
    report["heaviest_paths"] = [
        {
            "path": path,
            "count": len(times),
            "total_s": round(sum(times) / 1000, 1),
            "p50_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
        }
        for path, times in heaviest
    ]
    return report


def static_floor(stack: Stack) -> float:
    """Requests per second for one static file through the same gunicorn, the same
    connections, right after the mix: the most this server can answer on the machine as
    it is now (the others' work included), to read the mix's figure against."""
    done = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{FLOOR_SECONDS}s",
            "-H",
            "X-Forwarded-Proto: https",
            f"{stack.base}/static/css/parley.css",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("Requests/sec:"))
    return float(line.split()[1])


def figures(runs: list[dict]) -> list[dict]:
    def median(key: str) -> float:
        return float(statistics.median(run[key] for run in runs))

    rps, p99 = median("rps"), median("p99_ms")
    floors = [run["static_floor_rps"] for run in runs if run.get("static_floor_rps")]
    errors = max(run["socket_errors"] + run["non_2xx_3xx"] + run["server_5xx"] for run in runs)
    return [
        {
            "figure": "load throughput",
            "value": rps,
            "unit": "req/s",
            "floor_name": "make load before issue 15",
            "floor": BASELINE_RPS,
            "ratio": round(rps / BASELINE_RPS, 2),
            "target": "ratio >= 4",
            "pass": rps >= 4 * BASELINE_RPS,
        },
        {
            "figure": "load p99",
            "value": p99,
            "unit": "ms",
            "floor_name": "make load before issue 15",
            "floor": BASELINE_P99_MS,
            "ratio": round(p99 / BASELINE_P99_MS, 2),
            "target": "value < 500",
            "pass": p99 < 500,
        },
        *(
            [
                {
                    "figure": "load throughput / static file (same run)",
                    "value": rps,
                    "unit": "req/s",
                    "floor_name": "a static file through the same gunicorn",
                    "floor": float(statistics.median(floors)),
                    "ratio": round(rps / statistics.median(floors), 3),
                    "target": "none (the machine's ceiling now)",
                    "pass": None,
                }
            ]
            if floors
            else []
        ),
        {
            "figure": "load errors (worst run)",
            "value": float(errors),
            "unit": "",
            "floor_name": "",
            "floor": None,
            "ratio": None,
            "target": "value == 0",
            "pass": errors == 0,
        },
    ]


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    stack = Stack(
        name="load",
        port=int(os.environ.get("LOAD_PORT", "18802")),
        redis_db=int(os.environ.get("LOAD_REDIS_DB", "13")),
        web_workers=None,
        db=DB_NAME,
    )
    template = f"{stack.db}_prepared"
    prepare(stack, template)
    runs = []
    for repeat in range(REPEATS):
        print(f"repetition {repeat + 1}/{REPEATS}", flush=True)
        runs.append(run_once(stack, template, SECONDS))
        print(json.dumps({k: v for k, v in runs[-1].items() if k != "heaviest_paths"}), flush=True)
    report = {
        "name": "load",
        "positions": int(POSITIONS),
        "repeats": REPEATS,
        "connections": int(CONNECTIONS),
        "seconds": int(SECONDS),
        "figures": figures(runs),
        "runs": runs,
    }
    (ROOT / "artifacts" / "bench-load.json").write_text(json.dumps(report, indent=2))
    print("heaviest paths (last run):")
    for row in runs[-1]["heaviest_paths"]:
        print(
            f"  {row['total_s']:7.1f} s {row['count']:6d}x "
            f"p50 {row['p50_ms']:7.1f} ms  {row['path']}"
        )
    for f in report["figures"]:
        verdict = "-" if f["pass"] is None else "PASS" if f["pass"] else "FAIL"
        floor = "-" if f["floor"] is None else f"{f['floor']:.1f}"
        ratio = "-" if f["ratio"] is None else f"{f['ratio']:.2f}"
        print(
            f"{f['figure']}  {f['value']:.1f} {f['unit']}  {floor}  {ratio}  "
            f"{f['target']}  {verdict}"
        )
    if any(f["pass"] is False for f in report["figures"] if f["figure"].startswith("load errors")):
        sys.exit("load: errors seen (see above)")


if __name__ == "__main__":
    main()
