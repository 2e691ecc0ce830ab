"""Tabling parties (issue 12, point 1): co-sponsors in order, mediators, each one's
`proposes` recorded, only they withdraw, and the deprecated `tabled_by` still works."""

import datetime

import pytest

from negotiations.models import Role
from negotiations.services import participation_create
from parties.services import party_create
from proposals import services
from proposals.models import Position, Proposal, Tabling
from proposals.refresh import refresh_proposals
from tests.api_support import EDITOR, api_env, client_for, etag_of, make_user  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]
DAY = datetime.date(2025, 6, 2)
LATER = datetime.date(2025, 6, 9)


@pytest.fixture
def editor():
    return client_for(make_user("eddie", EDITOR))


@pytest.fixture
def iran(negotiation):
    party = party_create(name="Iran", short_name="Iran", slug="ir")
    participation_create(negotiation=negotiation, party=party, roles=[Role.GUARANTOR])
    return party


def _post(editor, negotiation, **fields):
    body = {"negotiation": negotiation.pk, "title": "Memorandum", "kind": "memorandum"}
    return editor.post(
        "/api/v1/proposals/", {**body, "tabled_on": str(DAY), **fields}, format="json"
    )


def test_a_joint_proposal_keeps_its_sponsors_in_order_and_records_each_ones_proposes(
    negotiation, parties, iran, editor
):
    order = [parties["ru"].pk, parties["tr"].pk, iran.pk]
    response = _post(editor, negotiation, tabling_parties=order)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["tabling_parties"] == order
    assert body["tabled_by"] == parties["ru"].pk
    proposes = Position.objects.filter(proposal_id=body["id"], stance="proposes")
    assert sorted(proposes.values_list("party_id", flat=True)) == sorted(order)
    listed = editor.get(f"/api/v1/proposals/?negotiation={negotiation.pk}").json()
    assert listed["results"][0]["tabling_parties"] == order
    by_iran = editor.get(f"/api/v1/proposals/?tabled_by={iran.pk}").json()
    assert [p["id"] for p in by_iran["results"]] == [body["id"]]


def test_a_mediators_text_has_no_tabling_party(negotiation, parties, editor):
    response = _post(editor, negotiation, tabling_parties=[], mediators=[parties["tr"].pk])
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["tabling_parties"], body["mediators"], body["tabled_by"]) == (
        [],
        [parties["tr"].pk],
        None,
    )
    assert not Position.objects.filter(proposal_id=body["id"]).exists()


