import json
import logging

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database_the_broker_and_the_backlog(client, demo):
    from proposals.models import Proposal

    Proposal.objects.filter(kind="meeting").update(status_stale=True)
    body = client.get("/healthz").json()
    assert body["database"] == {"ok": True}
    assert body["broker"]["ok"] is True  # in-process tasks in the test settings
    assert body["recompute"]["stale_proposals"] == 1
    assert body["status"] == "ok"


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_healthz_says_degraded_but_stays_up_when_the_broker_is_unreachable(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"]["ok"] is False


def test_readyz_is_ready_when_every_migration_is_applied(client, db):
    response = client.get("/readyz")
    assert (response.status_code, response.json()["ready"]) == (200, True)
    assert response.json()["pending_migrations"] == []


def test_every_request_is_logged_with_its_duration_and_query_count(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="parley.requests"):
        client.get("/readyz")
    record = next(r for r in caplog.records if r.name == "parley.requests")
    assert record.fields["path"] == "/readyz"
    assert record.fields["status"] == 200
    assert record.fields["queries"] >= 1
    assert record.fields["duration_ms"] > 0


def test_the_json_formatter_writes_one_json_object_per_line():
    from negotiations.ops.request_log import JsonFormatter

    record = logging.LogRecord("parley.requests", logging.INFO, "", 0, "GET / 200", (), None)
    record.fields = {"path": "/", "status": 200}
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line)["status"] == 200


def test_pages_carry_the_security_headers(client, db):
    response = client.get("/readyz")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
