"""The login lockout and the token throttle count by the real client's address: the one the
trusted proxy appended to X-Forwarded-For (PARLEY_TRUSTED_PROXIES, read as DRF's
NUM_PROXIES), so a stranger's wrong passwords lock out the stranger, not the user."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from tests.edit_support import PASSWORD, make_user

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # gunicorn's peer: the reverse proxy
ATTACKER = "198.51.100.7"
ALICE = "203.0.113.9"
LIMIT = settings.AXES_FAILURE_LIMIT


def behind(proxies: int) -> override_settings:
    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies})


def via_proxy(forwarded_for: str) -> dict[str, str]:
    """What gunicorn sees: the proxy as peer, the chain it forwarded (its own hop last)."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded_for}


def login_page(password: str, **meta: str) -> int:
    data = {"username": "alice", "password": password}
    return Client().post("/accounts/login/", data, **meta).status_code


def token_api(password: str, **meta: str) -> int:
    data = {"username": "alice", "password": password}
    return (
        Client()
        .post("/api/v1/auth/tokens/", data, content_type="application/json", **meta)
        .status_code
    )


SIGNED_IN = {login_page: 302, token_api: 201}
ENDPOINTS = pytest.mark.parametrize("sign_in", [login_page, token_api], ids=["page", "api"])


@pytest.fixture(autouse=True)
def alice(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed
    cache.clear()  # throttle counters
    return make_user("alice")


@ENDPOINTS
def test_a_strangers_failures_do_not_lock_the_user_out_from_her_own_address(sign_in):
    with behind(1):
        for _ in range(LIMIT + 1):
            sign_in("wrong", **via_proxy(ATTACKER))
        assert sign_in(PASSWORD, **via_proxy(ALICE)) == SIGNED_IN[sign_in]


@ENDPOINTS
def test_the_failures_lock_the_strangers_address_out_for_that_user(sign_in):
    with behind(1):
        for _ in range(LIMIT):
            sign_in("wrong", **via_proxy(ATTACKER))
        assert sign_in(PASSWORD, **via_proxy(ATTACKER)) == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@ENDPOINTS
def test_a_forged_left_most_forwarded_address_does_not_rotate_the_attackers_address(sign_in):
    with behind(1):
        for forged in range(LIMIT):
            sign_in("wrong", **via_proxy(f"192.0.2.{forged}, {ALICE}, {ATTACKER}"))
        assert sign_in(PASSWORD, **via_proxy(f"192.0.2.99, {ATTACKER}")) == 429
        assert sign_in(PASSWORD, **via_proxy(ALICE)) == SIGNED_IN[sign_in]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@ENDPOINTS
def test_without_a_proxy_a_forwarded_for_header_is_ignored(sign_in):
    # Claiming to be Alice's address throttles and locks out only the sender.
    with behind(0):
        for _ in range(10):
            sign_in("wrong", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=ALICE)
        assert sign_in(PASSWORD, REMOTE_ADDR=ALICE) == SIGNED_IN[sign_in]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_the_token_throttle_cannot_be_dodged_with_a_forged_forwarded_for_header():
    def attempt(username: str, forged: str) -> int:
        data = {"username": username, "password": "guess"}
        return (
            Client()
            .post(
                "/api/v1/auth/tokens/",
                data,
                content_type="application/json",
                REMOTE_ADDR=ATTACKER,
                HTTP_X_FORWARDED_FOR=forged,
            )
            .status_code
        )

    codes = [attempt(f"user{n}", f"192.0.2.{n}") for n in range(12)]
    assert codes[-1] == 429


def test_a_forwarded_value_that_is_no_address_falls_back_to_the_peer():
    with behind(1):
        for _ in range(LIMIT):
            login_page("wrong", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="unknown")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_every_address_reader_is_configured_from_one_count():
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.PARLEY_TRUSTED_PROXIES
    assert settings.AXES_CLIENT_IP_CALLABLE == "negotiations.core.accounts.client_address"
