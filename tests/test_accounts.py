"""Accounts: logging in and out, password change and reset, brute-force lockout,
create_editor, and who sees and reaches the editor pages."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from negotiations.models import Participation
from proposals.models import ImplementationEvent, Position, ProposalLink, Term
from tests.edit_support import ANALYST, EDITOR, PASSWORD, client_as, make_user

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def test_an_editor_logs_in_and_lands_on_the_editor_home(db):
    make_user("eddie", EDITOR)
    client = Client()
    response = login(client, "eddie")
    assert response.status_code == 302 and response["Location"] == "/edit/"
    assert "Record a round" in client.get("/edit/").content.decode()


def test_a_wrong_password_says_so_and_keeps_the_username(db):
    make_user("eddie", EDITOR)
    page = login(Client(), "eddie", "nope").content.decode()
    assert "Please enter a correct username and password" in page
    assert 'value="eddie"' in page


def test_the_login_is_locked_after_repeated_failures_for_that_user_and_address(db):
    make_user("eddie", EDITOR)
    make_user("other", EDITOR)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "eddie", "wrong")
    locked = login(client, "eddie")  # even the right password
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    assert login(Client(), "other").status_code == 302  # others are not locked out


def test_a_successful_login_resets_the_failure_count(db):
    make_user("eddie", EDITOR)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "eddie", "wrong")
    assert login(client, "eddie").status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "eddie", "wrong")
    assert login(client, "eddie").status_code == 302


def test_logging_out_takes_a_post_and_ends_the_session(db):
    client = client_as(make_user("eddie", EDITOR))
    assert client.get("/edit/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/edit/").status_code == 403


def test_a_password_is_changed_with_the_old_one(db):
    user = make_user("eddie", EDITOR)
    client = client_as(user)
    wrong = client.post(
        "/accounts/password/change/",
        {
            "old_password": "x",
            "new_password1": "n3w-pass-phrase",
            "new_password2": "n3w-pass-phrase",
        },
    )
    assert "Your old password was entered incorrectly" in wrong.content.decode()
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "n3w-pass-phrase",
            "new_password2": "n3w-pass-phrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("n3w-pass-phrase")


def test_a_password_reset_mails_a_link_that_sets_a_new_password(db):
    user = make_user("eddie", EDITOR)
    user.email = "eddie@example.org"
    user.save()
    client = Client()
    assert (
        client.post("/accounts/password/reset/", {"email": "eddie@example.org"}).status_code == 302
    )
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "Your Parley password"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+)", mail.outbox[0].body)
    form_url = client.get(link.group(1)).url  # Django swaps the token for a session marker
    done = client.post(
        form_url, {"new_password1": "fresh-pass-42", "new_password2": "fresh-pass-42"}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("fresh-pass-42")


def test_development_mails_go_to_the_console():
    from negotiations import settings as project_settings

    if not project_settings.PRODUCTION:
        assert project_settings.EMAIL_BACKEND.endswith("console.EmailBackend")


def test_session_cookies_are_http_only_and_same_site():
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_AGE <= 60 * 60 * 24


def test_create_editor_makes_an_editor(db):
    out = io.StringIO()
    call_command(
        "create_editor",
        "nina",
        "--email",
        "n@example.org",
        "--password",
        "s3cret-words",
        stdout=out,
    )
    nina = User.objects.get(username="nina")
    assert nina.check_password("s3cret-words") and nina.email == "n@example.org"
    assert list(nina.groups.values_list("name", flat=True)) == [EDITOR]
    assert "Created nina, an editor." in out.getvalue()


def test_create_editor_promotes_an_existing_user(db):
    make_user("ana", ANALYST)
    call_command("create_editor", "ana", stdout=io.StringIO())
    assert set(User.objects.get(username="ana").groups.values_list("name", flat=True)) == {
        ANALYST,
        EDITOR,
    }


def test_create_editor_refuses_a_weak_password(db):
    with pytest.raises(CommandError, match="Password refused"):
        call_command("create_editor", "nina", "--password", "123", stdout=io.StringIO())
    assert not User.objects.filter(username="nina").exists()


def test_create_editor_asks_for_a_password_only_in_a_terminal(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="Give --password"):
        call_command("create_editor", "nina", stdout=io.StringIO())


# --- who reaches the editor pages ------------------------------------------------------


def edit_urls(demo) -> list[str]:
    proposal = demo.proposals.get(title="Russian memorandum on a settlement")
    term = Term.objects.filter(proposal=proposal).first()
    round_ = demo.rounds.get()
    position = Position.objects.filter(proposal=proposal).first()
    participation = Participation.objects.filter(negotiation=demo).first()
    urls = [
        "/edit/",
        "/edit/rounds/new/",
        f"/edit/rounds/{round_.pk}/",
        f"/edit/proposals/{proposal.pk}/",
        f"/edit/proposals/{proposal.pk}/withdraw/",
        f"/edit/proposals/{proposal.pk}/link/",
        f"/edit/positions/{position.pk}/correct/",
        f"/edit/position/{position.pk}/delete/",
        f"/edit/term/{term.pk}/delete/",
        f"/edit/proposal/{proposal.pk}/",
        f"/edit/term/{term.pk}/",
        f"/edit/round/{round_.pk}/",
        f"/edit/negotiation/{demo.pk}/",
        f"/edit/participation/{participation.pk}/",
        f"/edit/source/{proposal.sources.first().pk}/",
        f"/edit/party/{proposal.tabling_party_list()[0].pk}/",
        f"/edit/history/proposals.Proposal/{proposal.pk}/",
        "/edit/changes/",
    ]
    assert not ImplementationEvent.objects.exists() and not ProposalLink.objects.exists()
    return urls


@pytest.mark.parametrize("role", [None, ANALYST])
def test_anonymous_visitors_and_analysts_get_403_on_every_edit_url(demo, role):
    client = client_as(make_user("someone", role) if role else None)
    positions = Position.objects.count()
    for url in edit_urls(demo):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"reason": "x"}).status_code == 403, url
    assert Position.objects.count() == positions


def test_the_403_page_offers_a_login_to_anonymous_visitors(db):
    page = Client().get("/edit/").content.decode()
    assert "Editors only" in page and "/accounts/login/?next=/edit/" in page


@pytest.mark.parametrize("role", [None, ANALYST])
def test_readers_see_no_edit_control(demo, role):
    client = client_as(make_user("someone", role) if role else None)
    proposal = demo.proposals.get(title="Russian memorandum on a settlement")
    for url in ["/", f"/proposals/{proposal.pk}/", "/negotiations/russia-ukraine-istanbul-2025/"]:
        page = client.get(url).content.decode()
        assert "/edit/" not in page, url
    assert ("Log in" in page) is (role is None)


def test_editors_get_an_edit_link_for_the_page_they_read(demo):
    client = client_as(make_user("eddie", EDITOR))
    proposal = demo.proposals.get(title="Russian memorandum on a settlement")
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert f'href="/edit/proposals/{proposal.pk}/"' in page and "Log out eddie" in page
    round_page = client.get("/negotiations/russia-ukraine-istanbul-2025/rounds/2/").content
    assert f'href="/edit/rounds/{demo.rounds.get().pk}/"'.encode() in round_page
    for url in edit_urls(demo):
        assert client.get(url).status_code == 200, url
