"""Schemathesis against the live schema, in-process (WSGI): every read operation as an
anonymous client, every write with an editor's token. Zero server errors, zero responses
that disagree with the schema; the number of generated cases is printed at the end."""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_support import (
    EDITOR,
    api_env,  # noqa: F401
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = {"reads": 10, "writes": 15}
CASES = {"count": 0}
WRITES_PER_PATH: dict[str, int] = {}  # the writes fuzzed, per path (the outcome endpoint too)

app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)


class _CaseCountReport:
    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.write_line(f"schemathesis: {CASES['count']} generated cases")
        outcome = WRITES_PER_PATH.get("/api/v1/rounds/outcome/", 0)
        terminalreporter.write_line(f"schemathesis: {outcome} cases of POST /rounds/outcome/")


@pytest.fixture(scope="module", autouse=True)
def _report_the_number_of_cases(request):
    # Like Django's test client: keep the test transaction's connection open between
    # the requests the WSGI app serves.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    request.config.pluginmanager.register(_CaseCountReport(), "schemathesis-case-count")


@pytest.fixture
def editor_token(demo):
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user=make_user("fuzzer", EDITOR))
    return token


@pytest.fixture(autouse=True)
def _no_write_throttling(monkeypatch):
    from negotiations.api.permissions import WriteThrottle

    cache.clear()
    monkeypatch.setattr(
        WriteThrottle, "THROTTLE_RATES", {**WriteThrottle.THROTTLE_RATES, "writes": "100000/min"}
    )


@schema.include(method="GET").exclude(path_regex="^/api/v1/auth/").parametrize()
@settings(
    max_examples=EXAMPLES["reads"],
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_reads_never_fail_and_match_the_schema(case, demo):
    CASES["count"] += 1
    case.call_and_validate(checks=CHECKS)


@(
    schema.include(method=["POST", "PATCH", "DELETE"])
    .exclude(path_regex="^/api/v1/auth/")
    .parametrize()
)
@settings(
    max_examples=EXAMPLES["writes"],
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_writes_by_an_editor_never_fail_and_match_the_schema(case, editor_token):
    CASES["count"] += 1
    WRITES_PER_PATH[case.path] = WRITES_PER_PATH.get(case.path, 0) + 1
    case.headers = {**(case.headers or {}), "Authorization": f"Token {editor_token}"}
    case.call_and_validate(checks=CHECKS)