def test_the_deprecated_tabled_by_is_still_accepted_on_create_and_update(
    negotiation, parties, editor
):
    response = _post(editor, negotiation, tabled_by=parties["ua"].pk)
    assert response.status_code == 201, response.content
    assert response.json()["tabling_parties"] == [parties["ua"].pk]
    url = f"/api/v1/proposals/{response.json()['id']}/"
    patched = editor.patch(
        url, {"tabled_by": parties["ru"].pk}, format="json", HTTP_IF_MATCH=etag_of(response)
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["tabling_parties"] == [parties["ru"].pk]
    assert patched.json()["tabled_by"] == parties["ru"].pk


def test_conflicting_tabled_by_and_tabling_parties_are_a_clear_400(negotiation, parties, editor):
    response = _post(
        editor, negotiation, tabled_by=parties["ua"].pk, tabling_parties=[parties["ru"].pk]
    )
    assert response.status_code == 400
    assert "tabled_by" in response.json()["errors"]
    assert not Proposal.objects.exists()


def test_a_party_named_twice_or_an_outsider_is_refused(negotiation, parties, editor):
    twice = _post(editor, negotiation, tabling_parties=[parties["ru"].pk, parties["ru"].pk])
    assert twice.status_code == 400 and "tabling_parties" in twice.json()["errors"]
    outsider = _post(editor, negotiation, tabling_parties=[parties["xx"].pk])
    assert outsider.status_code == 400 and "tabling_parties" in outsider.json()["errors"]
    assert not Proposal.objects.exists() and not Tabling.objects.exists()


def test_the_sponsors_are_reordered_with_if_match_and_a_new_one_proposes(
    negotiation, parties, editor
):
    response = _post(editor, negotiation, tabling_parties=[parties["ru"].pk])
    url = f"/api/v1/proposals/{response.json()['id']}/"
    body = {"tabling_parties": [parties["tr"].pk, parties["ru"].pk]}
    assert editor.patch(url, body, format="json").status_code == 428
    patched = editor.patch(url, body, format="json", HTTP_IF_MATCH=etag_of(response))
    assert patched.status_code == 200, patched.content
    assert patched.json()["tabling_parties"] == [parties["tr"].pk, parties["ru"].pk]
    assert Position.objects.filter(party=parties["tr"], stance="proposes").exists()
    stale = editor.patch(url, body, format="json", HTTP_IF_MATCH=etag_of(response))
    assert stale.status_code == 412


def test_a_co_sponsors_withdrawal_is_shown_and_all_of_them_withdraw_it(negotiation, parties):
    proposal = services.proposal_create(
        negotiation=negotiation,
        title="Joint text",
        kind="memorandum",
        tabling_parties=[parties["ru"], parties["tr"]],
        tabled_on=DAY,
    )
    services.position_record(
        proposal=proposal, party=parties["tr"], stance="withdraws", stated_on=DAY
    )
    refresh_proposals(proposal_ids=[proposal.pk])
    proposal.refresh_from_db()
    assert proposal.status == "open"
    assert "withdrawal by co-sponsor Turkey on 2025-06-02" in proposal.status_reason
    services.position_record(
        proposal=proposal, party=parties["ru"], stance="withdraws", stated_on=LATER
    )
    refresh_proposals(proposal_ids=[proposal.pk])
    proposal.refresh_from_db()
    assert (proposal.status, proposal.status_reason) == (
        "withdrawn",
        "withdrawn by Russia (2025-06-09) and Turkey (2025-06-02)",
    )


def test_only_a_tabling_party_can_withdraw(negotiation, parties, editor):
    proposal = services.proposal_create(
        negotiation=negotiation, title="T", kind="other", tabling_parties=[parties["ru"]]
    )
    response = editor.post(
        "/api/v1/positions/",
        {
            "proposal": proposal.pk,
            "party": parties["ua"].pk,
            "stance": "withdraws",
            "stated_on": str(DAY),
        },
        format="json",
    )
    assert response.status_code == 400 and "stance" in response.json()["errors"]


def test_the_proposal_page_names_every_sponsor_and_a_withdrawal(negotiation, parties, client):
    proposal = services.proposal_create(
        negotiation=negotiation,
        title="Joint text",
        kind="memorandum",
        tabling_parties=[parties["ru"], parties["tr"]],
        tabled_on=DAY,
    )
    services.position_record(
        proposal=proposal, party=parties["tr"], stance="withdraws", stated_on=DAY
    )
    refresh_proposals(proposal_ids=[proposal.pk])
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "tabled by" in page and "Russia" in page
    assert "Turkey</a> (withdrew on 2 June 2025)" in page


def test_the_schema_marks_tabled_by_deprecated():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    fields = schema["components"]["schemas"]["Proposal"]["properties"]
    assert fields["tabled_by"].get("deprecated") is True
    assert fields["tabling_parties"]["type"] == "array"


def test_the_history_shows_tabling_parties_added_and_removed(negotiation, parties, editor):
    response = _post(editor, negotiation, tabling_parties=[parties["ru"].pk])
    url = f"/api/v1/proposals/{response.json()['id']}/"
    body = {"tabling_parties": [parties["tr"].pk]}
    assert (
        editor.patch(url, body, format="json", HTTP_IF_MATCH=etag_of(response)).status_code == 200
    )
    events = editor.get(f"{url}history/").json()["events"]
    tabling = [(e["action"], e["party"]) for e in events if e["subject"] == "tabling"]
    assert tabling == [
        ("created", parties["ru"].pk),
        ("deleted", parties["ru"].pk),
        ("created", parties["tr"].pk),
    ]
