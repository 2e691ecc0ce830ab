"""What persistent database connections buy: two gunicorns with the production settings
on the same database, one with DB_CONN_MAX_AGE=0 (a PostgreSQL connection per request),
one with the production default (60 s, health-checked), and wrk against each in turn,
the order alternating, `BENCH_CONN_REPEATS` (4) times `BENCH_CONN_SECONDS` (10) on one
API list. Writes artifacts/bench-connections.json (bench/report.py).

    CONN_DB=parley_load python bench/connections.py   # any migrated Parley database

Not in `make bench`'s list (it needs a database with data and Redis): a tool.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("CONN_DB", "parley_load")
PATH = os.environ.get("CONN_PATH", "/api/v1/negotiations/?limit=20")
REPEATS = max(3, int(os.environ.get("BENCH_CONN_REPEATS", "4")))
SECONDS = os.environ.get("BENCH_CONN_SECONDS", "10")
BROKER = os.environ.get("CONN_BROKER_URL", "redis://127.0.0.1:6379/13")
WAYS = {"per request": ("0", 18870), "kept 60 s": ("60", 18871)}


def start(age: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PARLEY_PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{DB}",
        "CELERY_BROKER_URL": BROKER,
        "PYTHONPATH": str(ROOT),
        "PARLEY_LOG_REQUESTS": "0",
        "DB_CONN_MAX_AGE": age,
    }
    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "negotiations/gunicorn_conf.py"]
        + ["--bind", f"127.0.0.1:{port}", "negotiations.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def ready(port: int) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"}
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(request, timeout=5)
            return
        except OSError:
            time.sleep(1)
    sys.exit(f"gunicorn on {port} did not start")


def wrk(port: int) -> float:
    out = subprocess.run(
        ["wrk", "-t1", "-c4", f"-d{SECONDS}s", "-H", "X-Forwarded-Proto: https"]
        + [f"http://127.0.0.1:{port}{PATH}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(next(x for x in out.splitlines() if x.startswith("Requests/sec")).split()[1])


def main() -> None:
    servers = {way: start(age, port) for way, (age, port) in WAYS.items()}
    try:
        for _, port in WAYS.values():
            ready(port)
        runs: dict[str, list[float]] = {way: [] for way in WAYS}
        for repeat in range(REPEATS):
            for way in list(WAYS)[:: 1 if repeat % 2 == 0 else -1]:
                runs[way].append(wrk(WAYS[way][1]))
                print(repeat, way, runs[way][-1], flush=True)
    finally:
        for server in servers.values():
            os.killpg(server.pid, signal.SIGTERM)
    floor, kept = (statistics.median(runs[way]) for way in WAYS)
    figure = {
        "figure": f"req/s, connections kept ({PATH})",
        "value": kept,
        "unit": "req/s",
        "floor_name": "a connection per request (DB_CONN_MAX_AGE=0)",
        "floor": floor,
        "ratio": round(kept / floor, 2),
        "target": "ratio >= 1",
        "pass": kept >= floor,
    }
    report = {"name": "connections", "repeats": REPEATS, "figures": [figure], "runs": runs}
    (ROOT / "artifacts" / "bench-connections.json").write_text(json.dumps(report, indent=2))
    print(f"median req/s: per request {floor}, kept {kept}, ratio {figure['ratio']}")


if __name__ == "__main__":
    main()
