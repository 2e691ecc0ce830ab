"""WS-E: conflicting figures. An event, a commitment or a term's total carries several
sourced figures; the counted one is the owner's quantity (set through the owner's own
service), the others stay visible."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from proposals.models import EventKind, Figure, ImplementationEvent, Stance, Status, Term
from proposals.selectors.history import proposal_history
from proposals.services import (
    commitment_create,
    figure_create,
    figure_delete,
    figure_update,
    implementation_event_record,
    position_record,
    proposal_create,
    source_create,
    term_create,
)
from tests.api_support import EDITOR, api_env, client_for, etag_of, make_user  # noqa: F401

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 6, 2)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def exchange(negotiation, parties, committed):
    """An agreed return of 6,060 bodies; one delivery whose size the sides report
    differently (6,057 per Ukraine, 6,060 per Russia)."""
    with committed():
        proposal = proposal_create(
            negotiation=negotiation, title="Bodies", kind="exchange", tabled_on=DAY
        )
        term = term_create(proposal=proposal, text="Return of bodies", quantity=6060, unit="bodies")
        for party in ("ru", "ua"):
            position_record(
                proposal=proposal, party=parties[party], stance=Stance.ACCEPTS, stated_on=DAY
            )
        event = implementation_event_record(
            term=term, happened_on=DAY, by_party=parties["ru"], to_party=parties["ua"]
        )
        ministry = source_create(title="Ministry statement", url="https://example.org/ua")
        kremlin = source_create(title="Kremlin statement", url="https://example.org/ru")
        ua = figure_create(
            event=event, value=6057, attributed_to=parties["ua"], source=ministry, counted=True
        )
        ru = figure_create(event=event, value=6060, attributed_to=parties["ru"], source=kremlin)
    return term, event, ua, ru


def _fresh(row):
    row.refresh_from_db()
    return row


def test_choosing_the_other_figure_changes_the_quantity_status_and_progress(exchange, committed):
    term, event, ua, ru = exchange
    assert _fresh(event).quantity == 6057
    assert _fresh(term).status == Status.IN_IMPLEMENTATION
    assert term.delivered == 6057
    with committed():
        figure_update(figure=ua, counted=False)
        assert _fresh(event).quantity == 6057  # un-counting leaves the quantity
        figure_update(figure=ru, counted=True)
    assert _fresh(event).quantity == 6060
    assert _fresh(term).status == Status.IMPLEMENTED
    assert term.delivered == 6060
    assert Figure.objects.filter(event=event).count() == 2  # the other stays


def test_only_one_figure_is_counted_per_owner(exchange):
    _, event, _, ru = exchange
    with pytest.raises(ValidationError, match="already the counted one"):
        figure_update(figure=ru, counted=True)
    assert _fresh(event).quantity == 6057
    with pytest.raises(ValidationError, match="already the counted one"):
        figure_create(event=event, value=1, counted=True)
    assert _fresh(event).quantity == 6057


def test_a_figure_has_exactly_one_owner(exchange):
    term, event, _, _ = exchange
    with pytest.raises(ValidationError, match="exactly one"):
        figure_create(event=event, term=term, value=1)
    with pytest.raises(ValidationError, match="exactly one"):
        figure_create(value=1)
    with pytest.raises(ValidationError, match="upper end"):
        figure_create(term=term, value=5, value_high=4)


def test_a_counted_figure_on_an_event_without_quantity_is_refused_and_writes_nothing(
    exchange, parties
):
    term, _, _, _ = exchange
    breach = implementation_event_record(
        term=term, happened_on=DAY, kind=EventKind.BREACH, by_party=parties["ru"]
    )
    before = Figure.objects.count()
    with pytest.raises(ValidationError) as error:
        figure_create(event=breach, value=3, counted=True)
    assert "counted" in error.value.message_dict
    assert Figure.objects.count() == before
    assert ImplementationEvent.objects.get(pk=breach.pk).quantity is None


def test_counted_figures_on_a_term_and_a_commitment_set_their_quantities(exchange, parties):
    term, _, _, _ = exchange
    figure_create(term=term, value=6100, approximate=True, counted=True)
    assert Term.objects.get(pk=term.pk).quantity == 6100
    commitment = commitment_create(term=term, party=parties["ru"], quantity=6000)
    figure_create(commitment=commitment, value=6050, counted=True, attributed_to=parties["ru"])
    commitment.refresh_from_db()
    assert commitment.quantity == 6050


def test_delete_needs_a_reason_and_leaves_the_quantity(exchange):
    _, event, ua, _ = exchange
    with pytest.raises(ValidationError):
        figure_delete(figure=ua, reason="")
    figure_delete(figure=ua, reason="Superseded by the final count")
    assert not Figure.objects.filter(pk=ua.pk).exists()
    assert _fresh(event).quantity == 6057


def test_the_page_shows_every_figure_with_ranges_and_about(client, exchange):
    term, _, _, _ = exchange
    figure_create(term=term, value=18, value_high=25, approximate=True, note="early estimate")
    page = client.get(f"/proposals/{term.proposal_id}/").content.decode()
    assert "6,057" in page and '<span class="tag">counted</span> per Ukraine' in page
    assert "6,060 per Russia" in page and "Kremlin statement" in page
    assert "about 18–25" in page


def test_figure_edits_are_in_the_proposal_history(exchange):
    term, _, ua, _ = exchange
    figure_update(figure=ua, note="Ministry of reintegration")
    edits = [
        e
        for e in proposal_history(term.proposal_id, source_fields=["id"])
        if e["type"] == "edited" and e["subject"] == "figure"
    ]
    assert {e["action"] for e in edits} == {"created", "changed"}
    assert any(e["changes"] and "note" in e["changes"] for e in edits)


@pytest.mark.usefixtures("api_env")
def test_figures_through_the_api_with_if_match(exchange, parties):
    term, event, ua, ru = exchange
    editor = client_for(make_user("eddie", EDITOR))
    listed = editor.get("/api/v1/figures/", {"event": event.pk}).json()["results"]
    assert {(r["value"], r["counted"]) for r in listed} == {(6057, True), (6060, False)}
    on_proposal = editor.get("/api/v1/figures/", {"proposal": term.proposal_id}).json()
    assert len(on_proposal["results"]) == 2
    both = editor.post(
        "/api/v1/figures/", {"event": event.pk, "term": term.pk, "value": 1}, format="json"
    )
    assert both.status_code == 400
    second = editor.post(
        "/api/v1/figures/", {"event": event.pk, "value": 1, "counted": True}, format="json"
    )
    assert second.status_code == 400 and "counted one" in str(second.json())
    url = f"/api/v1/figures/{ua.pk}/"
    read = editor.get(url)
    assert editor.patch(url, {"counted": False}, format="json").status_code == 428
    changed = editor.patch(url, {"counted": False}, format="json", HTTP_IF_MATCH=etag_of(read))
    assert changed.status_code == 200, changed.content
    stale = editor.patch(url, {"note": "x"}, format="json", HTTP_IF_MATCH=etag_of(read))
    assert stale.status_code == 412
    other = f"/api/v1/figures/{ru.pk}/"
    counted = editor.patch(
        other, {"counted": True}, format="json", HTTP_IF_MATCH=etag_of(editor.get(other))
    )
    assert counted.status_code == 200, counted.content
    assert _fresh(event).quantity == 6060
    assert editor.delete(f"{url}?reason=Misread").status_code == 204
    deleted = editor.get("/api/v1/deleted/", {"type": "figure"}).json()["results"]
    assert [d["id"] for d in deleted] == [ua.pk]
