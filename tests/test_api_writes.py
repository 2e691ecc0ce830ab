"""Writes through the API: editors only, through the services, with If-Match on updates."""

import datetime

import pytest

from negotiations.models import Participation
from proposals.models import ImplementationEvent, Position, Proposal, Term
from tests.api_support import (
    EDITOR,
    api_env,  # noqa: F401
    client_for,
    etag_of,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]
DAY = "2025-06-02"


@pytest.fixture
def editor():
    return client_for(make_user("eddie", EDITOR))


@pytest.fixture
def proposal(negotiation, parties, editor):
    response = editor.post(
        "/api/v1/proposals/",
        {
            "negotiation": negotiation.pk,
            "tabled_by": parties["ua"].pk,
            "title": "Unconditional ceasefire",
            "kind": "ceasefire",
            "tabled_on": DAY,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response


def test_an_editor_tables_a_proposal_with_its_tabling_position(proposal, parties):
    body = proposal.json()
    assert body["title"] == "Unconditional ceasefire"
    assert body["version"] == 1
    assert proposal.headers["ETag"].startswith('"v1-')
    assert proposal.headers["Location"].endswith(f"/api/v1/proposals/{body['id']}/")
    position = Position.objects.get(proposal_id=body["id"])
    assert (position.party, position.stance) == (parties["ua"], "proposes")


def test_the_representation_after_a_write_says_the_status_is_being_recomputed(proposal):
    body = proposal.json()
    assert body["status_stale"] is True
    assert body["status_freshness"] == "recomputing"


def test_an_update_with_the_current_etag_applies(proposal, editor):
    url = f"/api/v1/proposals/{proposal.json()['id']}/"
    response = editor.patch(
        url, {"text_status": "official"}, format="json", HTTP_IF_MATCH=etag_of(proposal)
    )
    assert response.status_code == 200, response.content
    assert response.json()["text_status"] == "official"
    assert response.json()["version"] == 2
    assert etag_of(response).startswith('"v2-')


def test_the_version_alone_is_accepted_as_if_match(proposal, editor):
    url = f"/api/v1/proposals/{proposal.json()['id']}/"
    for tag in ('"v1"', '"1"', 'W/"v1"'):
        response = editor.patch(url, {"summary": tag}, format="json", HTTP_IF_MATCH=tag)
        assert response.status_code in (200, 412)
        if response.status_code == 200:
            break
    assert response.status_code == 200


def test_an_update_without_if_match_is_refused_with_428(proposal, editor):
    url = f"/api/v1/proposals/{proposal.json()['id']}/"
    response = editor.patch(url, {"title": "Changed"}, format="json")
    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"
    assert Proposal.objects.get().title == "Unconditional ceasefire"


def test_it_rejects_a_stale_version_with_412_and_writes_nothing(proposal, editor):
    url = f"/api/v1/proposals/{proposal.json()['id']}/"
    first = editor.patch(url, {"title": "First"}, format="json", HTTP_IF_MATCH=etag_of(proposal))
    assert first.status_code == 200
    second = editor.patch(url, {"title": "Second"}, format="json", HTTP_IF_MATCH=etag_of(proposal))
    assert second.status_code == 412
    assert second.json()["current_version"] == 2
    assert "version" in second.json()["detail"]
    assert Proposal.objects.get().title == "First"


def test_the_conditional_update_itself_refuses_a_lost_race(proposal, editor, monkeypatch):
    """Even when the early check passes, the UPDATE ... WHERE version = n decides."""
    from negotiations.api import viewsets as api_base

    monkeypatch.setattr(api_base, "expected_version", lambda request, current: current - 1)
    proposal_id = proposal.json()["id"]
    Proposal.objects.filter(pk=proposal_id).update(version=2)
    response = editor.patch(
        f"/api/v1/proposals/{proposal_id}/",
        {"title": "Late"},
        format="json",
        HTTP_IF_MATCH='"v1"',
    )
    assert response.status_code == 412
    assert Proposal.objects.get().title == "Unconditional ceasefire"


def test_a_malformed_if_match_is_a_400(proposal, editor):
    url = f"/api/v1/proposals/{proposal.json()['id']}/"
    response = editor.patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH="yesterday")
    assert response.status_code == 400
    assert "If-Match" in response.json()["errors"]


def test_bad_input_names_the_field_and_the_problem(negotiation, editor):
    response = editor.post(
        "/api/v1/proposals/",
        {"negotiation": negotiation.pk, "kind": "nonsense", "tabled_on": "not a date"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) >= {"title", "kind", "tabled_on"}
    assert "required" in body["errors"]["title"][0]


def test_service_rules_come_back_as_field_errors(negotiation, parties, editor):
    response = editor.post(
        "/api/v1/proposals/",
        {
            "negotiation": negotiation.pk,
            "tabled_by": parties["xx"].pk,
            "title": "Outsider's plan",
            "kind": "political",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "takes no part" in response.json()["errors"]["tabled_by"][0]
    assert not Proposal.objects.exists()


def test_nothing_is_half_written_when_a_late_rule_fails(proposal, parties, editor):
    """proposal_update checks required parties after its UPDATE: the whole is undone."""
    url = f"/api/v1/proposals/{proposal.json()['id']}/"
    response = editor.patch(
        url,
        {"title": "Renamed", "required_parties": [parties["xx"].pk]},
        format="json",
        HTTP_IF_MATCH=etag_of(proposal),
    )
    assert response.status_code == 400
    stored = Proposal.objects.get()
    assert (stored.title, stored.version) == ("Unconditional ceasefire", 1)


def test_model_wide_rules_come_back_as_non_field_errors(negotiation, editor):
    payload = {"negotiation": negotiation.pk, "number": 1, "starts_on": DAY}
    assert editor.post("/api/v1/rounds/", payload, format="json").status_code == 201
    response = editor.post("/api/v1/rounds/", payload, format="json")
    assert response.status_code == 400
    assert "already has a round with this number" in str(response.json()["errors"])


def test_an_unknown_referenced_id_is_a_400_and_an_unknown_url_id_a_404(negotiation, editor):
    response = editor.post(
        "/api/v1/rounds/",
        {"negotiation": 999999, "number": 1, "starts_on": DAY},
        format="json",
    )
    assert response.status_code == 400
    assert "negotiation" in response.json()["errors"]
    missing = editor.patch(
        "/api/v1/rounds/999999/", {"title": "x"}, format="json", HTTP_IF_MATCH='"v1"'
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert editor.get("/api/v1/rounds/99999999999999999999/").status_code == 404


def test_an_empty_patch_is_refused(proposal, editor):
    url = f"/api/v1/proposals/{proposal.json()['id']}/"
    response = editor.patch(url, {}, format="json", HTTP_IF_MATCH=etag_of(proposal))
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]


def test_put_is_not_offered(proposal, editor):
    url = f"/api/v1/proposals/{proposal.json()['id']}/"
    response = editor.put(url, {"title": "x"}, format="json", HTTP_IF_MATCH='"v1"')
    assert response.status_code == 405


def test_positions_are_recorded_and_deleted_with_a_reason_but_never_edited(
    proposal, parties, editor
):
    proposal_id = proposal.json()["id"]
    response = editor.post(
        "/api/v1/positions/",
        {
            "proposal": proposal_id,
            "party": parties["ru"].pk,
            "stance": "rejects",
            "stated_on": DAY,
            "quote": "No.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    position_id = response.json()["id"]
    url = f"/api/v1/positions/{position_id}/"
    assert editor.patch(url, {"stance": "accepts"}, format="json").status_code == 405
    assert editor.delete(url).status_code == 400  # no reason
    assert editor.delete(url + "?reason=Recorded%20twice").status_code == 204
    assert not Position.objects.filter(pk=position_id).exists()


def test_a_position_in_the_future_is_refused(proposal, parties, editor):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    response = editor.post(
        "/api/v1/positions/",
        {
            "proposal": proposal.json()["id"],
            "party": parties["ru"].pk,
            "stance": "accepts",
            "stated_on": tomorrow,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "future" in response.json()["errors"]["stated_on"][0]


def test_a_conditional_stance_needs_its_conditions(proposal, parties, editor):
    response = editor.post(
        "/api/v1/positions/",
        {
            "proposal": proposal.json()["id"],
            "party": parties["ru"].pk,
            "stance": "conditional",
            "stated_on": DAY,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "conditions" in str(response.json()["errors"])


def test_terms_and_deliveries_are_recorded_and_updated(proposal, parties, editor):
    proposal_id = proposal.json()["id"]
    term = editor.post(
        "/api/v1/terms/",
        {
            "proposal": proposal_id,
            "text": "Return 6,000 bodies",
            "quantity": 6000,
            "unit": "bodies",
            "category": "exchange",
        },
        format="json",
    )
    assert term.status_code == 201, term.content
    assert term.json()["ordinal"] == 1
    event = editor.post(
        "/api/v1/implementation-events/",
        {
            "term": term.json()["id"],
            "happened_on": DAY,
            "by_party": parties["ru"].pk,
            "quantity": 1212,
        },
        format="json",
    )
    assert event.status_code == 201, event.content
    changed = editor.patch(
        f"/api/v1/implementation-events/{event.json()['id']}/",
        {"quantity": 1245},
        format="json",
        HTTP_IF_MATCH=etag_of(event),
    )
    assert changed.status_code == 200
    assert ImplementationEvent.objects.get().quantity == 1245
    gone = editor.delete(f"/api/v1/terms/{term.json()['id']}/?reason=Wrong%20proposal")
    assert gone.status_code == 204
    assert not Term.objects.exists()


def test_a_term_quantity_needs_a_unit(proposal, editor):
    response = editor.post(
        "/api/v1/terms/",
        {"proposal": proposal.json()["id"], "text": "Bodies", "quantity": 10},
        format="json",
    )
    assert response.status_code == 400
    assert "unit" in str(response.json()["errors"]).lower()


def test_participations_are_created_changed_and_removed(negotiation, parties, editor):
    response = editor.post(
        "/api/v1/participations/",
        {"negotiation": negotiation.pk, "party": parties["xx"].pk, "roles": ["observer"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    url = f"/api/v1/participations/{response.json()['id']}/"
    changed = editor.patch(
        url, {"roles": ["observer", "guarantor"]}, format="json", HTTP_IF_MATCH=etag_of(response)
    )
    assert changed.json()["roles"] == ["observer", "guarantor"]
    stale = editor.delete(url, HTTP_IF_MATCH=etag_of(response))
    assert stale.status_code == 412
    assert editor.delete(url, HTTP_IF_MATCH=etag_of(changed)).status_code == 204
    assert not Participation.objects.filter(party=parties["xx"]).exists()


def test_parties_people_sources_and_links_are_written_through_the_services(
    negotiation, parties, editor, proposal
):
    party = editor.post(
        "/api/v1/parties/",
        {"name": "United Nations", "kind": "international_org"},
        format="json",
    )
    assert party.status_code == 201 and party.json()["slug"] == "united-nations"
    person = editor.post(
        "/api/v1/people/", {"name": "A. Envoy", "party": party.json()["id"]}, format="json"
    )
    assert person.status_code == 201
    source = editor.post(
        "/api/v1/sources/", {"title": "Communiqué", "kind": "official"}, format="json"
    )
    assert source.status_code == 201
    counter = editor.post(
        "/api/v1/proposals/",
        {
            "negotiation": negotiation.pk,
            "tabled_by": parties["ru"].pk,
            "title": "Counter",
            "kind": "ceasefire",
            "tabled_on": DAY,
        },
        format="json",
    )
    link = editor.post(
        "/api/v1/proposal-links/",
        {
            "from_proposal": counter.json()["id"],
            "to_proposal": proposal.json()["id"],
            "kind": "counter_to",
        },
        format="json",
    )
    assert link.status_code == 201, link.content
    detail = editor.get(f"/api/v1/proposals/{proposal.json()['id']}/").json()
    assert detail["links"][0]["direction"] == "in"
    assert detail["links"][0]["proposal"] == counter.json()["id"]
