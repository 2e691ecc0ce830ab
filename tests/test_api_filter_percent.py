"""A day filter whose value holds a "%" is a clear 400, not a 500 (found by schemathesis:
django-filter %-formats its error messages, and the message quotes the value)."""

import pytest

from tests.api_support import ANALYST, api_env, client_for, make_user  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]


def test_a_day_with_a_percent_sign_is_a_clear_400():
    client = client_for(make_user("ana", ANALYST))
    response = client.get("/api/v1/proposals/", {"tabled_on_before": "%0x5"})
    assert response.status_code == 400, response.content
    assert "%0x5" in str(response.json()["errors"])
