"""Benchmark: what a position POST costs its client on the synthetic set (issue 14, item 4),
through the real WSGI application, in the in-process mode (no broker), against a floor.

    make bench                                 # 1,000,000 positions, as bench/recompute.py
    BENCH_POSITIONS=200000 BENCH_POST_REQUESTS=100 python bench/positions.py

Three ways, interleaved, `BENCH_POST_REPEATS` (3) times `BENCH_POST_REQUESTS` (30) each
(`BENCH_POST_INSIDE_REQUESTS`, 5, for the slow old path):
- floor: the same row inserted directly through the ORM (`Position.objects.create`);
- after: `POST /api/v1/positions/` as shipped: the time until the WSGI application hands
  back the response; the status recompute runs from the response's close(), as the
  WSGI server calls it once the response is sent (timed separately, "recompute after");
- inside: the same POST with the recompute inside the request (before issue 14: on
  commit, before the response).
Prints p50/p95 per way (the median over the repetitions) and the ratio to the floor;
writes artifacts/bench-positions.json. The positions it writes are deleted at the end
and their proposals recomputed, so the set stays as generated.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"  # the in-process mode, the newcomer's default
os.environ.setdefault("PARLEY_API_WRITE_RATE", "1000000/minute")
os.environ.setdefault("PARLEY_LOG_REQUESTS", "0")

from bench.dataset import POSITIONS, ROOT, ensure_synthetic, open_database  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_POST_REQUESTS", "30"))
# The old path recomputes inside the request, one proposal (and one summary) at a time:
# seconds to minutes per POST on a large set, so fewer of them.
INSIDE_REQUESTS = int(os.environ.get("BENCH_POST_INSIDE_REQUESTS", "5"))
REPEATS = max(3, int(os.environ.get("BENCH_POST_REPEATS", "3")))
MARK = "bench/positions.py"
STANCES = ["supports", "accepts", "rejects", "undecided"]


def targets(n: int, rng: random.Random) -> list[dict[str, Any]]:
    """n positions to write: each restates, with another stance, a party's position on a
    proposal of the set (so every rule the service checks is met)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proposal_id, party_id, stated_on FROM proposals_position "
            "WHERE term_id IS NULL AND stance NOT IN ('proposes', 'withdraws', 'conditional') "
            "ORDER BY md5(id::text || %s) LIMIT %s",
            [str(rng.random()), n],
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
        for proposal, party, day in rows
    ]


def editor_token() -> str:
    from django.contrib.auth.models import Group, User
    from knox.models import AuthToken

    from negotiations.core.roles import EDITOR

    user, _ = User.objects.get_or_create(username="bench-editor")
    user.groups.add(Group.objects.get_or_create(name=EDITOR)[0])
    return AuthToken.objects.create(user=user)[1]


def wsgi_post(body: dict[str, Any], token: str) -> tuple[float, Callable[[], None]]:
    """Seconds until the application returns the response; and its close()."""
    from django.test import RequestFactory

    from negotiations.wsgi import application

    environ = (
        RequestFactory()
        .post(
            "/api/v1/positions/",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        .environ
    )
    status: list[str] = []
    started = time.perf_counter()
    response = application(environ, lambda s, h, *a: status.append(s))
    seconds = time.perf_counter() - started
    if not status or not status[0].startswith("201"):
        raise SystemExit(f"POST answered {status}: {b''.join(response)!r}")
    return seconds, response.close


def floor_insert(body: dict[str, Any], token: str) -> float:
    from proposals.models import Position

    started = time.perf_counter()
    Position.objects.create(
        proposal_id=body["proposal"],
        party_id=body["party"],
        stance=body["stance"],
        stated_on=body["stated_on"],
        quote=body["quote"],
    )
    return time.perf_counter() - started


def post_after(body: dict[str, Any], token: str, closes: list[float]) -> float:
    seconds, close = wsgi_post(body, token)
    started = time.perf_counter()
    close()  # what the server does after sending: the recompute runs here
    closes.append(time.perf_counter() - started)
    return seconds


def post_inside(body: dict[str, Any], token: str) -> float:
    """As before issue 14: the pipeline sees no request, so it recomputes on commit."""
    import proposals.tasks as tasks

    saved = tasks.pending, tasks.defer
    tasks.pending, tasks.defer = (lambda *a: None), (lambda *a: False)  # type: ignore[assignment]
    try:
        seconds, close = wsgi_post(body, token)
    finally:
        tasks.pending, tasks.defer = saved
    close()
    return seconds


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples) * 1000, cuts[94] * 1000


