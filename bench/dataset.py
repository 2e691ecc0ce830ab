"""The benchmarks' synthetic database: a separate database on the configured server
(`BENCH_DB_NAME`, default parley_bench), filled by proposals/synthetic.py with
`BENCH_POSITIONS` positions (seed `BENCH_SEED`) once, and reused while size and seed match.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSITIONS = int(os.environ.get("BENCH_POSITIONS", "1000000"))
SEED = int(os.environ.get("BENCH_SEED", "1"))
DB_NAME = os.environ.get("BENCH_DB_NAME", "parley_bench")


def open_database() -> None:
    """Point Django at the benchmark database (created if missing) and migrate it."""
    import psycopg

    os.environ["PARLEY_DB_NAME"] = DB_NAME
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "negotiations.settings")
    import django
    from django.conf import settings

    django.setup()
    db = settings.DATABASES["default"]
    params = dict(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_synthetic() -> None:
    """Generate the synthetic set unless the database already holds it."""
    from django.core.management import call_command
    from django.db import connection

    from proposals.models import Position, Proposal
    from proposals.synthetic import generate

    marker = f"synthetic-talks-s{SEED}-"
    have = Position.objects.count()
    if have == POSITIONS and Proposal.objects.filter(negotiation__slug__startswith=marker).exists():
        return
    print(f"Generating {POSITIONS:,} positions (seed {SEED}); found {have:,}...", flush=True)
    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    counts = generate(positions=POSITIONS, seed=SEED)
    print(
        f"  generated in {time.perf_counter() - started:.1f}s: {counts.negotiations} "
        f"negotiations, {counts.proposals:,} proposals, {counts.terms:,} terms, "
        f"{counts.events:,} ledger entries",
        flush=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
