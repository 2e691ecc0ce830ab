"""A user's API tokens: a new password revokes them; /accounts/tokens/ lists, mints and
revokes the user's own, and no one else's."""

from __future__ import annotations

import datetime
import re
import threading

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.checks import Tags, run_checks
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection, transaction
from django.test import Client
from knox.models import AuthToken

from negotiations.core.tokens import token_create
from tests.edit_support import EDITOR, PASSWORD, client_as, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def tokens_of(user: User) -> list[str]:
    return list(AuthToken.objects.filter(user=user).values_list("token_key", flat=True))


def mint(user: User) -> str:
    token, _ = AuthToken.objects.create(user=user)
    return token.token_key


def test_a_password_change_revokes_the_users_tokens_and_keeps_the_session():
    eddie, other = make_user("eddie", EDITOR), make_user("other", EDITOR)
    mint(eddie), mint(eddie)
    kept = mint(other)
    client = client_as(eddie)
    changed = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "n3w-pass-phrase",
            "new_password2": "n3w-pass-phrase",
        },
    )
    assert changed.status_code == 302
    assert tokens_of(eddie) == []
    assert tokens_of(other) == [kept]
    assert client.get("/accounts/tokens/").status_code == 200  # still signed in


def test_a_password_reset_revokes_the_users_tokens():
    eddie = make_user("eddie", EDITOR)
    eddie.email = "eddie@example.org"
    eddie.save()
    mint(eddie)
    client = Client()
    client.post("/accounts/password/reset/", {"email": "eddie@example.org"})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+)", mail.outbox[0].body)
    assert link is not None
    form_url = client.get(link.group(1)).url
    done = client.post(
        form_url, {"new_password1": "fresh-pass-42", "new_password2": "fresh-pass-42"}
    )
    assert done.status_code == 302
    assert tokens_of(eddie) == []


def test_the_admins_password_form_revokes_the_users_tokens(admin_client):
    eddie = make_user("eddie", EDITOR)
    mint(eddie)
    changed = admin_client.post(
        f"/admin/auth/user/{eddie.pk}/password/",
        {"password1": "fresh-pass-42", "password2": "fresh-pass-42", "usable_password": "true"},
    )
    assert changed.status_code == 302
    assert tokens_of(eddie) == []


def test_the_page_lists_only_the_users_own_tokens_and_never_a_secret():
    eddie, other = make_user("eddie", EDITOR), make_user("other", EDITOR)
    mine, secret = AuthToken.objects.create(user=eddie)
    theirs = mint(other)
    page = client_as(eddie).get("/accounts/tokens/").content.decode()
    assert mine.token_key in page
    assert theirs not in page
    assert secret not in page


def test_the_page_needs_a_login():
    response = Client().get("/accounts/tokens/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_new_token_is_shown_once_and_signs_in_to_the_api():
    eddie = make_user("eddie", EDITOR)
    client = client_as(eddie)
    page = client.post("/accounts/tokens/", {"days": "30"}).content.decode()
    secret = re.search(r"<code>(\w{20,})</code>", page)
    assert secret is not None
    me = Client().get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {secret.group(1)}")
    assert me.json()["username"] == "eddie"
    assert secret.group(1) not in client.get("/accounts/tokens/").content.decode()


def test_no_token_is_minted_past_the_limit():
    eddie = make_user("eddie", EDITOR)
    for _ in range(20):
        mint(eddie)
    page = client_as(eddie).post("/accounts/tokens/", {}).content.decode()
    assert "already has 20 tokens; revoke one first" in page
    assert len(tokens_of(eddie)) == 20


def test_a_token_is_revoked_from_the_page():
    eddie = make_user("eddie", EDITOR)
    gone, kept = mint(eddie), mint(eddie)
    client = client_as(eddie)
    response = client.post(f"/accounts/tokens/{gone}/revoke/")
    assert response.status_code == 302
    assert tokens_of(eddie) == [kept]
    assert "revoked" in client.get("/accounts/tokens/").content.decode()


def test_another_users_token_cannot_be_revoked():
    eddie, other = make_user("eddie", EDITOR), make_user("other", EDITOR)
    theirs = mint(other)
    assert client_as(eddie).post(f"/accounts/tokens/{theirs}/revoke/").status_code == 404
    assert tokens_of(other) == [theirs]


def test_revoke_all_leaves_other_users_tokens():
    eddie, other = make_user("eddie", EDITOR), make_user("other", EDITOR)
    mint(eddie), mint(eddie)
    theirs = mint(other)
    assert client_as(eddie).post("/accounts/tokens/revoke-all/").status_code == 302
    assert tokens_of(eddie) == []
    assert tokens_of(other) == [theirs]


def test_revoking_takes_a_post_with_the_csrf_token():
    eddie = make_user("eddie", EDITOR)
    key = mint(eddie)
    client = Client(enforce_csrf_checks=True)
    client.force_login(eddie)
    assert client.get(f"/accounts/tokens/{key}/revoke/").status_code == 405
    assert client.post(f"/accounts/tokens/{key}/revoke/").status_code == 403
    assert client.post("/accounts/tokens/revoke-all/").status_code == 403
    assert tokens_of(eddie) == [key]


def test_a_password_set_outside_any_view_revokes_the_tokens_too():
    # What manage.py changepassword and a shell do.
    eddie = make_user("eddie", EDITOR)
    mint(eddie)
    eddie.set_password("another-long-password-2")
    eddie.save()
    assert tokens_of(eddie) == []


def test_the_system_check_fails_without_the_revoking_validator(settings):
    assert not [m for m in run_checks(tags=[Tags.security]) if m.id == "parley.E001"]
    settings.AUTH_PASSWORD_VALIDATORS = [
        v for v in settings.AUTH_PASSWORD_VALIDATORS if "RevokeTokens" not in v["NAME"]
    ]
    with pytest.raises(SystemCheckError, match="would not revoke the user's API tokens"):
        call_command("check")


def expired(user: User) -> str:
    token, _ = AuthToken.objects.create(user=user, expiry=datetime.timedelta(days=-1))
    return token.token_key


def test_expired_tokens_neither_count_toward_the_limit_nor_show_as_live():
    eddie = make_user("eddie", EDITOR)
    old = [expired(eddie) for _ in range(20)]
    client = client_as(eddie)
    page = client.post("/accounts/tokens/", {}).content.decode()
    assert "revoke one first" not in page and re.search(r"<code>(\w{20,})</code>", page)
    page = client.get("/accounts/tokens/").content.decode()
    assert not any(key in page for key in old)
    listed = client.get("/api/v1/auth/tokens/").json()
    assert len(listed) == 1 and listed[0]["token_key"] not in old


@pytest.mark.django_db(transaction=True)
def test_two_tokens_minted_at_once_stop_at_the_limit():
    eddie = make_user("eddie", EDITOR)
    for _ in range(19):
        mint(eddie)
    outcome = []

    def second() -> None:
        try:
            token_create(user=eddie)
            outcome.append("created")
        except ValidationError:
            outcome.append("refused")
        finally:
            connection.close()

    with transaction.atomic():
        token_create(user=eddie)
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=1)  # without the lock, the second one is minted meanwhile
    thread.join()
    assert outcome == ["refused"]
    assert len(tokens_of(eddie)) == 20