def clean_up() -> int:
    """Delete what the benchmark wrote and flag the proposals it touched for a recompute
    (fresh_statuses does it in one batch)."""
    from django.db import transaction

    from proposals.models import Position, Proposal

    written = Position.objects.filter(quote=MARK)
    proposals = set(written.values_list("proposal_id", flat=True))
    with transaction.atomic():
        deleted = written._raw_delete(written.db)  # type: ignore[attr-defined]  # no signals needed
        Proposal.objects.filter(pk__in=proposals).update(status_stale=True)
    return deleted


def fresh_statuses() -> None:
    """The generator leaves every status stale: compute them first (not timed), so that a
    POST recomputes what one write touches, as on a live database."""
    from proposals.models import Proposal
    from proposals.refresh import refresh_proposals
    from proposals.summaries import negotiation_summary_refresh

    stale = list(Proposal.objects.filter(status_stale=True).values_list("pk", flat=True))
    if not stale:
        return
    print(f"Computing the statuses of {len(stale):,} stale proposals first...", flush=True)
    results = refresh_proposals(proposal_ids=stale)
    for negotiation_id in sorted({r.negotiation_id for r in results if r.negotiation_id}):
        negotiation_summary_refresh(negotiation_id=negotiation_id)


def figures(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The shared format (bench/report.py): the POST as shipped and as before issue 14,
    each against the direct ORM insert; the target is issue 15's (p95 <= 50 ms)."""
    floor = report["floor_p95_ms"]
    return [
        {
            "figure": f"position POST p95 ({label})",
            "value": report[f"{way}_p95_ms"],
            "unit": "ms",
            "floor_name": "the same row inserted through the ORM",
            "floor": floor,
            "ratio": round(report[f"{way}_p95_ms"] / floor, 1),
            "target": target,
            "pass": report[f"{way}_p95_ms"] <= 50 if way == "after" else None,
        }
        for way, label, target in (
            ("after", "as shipped", "value <= 50"),
            ("inside", "recompute inside, before issue 14", "none (for comparison)"),
        )
    ]


def main() -> None:
    open_database()
    clean_up()  # what an interrupted run left
    ensure_synthetic()
    fresh_statuses()
    from django.db import connection

    rng = random.Random(14)
    token = editor_token()
    closes: list[float] = []
    ways: dict[str, Callable[[dict[str, Any], str], float]] = {
        "floor": floor_insert,
        "after": lambda body, token: post_after(body, token, closes),
        "inside": post_inside,
    }
    for body in targets(5, rng):  # warm-up: imports, caches, connections
        post_after(body, token, [])
    closes.clear()
    runs: dict[str, list[tuple[float, float]]] = {way: [] for way in ways}
    order = list(ways)
    print(
        f"Position POSTs on {POSITIONS:,} positions: {REPEATS} x {REQUESTS} per way...",
        flush=True,
    )
    for repeat in range(REPEATS):
        for way in order[repeat % 3 :] + order[: repeat % 3]:
            n = INSIDE_REQUESTS if way == "inside" else REQUESTS
            samples = [ways[way](body, token) for body in targets(n, rng)]
            runs[way].append(percentiles(samples))
    deleted = clean_up()
    fresh_statuses()
    connection.close()

    report: dict[str, Any] = {
        "name": "positions",
        "positions": POSITIONS,
        "requests": REQUESTS,
        "inside_requests": INSIDE_REQUESTS,
        "repeats": REPEATS,
    }
    for way, results in runs.items():
        report[f"{way}_p50_ms"] = round(statistics.median(r[0] for r in results), 2)
        report[f"{way}_p95_ms"] = round(statistics.median(r[1] for r in results), 2)
    report["recompute_after_p50_ms"] = round(statistics.median(closes) * 1000, 2)
    for way in ("after", "inside"):
        report[f"{way}_p50_to_floor"] = round(report[f"{way}_p50_ms"] / report["floor_p50_ms"], 1)
    report["written_and_deleted"] = deleted
    report["figures"] = figures(report)
    print(
        f"\n{'':10}{'p50 ms':>10}{'p95 ms':>10}{'x floor':>10}\n"
        + "\n".join(
            f"{way:10}{report[f'{way}_p50_ms']:>10.1f}{report[f'{way}_p95_ms']:>10.1f}"
            f"{report[f'{way}_p50_ms'] / report['floor_p50_ms']:>10.1f}"
            for way in ways
        )
        + f"\nrecompute after the response (not waited for): p50 "
        f"{report['recompute_after_p50_ms']:.1f} ms"
    )
    out = ROOT / "artifacts" / "bench-positions.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
