"""Who may do what: anonymous readers, analysts, editors, admins; tokens; throttling."""

import pytest
from django.test import override_settings
from knox.models import AuthToken
from rest_framework.test import APIClient

from proposals.models import Proposal
from tests.api_support import (
    ADMIN,
    ANALYST,
    EDITOR,
    api_env,  # noqa: F401
    client_for,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]

WRITES = [
    ("post", "/api/v1/parties/", {"name": "Somebody"}),
    ("post", "/api/v1/sources/", {"title": "A report"}),
    ("patch", "/api/v1/proposals/{memorandum}/", {"summary": "x"}),
    ("delete", "/api/v1/positions/{position}/?reason=test", None),
]


@pytest.fixture
def ids(demo):
    memorandum = Proposal.objects.get(kind="memorandum")
    return {"memorandum": memorandum.pk, "position": memorandum.positions.last().pk}


def attempt(client, method, url, payload, ids):
    return getattr(client, method)(url.format(**ids), payload, format="json", HTTP_IF_MATCH='"v1"')


@pytest.mark.parametrize(("method", "url", "payload"), WRITES)
def test_anonymous_writes_are_refused_with_401(ids, method, url, payload):
    response = attempt(client_for(None), method, url, payload, ids)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("role", [None, ANALYST])
@pytest.mark.parametrize(("method", "url", "payload"), WRITES)
def test_readers_and_analysts_cannot_write(ids, method, url, payload, role):
    user = make_user("reader", *([role] if role else []))
    response = attempt(client_for(user), method, url, payload, ids)
    assert response.status_code == 403
    assert "editor role" in response.json()["detail"]


@pytest.mark.parametrize("role", [EDITOR, ADMIN])
@pytest.mark.parametrize(("method", "url", "payload"), WRITES)
def test_editors_and_admins_write(ids, method, url, payload, role):
    response = attempt(client_for(make_user("writer", role)), method, url, payload, ids)
    assert response.status_code in (200, 201, 204), response.content


def test_a_superuser_is_an_admin(ids):
    from django.contrib.auth.models import User

    boss = User.objects.create_superuser("boss", password="x")
    response = attempt(client_for(boss), *WRITES[0], ids)
    assert response.status_code == 201


def test_session_auth_works_for_the_browser_and_checks_csrf(ids):
    make_user("eddie", EDITOR, password="pw-for-eddie-123")
    browser = APIClient(enforce_csrf_checks=True)
    assert browser.login(username="eddie", password="pw-for-eddie-123")
    assert browser.get("/api/v1/auth/me/").json()["can_write"] is True
    refused = browser.post("/api/v1/sources/", {"title": "x"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]


def test_anyone_reads_when_public_read_is_on(ids):
    assert client_for(None).get("/api/v1/proposals/").status_code == 200


@override_settings(PARLEY_PUBLIC_READ=False)
def test_without_public_read_only_roles_read(ids):
    assert client_for(None).get("/api/v1/proposals/").status_code == 401
    assert client_for(make_user("nobody")).get("/api/v1/proposals/").status_code == 403
    assert client_for(make_user("ana", ANALYST)).get("/api/v1/proposals/").status_code == 200


def test_exports_need_the_analyst_role(ids):
    assert client_for(None).get("/api/v1/proposals/?format=csv").status_code == 401
    assert client_for(make_user("nobody")).get("/api/v1/proposals/?format=csv").status_code == 403
    analyst = client_for(make_user("ana", ANALYST))
    assert analyst.get("/api/v1/proposals/?format=csv").status_code == 200


# --------------------------------------------------------------------------- tokens


def test_a_client_gets_a_token_with_its_password_and_uses_it(db):
    make_user("bot", ANALYST, password="pw-for-bot-123456")
    client = APIClient()
    wrong = client.post(
        "/api/v1/auth/tokens/", {"username": "bot", "password": "nope"}, format="json"
    )
    assert wrong.status_code == 401
    created = client.post(
        "/api/v1/auth/tokens/",
        {"username": "bot", "password": "pw-for-bot-123456", "days": 7},
        format="json",
    )
    assert created.status_code == 201
    token = created.json()["token"]
    assert token not in {t.digest for t in AuthToken.objects.all()}  # stored hashed
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/auth/me/").json()
    assert (me["username"], me["roles"], me["can_export"]) == ("bot", ["analyst"], True)
    listed = client.get("/api/v1/auth/tokens/").json()
    assert [t["token_key"] for t in listed] == [created.json()["token_key"]]
    revoked = client.delete(f"/api/v1/auth/tokens/{created.json()['token_key']}/")
    assert revoked.status_code == 204
    assert client.get("/api/v1/auth/me/").status_code == 401


def test_users_cannot_touch_others_tokens_but_admins_can(db):
    alice, bob = make_user("alice", EDITOR), make_user("bob", EDITOR)
    _, bob_token = AuthToken.objects.create(user=bob)
    bob_key = AuthToken.objects.get(user=bob).token_key
    as_alice = client_for(alice)
    assert as_alice.delete(f"/api/v1/auth/tokens/{bob_key}/").status_code == 404
    alice_signed_in = APIClient()
    alice_signed_in.force_login(alice)
    forged = alice_signed_in.post("/api/v1/auth/tokens/", {"user": "bob"}, format="json")
    assert forged.status_code == 403
    root = make_user("root", ADMIN)
    admin = client_for(root)
    root_signed_in = APIClient()
    root_signed_in.force_login(root)
    for_bob = root_signed_in.post("/api/v1/auth/tokens/", {"user": "bob"}, format="json")
    assert for_bob.status_code == 201 and for_bob.json()["user"] == "bob"
    assert len(admin.get("/api/v1/auth/tokens/?user=bob").json()) == 2
    assert admin.delete(f"/api/v1/auth/tokens/{bob_key}/").status_code == 204


def test_a_token_cannot_mint_new_tokens_without_the_password(db):
    alice = make_user("alice", EDITOR, password="pw-for-alice-123456")
    with_token = client_for(alice)
    assert with_token.post("/api/v1/auth/tokens/", {}, format="json").status_code == 401
    again = with_token.post(
        "/api/v1/auth/tokens/",
        {"username": "alice", "password": "pw-for-alice-123456"},
        format="json",
    )
    assert again.status_code == 201


def test_token_creation_is_throttled(db):
    make_user("bot", password="pw-for-bot-123456")
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/auth/tokens/", {"username": "bot", "password": "guess"}, format="json"
        ).status_code
        for _ in range(12)
    ]
    assert codes[0] == 401
    assert set(codes) == {401, 429}  # django-axes per account, then the API's own throttle
    assert codes[-1] == 429


def test_writes_are_throttled_per_user(ids):
    from negotiations.api.permissions import WriteThrottle

    editor = client_for(make_user("eddie", EDITOR))
    original = WriteThrottle.THROTTLE_RATES
    WriteThrottle.THROTTLE_RATES = {**original, "writes": "3/minute"}
    try:
        codes = [
            editor.post("/api/v1/sources/", {"title": f"r{i}"}, format="json").status_code
            for i in range(4)
        ]
    finally:
        WriteThrottle.THROTTLE_RATES = original
    assert codes == [201, 201, 201, 429]
