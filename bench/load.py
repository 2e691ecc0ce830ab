"""Load benchmark: gunicorn with the production settings, a worker and beat, a
mid-sized synthetic dataset plus the demo, and wrk with 32 connections for 60 s on
loopback: page views, API lists, proposal histories, and writes (1 in 20 requests).

    make load                       # LOAD_POSITIONS=200000 LOAD_SECONDS=60 LOAD_CONNECTIONS=32

Prints throughput, p50/p90/p99 latency, socket errors, non-2xx/3xx answers and the 5xx
count from the application's request log; writes artifacts/bench-load.json.
Needs wrk (Debian package `wrk`), PostgreSQL and Redis on loopback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import ROOT, Stack  # noqa: E402

POSITIONS = os.environ.get("LOAD_POSITIONS", "200000")
SECONDS = os.environ.get("LOAD_SECONDS", "60")
CONNECTIONS = os.environ.get("LOAD_CONNECTIONS", "32")


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


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    stack = Stack(name="load", port=18802, redis_db=13, web_workers=4)
    print(f"Preparing: demo + {POSITIONS} synthetic positions...", flush=True)
    stack.fresh_database()
    stack.manage("load_demo")
    stack.manage("generate_synthetic", "--positions", POSITIONS, "--seed", "2", "--no-progress")
    stack.manage("recompute_status", "--all", "--no-progress")
    with stack.running():
        token = stack.create_editor("load-editor")
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
            "LOAD_TOKEN": token,
            "LOAD_PROPOSAL": str(summit["id"]),
            "LOAD_PARTY": str(russia["id"]),
            "LOAD_RESULT": str(result),
        }
        print(
            f"wrk: {CONNECTIONS} connections, {SECONDS}s, {len(targets)} paths + writes", flush=True
        )
        subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{SECONDS}s",
                "--timeout",
                "10s",
                "-s",
                str(ROOT / "bench" / "load.lua"),
                stack.base,
            ],
            env=env,
            check=True,
        )
        health = stack.call("GET", "/healthz")[1]
    report = json.loads(result.read_text())
    statuses: dict[str, int] = {}
    for line in (stack.logs / "gunicorn.log").read_text().splitlines():
        if line.startswith("{") and '"parley.requests"' in line:
            status = str(json.loads(line).get("status"))
            statuses[status] = statuses.get(status, 0) + 1
    report["server_statuses"] = statuses
    report["server_5xx"] = sum(n for s, n in statuses.items() if s.startswith("5"))
    report["stale_backlog_after"] = health.get("recompute")
    (ROOT / "artifacts" / "bench-load.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    if report["socket_errors"] or report["non_2xx_3xx"] or report["server_5xx"]:
        sys.exit("load: errors seen (see above)")


if __name__ == "__main__":
    main()
