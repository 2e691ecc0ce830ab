"""Issue 14 item 5: every event of a proposal's history carries what was entered (note,
speaker, date precision, reservations, per-party quantities, event kind, ratification
steps, figures, every source), and edits and deletions show before and after."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pghistory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from negotiations.core.versioning import update_validated
from negotiations.services import round_create
from parties.services import person_create
from proposals.models import Commitment, EventKind, Position, Stance
from proposals.services import (
    commitment_create,
    commitment_delete,
    commitment_update,
    figure_create,
    implementation_event_record,
    implementation_event_update,
    position_record,
    proposal_create,
    ratification_step_create,
    ratification_step_update,
    source_create,
    term_create,
    term_delete,
)
from tests.api_support import ANALYST, api_env, client_for, make_user  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]
TABLED = datetime.date(2025, 6, 1)
LATER = datetime.date(2025, 6, 20)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def entered(negotiation, parties, committed):
    """One proposal with one of every child, every field set."""
    ru, ua = parties["ru"], parties["ua"]
    with committed():
        sources = [
            source_create(title=f"Report {i}", url=f"https://example.org/report-{i}")
            for i in range(5)
        ]
        round_ = round_create(negotiation=negotiation, number=1, starts_on=TABLED)
        medinsky = person_create(name="Vladimir Medinsky", party=ru, title="Head of delegation")
        proposal = proposal_create(
            negotiation=negotiation,
            title="Exchange of bodies",
            kind="exchange",
            tabled_on=TABLED,
            tabling_parties=[ru],
            sources=[sources[0]],
        )
        bodies = term_create(
            proposal=proposal, text="Return of bodies", quantity=6000, unit="bodies"
        )
        wounded = term_create(proposal=proposal, text="Commission on the wounded")
        conditional = position_record(
            proposal=proposal,
            term=wounded,
            party=ua,
            stance=Stance.CONDITIONAL,
            stated_on=datetime.date(2025, 6, 15),
            stated_on_precision="month",
            round=round_,
            quote="Only if the bodies come back first",
            conditions="Bodies returned",
            conditional_on=[bodies],
            source=sources[1],
            note="Paraphrase, attributed by the other side",
        )
        reserved = position_record(
            proposal=proposal,
            term=bodies,
            party=ru,
            stance=Stance.ACCEPTS_WITH_RESERVATIONS,
            stated_on=TABLED,
            speaker=medinsky,
            quote="We agree, with reservations",
            reservations="Identification by our experts",
            source=sources[2],
        )
        share_ru = commitment_create(
            term=bodies,
            party=ru,
            quantity=6000,
            quantity_high=6100,
            approximate=True,
            unit="bodies",
            note="Russia's share",
        )
        share_ua = commitment_create(term=bodies, party=ua, quantity=1200, unit="bodies")
        delivery = implementation_event_record(
            term=bodies,
            happened_on=datetime.date(2025, 6, 11),
            happened_on_precision="day",
            kind=EventKind.DELIVERY,
            by_party=ru,
            to_party=ua,
            quantity=1212,
            location="Belarus border",
            note="First batch",
            source=sources[3],
        )
        figure_create(event=delivery, value=1210, approximate=True, source=sources[4])
        step = ratification_step_create(
            proposal=proposal,
            body_kind="parliament",
            body_name="Verkhovna Rada",
            body_party=ua,
            due_on=datetime.date(2025, 6, 30),
            outcome="approved",
            decided_on=datetime.date(2025, 6, 12),
            votes_for=300,
            votes_against=20,
            abstentions=5,
            share_for=Decimal("92.31"),
            turnout=Decimal("72.20"),
            note="First reading",
            sources=[sources[1], sources[3]],
        )
    return {
        "proposal": proposal,
        "sources": sources,
        "round": round_,
        "speaker": medinsky,
        "bodies": bodies,
        "wounded": wounded,
        "conditional": conditional,
        "reserved": reserved,
        "share_ru": share_ru,
        "share_ua": share_ua,
        "delivery": delivery,
        "step": step,
        "parties": parties,
    }


def history(client, proposal_id, **headers):
    response = client.get(f"/api/v1/proposals/{proposal_id}/history/", **headers)
    assert response.status_code == 200, response.content
    return response


def edits(events, subject, action):
    return [e for e in events if e["subject"] == subject and e["action"] == action]


def test_every_entered_value_appears_in_the_history(entered):
    e, sources = entered, entered["sources"]
    events = history(client_for(None), e["proposal"].pk).json()["events"]
    assert all(set(event) == set(events[0]) for event in events)

    by_position = {ev["position"]: ev for ev in events if ev["type"] == "position"}
    conditional = by_position[e["conditional"].pk]
    assert conditional["date"] == "2025-06-01"
    assert conditional["date_precision"] == "month"
    assert conditional["round"] == e["round"].pk
    assert conditional["conditions"] == "Bodies returned"
    assert conditional["conditional_on"] == [e["bodies"].pk]
    assert conditional["note"] == "Paraphrase, attributed by the other side"
    assert conditional["quote"] == "Only if the bodies come back first"
    assert [s["id"] for s in conditional["sources"]] == [sources[1].pk]
    reserved = by_position[e["reserved"].pk]
    assert (reserved["speaker"], reserved["speaker_name"]) == (
        e["speaker"].pk,
        "Vladimir Medinsky",
    )
    assert reserved["reservations"] == "Identification by our experts"
    assert reserved["stance"] == "accepts_with_reservations"

    delivery = next(ev for ev in events if ev["type"] == "implementation")
    assert delivery["event"] == e["delivery"].pk
    assert (delivery["kind"], delivery["quantity"], delivery["completes"]) == (
        "delivery",
        1212,
        False,
    )
    assert (delivery["party"], delivery["to_party"]) == (
        e["parties"]["ru"].pk,
        e["parties"]["ua"].pk,
    )
    assert (delivery["location"], delivery["note"]) == ("Belarus border", "First batch")
    assert delivery["date_precision"] == "day"
    assert [f["value"] for f in delivery["figures"]] == [1210]
    assert delivery["figures"][0]["approximate"] is True
    assert [s["id"] for s in delivery["sources"]] == [sources[3].pk, sources[4].pk]
    assert delivery["source"]["id"] == sources[3].pk

    ratification = next(ev for ev in events if ev["type"] == "ratification")
    step = ratification["step"]
    assert (step["body_name"], step["body_kind"], step["body_party"]) == (
        "Verkhovna Rada",
        "parliament",
        e["parties"]["ua"].pk,
    )
    assert (step["votes_for"], step["votes_against"], step["abstentions"]) == (300, 20, 5)
    assert (step["share_for"], step["turnout"]) == (92.31, 72.2)
    assert (step["due_on"], step["decided_on"], step["outcome"]) == (
        "2025-06-30",
        "2025-06-12",
        "approved",
    )
    assert step["note"] == "First reading"
    assert sorted(s["id"] for s in ratification["sources"]) == sorted(
        [sources[1].pk, sources[3].pk]
    )

    created = {ev["subject_id"]: ev for ev in edits(events, "commitment", "created")}
    ru_share = created[e["share_ru"].pk]
    assert (ru_share["party"], ru_share["term"]) == (e["parties"]["ru"].pk, e["bodies"].pk)
    assert (ru_share["quantity"], ru_share["quantity_high"], ru_share["approximate"]) == (
        6000,
        6100,
        True,
    )
    assert ru_share["after"]["note"] == "Russia's share"
    assert ru_share["before"] is None
    assert created[e["share_ua"].pk]["quantity"] == 1200

    term_created = next(
        ev for ev in edits(events, "term", "created") if ev["subject_id"] == e["bodies"].pk
    )
    assert term_created["after"]["quantity"] == 6000
    assert term_created["after"]["unit"] == "bodies"

    # A status change cites every source recorded that day on its subject.
    agreed_bodies = [
        ev
        for ev in events
        if ev["type"] == "status_changed" and ev["term"] == e["bodies"].pk and ev["sources"]
    ]
    assert agreed_bodies


def test_edits_show_before_and_after_and_deletions_keep_the_row(entered, committed):
    e = entered
    with committed():
        update_validated(
            e["conditional"],
            changes={"note": "Confirmed by Kyiv", "quote": "Bodies first"},
            expected_version=None,
        )
        implementation_event_update(event=e["delivery"], note="First of three batches")
        commitment_update(commitment=e["share_ru"], quantity=6050)
        ratification_step_update(step=e["step"], votes_for=301)
        commitment_delete(commitment=e["share_ua"], reason="Counted twice")
    events = history(client_for(None), e["proposal"].pk).json()["events"]

    [position] = edits(events, "position", "changed")
    assert position["subject_id"] == e["conditional"].pk
    assert position["before"] == {
        "note": "Paraphrase, attributed by the other side",
        "quote": "Only if the bodies come back first",
    }
    assert position["after"] == {"note": "Confirmed by Kyiv", "quote": "Bodies first"}
    assert position["term"] == e["wounded"].pk
    [event] = edits(events, "implementation", "changed")
    assert (event["before"], event["after"]) == (
        {"note": "First batch"},
        {"note": "First of three batches"},
    )
    assert event["subject_id"] == e["delivery"].pk
    assert not edits(events, "implementation", "created")  # the event itself is listed
    [share] = edits(events, "commitment", "changed")
    assert (share["before"], share["after"]) == ({"quantity": 6000}, {"quantity": 6050})
    [step] = edits(events, "ratification_step", "changed")
    assert (step["before"], step["after"]) == ({"votes_for": 300}, {"votes_for": 301})
    [deleted] = edits(events, "commitment", "deleted")
    assert deleted["reason"] == "Counted twice"
    assert deleted["after"] is None
    assert deleted["before"]["quantity"] == 1200
    assert deleted["before"]["party"] == e["parties"]["ua"].pk
    assert not Commitment.objects.filter(pk=e["share_ua"].pk).exists()


def test_a_deleted_position_keeps_what_was_said_with_the_reason(entered, committed):
    e = entered
    with committed(), pghistory.context(reason="Misattributed"):
        e["reserved"].delete()
    events = history(client_for(None), e["proposal"].pk).json()["events"]
    [deleted] = edits(events, "position", "deleted")
    assert deleted["reason"] == "Misattributed"
    assert deleted["before"]["reservations"] == "Identification by our experts"
    assert deleted["before"]["speaker"] == e["speaker"].pk
    assert deleted["party"] == e["parties"]["ru"].pk


def test_an_edit_changes_the_history_etag(entered, committed):
    e = entered
    client = client_for(None)
    first = history(client, e["proposal"].pk)
    url = f"/api/v1/proposals/{e['proposal'].pk}/history/"
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    with committed():
        implementation_event_update(event=e["delivery"], note="Corrected")
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    with committed():
        figure_create(event=e["delivery"], value=1215)
    assert client.get(url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 200


def test_the_history_csv_lists_every_source_by_address(entered):
    e = entered
    analyst = client_for(make_user("ana", ANALYST))
    response = analyst.get(f"/api/v1/proposals/{e['proposal'].pk}/history/?format=csv")
    assert response.status_code == 200
    text = response.content.decode()
    header = text.splitlines()[0].split(",")
    assert {"sources", "before", "after", "speaker_name", "step", "figures"} <= set(header)
    assert "https://example.org/report-3; https://example.org/report-4" in text


def test_the_history_reads_a_fixed_number_of_queries_as_it_grows(entered, committed):
    e = entered
    client = client_for(None)
    url = f"/api/v1/proposals/{e['proposal'].pk}/history/"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    ru, ua = e["parties"]["ru"], e["parties"]["ua"]
    with committed():
        for i in range(4):
            term = term_create(
                proposal=e["proposal"], text=f"Point {i}", quantity=10, unit="people"
            )
            position = position_record(
                proposal=e["proposal"],
                term=term,
                party=ua,
                stance=Stance.REJECTS,
                stated_on=LATER,
                speaker=None,
                source=e["sources"][i],
            )
            update_validated(position, changes={"note": f"n{i}"}, expected_version=None)
            commitment_create(term=term, party=ru, quantity=5)
            event = implementation_event_record(
                term=term, happened_on=LATER, by_party=ru, quantity=1, source=e["sources"][i]
            )
            figure_create(event=event, value=1, source=e["sources"][4 - i])
            implementation_event_update(event=event, note="edited")
    assert Position.objects.filter(proposal=e["proposal"]).count() >= 6
    assert queries() == before


def test_what_went_with_a_deleted_term_stays_in_the_history(entered, committed):
    e = entered
    bodies = e["bodies"].pk
    e["delivery"].refresh_from_db()
    with committed():
        term_delete(term=e["bodies"], reason="Duplicate of another proposal's term")
    events = history(client_for(None), e["proposal"].pk).json()["events"]
    [term] = [ev for ev in edits(events, "term", "deleted") if ev["subject_id"] == bodies]
    assert term["before"]["quantity"] == 6000
    shares = edits(events, "commitment", "deleted")
    assert {ev["subject_id"] for ev in shares} == {e["share_ru"].pk, e["share_ua"].pk}
    assert {ev["reason"] for ev in shares} == {"Duplicate of another proposal's term"}
    [delivery] = edits(events, "implementation", "deleted")
    assert delivery["before"]["quantity"] == 1212
    assert delivery["before"]["to_party"] == e["parties"]["ua"].pk
    [figure] = edits(events, "figure", "deleted")
    assert (figure["before"]["value"], figure["before"]["event"]) == (1210, e["delivery"].pk)
