"""In-process mode: a write answers before the statuses are recomputed; the recompute runs
from the response's close(), which the WSGI server calls once the response is sent
(issue 14, item 4). Real commits (transaction=True), so on-commit callbacks run where
they do in production: inside the request."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.test import RequestFactory
from knox.models import AuthToken

from negotiations.core.after_response import defer, in_request
from negotiations.core.roles import EDITOR
from negotiations.wsgi import application
from proposals.models import Position, Proposal
from proposals.services import position_record
from tests.api_support import api_env, client_for  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("api_env")]
DAY = datetime.date(2025, 6, 2)


@pytest.fixture
def token():
    user = User.objects.create_user("eddie", password="a-long-test-password")
    user.groups.add(Group.objects.get_or_create(name=EDITOR)[0])
    return AuthToken.objects.create(user=user)[1]


@pytest.fixture
def proposal(negotiation, parties) -> Proposal:
    from proposals.services import proposal_create

    with transaction.atomic():
        created = proposal_create(
            negotiation=negotiation,
            tabling_parties=[parties["ua"]],
            title="Unconditional ceasefire",
            kind="ceasefire",
            tabled_on=DAY,
        )
    created.refresh_from_db()
    assert not created.status_stale
    return created


def position_post(proposal: Proposal, party_id: int, token: str):
    """The environ a WSGI server hands the application for a position POST."""
    body = {
        "proposal": proposal.pk,
        "party": party_id,
        "stance": "rejects",
        "stated_on": DAY.isoformat(),
    }
    request = RequestFactory().post(
        "/api/v1/positions/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    return request.environ


def test_the_response_is_returned_before_the_recompute_and_close_runs_it(proposal, parties, token):
    started: list[str] = []
    response = application(
        position_post(proposal, parties["ru"].pk, token), lambda *a: started.append(a[0])
    )
    assert started == ["201 Created"]
    # The response is ready to send: the write is committed, the status not yet redone.
    assert Position.objects.filter(proposal=proposal, stance="rejects").exists()
    proposal.refresh_from_db()
    assert proposal.status_stale is True
    assert proposal.status != "rejected"

    response.close()  # what the WSGI server does once the last byte went out

    proposal.refresh_from_db()
    assert proposal.status_stale is False
    assert proposal.status == "rejected"


def test_the_test_client_sees_fresh_statuses_once_the_post_returns(proposal, parties, token):
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post(
        "/api/v1/positions/",
        {
            "proposal": proposal.pk,
            "party": parties["ru"].pk,
            "stance": "rejects",
            "stated_on": DAY.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["proposal"] == proposal.pk
    proposal.refresh_from_db()
    assert (proposal.status, proposal.status_stale) == ("rejected", False)


def test_outside_a_request_the_recompute_runs_at_commit_as_before(proposal, parties):
    assert not in_request()
    with transaction.atomic():
        position_record(proposal=proposal, party=parties["ru"], stance="rejects", stated_on=DAY)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.status_stale) == ("rejected", False)


def test_a_failing_job_is_logged_and_the_next_one_still_runs(caplog):
    from negotiations.core.after_response import AfterResponse

    done: list[str] = []
    scope = AfterResponse()
    scope.jobs["broken"] = lambda: 1 / 0
    scope.jobs["fine"] = lambda: done.append("fine")
    scope.run()
    assert done == ["fine"]
    assert "After-response job 'broken' failed" in caplog.text


def test_defer_outside_a_request_asks_the_caller_to_do_the_work():
    assert defer("anything", lambda: None) is False
