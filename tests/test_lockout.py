"""The login lockout and the throttles count by the real client's address: the one the
trusted proxy appended to X-Forwarded-For (PARLEY_TRUSTED_PROXIES, believed only from a peer
in PARLEY_PROXY_NETWORKS), so a stranger's wrong passwords lock out the stranger, not the
user (negotiations/core/clients.py)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from rest_framework.request import Request

from negotiations.api.permissions import AuthThrottle, WriteThrottle
from negotiations.core.clients import client_address
from tests.edit_support import PASSWORD, make_user

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # gunicorn's peer: the reverse proxy
ATTACKER = "198.51.100.7"
ALICE = "203.0.113.9"
LIMIT = settings.AXES_FAILURE_LIMIT


def behind(proxies: int) -> override_settings:
    return override_settings(PARLEY_TRUSTED_PROXIES=proxies)


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


def test_a_forwarded_value_that_is_no_address_falls_back_to_the_peer(caplog):
    with behind(1):
        login_page("wrong", **via_proxy("unknown"))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}
    assert "'unknown' is no IP address" in caplog.text


def test_a_peer_that_is_no_proxy_is_the_client_whatever_it_forwards():
    with behind(1):
        login_page("wrong", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=ALICE)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_the_token_throttle_cannot_be_dodged_by_changing_the_port():
    with behind(1):
        codes = [token_api("wrong", **via_proxy(f"{ATTACKER}:{40000 + n}")) for n in range(11)]
    assert codes[-1] == 429


def address(remote_addr: str, forwarded_for: str | None = None) -> str | None:
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client_address(RequestFactory().get("/", **meta))


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("198.51.100.7:5678", "198.51.100.7"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("[::ffff:198.51.100.7]:443", "198.51.100.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::"),
        ("[2001:db8:1:2::1]", "2001:db8:1:2::"),
        ("[2001:db8:1:2::1]:443", "2001:db8:1:2::"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::"),  # the same /64
    ],
)
def test_a_forwarded_address_counts_without_its_port_and_ipv6_by_its_64(forwarded, client):
    with behind(1):
        assert address(PROXY, f"192.0.2.1, {forwarded}") == client


def test_the_peer_counts_the_same_way():
    with behind(0):
        assert address("::ffff:198.51.100.7") == "198.51.100.7"
        assert address("2001:db8:1:2::9") == "2001:db8:1:2::"


@pytest.mark.parametrize("peer", [PROXY, "127.0.0.1", "::1", "172.16.5.5", "fd00::5"])
def test_forwarded_for_is_believed_from_a_proxy_network(peer):
    with behind(1):
        assert address(peer, ALICE) == ALICE


@pytest.mark.parametrize("peer", [ATTACKER, "172.32.0.1", "2001:db8::5"])
def test_forwarded_for_is_ignored_from_any_other_peer(peer):
    with behind(1):
        assert address(peer, ALICE) == client_address(RequestFactory().get("/", REMOTE_ADDR=peer))


def test_the_proxy_networks_are_configurable():
    import ipaddress

    with behind(1), override_settings(PARLEY_PROXY_NETWORKS=[ipaddress.ip_network("192.0.2.0/24")]):
        assert address("192.0.2.10", ALICE) == ALICE
        assert address(PROXY, ALICE) == PROXY


def test_a_chain_shorter_than_the_proxies_counts_the_peer(caplog):
    with behind(2):
        assert address(PROXY, ALICE) == PROXY
    assert "fewer than PARLEY_TRUSTED_PROXIES=2" in caplog.text


@pytest.mark.parametrize("throttle", [AuthThrottle, WriteThrottle])
def test_the_throttles_count_clients_as_the_lockout_does(throttle):
    request = RequestFactory().post(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="[2001:db8::1]:443"
    )
    with behind(1):
        assert throttle().get_ident(Request(request)) == "2001:db8::"
    assert settings.AXES_CLIENT_IP_CALLABLE == "negotiations.core.clients.client_address"


def login_as(username: str, password: str, url: str = "/accounts/login/", **meta: str):
    return Client().post(url, {"username": username, "password": password}, **meta)


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_one_address_trying_many_usernames_is_stopped(settings, url):
    settings.PARLEY_LOGIN_RATE = "3/hour"
    for name in ["bob", "carol", "dave"]:
        assert login_as(name, "guess", url, REMOTE_ADDR=ATTACKER).status_code == 200
    refused = login_as("alice", PASSWORD, url, REMOTE_ADDR=ATTACKER)
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert "Too many failed logins from your address" in refused.content.decode()
    assert login_as("alice", PASSWORD, REMOTE_ADDR=ALICE).status_code == 302


def test_logins_that_work_do_not_count_toward_the_address_rate(settings):
    settings.PARLEY_LOGIN_RATE = "1/hour"
    for _ in range(2):
        assert login_as("alice", PASSWORD, REMOTE_ADDR=ALICE).status_code == 302
