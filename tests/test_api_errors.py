"""Every error under /api/ is the API's JSON shape, even those DRF never sees; pages get
pages. This module is also the URL conf of its 500 and 403 tests: the site's routes plus
views that fail, and the site's own error handlers."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.test import Client, override_settings
from django.urls import include, path
from rest_framework.test import APIClient
from rest_framework.views import APIView

from negotiations import urls as site_urls
from parties.services import party_create
from tests.api_support import (
    ANALYST,
    EDITOR,
    api_env,  # noqa: F401
    client_for,
    etag_of,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]

SECRET = "an-internal-detail-no-client-should-see"
LIMIT = 2_621_440
TOKENS = "/api/v1/auth/tokens/"


def _crash(request):
    raise RuntimeError(SECRET)


def _forbidden(request):
    raise PermissionDenied


class _CrashingView(APIView):
    permission_classes: list = []

    def get(self, request):
        raise RuntimeError(SECRET)


class _ConflictingView(APIView):
    permission_classes: list = []

    def get(self, request):
        raise IntegrityError("duplicate key value violates unique constraint")


urlpatterns = [
    path("api/v1/crash/", _CrashingView.as_view()),
    path("api/v1/conflict/", _ConflictingView.as_view()),
    path("api/v1/crash-outside-drf/", _crash),
    path("api/v1/forbidden/", _forbidden),
    path("crash/", _crash),
    path("", include("negotiations.urls")),
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500
failing_urls = override_settings(ROOT_URLCONF=__name__)


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response.headers["Content-Type"] == "application/json", response.content[:300]
    body = response.json()
    assert set(body) <= {"status", "code", "detail", "errors", "current_version"}
    assert body["status"] == status
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["detail"], str) and body["detail"]
    if code is not None:
        assert body["code"] == code
    return body


def post_raw(body: bytes | str, url: str = TOKENS, client=None, **extra):
    return (client or Client()).post(url, body, content_type="application/json", **extra)


@pytest.mark.parametrize("depth", [33, 900, 1_000, 5_000])
def test_deep_nesting_is_a_400_naming_the_bound_not_a_500(depth):
    for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        detail = assert_error(post_raw(body), 400, "parse_error")["detail"]
        assert "nest deeper than 32 levels" in detail


def test_a_body_nested_as_deep_as_the_bound_is_parsed():
    body = '{"username": "nobody", "password": "x", "deep":' + "[" * 31 + "]" * 31 + "}"
    assert post_raw(body).status_code == 401  # parsed, then the password is checked


def test_a_body_over_the_limit_is_a_413_naming_the_limit():
    body = '{"username": "' + "a" * LIMIT + '", "password": "x"}'
    detail = assert_error(post_raw(body), 413, "too_large")["detail"]
    assert "2.5 MiB" in detail and "2,621,440 bytes" in detail


def test_an_editor_write_over_the_limit_is_a_413_and_writes_nothing():
    editor = client_for(make_user("eddie", EDITOR))
    body = '{"name": "' + "a" * 10 * 1_048_576 + '"}'
    response = editor.post("/api/v1/parties/", body, content_type="application/json")
    assert_error(response, 413, "too_large")


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b'{"username": "\xff\xfe", "password": "x"}', "UTF-8"),
        (b'{"username": "\xed\xa0\x80", "password": "x"}', "UTF-8"),  # an encoded surrogate
        (b'{"username": "\\ud800", "password": "x"}', "surrogate"),
        (b'{"username": "nobody", "password": ', "unexpected end"),
        (b"\xef\xbb\xbf{}", "BOM"),
        (b'{"a": NaN}', "line 1"),
    ],
)
def test_bodies_that_are_not_json_in_utf_8_are_a_400_naming_the_problem(body, named):
    detail = assert_error(post_raw(body), 400, "parse_error")["detail"]
    assert named in detail


def test_a_nul_character_is_a_400_naming_where_it_is():
    body = '{"username": "nobody", "password": "x", "extra": {"list": ["ok", "a\\u0000b"]}}'
    assert assert_error(post_raw(body), 400, "invalid")["errors"] == {
        "extra.list[1]": ["Remove the NUL character (\\u0000)."]
    }
    assert_error(post_raw('{"na\\u0000me": 1}'), 400, "parse_error")


def test_json_in_another_charset_is_refused():
    response = Client().post(
        TOKENS, b'{"username": "x"}', content_type="application/json; charset=latin-1"
    )
    assert "UTF-8" in assert_error(response, 400, "parse_error")["detail"]


def test_an_unknown_api_address_is_a_json_404():
    for url in ("/api/v1/nothing-here/", "/api/nothing", "/api/v1/parties/1/nope/"):
        detail = assert_error(Client().get(url), 404, "not_found")["detail"]
        assert "/api/schema/" in detail


def test_an_unknown_page_is_the_sites_404_page():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"Nothing here" in response.content


def test_a_request_django_refuses_is_a_json_400_under_api_and_a_page_elsewhere():
    assert_error(Client().get("/api/v1/parties/", HTTP_HOST="evil.example"), 400, "bad_request")
    response = Client().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert b"This request could not be read" in response.content


def test_the_statuses_drf_answers_have_the_same_shape(db):
    anonymous, analyst = APIClient(), client_for(make_user("ana", ANALYST))
    editor = client_for(make_user("eddie", EDITOR))
    party = party_create(name="Somewhere", short_name="Somewhere", slug="somewhere")
    url = f"/api/v1/parties/{party.pk}/"
    assert_error(anonymous.post("/api/v1/parties/", {"name": "x"}, format="json"), 401)
    assert_error(analyst.post("/api/v1/parties/", {"name": "x"}, format="json"), 403)
    assert_error(editor.put(url, {"name": "x"}, format="json"), 405, "method_not_allowed")
    assert_error(editor.get(url, HTTP_ACCEPT="application/xml"), 406, "not_acceptable")
    assert_error(editor.patch(url, {"name": "x"}, format="json"), 428)
    assert_error(editor.patch(url, {"name": "x"}, format="json", HTTP_IF_MATCH='"v99"'), 412)
    assert etag_of(editor.get(url))
    response = editor.post("/api/v1/parties/", "name=x", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")
    assert_error(editor.get("/api/v1/parties/?format=xml"), 400, "invalid")
    assert_error(editor.get("/api/v1/parties/?bogus=1"), 400, "invalid")
    assert_error(editor.get(f"/api/v1/parties/{party.pk + 1000}/"), 404, "not_found")
    assert_error(editor.get("/api/v1/parties/?format=csv&bogus=1"), 400, "invalid")


def test_throttled_token_requests_are_a_json_429(db):
    codes = [post_raw("{}").status_code for _ in range(10)]  # counted; no password to hash
    assert 429 not in codes
    assert_error(post_raw("{}"), 429, "throttled")


@failing_urls
@pytest.mark.parametrize("url", ["/api/v1/crash/", "/api/v1/crash-outside-drf/"])
def test_an_unexpected_exception_is_a_json_500_logged_with_no_traceback(url, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = Client(raise_request_exception=False).get(url)
    body = assert_error(response, 500, "server_error")
    assert SECRET not in response.content.decode() and "Traceback" not in body["detail"]
    assert any(r.exc_info and SECRET in str(r.exc_info[1]) for r in caplog.records)


@failing_urls
def test_a_page_that_fails_is_the_sites_500_page():
    response = Client(raise_request_exception=False).get("/crash/")
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"Something went wrong on the server" in response.content
    assert SECRET.encode() not in response.content


@failing_urls
def test_a_conflict_the_database_reports_is_a_json_409_without_its_words():
    body = assert_error(Client().get("/api/v1/conflict/"), 409, "conflict")
    assert "duplicate key" not in body["detail"]


@failing_urls
def test_permission_denied_outside_drf_is_a_json_403():
    assert_error(Client().get("/api/v1/forbidden/"), 403, "permission_denied")


def test_a_form_over_the_limit_is_a_413_page_saying_the_draft_is_kept(db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("eddie", EDITOR))
    token = client.get("/edit/rounds/new/").context["csrf_token"]
    response = client.post(
        "/edit/rounds/new/", {"csrfmiddlewaretoken": token, "title": "a" * (LIMIT + 1)}
    )
    assert response.status_code == 413
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"draft is kept in this browser" in response.content
    assert b"2.5 MiB" in response.content
