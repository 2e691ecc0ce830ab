"""API reads against their floor: Parley under gunicorn with its production settings, and
bench/floor.py (one json_agg query per endpoint, same JSON shape) under the same gunicorn
settings, both on the benchmark database, hit over HTTP keep-alive, interleaved request by
request; per figure the median over `BENCH_REPEATS` (>= 3) repetitions of each one's p50
client latency. Writes artifacts/bench-api.json (the shared format).

    BENCH_DB_NAME=parley_bench_x DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        python bench/api.py

`BENCH_POSITIONS=20000` for a quick run; `BENCH_PARLEY_ROOT=<a checkout>` serves that
checkout's Parley instead (to measure another version on the same data).
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dataset import DB_NAME, POSITIONS, ROOT, ensure_synthetic, open_database  # noqa: E402
from bench.stack import Stack  # noqa: E402

REPEATS = max(3, int(os.environ.get("BENCH_REPEATS", "3")))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20"))  # per figure, server and repetition
PARLEY_PORT, FLOOR_PORT = 18471, 18472
HEADERS = {"X-Forwarded-Proto": "https", "Accept": "application/json"}


class Client:
    """One keep-alive connection; returns (status, headers, milliseconds)."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, float]:
        started = time.perf_counter()
        self.connection.request("GET", path, headers={**HEADERS, **(headers or {})})
        response = self.connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response.status, response, elapsed


