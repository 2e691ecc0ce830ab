"""Reservations (issue 12, point 5): a stance that agrees, whose text is required, listed
on the proposal's detail (as of the day asked) and page, and in its history."""

import datetime

import pytest

from proposals import services
from proposals.models import Position
from proposals.refresh import refresh_proposals
from tests.api_support import EDITOR, api_env, client_for, make_user  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]
DAY = datetime.date(2025, 6, 2)
LATER = datetime.date(2025, 6, 9)
RESERVES = "accepts_with_reservations"


@pytest.fixture
def editor():
    return client_for(make_user("eddie", EDITOR))


@pytest.fixture
def exchange(negotiation, parties):
    proposal = services.proposal_create(
        negotiation=negotiation,
        title="Exchange of prisoners",
        kind="exchange",
        tabling_parties=[parties["ru"]],
        tabled_on=DAY,
    )
    services.term_create(proposal=proposal, text="1,000 for 1,000")
    return proposal


def _reserve(exchange, party, on=LATER, **extra):
    return services.position_record(
        proposal=exchange,
        party=party,
        stance=RESERVES,
        stated_on=on,
        reservations="The timing of the second stage is agreed separately.",
        **extra,
    )


def test_accepting_with_reservations_without_their_text_is_a_clear_400(exchange, parties, editor):
    body = {"proposal": exchange.pk, "party": parties["ua"].pk, "stance": RESERVES}
    response = editor.post("/api/v1/positions/", {**body, "stated_on": str(LATER)}, format="json")
    assert response.status_code == 400
    assert "reservations" in response.json()["errors"]
    assert not Position.objects.filter(stance=RESERVES).exists()


def test_reservations_belong_only_to_that_stance(exchange, parties, editor):
    response = editor.post(
        "/api/v1/positions/",
        {
            "proposal": exchange.pk,
            "party": parties["ua"].pk,
            "stance": "accepts",
            "stated_on": str(LATER),
            "reservations": "Some",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "reservations" in response.json()["errors"]


def test_the_database_refuses_the_stance_without_reservations(exchange, parties):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.create(
            proposal=exchange, party=parties["ua"], stance=RESERVES, stated_on=LATER
        )


def test_the_detail_lists_the_reservations_standing_as_of_the_day_asked(exchange, parties, editor):
    response = editor.post(
        "/api/v1/positions/",
        {
            "proposal": exchange.pk,
            "party": parties["ua"].pk,
            "stance": RESERVES,
            "stated_on": str(LATER),
            "reservations": "The timing of the second stage is agreed separately.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["reservations"].startswith("The timing")
    position_id = response.json()["id"]
    refresh_proposals(proposal_ids=[exchange.pk])

    detail = editor.get(f"/api/v1/proposals/{exchange.pk}/").json()
    assert detail["status"] == "agreed"
    assert "accepted with reservations by Ukraine (2025-06-09)" in detail["status_reason"]
    assert detail["reservations"] == [
        {
            "position": position_id,
            "party": parties["ua"].pk,
            "term": None,
            "term_label": None,
            "reservations": "The timing of the second stage is agreed separately.",
            "stated_on": "2025-06-09",
        }
    ]
    before = editor.get(f"/api/v1/proposals/{exchange.pk}/?as_of=2025-06-05").json()
    assert before["status"] == "open" and before["reservations"] == []


def test_a_later_acceptance_lifts_the_reservations(exchange, parties):
    _reserve(exchange, parties["ua"], on=DAY)
    services.position_record(
        proposal=exchange, party=parties["ua"], stance="accepts", stated_on=LATER
    )
    refresh_proposals(proposal_ids=[exchange.pk])
    from proposals.selectors import proposal_detail, proposal_row

    def listed(as_of):
        detail = proposal_detail(
            proposal_row(exchange.__class__.objects.get(pk=exchange.pk)),
            as_of=as_of,
            term_fields=("id", "ordinal", "label"),
            party_fields=("id",),
            source_fields=("id",),
        )
        return [r["stated_on"] for r in detail.reservations]

    assert listed(DAY) == [DAY]
    assert listed(LATER) == []


def test_a_reservation_on_one_term_names_the_term(exchange, parties, editor):
    term = exchange.terms.get()
    position = _reserve(exchange, parties["ua"], term=term)
    refresh_proposals(proposal_ids=[exchange.pk])
    detail = editor.get(f"/api/v1/proposals/{exchange.pk}/").json()
    assert [(r["position"], r["term"], r["term_label"]) for r in detail["reservations"]] == [
        (position.pk, term.pk, str(term.label or term.ordinal))
    ]


def test_the_history_carries_the_reservations(exchange, parties, editor):
    _reserve(exchange, parties["ua"])
    events = editor.get(f"/api/v1/proposals/{exchange.pk}/history/").json()["events"]
    reserved = [e for e in events if e["stance"] == RESERVES]
    assert reserved[0]["reservations"].startswith("The timing")


def test_the_proposal_page_and_the_matrix_show_the_reservations(exchange, parties, client):
    _reserve(exchange, parties["ua"])
    refresh_proposals(proposal_ids=[exchange.pk])
    page = client.get(f"/proposals/{exchange.pk}/").content.decode()
    assert "Reservations" in page
    assert "The timing of the second stage is agreed separately." in page
    assert "accepts with reservations" in page
    matrix = client.get(f"/negotiations/{exchange.negotiation.slug}/")
    assert matrix.status_code == 200
    assert "accepts with reservations" in matrix.content.decode()
