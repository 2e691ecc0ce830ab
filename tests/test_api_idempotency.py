"""`Idempotency-Key` on every POST of the API (negotiations/ops/idempotency.py): a repeat
replays the first answer and writes nothing, a reused key with another request is refused,
keys are per user, kept 24 hours, and two concurrent requests with one key write once."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from knox.models import AuthToken

from negotiations.models import IdempotentRequest
from negotiations.ops.idempotency import idempotency_keys_expire, reserve
from parties.models import Party
from proposals.models import Position, Proposal, Source
from tests.api_support import EDITOR, api_env, client_for, make_user  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]
DAY = "2025-06-02"
KEY = "5f0c1c0e-7c1a-4f8e-9a53-2f6f0d7b9a10"


@pytest.fixture
def editor():
    return client_for(make_user("eddie", EDITOR))


def post(client: Any, url: str, body: dict[str, Any], key: str | None = KEY) -> Any:
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(url, body, format="json", **headers)


def position_body(negotiation, parties) -> dict[str, Any]:
    proposal = Proposal.objects.create(negotiation=negotiation, title="Ceasefire", kind="ceasefire")
    return {
        "proposal": proposal.pk,
        "party": parties["ru"].pk,
        "stance": "rejects",
        "stated_on": DAY,
    }


RESOURCES = {
    "positions": (Position, position_body),
    "sources": (Source, lambda n, p: {"url": "https://example.org/a", "title": "A report"}),
    "parties": (Party, lambda n, p: {"name": "Moldova", "kind": "state"}),
    "proposals": (
        Proposal,
        lambda n, p: {"negotiation": n.pk, "title": "Talks", "kind": "meeting", "tabled_on": DAY},
    ),
}


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_a_repeat_replays_the_first_answer_and_writes_nothing(
    resource, negotiation, parties, editor
):
    model, body_of = RESOURCES[resource]
    body = body_of(negotiation, parties)
    first = post(editor, f"/api/v1/{resource}/", body)
    assert first.status_code == 201, first.content
    count = model.objects.count()

    again = post(editor, f"/api/v1/{resource}/", body)

    assert again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    for header in ("Content-Type", "ETag", "Location"):
        assert again.get(header) == first.get(header)
    assert model.objects.count() == count
    assert IdempotentRequest.objects.count() == 1


def test_without_a_key_a_repeat_writes_again(negotiation, parties, editor):
    body = position_body(negotiation, parties)
    post(editor, "/api/v1/positions/", body, key=None)
    post(editor, "/api/v1/positions/", body, key=None)
    assert Position.objects.count() == 2
    assert not IdempotentRequest.objects.exists()


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(negotiation, parties, editor):
    body = position_body(negotiation, parties)
    assert post(editor, "/api/v1/positions/", body).status_code == 201

    other = post(editor, "/api/v1/positions/", {**body, "stance": "accepts"})
    elsewhere = post(editor, "/api/v1/sources/", {"url": "https://example.org/b", "title": "B"})

    for response in (other, elsewhere):
        assert response.status_code == 422
        assert response.json()["code"] == "idempotency_key_reused"
    assert Position.objects.count() == 1
    assert not Source.objects.exists()


def test_keys_are_per_user(negotiation, parties, editor):
    body = position_body(negotiation, parties)
    other_editor = client_for(make_user("edna", EDITOR))
    assert post(editor, "/api/v1/positions/", body).status_code == 201
    second = post(other_editor, "/api/v1/positions/", body)
    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert Position.objects.count() == 2


@pytest.mark.parametrize("key", ["", "ключ", "a\tb", "x" * 256])
def test_a_malformed_key_is_a_400_and_nothing_is_written(key, negotiation, parties, editor):
    response = post(editor, "/api/v1/positions/", position_body(negotiation, parties), key=key)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert "printable ASCII" in response.json()["detail"]
    assert not Position.objects.exists()
    assert not IdempotentRequest.objects.exists()


def test_the_longest_key_is_accepted(negotiation, parties, editor):
    key = "k" * 255
    response = post(editor, "/api/v1/positions/", position_body(negotiation, parties), key=key)
    assert response.status_code == 201
    assert IdempotentRequest.objects.get().key == key


def test_an_expired_key_runs_again_and_the_beat_task_deletes_it(negotiation, parties, editor):
    body = position_body(negotiation, parties)
    start = datetime.datetime.now(datetime.UTC)

    def at(hours: float) -> Any:
        return time_machine.travel(start + datetime.timedelta(hours=hours), tick=False)

    with at(0):
        assert post(editor, "/api/v1/positions/", body).status_code == 201
    with at(23.9):
        assert post(editor, "/api/v1/positions/", body)["Idempotent-Replayed"] == "true"
        assert idempotency_keys_expire() == 0
    with at(24.1):
        again = post(editor, "/api/v1/positions/", body)
        assert again.status_code == 201
        assert "Idempotent-Replayed" not in again
        assert Position.objects.count() == 2
    with at(48.2):
        assert idempotency_keys_expire() == 1
    assert not IdempotentRequest.objects.exists()


def test_a_final_4xx_is_replayed_and_one_that_depends_on_the_moment_is_not(
    negotiation, parties, editor
):
    body = position_body(negotiation, parties)
    bad = post(editor, "/api/v1/positions/", {**body, "stance": "maybe"})
    assert bad.status_code == 400
    assert (
        post(editor, "/api/v1/positions/", {**body, "stance": "maybe"})["Idempotent-Replayed"]
        == "true"
    )

    analyst_user = make_user("anna")
    analyst = client_for(analyst_user)
    assert post(analyst, "/api/v1/positions/", body, key="k2").status_code == 403
    from django.contrib.auth.models import Group

    analyst_user.groups.add(Group.objects.get(name=EDITOR))
    assert post(analyst, "/api/v1/positions/", body, key="k2").status_code == 201
    assert Position.objects.count() == 1


def test_a_key_left_by_a_crashed_request_runs_the_request(negotiation, parties, editor):
    """A crash between the reservation and the commit leaves the row without a response
    (the write rolled back with it): the retry runs."""
    body = position_body(negotiation, parties)
    user_id = AuthToken.objects.get().user_id
    reserve(f"user:{user_id}", KEY, "fingerprint of the crashed attempt")
    response = post(editor, "/api/v1/positions/", body)
    assert response.status_code == 201
    assert Position.objects.count() == 1


def test_a_token_is_minted_once_and_its_secret_is_never_stored(db):
    make_user("eddie", EDITOR)
    anonymous = client_for()
    body = {"username": "eddie", "password": "a-long-test-password"}
    first = post(anonymous, "/api/v1/auth/tokens/", body)
    assert first.status_code == 201
    assert first["Cache-Control"] == "no-store"
    secret = first.json()["token"]

    again = post(anonymous, "/api/v1/auth/tokens/", body)

    assert again.status_code == 409
    assert again.json()["code"] == "idempotency_not_replayable"
    assert AuthToken.objects.count() == 1
    stored = IdempotentRequest.objects.get()
    assert stored.body is None
    assert secret.encode() not in repr(list(IdempotentRequest.objects.values())).encode()
    assert "a-long-test-password" not in stored.fingerprint


def test_the_schema_documents_the_header_on_every_post(editor):
    schema = client_for().get("/api/schema/?format=json").json()
    posts = [
        (path, operations["post"])
        for path, operations in schema["paths"].items()
        if "post" in operations
    ]
    assert len(posts) > 10
    for path, operation in posts:
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert "Idempotency-Key" in names, path
        assert "422" in operation["responses"], path


# ----- real concurrency: separate connections, real commits


@pytest.mark.django_db(transaction=True)
def test_a_repeat_while_the_first_still_runs_is_told_to_retry(negotiation, parties):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("eddie", password="a-long-test-password")
    user.groups.add(Group.objects.get_or_create(name=EDITOR)[0])
    client = client_for(user)
    body = position_body(negotiation, parties)
    post(client, "/api/v1/positions/", body, key="warm-up")
    pk = IdempotentRequest.objects.get().pk
    IdempotentRequest.objects.filter(pk=pk).update(status_code=None, key=KEY)

    held, release = threading.Event(), threading.Event()

    def first_request_running() -> None:
        with transaction.atomic():
            list(IdempotentRequest.objects.select_for_update().filter(pk=pk))
            held.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=first_request_running)
    thread.start()
    try:
        assert held.wait(10)
        response = post(client, "/api/v1/positions/", body)
    finally:
        release.set()
        thread.join()
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_use"
    assert response["Retry-After"] == "1"
    assert Position.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_write_once(negotiation, parties):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("eddie", password="a-long-test-password")
    user.groups.add(Group.objects.get_or_create(name=EDITOR)[0])
    body = position_body(negotiation, parties)
    token = client_for(user)._credentials["HTTP_AUTHORIZATION"]
    rounds = 4
    statuses: list[tuple[int, bool]] = []
    for attempt in range(rounds):
        barrier = threading.Barrier(2)

        def send(key: str = f"race-{attempt}", barrier: threading.Barrier = barrier) -> None:
            client = client_for()
            client.credentials(HTTP_AUTHORIZATION=token)
            barrier.wait(10)
            response = post(client, "/api/v1/positions/", body, key=key)
            statuses.append((response.status_code, response.has_header("Idempotent-Replayed")))
            connection.close()

        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert Position.objects.count() == rounds
    fresh = [s for s in statuses if s == (201, False)]
    assert len(fresh) == rounds, statuses
    assert all(s in {(201, False), (201, True), (409, False)} for s in statuses), statuses
