"""Every API endpoint, walked from the URL conf (every route, every method it answers),
refuses a query parameter it does not read with a 400 naming it and listing the ones it
takes; and takes every parameter its OpenAPI operation documents (negotiations/api/strict.py).
A view added later is walked too, so it cannot slip through lenient."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.views import APIView

from negotiations.api.strict import EMPTY_PARAMETER
from tests.api_support import api_env, client_for  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]

METHODS = ("get", "post", "patch", "put", "delete")


def _patterns(patterns: list, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            found.append((prefix + str(pattern.pattern), pattern))
    return found


def _methods(callback: Any) -> list[str]:
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a viewset route: the methods it maps
        return sorted(m for m in actions if m in METHODS)
    view = callback.cls
    return sorted(m for m in METHODS if hasattr(view, m))


def _endpoints() -> list[tuple[str, str]]:
    """(path with {placeholders}, method) of every API route of the URL conf."""
    endpoints = []
    for route, pattern in _patterns(get_resolver().url_patterns):
        view = getattr(pattern.callback, "cls", None)
        if not route.startswith("api/") or view is None or not issubclass(view, APIView):
            continue
        placeholders = {name: f"{{{name}}}" for name in pattern.pattern.regex.groupindex}
        path = unquote(reverse(pattern.name, kwargs=placeholders))
        endpoints += [(path.replace("{pk}", "{id}"), m) for m in _methods(pattern.callback)]
    return sorted(set(endpoints))


ENDPOINTS = _endpoints()


def _documented() -> dict[tuple[str, str], dict[str, Any]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (path, method): {
            p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"
        }
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in METHODS
    }


DOCUMENTED = _documented()


def test_the_walk_finds_every_kind_of_endpoint():
    paths = {path for path, _ in ENDPOINTS}
    assert {
        "/api/v1/proposals/",
        "/api/v1/proposals/{id}/",
        "/api/v1/proposals/{id}/history/",
        "/api/v1/negotiations/{id}/matrix/",
        "/api/v1/deleted/",
        "/api/v1/auth/tokens/",
        "/api/v1/auth/tokens/{token_key}/",
        "/api/v1/auth/me/",
        "/api/v1/",
        "/api/schema/",
    } <= paths
    assert len(ENDPOINTS) >= 70


def url_of(path: str) -> str:
    """A real id where the path takes one (the checks come before the item is read)."""
    return path.replace("{id}", "1").replace("{token_key}", "abcdef12")


def accepted_in(message: str) -> list[str]:
    listed = message.split("it takes: ", 1)[1].split(".", 1)[0]
    return listed.split(", ")


def call(method: str, url: str):
    client = client_for()
    send = getattr(client, method)
    return send(url, format="json") if method in ("post", "patch", "put") else send(url)


@pytest.mark.parametrize(("path", "method"), ENDPOINTS)
def test_an_unknown_parameter_is_a_400_naming_it_and_listing_those_taken(path, method):
    response = call(method, f"{url_of(path)}?bogus=1")
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == ["bogus"]
    (message,) = body["errors"]["bogus"]
    assert message.startswith("This endpoint has no parameter “bogus”; it takes: ")
    accepted = accepted_in(message)
    assert "format" in accepted and "bogus" not in accepted
    if (path, method) not in DOCUMENTED:
        assert path in ("/api/v1/", "/api/schema/", "/api/docs/")  # the index and the docs
        return
    documented = set(DOCUMENTED[(path, method)])
    # What the schema documents is taken, and nothing is taken that it does not document.
    assert documented <= set(accepted), documented - set(accepted)
    assert set(accepted) - {"format"} <= documented, set(accepted) - documented


def _documented_parameters() -> list[tuple[str, str, str, Any]]:
    return [
        (path, method, name, parameter.get("example", "1"))
        for (path, method), parameters in sorted(DOCUMENTED.items())
        for name, parameter in sorted(parameters.items())
        if (path, method) in set(ENDPOINTS)
    ]


@pytest.mark.parametrize(("path", "method", "name", "example"), _documented_parameters())
def test_every_documented_parameter_is_taken(path, method, name, example):
    value = ",".join(map(str, example)) if isinstance(example, list) else example
    value = str(value).lower() if isinstance(value, bool) else value
    response = call(method, f"{url_of(path)}?{name}={value}")
    assert response.status_code < 500
    if response.status_code == 400:
        assert "has no parameter" not in " ".join(response.json()["errors"].get(name, []))


def test_a_near_miss_is_pointed_at_the_parameter_meant():
    response = client_for().get("/api/v1/proposals/?negotation=3")
    (message,) = response.json()["errors"]["negotation"]
    assert message.endswith("Did you mean “negotiation”?")


def test_a_list_filter_is_not_taken_by_the_detail():
    response = client_for().get("/api/v1/parties/1/?kind=state")
    assert response.status_code == 400
    assert "it takes: format." in response.json()["errors"]["kind"][0]


def test_as_of_is_taken_only_where_it_is_read(demo):
    client = client_for()
    one = client.get("/api/v1/proposals/").json()["results"][0]["id"]
    assert (
        "is not a date"
        in client.get(f"/api/v1/proposals/{one}/?as_of=x").json()["errors"]["as_of"][0]
    )
    assert "as_of" in accepted_in(client.get("/api/v1/rounds/1/?b=1").json()["errors"]["b"][0])
    refused = client.get("/api/v1/proposals/?as_of=2025-06-02").json()["errors"]["as_of"][0]
    assert "has no parameter" in refused


def test_every_unknown_and_every_empty_parameter_is_named_at_once():
    response = client_for().get("/api/v1/proposals/?bogus=1&other=2&limit=&cursor=")
    errors = response.json()["errors"]
    assert set(errors) == {"bogus", "other", "limit", "cursor"}
    assert errors["limit"] == errors["cursor"] == [EMPTY_PARAMETER]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/negotiations/1/matrix/?as_of=",
        "/api/v1/negotiations/1/matrix/?terms=",
        "/api/v1/deleted/?since=",
        "/api/v1/deleted/?type=",
        "/api/v1/proposals/?format=",
        "/api/v1/auth/tokens/?user=",
    ],
)
def test_a_parameter_of_any_endpoint_sent_empty_is_refused(url):
    response = client_for().get(url)
    name = url.split("?")[1].rstrip("=")
    assert response.status_code == 400
    assert response.json()["errors"] == {name: [EMPTY_PARAMETER]}


@pytest.mark.parametrize("value", ["maybe", "yes", "ture"])
def test_a_flag_that_is_neither_true_nor_false_is_refused(demo, value):
    client = client_for()
    for url in (f"/api/v1/negotiations/{demo.pk}/matrix/?terms=", "/api/v1/proposals/?stale="):
        response = client.get(url + value)
        assert response.status_code == 400, url
        name = url.split("?")[1].rstrip("=")
        assert response.json()["errors"][name] == ["Give true or false."]


def test_a_flag_still_switches(demo):
    client = client_for()
    with_terms = client.get(f"/api/v1/negotiations/{demo.pk}/matrix/?terms=TRUE").json()
    without = client.get(f"/api/v1/negotiations/{demo.pk}/matrix/?terms=false").json()
    assert any(c["term"] for c in with_terms["columns"])
    assert not any(c["term"] for c in without["columns"])


def test_a_write_with_an_unknown_parameter_writes_nothing(parties):
    from tests.api_support import EDITOR, make_user

    editor = client_for(make_user("eddie", EDITOR))
    response = editor.post("/api/v1/parties/?dry_runn=1", {"name": "Somewhere"}, format="json")
    assert response.status_code == 400
    assert "dry_runn" in response.json()["errors"]
    assert not type(parties["ru"]).objects.filter(name="Somewhere").exists()
