"""What each middleware costs a request: a trivial view behind the full MIDDLEWARE list,
behind none, and behind the list without each one in turn (anonymous GET of a page
path, the same with an API token header, and an API GET), in this process, with the
production settings' middleware and DEBUG off. Prints microseconds per request and
database queries per request; not part of `make bench` (no target), a tool.

    DATABASE_URL=postgresql://... python bench/middleware.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "negotiations.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("PARLEY_LOG_REQUESTS", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory, override_settings  # noqa: E402
from django.urls import path  # noqa: E402


def ok(request):
    return HttpResponse("ok")


urlpatterns = [path("page/", ok), path("api/v1/thing/", ok)]
NEEDS_SESSIONS = {
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "negotiations.core.access.PageAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "negotiations.ops.idempotency.IdempotencyMiddleware",
    "axes.middleware.AxesMiddleware",
}
N = int(os.environ.get("BENCH_MW_REQUESTS", "2000"))
CASES = {
    "anonymous page GET": ("/page/", {}),
    "page GET with a token header": ("/page/", {"HTTP_AUTHORIZATION": "Token abc"}),
    "API GET": ("/api/v1/thing/", {"HTTP_ACCEPT": "application/json"}),
}


def measure(middleware: list[str], url: str, extra: dict[str, str]) -> tuple[float, float]:
    with override_settings(MIDDLEWARE=middleware, ROOT_URLCONF=__name__):
        handler = WSGIHandler()
        factory = RequestFactory()
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        samples = []
        with connection.execute_wrapper(count):
            for _ in range(5):
                started = time.perf_counter()
                for _ in range(N):
                    environ = factory.get(url, secure=True, **extra).environ
                    response = handler(environ, lambda status, headers: None)
                    response.close()
                samples.append((time.perf_counter() - started) / N * 1e6)
        return statistics.median(samples), queries / (5 * N)


def connection_cost(n: int = 60) -> tuple[float, float]:
    """Milliseconds for a request's first query on a new connection (what CONN_MAX_AGE=0
    pays every request) and on a kept one (health check included), interleaved."""
    new, kept = [], []
    for _ in range(n):
        connection.close()
        started = time.perf_counter()
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        new.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        connection.health_check_done = False
        connection.close_if_health_check_failed()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        kept.append((time.perf_counter() - started) * 1000)
    return statistics.median(new), statistics.median(kept)


def main() -> None:
    new, kept = connection_cost()
    print(f"first query: on a new connection {new:.2f} ms, on a kept one {kept:.2f} ms")
    full = list(settings.MIDDLEWARE)
    for case, (url, extra) in CASES.items():
        base, _ = measure([], url, extra)
        total, queries = measure(full, url, extra)
        print(f"\n{case}: no middleware {base:.0f} us, all {total:.0f} us ({queries:.2f} q)")
        for name in full:
            # Authentication and what reads the user need the sessions: left out together.
            gone = {name} | (NEEDS_SESSIONS if name.endswith("SessionMiddleware") else set())
            without, q = measure([m for m in full if m not in gone], url, extra)
            print(f"  {total - without:7.0f} us {queries - q:5.2f} q  {name}")


if __name__ == "__main__":
    main()
