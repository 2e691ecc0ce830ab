"""Schemathesis' stateful phase: sequences of calls by an editor (create, read, edit,
delete, with the links schemathesis infers between operations), each response checked
against the schema. Bounded by PARLEY_STATEFUL_EXAMPLES scenarios (default 25)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from werkzeug.test import Client

from tests.api_support import EDITOR, api_env, make_user  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]

app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
SCENARIOS = int(os.environ.get("PARLEY_STATEFUL_EXAMPLES", "25"))
TOKEN: dict[str, str] = {}


@schema.auth(refresh_interval=None)
class EditorToken:
    """The editor's knox token, sent as schemathesis' explicit auth: its checks then also
    replay calls without it and with a wrong one, and expect 401."""

    def get(self, case, context):
        return TOKEN["value"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


@pytest.fixture(autouse=True)
def _one_connection_for_every_request():
    """Like Django's test client: the WSGI app keeps the test transaction's connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_an_editor_s_call_sequences_never_fail_and_match_the_schema(demo, monkeypatch):
    from knox.models import AuthToken

    from negotiations.api.permissions import WriteThrottle

    cache.clear()
    monkeypatch.setattr(
        WriteThrottle, "THROTTLE_RATES", {**WriteThrottle.THROTTLE_RATES, "writes": "100000/min"}
    )
    _, TOKEN["value"] = AuthToken.objects.create(user=make_user("stateful", EDITOR))
    calls: list[str] = []
    client = Client(app)  # werkzeug's: Django's would close the test's connection after

    # Not /auth/: revoking its own token would end the scenario (tested in test_accounts).
    machine = schema.exclude(path_regex="^/api/v1/auth/").as_state_machine()

    class Editor(machine):  # type: ignore[misc,valid-type]
        def setup(self):
            # Each scenario starts from the same data: hypothesis replays scenarios and
            # expects the same answers to the same calls.
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)
            cache.clear()

        def before_call(self, case):
            # An edit or a delete names the version it read, as a client does: read the
            # item first and send its ETag (a made-up If-Match is the stateless tests' job).
            if case.method in {"PATCH", "PUT", "DELETE"}:
                read = client.get(
                    case.formatted_path, headers={"Authorization": f"Token {TOKEN['value']}"}
                )
                if "ETag" in read.headers:
                    case.headers = {**(case.headers or {}), "If-Match": read.headers["ETag"]}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # Every check but "schema-valid data is accepted": a schema cannot say which ids
            # exist, so a made-up party id rightly gets 400.
            case.validate_response(
                response,
                excluded_checks=[positive_data_acceptance],
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

        def after_call(self, response, case):
            super().after_call(response, case)
            calls.append(f"{case.method} {case.path} {response.status_code}")

    Editor.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    print(f"stateful: {len(calls)} calls in {SCENARIOS} scenarios")
    assert calls
