"""GET /api/v1/proposals/{id}/history/: one chronological list of what happened."""

import pytest

from proposals.models import Proposal, Term
from proposals.services import implementation_event_record
from tests.api_support import (
    ANALYST,
    EDITOR,
    api_env,  # noqa: F401
    client_for,
    etag_of,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_once", "api_env")]


def history(client, proposal_id):
    response = client.get(f"/api/v1/proposals/{proposal_id}/history/")
    assert response.status_code == 200, response.content
    return response.json()["events"]


def test_the_history_merges_positions_status_changes_and_edits_in_order(demo):
    memorandum = Proposal.objects.get(kind="memorandum")
    events = history(client_for(None), memorandum.pk)
    types = {e["type"] for e in events}
    assert {"position", "status_changed", "edited"} <= types
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    rejection = next(e for e in events if e["type"] == "position" and e["stance"] == "rejects")
    assert rejection["source"]["title"]
    change = next(e for e in events if e["type"] == "status_changed" and e["term"] is None)
    assert change["status"] == "rejected"
    assert change["reason"]
    term_change = next(e for e in events if e["type"] == "status_changed" and e["term"])
    assert "Ukraine" in term_change["reason"]
    assert term_change["source"] is not None
    created = next(e for e in events if e["type"] == "edited" and e["subject"] == "proposal")
    assert created["action"] == "created"
    assert all(set(e) == set(events[0]) for e in events)


def test_an_edit_through_the_api_shows_who_changed_which_fields(demo):
    editor = client_for(make_user("eddie", EDITOR))
    memorandum = Proposal.objects.get(kind="memorandum")
    url = f"/api/v1/proposals/{memorandum.pk}/"
    read = editor.get(url)
    editor.patch(url, {"text_status": "leaked"}, format="json", HTTP_IF_MATCH=etag_of(read))
    edit = [
        e
        for e in history(editor, memorandum.pk)
        if e["type"] == "edited" and e["action"] == "changed"
    ][-1]
    assert edit["user"] == "eddie"
    assert edit["changes"] == {"text_status": ["official", "leaked"]}
    assert edit["at"] is not None


def test_a_deleted_position_stays_in_the_history_with_its_reason(demo):
    editor = client_for(make_user("eddie", EDITOR))
    memorandum = Proposal.objects.get(kind="memorandum")
    position = memorandum.positions.last()
    response = editor.delete(f"/api/v1/positions/{position.pk}/?reason=Misattributed%20quote")
    assert response.status_code == 204
    deleted = next(
        e
        for e in history(editor, memorandum.pk)
        if e["type"] == "edited" and e["action"] == "deleted"
    )
    assert (deleted["subject"], deleted["subject_id"]) == ("position", position.pk)
    assert deleted["reason"] == "Misattributed quote"
    assert deleted["user"] == "eddie"


def test_deliveries_are_implementation_events(demo, django_capture_on_commit_callbacks):
    bodies = Term.objects.get(quantity=6000)
    russia = bodies.proposal.negotiation.parties.get(slug="russia")
    with django_capture_on_commit_callbacks(execute=True):
        implementation_event_record(
            term=bodies, happened_on=bodies.proposal.tabled_on, by_party=russia, quantity=1212
        )
    events = history(client_for(None), bodies.proposal_id)
    delivery = next(e for e in events if e["type"] == "implementation")
    assert (delivery["quantity"], delivery["party"], delivery["term"]) == (
        1212,
        russia.pk,
        bodies.pk,
    )
    assert any(e["type"] == "status_changed" and e["status"] == "in_implementation" for e in events)


def test_the_history_exports_as_csv_and_404s_for_unknown_proposals(demo):
    analyst = client_for(make_user("ana", ANALYST))
    memorandum = Proposal.objects.get(kind="memorandum")
    response = analyst.get(f"/api/v1/proposals/{memorandum.pk}/history/?format=csv")
    assert response.status_code == 200
    assert response.content.decode().splitlines()[0].startswith("type,date,at,term")
    assert client_for(None).get("/api/v1/proposals/999999/history/").status_code == 404
