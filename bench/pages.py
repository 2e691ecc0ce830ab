"""Benchmark: the analyst pages' server time on the synthetic set against the same pages on
the demo data (issue 15, item 2), measured in one run.

    BENCH_DB_NAME=parley_bench_c DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        python bench/pages.py
    BENCH_POSITIONS=20000 python bench/pages.py            # a quick check on a small set

Two databases on the same server: the synthetic set (`BENCH_DB_NAME`, bench/dataset.py)
and the demo round (`BENCH_DEMO_DB_NAME`, default `<BENCH_DB_NAME>_demo`, created, migrated
and loaded with `load_demo` when missing). One process, one persistent connection to
each; before every request the application's default connection is switched to one of
them. "The same page" is chosen alike on both: home, the negotiation with most proposals,
its round with most statements, the proposal with most positions, the party with most
positions, and a search for a common word (`BENCH_SEARCH`, "ceasefire").

Each repetition requests every page `BENCH_PAGE_REQUESTS` (20) times on each database,
interleaved (demo, large, demo, large...); the server time is the time around the WSGI
call (django.test.Client, in process, no network). Per page and database the p95 of each
repetition, then the median over `BENCH_PAGE_REPEATS` (3) repetitions; the floor of a
page is its time on the demo data. Target: p95 at scale <= 1.5 x the demo's.
Writes artifacts/bench-pages.json.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PARLEY_LOG_REQUESTS", "0")
os.environ.setdefault("DEBUG", "0")

from bench.dataset import POSITIONS, ROOT, ensure_synthetic, open_database  # noqa: E402
from bench.report import figure  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_PAGE_REQUESTS", "20"))
REPEATS = max(3, int(os.environ.get("BENCH_PAGE_REPEATS", "3")))
SEARCH = os.environ.get("BENCH_SEARCH", "ceasefire")
TARGET = 1.5


def connection_to(name: str) -> Any:
    """A persistent connection (wrapper) to database `name`, as the default alias."""
    from django.db import connections
    from django.db.utils import load_backend

    settings_dict = dict(connections["default"].settings_dict, NAME=name, CONN_MAX_AGE=None)
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")


def use(wrapper: Any) -> None:
    from django.db import connections

    connections["default"] = wrapper


def ensure_demo(name: str) -> Any:
    import psycopg
    from django.core.management import call_command
    from django.db import connections

    params = connections["default"].get_connection_params()
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    wrapper = connection_to(name)
    use(wrapper)
    call_command("migrate", verbosity=0)
    from negotiations.models import Negotiation

    if not Negotiation.objects.exists():
        call_command("load_demo", verbosity=0)
    return wrapper


def pages() -> dict[str, str]:
    """The URLs of "the same page" on the current database."""
    from django.db import connection

    def one(sql: str) -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()

    negotiation_id, slug = one(
        "SELECT n.id, n.slug FROM negotiations_negotiation n "
        "JOIN proposals_proposal p ON p.negotiation_id = n.id "
        "GROUP BY n.id ORDER BY count(*) DESC, n.id LIMIT 1"
    )
    (round_number,) = one(
        "SELECT r.number FROM negotiations_round r "
        "LEFT JOIN proposals_position s ON s.round_id = r.id "
        f"WHERE r.negotiation_id = {int(negotiation_id)} "
        "GROUP BY r.id ORDER BY count(s.id) DESC, r.number LIMIT 1"
    )
    (proposal_id,) = one(
        "SELECT proposal_id FROM proposals_position GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    )
    (party_slug,) = one(
        "SELECT p.slug FROM parties_party p JOIN proposals_position s ON s.party_id = p.id "
        "GROUP BY p.id ORDER BY count(*) DESC, p.id LIMIT 1"
    )
    return {
        "home": "/",
        "negotiation": f"/negotiations/{slug}/",
        "round": f"/negotiations/{slug}/rounds/{round_number}/",
        "proposal": f"/proposals/{proposal_id}/",
        "party": f"/parties/{party_slug}/",
        "search": f"/search/?q={SEARCH}",
    }


def timed(client: Any, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(response.content)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    open_database()
    ensure_synthetic()
    from django.test import Client

    large_name = os.environ["PARLEY_DB_NAME"]
    demo_name = os.environ.get("BENCH_DEMO_DB_NAME", f"{large_name}_demo")
    large = connection_to(large_name)
    demo = ensure_demo(demo_name)
    use(large)
    large_pages = pages()
    use(demo)
    demo_pages = pages()
    print(f"pages at {POSITIONS:,} positions: {large_pages}", flush=True)
    print(f"pages on the demo: {demo_pages}", flush=True)
    client = Client()
    sides = (("demo", demo, demo_pages), ("large", large, large_pages))
    for _, wrapper, urls in sides:  # warm up: connections, templates, caches
        use(wrapper)
        for url in urls.values():
            timed(client, url)
    runs: dict[tuple[str, str], list[float]] = {}
    medians: dict[tuple[str, str], list[float]] = {}
    sizes: dict[tuple[str, str], int] = {}
    for _ in range(REPEATS):
        samples: dict[tuple[str, str], list[float]] = {}
        for _ in range(REQUESTS):
            for page in large_pages:
                for side, wrapper, urls in sides:
                    use(wrapper)
                    elapsed, size = timed(client, urls[page])
                    samples.setdefault((page, side), []).append(elapsed)
                    sizes[(page, side)] = size
        for key, values in samples.items():
            runs.setdefault(key, []).append(p95(values))
            medians.setdefault(key, []).append(statistics.median(values))
    # p50 too, for information: on a loaded machine the p95 is the noisiest.
    figures = []
    for which, per_run, target in (("p95", runs, f"ratio <= {TARGET}"), ("p50", medians, None)):
        for page in large_pages:
            value = statistics.median(per_run[(page, "large")])
            floor = statistics.median(per_run[(page, "demo")])
            figures.append(
                figure(
                    f"{page} page {which}",
                    value,
                    "ms",
                    "the same page on the demo data",
                    floor,
                    target or "(informative)",
                    value <= TARGET * floor if target else None,
                    bytes=sizes[(page, "large")],
                    floor_bytes=sizes[(page, "demo")],
                )
            )
    for f in figures:
        print(
            f"{f['figure']:<22} {f['value']:8.1f} ms  floor {f['floor']:7.1f}  "
            f"ratio {f['ratio']:6.2f}  {f['target']}  "
            f"{'-' if f['pass'] is None else 'PASS' if f['pass'] else 'FAIL'}"
            f"   ({f['bytes']:,} vs {f['floor_bytes']:,} bytes)"
        )
    report = {"name": "pages", "positions": POSITIONS, "repeats": REPEATS, "figures": figures}
    out = ROOT / "artifacts" / "bench-pages.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
