"""Query strings are read as strictly as bodies: a ?limit that is not a few ASCII digits,
or a date filter that is not YYYY-MM-DD within the sane range, is a 400 naming the
parameter, never a 500 and never a guess. The lists and their date filters come from
the OpenAPI schema, so a new one is checked too."""

from __future__ import annotations

import base64

import pytest
from django.core.cache import cache
from drf_spectacular.generators import SchemaGenerator

from tests.api_support import api_env, client_for  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]

HUGE = "9" * 5000


def _query_parameters() -> list[tuple[str, str, dict]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, parameter["name"], parameter.get("schema", {}))
        for path, operations in schema["paths"].items()
        for parameter in operations.get("get", {}).get("parameters", [])
        if parameter["in"] == "query"
    ]


PARAMETERS = _query_parameters()
LISTS = sorted({path for path, name, _ in PARAMETERS if name == "limit"})
DATE_FILTERS = sorted(
    (path, name)
    for path, name, schema in PARAMETERS
    if schema.get("format") == "date" and name.endswith(("_after", "_before"))
)


def test_the_schema_has_lists_and_date_filters_to_check():
    assert len(LISTS) >= 10 and len(DATE_FILTERS) >= 16


def refusal(path: str, query: str, parameter: str) -> str:
    response = client_for().get(path, {parameter: query})
    assert response.status_code == 400, (response.status_code, response.content[:300])
    return " ".join(response.json()["errors"][parameter])


@pytest.mark.parametrize("limit", ["²", "١٢", "３", HUGE, "1e2", "-1", "0", "501"])
@pytest.mark.parametrize("path", LISTS)
def test_a_limit_that_is_not_a_few_ascii_digits_is_a_400(path, limit):
    assert refusal(path, limit, "limit") == "Give a whole number from 1 to 500."


@pytest.mark.parametrize("day", ["06/02/2025", "2025-6-2", "0001-01-01", "2025-06-02T00:00"])
@pytest.mark.parametrize(("path", "parameter"), DATE_FILTERS)
def test_a_date_filter_takes_only_yyyy_mm_dd_in_the_sane_range(path, parameter, day):
    message = refusal(path, day, parameter)
    assert "YYYY-MM-DD" in message or "dates run from 1900-01-01 to 2100-12-31" in message


def test_a_long_wrong_date_is_quoted_back_only_in_part():
    message = refusal("/api/v1/proposals/", HUGE, "tabled_on_after")
    assert message == f"“{'9' * 40}…” is not a date; use YYYY-MM-DD."


@pytest.mark.parametrize(("path", "parameter"), DATE_FILTERS)
def test_a_date_filter_sent_empty_is_refused_not_ignored(path, parameter):
    message = refusal(path, "", parameter)
    assert message == "Empty: give a value, or leave the parameter out."


def test_a_date_filter_still_filters(demo):
    client = client_for()
    every = client.get("/api/v1/proposals/").json()["count"]
    days = sorted(p["tabled_on"] for p in client.get("/api/v1/proposals/").json()["results"])
    response = client.get("/api/v1/proposals/", {"tabled_on_after": days[-1]})
    assert response.status_code == 200
    assert 0 < response.json()["count"] < every or days[0] == days[-1]
    response = client.get("/api/v1/proposals/", {"tabled_on_before": "1900-01-01"})
    assert response.json()["count"] == 0


@pytest.mark.parametrize("path", ["/api/v1/proposals/", "/api/v1/deleted/"])
@pytest.mark.parametrize("pk", ["３", HUGE])
def test_a_cursor_naming_an_id_not_in_a_few_ascii_digits_is_refused(path, pk):
    parts = "2025-06-02T10:00:00+00:00|" + ("proposal|" if "deleted" in path else "") + pk
    token = base64.urlsafe_b64encode(parts.encode()).decode().rstrip("=")
    assert "not one this API gave out" in refusal(path, token, "cursor")


# Already percent-encoded: a superscript two, 5,000 digits, NUL, a lone surrogate's
# invalid UTF-8, a US date.
HOSTILE = ["%C2%B2", HUGE, "%00", "%ED%A0%80", "06%2F02%2F2025"]


def _probe(client, url: str) -> None:
    cache.clear()  # throttles: a probe sends more than a minute's allowance
    response = client.get(url)
    assert response.status_code < 500, url[:200]
    assert response["Content-Type"].startswith("application/json"), url[:200]


@pytest.mark.parametrize("path", sorted({path for path, _, _ in PARAMETERS}))
def test_no_query_parameter_of_any_read_answers_a_5xx(request, path):
    client = client_for()
    names = sorted({name for p, name, _ in PARAMETERS if p == path})
    url = path
    if "{id}" in path:
        request.getfixturevalue("demo")
        first = client.get(path.split("{id}")[0]).json()["results"][0]["id"]
        for hostile in HOSTILE[:2]:
            _probe(client, path.replace("{id}", hostile))
        url = path.replace("{id}", str(first))
    for name in names:
        for hostile in HOSTILE:
            _probe(client, f"{url}?{name}={hostile}")
