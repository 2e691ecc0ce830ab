"""Ratification steps through the API (issue 12, point 4): CRUD with If-Match, clear 400s,
and the proposal's status and `ratification` field following the steps."""

import datetime

import pytest

from proposals.models import Proposal, RatificationStep, Stance
from proposals.services import (
    position_record,
    proposal_create,
    ratification_step_create,
    ratification_step_update,
    term_create,
)
from tests.api_support import EDITOR, api_env, client_for, etag_of, make_user  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]
DAY = datetime.date(2025, 6, 2)


@pytest.fixture
def editor():
    return client_for(make_user("eddie", EDITOR))


@pytest.fixture
def agreed(negotiation, parties, django_capture_on_commit_callbacks) -> Proposal:
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_create(
            negotiation=negotiation, title="Settlement plan", kind="political", tabled_on=DAY
        )
        term_create(proposal=proposal, text="A federal state")
        for party in ("ru", "ua"):
            position_record(
                proposal=proposal, party=parties[party], stance=Stance.ACCEPTS, stated_on=DAY
            )
    proposal.refresh_from_db()
    assert proposal.status == "agreed"
    return proposal


def _detail(editor, proposal, **params):
    response = editor.get(f"/api/v1/proposals/{proposal.pk}/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_step_is_created_decided_and_deleted(agreed, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = editor.post(
            "/api/v1/ratification-steps/",
            {
                "proposal": agreed.pk,
                "body_kind": "electorate",
                "body_name": "Greek Cypriot electorate",
            },
            format="json",
        )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["ordinal"], body["outcome"], body["decided_on"]) == (1, "pending", None)
    detail = _detail(editor, agreed)
    assert (detail["status"], detail["ratification"]) == ("agreed", "pending")
    assert detail["status_reason"] == "agreed; ratification pending: Greek Cypriot electorate"
    assert [s["body_name"] for s in detail["ratification_steps"]] == ["Greek Cypriot electorate"]

    url = f"/api/v1/ratification-steps/{body['id']}/"
    with django_capture_on_commit_callbacks(execute=True):
        decided = editor.patch(
            url,
            {"outcome": "rejected", "decided_on": "2025-06-03", "share_for": "24.17"},
            format="json",
            HTTP_IF_MATCH=etag_of(created),
        )
    assert decided.status_code == 200, decided.content
    detail = _detail(editor, agreed)
    assert (detail["status"], detail["ratification"]) == ("rejected", "rejected")
    assert detail["status_reason"] == (
        "rejected in the referendum of 2025-06-03 (Greek Cypriot electorate, 75.83 % against)"
    )
    as_of = _detail(editor, agreed, as_of="2025-06-02")
    assert (as_of["status"], as_of["ratification"]) == ("agreed", "pending")
    listed = editor.get("/api/v1/proposals/", {"negotiation": agreed.negotiation_id}).json()
    assert listed["results"][0]["ratification"] == "rejected"

    stale = editor.patch(url, {"note": "x"}, format="json", HTTP_IF_MATCH=etag_of(created))
    assert stale.status_code == 412
    with django_capture_on_commit_callbacks(execute=True):
        gone = editor.delete(f"{url}?reason=Entered%20twice")
    assert gone.status_code == 204
    assert not RatificationStep.objects.exists()
    assert _detail(editor, agreed)["status"] == "agreed"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"outcome": "approved"}, "decided_on"),
        ({"decided_on": "2025-06-03"}, "decided_on"),
        ({"outcome": "approved", "decided_on": "2999-01-01"}, "decided_on"),
        ({"share_for": "101"}, "share_for"),
        ({"body_kind": "oracle"}, "body_kind"),
    ],
)
def test_a_wrong_step_is_a_clear_400(agreed, editor, fields, field):
    response = editor.post(
        "/api/v1/ratification-steps/",
        {"proposal": agreed.pk, "body_kind": "parliament", "body_name": "Parliament", **fields},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not RatificationStep.objects.exists()


def test_steps_are_filtered_by_proposal(agreed, negotiation, editor):
    other = proposal_create(negotiation=negotiation, title="Other", kind="political")
    for proposal in (agreed, other):
        editor.post(
            "/api/v1/ratification-steps/",
            {"proposal": proposal.pk, "body_kind": "court", "body_name": "Court"},
            format="json",
        )
    found = editor.get("/api/v1/ratification-steps/", {"proposal": agreed.pk}).json()
    assert [row["proposal"] for row in found["results"]] == [agreed.pk]


def test_the_history_and_the_page_show_the_steps(
    agreed, editor, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        step = ratification_step_create(
            proposal=agreed,
            body_kind="parliament",
            body_name="Verkhovna Rada",
            outcome="approved",
            decided_on=datetime.date(2025, 6, 3),
            votes_for=300,
            votes_against=20,
        )
        ratification_step_update(step=step, note="Second reading")
    events = editor.get(f"/api/v1/proposals/{agreed.pk}/history/").json()["events"]
    decided = [e for e in events if e["type"] == "ratification"]
    assert [(e["date"], e["status"], e["note"]) for e in decided] == [
        ("2025-06-03", "approved", "Verkhovna Rada")
    ]
    edits = [e for e in events if e["type"] == "edited" and e["subject"] == "ratification_step"]
    assert [e["action"] for e in edits] == ["created", "changed"]
    page = client.get(f"/proposals/{agreed.pk}/").content.decode()
    assert "Ratification: approved" in page
    assert "Verkhovna Rada" in page and "300 for, 20 against" in page
