"""WS-B: the ledger's writes (commitments, event kinds, procedural terms) through the
services and the API: validation, stored statuses and the read-only progress."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals.models import Commitment, EventKind, ImplementationEvent, Stance, Status, Term
from proposals.services import (
    commitment_create,
    commitment_delete,
    commitment_update,
    implementation_event_delete,
    implementation_event_record,
    position_record,
    proposal_create,
    term_create,
)
from tests.api_support import EDITOR, api_env, client_for, etag_of, make_user  # noqa: F401

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 6, 2)
LATER = datetime.date(2025, 6, 10)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def swap(negotiation, parties, committed):
    """An agreed prisoner swap of 1,200 by each side, and a procedural term beside it."""
    with committed():
        proposal = proposal_create(
            negotiation=negotiation, title="Swap", kind="exchange", tabled_on=DAY
        )
        term = term_create(proposal=proposal, text="1,200 for 1,200", quantity=2400, unit="people")
        term_create(proposal=proposal, text="Within ten days", deliverable=False)
        for party in ("ru", "ua"):
            position_record(
                proposal=proposal, party=parties[party], stance=Stance.ACCEPTS, stated_on=DAY
            )
            commitment_create(term=term, party=parties[party], quantity=1200, unit="people")
    return proposal, term


def _status(row):
    row.refresh_from_db()
    return row.status


def test_a_two_way_commitment_is_stored_implemented_only_when_both_sides_delivered(
    swap, parties, committed
):
    proposal, term = swap
    with committed():
        implementation_event_record(
            term=term, happened_on=DAY, by_party=parties["ru"], quantity=2400
        )
    assert _status(term) == Status.IN_IMPLEMENTATION
    assert "Russia 2,400 of 1,200, Ukraine 0 of 1,200" in term.status_reason
    with committed():
        implementation_event_record(
            term=term, happened_on=LATER, by_party=parties["ua"], quantity=1200
        )
    assert _status(term) == Status.IMPLEMENTED
    # The procedural term does not hold the proposal back.
    assert _status(proposal) == Status.IMPLEMENTED


def test_a_commitment_change_marks_the_proposal_stale_and_is_recomputed(swap, parties, committed):
    proposal, term = swap
    with committed():
        implementation_event_record(
            term=term, happened_on=DAY, by_party=parties["ru"], quantity=1200
        )
        implementation_event_record(
            term=term, happened_on=DAY, by_party=parties["ua"], quantity=1000
        )
    assert _status(term) == Status.IN_IMPLEMENTATION
    ua = Commitment.objects.get(term=term, party=parties["ua"])
    commitment_update(commitment=ua, quantity=1000)
    proposal.refresh_from_db()
    assert proposal.status_stale
    with committed():
        commitment_update(commitment=Commitment.objects.get(pk=ua.pk), quantity=900)
    assert _status(term) == Status.IMPLEMENTED
    with committed():
        commitment_delete(commitment=Commitment.objects.get(pk=ua.pk), reason="Misread")
    # Russia's 1,200 of 1,200 is now all there is to deliver.
    assert _status(term) == Status.IMPLEMENTED


def test_a_halt_suspends_and_a_resumption_resumes(swap, parties, committed):
    _, term = swap
    with committed():
        implementation_event_record(
            term=term, happened_on=DAY, by_party=parties["ru"], quantity=100
        )
        implementation_event_record(
            term=term, happened_on=LATER, kind=EventKind.HALT, by_party=parties["ru"]
        )
    assert _status(term) == Status.SUSPENDED
    assert term.status_reason.startswith("suspended on 2025-06-10 (halt by Russia)")
    with committed():
        implementation_event_record(term=term, happened_on=LATER, kind=EventKind.RESUMPTION)
    assert _status(term) == Status.IN_IMPLEMENTATION


def test_a_breach_is_counted_and_changes_nothing(swap, parties, committed):
    _, term = swap
    with committed():
        implementation_event_record(
            term=term,
            happened_on=DAY,
            kind=EventKind.BREACH,
            by_party=parties["ru"],
            location="Kherson",
        )
    assert _status(term) == Status.AGREED
    assert term.status_reason.endswith("; 1 breach reported")


def test_a_reversal_takes_a_delivery_back(swap, parties, committed):
    _, term = swap
    with committed():
        first = implementation_event_record(
            term=term, happened_on=DAY, by_party=parties["ru"], quantity=1200
        )
        implementation_event_record(
            term=term, happened_on=DAY, by_party=parties["ua"], quantity=1200
        )
    assert _status(term) == Status.IMPLEMENTED
    with committed():
        implementation_event_record(
            term=term, happened_on=LATER, kind=EventKind.REVERSAL, reverses=first
        )
    assert _status(term) == Status.IN_IMPLEMENTATION
    assert term.delivered == 1200
    with pytest.raises(ValidationError, match="delete them first"):
        implementation_event_delete(event=first, reason="Wrong")


@pytest.mark.parametrize(
    "fields, field, words",
    [
        ({"kind": EventKind.BREACH, "quantity": 5}, "quantity", "Only a delivery or a reversal"),
        ({"kind": EventKind.HALT, "completes": True}, "completes", "Only a delivery"),
        ({"kind": EventKind.REVERSAL}, "reverses", "Say which delivery"),
        ({"kind": EventKind.DISPUTE}, "reverses", "Say which delivery"),
    ],
)
def test_it_refuses_an_event_that_does_not_fit_its_kind(swap, fields, field, words):
    _, term = swap
    before = ImplementationEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        implementation_event_record(term=term, happened_on=DAY, **fields)
    assert words in " ".join(raised.value.message_dict[field])
    assert ImplementationEvent.objects.count() == before


def test_a_reversal_must_name_an_earlier_delivery_of_the_same_term(swap, parties):
    proposal, term = swap
    other = Term.objects.filter(proposal=proposal).exclude(pk=term.pk).get()
    elsewhere = implementation_event_record(term=other, happened_on=DAY, quantity=1)
    later = implementation_event_record(term=term, happened_on=LATER, quantity=1)
    breach = implementation_event_record(term=term, happened_on=DAY, kind=EventKind.BREACH)
    for target, words in [
        (elsewhere, "same term"),
        (breach, "same term"),
        (later, "only happened on 2025-06-10"),
    ]:
        with pytest.raises(ValidationError) as raised:
            implementation_event_record(
                term=term, happened_on=DAY, kind=EventKind.REVERSAL, reverses=target
            )
        assert words in " ".join(raised.value.message_dict["reverses"])


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"quantity": -1}, "cannot be negative"),
        ({"quantity": 10, "quantity_high": 5}, "upper end"),
    ],
)
def test_it_refuses_a_bad_commitment(swap, parties, fields, words):
    _, term = swap
    with pytest.raises(ValidationError, match=words):
        commitment_create(term=term, party=parties["tr"], **fields)


def test_it_refuses_a_second_commitment_of_a_party_and_a_stranger(swap, parties):
    _, term = swap
    with pytest.raises(ValidationError, match="already has a commitment"):
        commitment_create(term=term, party=parties["ru"], quantity=1)
    with pytest.raises(ValidationError, match="takes no part"):
        commitment_create(term=term, party=parties["xx"], quantity=1)


# ---------------------------------------------------------------- the API


@pytest.fixture
def editor():
    return client_for(make_user("eddie", EDITOR))


@pytest.mark.usefixtures("api_env")
def test_commitments_through_the_api_with_if_match_and_progress(swap, parties, editor):
    _, term = swap
    implementation_event_record(term=term, happened_on=DAY, by_party=parties["ru"], quantity=700)
    listed = editor.get("/api/v1/commitments/", {"term": term.pk})
    assert listed.status_code == 200
    assert {(r["party"], r["quantity"], r["delivered"]) for r in listed.json()["results"]} == {
        (parties["ru"].pk, 1200, 700),
        (parties["ua"].pk, 1200, 0),
    }
    created = editor.post(
        "/api/v1/commitments/",
        {"term": term.pk, "party": parties["tr"].pk, "quantity": 5, "quantity_high": 3},
        format="json",
    )
    assert created.status_code == 400
    assert "upper end" in str(created.json()).lower()
    created = editor.post(
        "/api/v1/commitments/",
        {"term": term.pk, "party": parties["tr"].pk, "quantity": 3, "approximate": True},
        format="json",
    )
    assert created.status_code == 201, created.content
    url = f"/api/v1/commitments/{created.json()['id']}/"
    assert editor.patch(url, {"quantity": 4}, format="json").status_code == 428
    changed = editor.patch(url, {"quantity": 4}, format="json", HTTP_IF_MATCH=etag_of(created))
    assert changed.status_code == 200, changed.content
    stale = editor.patch(url, {"quantity": 5}, format="json", HTTP_IF_MATCH=etag_of(created))
    assert stale.status_code == 412
    assert editor.delete(f"{url}?reason=Misread").status_code == 204
    assert editor.get("/api/v1/commitments/", {"format": "csv"}).status_code in (200, 403)


@pytest.mark.usefixtures("api_env")
def test_events_through_the_api_carry_their_kind(swap, parties, editor):
    _, term = swap
    delivery = editor.post(
        "/api/v1/implementation-events/",
        {
            "term": term.pk,
            "happened_on": DAY,
            "by_party": parties["ru"].pk,
            "to_party": parties["ua"].pk,
            "quantity": 10,
        },
        format="json",
    )
    assert delivery.status_code == 201, delivery.content
    assert delivery.json()["kind"] == "delivery"
    dispute = editor.post(
        "/api/v1/implementation-events/",
        {"term": term.pk, "happened_on": DAY, "kind": "dispute", "quantity": 3},
        format="json",
    )
    assert dispute.status_code == 400
    errors = str(dispute.json())
    assert "reverses" in errors and "quantity" in errors
    dispute = editor.post(
        "/api/v1/implementation-events/",
        {"term": term.pk, "happened_on": DAY, "kind": "dispute", "reverses": delivery.json()["id"]},
        format="json",
    )
    assert dispute.status_code == 201, dispute.content
    breaches = editor.get("/api/v1/implementation-events/", {"kind": "dispute"}).json()
    assert [r["reverses"] for r in breaches["results"]] == [delivery.json()["id"]]
    term_row = editor.get(f"/api/v1/terms/{term.pk}/").json()
    assert term_row["deliverable"] is True


@pytest.mark.usefixtures("api_env")
def test_the_commitments_list_reads_every_terms_ledger_in_a_fixed_number_of_queries(
    swap, parties, django_assert_max_num_queries
):
    proposal, term = swap
    client = client_for(make_user("reader", EDITOR))
    implementation_event_record(term=term, happened_on=LATER, by_party=parties["ru"], quantity=5)
    with CaptureQueriesContext(connection) as one_term:
        rows = client.get("/api/v1/commitments/").json()["results"]
    assert sorted(r["delivered"] for r in rows) == [0, 5]
    for i in range(3):
        other = term_create(proposal=proposal, text=f"Other {i}", quantity=10, unit="people")
        commitment_create(term=other, party=parties["ru"], quantity=10, unit="people")
    with django_assert_max_num_queries(len(one_term.captured_queries)):
        assert len(client.get("/api/v1/commitments/").json()["results"]) == 5
