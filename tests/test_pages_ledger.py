"""WS-B: the proposal and term pages show per-party progress, suspensions, breaches and
the kinds of ledger events; the term ledger CSV carries them."""

from __future__ import annotations

import datetime

import pytest

from proposals.models import EventKind, Stance
from proposals.services import (
    commitment_create,
    implementation_event_record,
    position_record,
    proposal_create,
    term_create,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 6, 2)
LATER = datetime.date(2025, 6, 10)


@pytest.fixture
def swap(negotiation, parties, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_create(
            negotiation=negotiation, title="Swap", kind="exchange", tabled_on=DAY
        )
        term = term_create(proposal=proposal, text="1,200 for 1,200", quantity=2400, unit="people")
        term_create(proposal=proposal, text="Within ten days", deliverable=False)
        for party in ("ru", "ua"):
            position_record(
                proposal=proposal, party=parties[party], stance=Stance.ACCEPTS, stated_on=DAY
            )
        commitment_create(term=term, party=parties["ru"], quantity=1200)
        commitment_create(term=term, party=parties["ua"], quantity=1000, quantity_high=1200)
        implementation_event_record(
            term=term, happened_on=DAY, by_party=parties["ru"], to_party=parties["ua"], quantity=900
        )
        implementation_event_record(
            term=term,
            happened_on=LATER,
            kind=EventKind.BREACH,
            by_party=parties["ua"],
            location="Kherson",
        )
        implementation_event_record(term=term, happened_on=LATER, kind=EventKind.SUSPENSION)
    return proposal, term


def test_the_proposal_page_shows_progress_breaches_and_suspension(client, swap):
    proposal, _ = swap
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "Who committed to what, and what each delivered" in page
    assert "1,000–1,200" in page
    assert "1 breach reported" in page and "at Kherson" in page
    assert "Implementation suspended since" in page
    assert "procedural" in page
    assert "Suspended" in page


def test_the_term_page_and_its_csv_show_the_kinds(client, analyst_client, swap):
    _, term = swap
    page = client.get(f"/terms/{term.pk}/").content.decode()
    assert "Breach (Kherson)" in page and "Suspension" in page
    lines = analyst_client.get(f"/terms/{term.pk}/", {"format": "csv"})
    text = lines.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("happened_on,kind,by_party,to_party,quantity")
    assert ",breach,Ukraine,," in text and "Kherson" in text
