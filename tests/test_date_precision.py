"""Date precision (issue 12, point 8): a date known only to the month, the year, or as
"on or before" a day is stored as the earliest possible day (on or before: the latest day
by which it was true), ordered by that day, and shown as precisely as it is known."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from negotiations import services as negotiation_services
from negotiations.core.precision import (
    DatePrecision,
    earliest_day,
    latest_day,
    machine_day,
    shown_day,
)
from negotiations.models import Round
from proposals import services
from proposals.models import ImplementationEvent, Position, Proposal, Status
from proposals.refresh import refresh_proposals
from proposals.selectors.as_of import statuses_as_of
from tests.api_support import EDITOR, api_env, client_for, etag_of, make_user  # noqa: F401
from tests.edit_support import client_as
from tests.edit_support import make_user as make_editor

pytestmark = pytest.mark.django_db

JUNE_2 = datetime.date(2025, 6, 2)
JULY_19 = datetime.date(2025, 7, 19)


@pytest.mark.parametrize(
    ("precision", "stored"),
    [
        ("day", datetime.date(2025, 7, 19)),
        ("month", datetime.date(2025, 7, 1)),
        ("year", datetime.date(2025, 1, 1)),
        ("on_or_before", datetime.date(2025, 7, 19)),
    ],
)
def test_the_stored_day_is_the_earliest_possible_one(precision, stored):
    assert earliest_day(JULY_19, precision) == stored


@pytest.mark.parametrize(
    ("stored", "precision", "last"),
    [
        (datetime.date(2024, 2, 1), "month", datetime.date(2024, 2, 29)),
        (datetime.date(2025, 12, 1), "month", datetime.date(2025, 12, 31)),
        (datetime.date(2025, 1, 1), "year", datetime.date(2025, 12, 31)),
        (JULY_19, "on_or_before", JULY_19),
        (JULY_19, "day", JULY_19),
    ],
)
def test_the_last_possible_day_closes_the_month_or_year(stored, precision, last):
    assert latest_day(stored, precision) == last


@pytest.mark.parametrize(
    ("day", "precision", "words", "machine"),
    [
        (JUNE_2, "day", "2 June 2025", "2025-06-02"),
        (datetime.date(2025, 7, 1), "month", "July 2025", "2025-07"),
        (datetime.date(2025, 1, 1), "year", "2025", "2025"),
        (JUNE_2, "on_or_before", "on or before 2 June 2025", "2025-06-02"),
        (None, "month", "", ""),
    ],
)
def test_a_date_is_shown_as_precisely_as_it_is_known(day, precision, words, machine):
    assert shown_day(day, precision) == words
    assert machine_day(day, precision) == machine
    rendered = Template("{% load parley %}{{ d|on_day:p }}|{{ d|on_day_iso:p }}").render(
        Context({"d": day, "p": precision})
    )
    assert rendered == f"{words}|{machine}"


@pytest.fixture
def proposal(negotiation, parties) -> Proposal:
    return services.proposal_create(
        negotiation=negotiation,
        title="Exchange of prisoners",
        kind="exchange",
        tabling_parties=[parties["ua"]],
        tabled_on=JUNE_2,
    )


def test_each_service_stores_the_earliest_possible_day(negotiation, parties, proposal):
    position = services.position_record(
        proposal=proposal,
        party=parties["ru"],
        stance="accepts",
        stated_on=JULY_19,
        stated_on_precision=DatePrecision.MONTH,
    )
    assert (position.stated_on, position.stated_on_precision) == (
        datetime.date(2025, 7, 1),
        "month",
    )
    term = services.term_create(proposal=proposal, ordinal=1, text="1,000 for 1,000")
    event = services.implementation_event_record(
        term=term, happened_on=JULY_19, happened_on_precision=DatePrecision.ON_OR_BEFORE
    )
    assert (event.happened_on, event.happened_on_precision) == (JULY_19, "on_or_before")
    round_ = negotiation_services.round_create(
        negotiation=negotiation, number=1, starts_on=JULY_19, starts_on_precision="year"
    )
    assert Round.objects.get(pk=round_.pk).starts_on == datetime.date(2025, 1, 1)
    tabled = services.proposal_create(
        negotiation=negotiation,
        title="Memorandum",
        kind="memorandum",
        tabling_parties=[parties["ru"]],
        tabled_on=JULY_19,
        tabled_on_precision="month",
    )
    tabling = Position.objects.get(proposal=tabled)
    assert (tabled.tabled_on, tabling.stated_on) == (datetime.date(2025, 7, 1),) * 2
    assert tabling.stated_on_precision == "month"


def test_changing_only_the_precision_stores_the_earliest_day_again(proposal):
    term = services.term_create(proposal=proposal, ordinal=1, text="1,000 for 1,000")
    event = services.implementation_event_record(term=term, happened_on=JULY_19)
    services.implementation_event_update(event=event, happened_on_precision="month")
    assert ImplementationEvent.objects.get().happened_on == datetime.date(2025, 7, 1)
    services.proposal_update(proposal=proposal, tabled_on_precision="year")
    proposal.refresh_from_db()
    assert (proposal.tabled_on, proposal.tabled_on_precision) == (datetime.date(2025, 1, 1), "year")
    # the tabling position moves with the tabling day, precision and all
    tabling = Position.objects.get(proposal=proposal)
    assert (tabling.stated_on, tabling.stated_on_precision) == (datetime.date(2025, 1, 1), "year")


def test_the_tabling_position_follows_a_precision_that_keeps_the_day(negotiation, parties):
    proposal = services.proposal_create(
        negotiation=negotiation,
        title="Memorandum",
        kind="memorandum",
        tabling_parties=[parties["ru"]],
        tabled_on=datetime.date(2025, 7, 1),
    )
    services.proposal_update(proposal=proposal, tabled_on_precision="month")
    tabling = Position.objects.get(proposal=proposal)
    assert (tabling.stated_on, tabling.stated_on_precision) == (datetime.date(2025, 7, 1), "month")


def test_an_unknown_precision_is_refused_by_the_service(proposal, parties):
    with pytest.raises(ValidationError) as refused:
        services.position_record(
            proposal=proposal,
            party=parties["ru"],
            stance="accepts",
            stated_on=JULY_19,
            stated_on_precision="week",
        )
    assert "stated_on_precision" in refused.value.message_dict
    assert Position.objects.filter(party=parties["ru"]).count() == 0


def test_a_month_precision_position_counts_from_the_first_of_the_month(
    negotiation, parties, proposal
):
    services.position_record(
        proposal=proposal,
        party=parties["ru"],
        stance="accepts",
        stated_on=JULY_19,
        stated_on_precision="month",
    )
    assert statuses_as_of(negotiation.pk, datetime.date(2025, 6, 30))[proposal.pk].status == (
        Status.OPEN
    )
    assert statuses_as_of(negotiation.pk, datetime.date(2025, 7, 1))[proposal.pk].status == (
        Status.AGREED
    )


def test_the_proposal_page_shows_the_month_not_an_invented_day(client, negotiation, parties):
    proposal = services.proposal_create(
        negotiation=negotiation,
        title="Exchange of prisoners",
        kind="exchange",
        tabling_parties=[parties["ua"]],
        tabled_on=datetime.date(2025, 7, 3),
        tabled_on_precision="month",
    )
    services.position_record(
        proposal=proposal,
        party=parties["ru"],
        stance="rejects",
        stated_on=datetime.date(2025, 8, 20),
        stated_on_precision="on_or_before",
    )
    refresh_proposals(proposal_ids=[proposal.pk])
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert '<time datetime="2025-07">July 2025</time>' in page
    assert "on or before 20 August 2025" in page
    assert "1 July 2025" not in page


def test_a_round_known_by_month_shows_its_outcome_at_the_end_of_the_month(
    client, negotiation, parties
):
    round_ = negotiation_services.round_create(
        negotiation=negotiation, number=1, starts_on=JULY_19, starts_on_precision="month"
    )
    proposal = services.proposal_create(
        negotiation=negotiation,
        title="Exchange of prisoners",
        kind="exchange",
        round=round_,
        tabling_parties=[parties["ua"]],
    )
    assert (proposal.tabled_on, proposal.tabled_on_precision) == (
        datetime.date(2025, 7, 1),
        "month",
    )
    services.position_record(
        proposal=proposal, party=parties["ru"], stance="accepts", stated_on=JULY_19, round=round_
    )
    refresh_proposals(proposal_ids=[proposal.pk])
    page = client.get(f"/negotiations/{negotiation.slug}/rounds/1/").content.decode()
    assert '<time datetime="2025-07">July 2025</time>' in page
    assert "end of the round (31 July 2025)" in page
    assert "July 2025" in client.get(f"/negotiations/{negotiation.slug}/").content.decode()
    assert "July 2025" in client.get("/parties/ua/").content.decode()  # tabled it


# --- the API --------------------------------------------------------------------------


@pytest.fixture
def editor(api_env):  # noqa: F811
    return client_for(make_user("eddie", EDITOR))


def test_precision_goes_through_the_api_and_comes_back_everywhere(editor, proposal, parties):
    created = editor.post(
        "/api/v1/positions/",
        {
            "proposal": proposal.pk,
            "party": parties["ru"].pk,
            "stance": "accepts",
            "stated_on": "2025-07-19",
            "stated_on_precision": "month",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["stated_on"], body["stated_on_precision"]) == ("2025-07-01", "month")
    detail = editor.get(f"/api/v1/positions/{body['id']}/").json()
    assert detail["stated_on_precision"] == "month"
    listed = editor.get("/api/v1/positions/", {"proposal": proposal.pk}).json()["results"]
    assert {p["stated_on_precision"] for p in listed} == {"day", "month"}
    csv = editor.get("/api/v1/positions/", {"proposal": proposal.pk, "format": "csv"})
    header, *lines = csv.content.decode("utf-8-sig").splitlines()
    assert "stated_on_precision" in header.split(",") and any("month" in line for line in lines)
    history = editor.get(f"/api/v1/proposals/{proposal.pk}/history/").json()["events"]
    said = [e for e in history if e["type"] == "position" and e["party"] == parties["ru"].pk]
    assert [(e["date"], e["date_precision"]) for e in said] == [("2025-07-01", "month")]


def test_a_precision_changes_by_patch_with_if_match(editor, proposal):
    url = f"/api/v1/proposals/{proposal.pk}/"
    current = editor.get(url)
    changed = editor.patch(
        url, {"tabled_on_precision": "month"}, format="json", HTTP_IF_MATCH=etag_of(current)
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["tabled_on"], changed.json()["tabled_on_precision"]) == (
        "2025-06-01",
        "month",
    )


@pytest.mark.parametrize("resource", ["positions", "implementation-events", "rounds", "proposals"])
def test_an_unknown_precision_is_a_400_naming_the_field(editor, proposal, parties, resource):
    term = services.term_create(proposal=proposal, ordinal=1, text="1,000 for 1,000")
    negotiation = proposal.negotiation_id
    bodies = {
        "positions": {"proposal": proposal.pk, "party": parties["ru"].pk, "stance": "accepts"},
        "implementation-events": {"term": term.pk},
        "rounds": {"negotiation": negotiation, "number": 4},
        "proposals": {"negotiation": negotiation, "title": "Memorandum", "kind": "memorandum"},
    }
    date_field = {
        "positions": "stated_on",
        "implementation-events": "happened_on",
        "rounds": "starts_on",
        "proposals": "tabled_on",
    }[resource]
    payload = {**bodies[resource], date_field: "2025-07-19", f"{date_field}_precision": "week"}
    response = editor.post(f"/api/v1/{resource}/", payload, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [f"{date_field}_precision"], response.json()
    assert Position.objects.count() == 1  # the tabling position only
    assert not ImplementationEvent.objects.exists()
    assert Proposal.objects.count() == 1 and not Round.objects.exists()


# --- the editor pages ------------------------------------------------------------------


@pytest.fixture
def editor_page(db):
    return client_as(make_editor("edna", EDITOR))


def test_the_editor_records_a_delivery_known_only_by_month(editor_page, negotiation, proposal):
    round_ = negotiation_services.round_create(negotiation=negotiation, number=1, starts_on=JUNE_2)
    term = services.term_create(proposal=proposal, ordinal=1, text="1,000 for 1,000")
    page = editor_page.get(f"/edit/rounds/{round_.pk}/").content.decode()
    assert 'name="deliveries-0-happened_on_precision"' in page
    assert 'name="positions-0-stated_on_precision"' in page
    data = {
        "block": "deliveries",
        "action": "save",
        "dsrc-source_title": "Report of the month",
        "dsrc-source_publisher": "Agency",
        "dsrc-source_kind": "news",
        "deliveries-TOTAL_FORMS": "1",
        "deliveries-INITIAL_FORMS": "0",
        "deliveries-0-term": term.pk,
        "deliveries-0-happened_on": "2025-07-19",
        "deliveries-0-happened_on_precision": "month",
        "deliveries-0-quantity": "1000",
    }
    response = editor_page.post(f"/edit/rounds/{round_.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = ImplementationEvent.objects.get()
    assert (event.happened_on, event.happened_on_precision) == (datetime.date(2025, 7, 1), "month")


def test_the_editor_edits_a_round_s_precision(editor_page, negotiation):
    round_ = negotiation_services.round_create(negotiation=negotiation, number=1, starts_on=JULY_19)
    data = {
        "number": "1",
        "title": "",
        "starts_on": "2025-07-19",
        "starts_on_precision": "year",
        "ends_on": "",
        "venue_city": "",
        "venue_country": "",
        "status": round_.status,
        "summary": "",
        "expected_version": round_.version,
    }
    response = editor_page.post(f"/edit/round/{round_.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    round_.refresh_from_db()
    assert (round_.starts_on, round_.starts_on_precision) == (datetime.date(2025, 1, 1), "year")