def subjects() -> dict[str, Any]:
    """The biggest negotiation, its proposal with the most positions, a day in its life."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT negotiation_id FROM proposals_proposal GROUP BY 1 ORDER BY count(*) DESC, 1 "
            "LIMIT 1"
        )
        (negotiation,) = cursor.fetchone()
        cursor.execute(
            "SELECT p.id, min(x.stated_on), max(x.stated_on) FROM proposals_proposal p "
            "JOIN proposals_position x ON x.proposal_id = p.id WHERE p.negotiation_id = %s "
            "GROUP BY p.id ORDER BY count(*) DESC, p.id LIMIT 1",
            [negotiation],
        )
        proposal, first, last = cursor.fetchone()
    as_of = first + (last - first) / 2 if first and last else datetime.date(2025, 6, 2)
    return {"negotiation": negotiation, "proposal": proposal, "as_of": as_of.isoformat()}


def measure(
    pairs: dict[str, tuple[Callable[[], float], Callable[[], float]]],
) -> dict[str, list[tuple[float, float]]]:
    """Per figure, per repetition: (p50 of Parley, p50 of its floor), interleaved."""
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in pairs}
    for _ in range(REPEATS):
        for name, (parley, floor) in pairs.items():
            ours, theirs = [], []
            for _ in range(REQUESTS):
                ours.append(parley())
                theirs.append(floor())
            results[name].append((statistics.median(ours), statistics.median(theirs)))
    return results


def server_times(log: Path, start: int, path: str) -> dict[int, list[float]]:
    """Server milliseconds of the requests for `path` in Parley's JSON request log since
    byte `start`, by status."""
    times: dict[int, list[float]] = {}
    with log.open("rb") as lines:
        lines.seek(start)
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("path") == path and "duration_ms" in entry:
                times.setdefault(int(entry["status"]), []).append(float(entry["duration_ms"]))
    return times


def main() -> None:
    if "BENCH_PARLEY_ROOT" in os.environ:
        # Another checkout's Parley: its schema stays as that checkout migrated it.
        os.environ["PARLEY_DB_NAME"] = DB_NAME
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "negotiations.settings")
        import django

        django.setup()
    else:
        open_database()
        ensure_synthetic()
    subject = subjects()
    from django.db import connection

    connection.close()
    root = Path(os.environ.get("BENCH_PARLEY_ROOT", ROOT))
    parley = Stack(name="bench-api", port=PARLEY_PORT, redis_db=15, db=DB_NAME, root=root)
    floor = Stack(name="bench-api-floor", port=FLOOR_PORT, redis_db=15, db=DB_NAME)
    for stack in (parley, floor):
        stack.env.update(
            DB_CONN_MAX_AGE=os.environ.get("DB_CONN_MAX_AGE", "60"),
            WEB_ACCESS_LOG="/dev/null",
        )
    # Parley's request log (JSON lines) gives the server time of the 304s.
    parley.env.update(PARLEY_LOG_REQUESTS="1", LOG_FORMAT="json")
    floor.env["PYTHONPATH"] = str(ROOT)
    detail = f"/api/v1/proposals/{subject['proposal']}/"
    paths = {
        "proposals list": f"/api/v1/proposals/?negotiation={subject['negotiation']}",
        "proposal detail": detail,
        "proposal detail as_of": f"{detail}?as_of={subject['as_of']}",
        "positions list": "/api/v1/positions/",
        "history": f"{detail}history/",
        "matrix": f"/api/v1/negotiations/{subject['negotiation']}/matrix/",
    }
    with parley.serving(), floor.serving("bench.floor:app"):
        ours, theirs = Client(PARLEY_PORT), Client(FLOOR_PORT)

        def timed(client: Client, path: str, headers: dict[str, str] | None = None) -> float:
            status, _, ms = client.get(path, headers)
            assert status in (200, 304), (path, status)
            return ms

        for path in paths.values():  # warm both (caches, connections, imports)
            for _ in range(3):
                timed(ours, path), timed(theirs, path)
        _, response, _ = ours.get(detail)
        etag = response.getheader("ETag")
        pairs = {
            name: (
                lambda p=path: timed(ours, p),
                lambda p=path: timed(theirs, p),
            )
            for name, path in paths.items()
        }
        pairs["304 revalidation"] = (
            lambda: timed(ours, detail, {"If-None-Match": etag}),
            lambda: timed(ours, detail),
        )
        assert ours.get(detail, {"If-None-Match": etag})[0] == 304, "no 304 for its own ETag"
        log = parley.logs / "gunicorn.log"
        start = log.stat().st_size
        results = measure(pairs)
        time.sleep(1)  # the workers' last lines
        server = server_times(log, start, detail)
    figures = []
    for name, runs in results.items():
        value = statistics.median(r[0] for r in runs)
        floor_value = statistics.median(r[1] for r in runs)
        ratio = value / floor_value
        if name == "304 revalidation":
            floor_name, target = "a 200 of the same detail (Parley)", "ratio <= 0.1 and value <= 2"
            ok = ratio <= 0.1 and value <= 2
        else:
            limit = 3 if name.startswith("proposal detail") else 2
            floor_name, target = "json_agg floor (bench/floor.py)", f"ratio <= {limit}"
            ok = ratio <= limit
        figures.append(
            {
                "figure": f"{name} p50",
                "value": round(value, 2),
                "unit": "ms",
                "floor_name": floor_name,
                "floor": round(floor_value, 2),
                "ratio": round(ratio, 2),
                "target": target,
                "pass": ok,
                "runs": [[round(a, 2), round(b, 2)] for a, b in runs],
            }
        )
        print(
            f"{name + ' p50':28} {value:8.2f} ms  {floor_value:8.2f}  {ratio:6.2f}x  "
            f"{target:28} {'PASS' if ok else 'FAIL'}",
            flush=True,
        )
    if server.get(304) and server.get(200):
        value, floor_value = statistics.median(server[304]), statistics.median(server[200])
        ok = value <= 2 and value / floor_value <= 0.1
        figures.append(
            {
                "figure": "304 revalidation server time p50",
                "value": round(value, 2),
                "unit": "ms",
                "floor_name": "server time of a 200 of the detail (Parley's request log)",
                "floor": round(floor_value, 2),
                "ratio": round(value / floor_value, 2),
                "target": "ratio <= 0.1 and value <= 2",
                "pass": ok,
                "requests": len(server[304]),
            }
        )
        print(
            f"{'304 server time p50':28} {value:8.2f} ms  {floor_value:8.2f}  "
            f"{value / floor_value:6.2f}x  {'ratio <= 0.1 and value <= 2':28} "
            f"{'PASS' if ok else 'FAIL'}",
            flush=True,
        )
    artifact = ROOT / "artifacts" / "bench-api.json"
    artifact.parent.mkdir(exist_ok=True)
    artifact.write_text(
        json.dumps(
            {
                "name": "api",
                "positions": POSITIONS,
                "repeats": REPEATS,
                "subject": subject,
                "parley_root": str(root),
                "figures": figures,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
