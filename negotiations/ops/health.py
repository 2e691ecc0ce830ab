"""/healthz (is it alive, and how far behind are statuses?) and /readyz (may it serve?)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _public(error: Exception) -> str:
    """What a probe may say about a failure: the details go to the log, not the world."""
    logger.warning("health check failed: %s", error)
    return type(error).__name__ if settings.PRODUCTION else str(error).splitlines()[0]


def _database() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as error:  # noqa: BLE001 - reported, not raised
        return {"ok": False, "error": _public(error)}


def _broker() -> dict[str, object]:
    if not settings.CELERY_BROKER_URL:
        return {"ok": True, "mode": "in-process (no broker configured)"}
    from negotiations.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=0, timeout=1)
        return {"ok": True, "mode": "redis"}
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "mode": "redis", "error": _public(error)}


def _backlog() -> dict[str, object]:
    from django.db.models import Count, Min

    from proposals.models import Proposal

    row = Proposal.objects.filter(status_stale=True).aggregate(
        stale=Count("pk"), oldest=Min("status_stale_since")
    )
    oldest = row["oldest"]
    return {
        "stale_proposals": row["stale"],
        "oldest_stale_seconds": round((timezone.now() - oldest).total_seconds())
        if oldest
        else None,
    }


def _status_audit() -> dict[str, object]:
    from proposals.audit import last_audit

    return last_audit()


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers; the broker, the backlog and the last status audit
    are reported, so a dead broker shows here without taking the site down (writes still
    succeed)."""
    database = _database()
    broker = _broker()
    body: dict[str, object] = {"database": database, "broker": broker}
    if database["ok"]:
        body["recompute"] = _backlog()
        body["status_audit"] = _status_audit()
    body["status"] = (
        "ok" if database["ok"] and broker["ok"] else ("degraded" if database["ok"] else "down")
    )
    return JsonResponse(body, status=200 if database["ok"] else 503)


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 once the database answers and every migration is applied."""
    database = _database()
    pending: list[str] = []
    if database["ok"]:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        pending = [f"{m.app_label}.{m.name}" for m, _ in plan]
    ready = database["ok"] and not pending
    return JsonResponse(
        {"ready": ready, "database": database, "pending_migrations": pending},
        status=200 if ready else 503,
    )
