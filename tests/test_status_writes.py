"""Writes that reach other proposals' statuses, and the date rules that keep a timeline
sane (issue 13: bugs 1, 4, 5, 6 and 7)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from negotiations.models import Negotiation
from negotiations.services import round_create, round_update
from proposals.models import LinkKind, Position, Proposal, Stance, Status
from proposals.services import (
    implementation_event_record,
    implementation_event_update,
    position_record,
    proposal_create,
    proposal_delete,
    proposal_link_create,
    proposal_update,
    term_create,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 6, 2)
LATER = datetime.date(2025, 6, 20)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block's on-commit callbacks, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _agreed(negotiation, parties, title: str, on: datetime.date | None = DAY) -> Proposal:
    proposal = proposal_create(negotiation=negotiation, title=title, kind="exchange", tabled_on=on)
    term_create(proposal=proposal, text=f"{title}: swap")
    for party in ("ru", "ua"):
        position_record(
            proposal=proposal, party=parties[party], stance=Stance.ACCEPTS, stated_on=on or DAY
        )
    return proposal


def _stored(proposal: Proposal) -> tuple[str, bool, datetime.date | None]:
    proposal.refresh_from_db()
    return proposal.status, proposal.status_stale, proposal.status_since


@pytest.fixture
def replaced(negotiation, parties, committed):
    """An agreed proposal, and a newer one tabled later that supersedes it."""
    with committed():
        older = _agreed(negotiation, parties, "Older")
        newer = proposal_create(
            negotiation=negotiation, title="Newer", kind="exchange", tabled_on=LATER
        )
        proposal_link_create(from_proposal=newer, to_proposal=older, kind=LinkKind.SUPERSEDES)
    assert _stored(older) == (Status.SUPERSEDED, False, LATER)
    return older, newer


# --- 1: both ends of a supersedes link ------------------------------------------------


def test_deleting_the_superseding_proposal_marks_the_older_one_stale(replaced):
    older, newer = replaced
    proposal_delete(proposal=newer, reason="Entered twice")
    assert _stored(older)[1] is True


def test_deleting_the_superseding_proposal_revives_the_older_one(replaced, committed):
    older, newer = replaced
    with committed():
        proposal_delete(proposal=newer, reason="Entered twice")
    assert _stored(older) == (Status.AGREED, False, DAY)


def test_moving_the_superseding_proposal_moves_the_older_ones_supersession(replaced, committed):
    older, newer = replaced
    moved = datetime.date(2025, 6, 25)
    with committed():
        proposal_update(proposal=newer, tabled_on=moved)
    status, stale, since = _stored(older)
    assert (status, stale, since) == (Status.SUPERSEDED, False, moved)
    assert str(moved) in older.status_reason
    assert (
        older.status_changes.filter(term=None).order_by("-changed_on").first().changed_on == moved
    )


# --- 4: rounds ------------------------------------------------------------------------


def test_moving_a_round_moves_the_supersession_it_dates(negotiation, parties, committed):
    with committed():
        first = round_create(negotiation=negotiation, number=1, starts_on=LATER)
        older = _agreed(negotiation, parties, "Older")
        newer = proposal_create(negotiation=negotiation, title="Newer", kind="exchange")
        proposal_update(proposal=newer, round=first)  # no tabled_on: the round dates it
        proposal_link_create(from_proposal=newer, to_proposal=older, kind=LinkKind.SUPERSEDES)
    assert _stored(older) == (Status.SUPERSEDED, False, LATER)
    moved = datetime.date(2025, 6, 10)
    round_update(round=first, starts_on=moved)
    assert _stored(older)[1] is True  # marked in the round's own transaction


def test_a_new_round_refreshes_the_negotiations_convergence(negotiation, parties, committed):
    with committed():
        _agreed(negotiation, parties, "Swap")
    with committed():
        round_create(negotiation=negotiation, number=1, starts_on=LATER)
    negotiation = Negotiation.objects.get(pk=negotiation.pk)
    rounds = [point["round"] for point in negotiation.status_summary["convergence"]]
    assert 1 in rounds


def test_a_new_round_marks_the_negotiations_proposals_stale(negotiation, parties, committed):
    with committed():
        proposal = _agreed(negotiation, parties, "Swap")
    round_create(negotiation=negotiation, number=1, starts_on=LATER)
    assert _stored(proposal)[1] is True


# --- 5: the exchange ledger's dates on update -------------------------------------------


@pytest.fixture
def delivery(negotiation, parties):
    proposal = _agreed(negotiation, parties, "Bodies")
    term = proposal.terms.get()
    return implementation_event_record(term=term, happened_on=LATER, quantity=10)


def test_a_delivery_cannot_be_moved_into_the_future(delivery):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        implementation_event_update(event=delivery, happened_on=tomorrow)
    assert "future" in " ".join(raised.value.message_dict["happened_on"])


def test_a_delivery_cannot_be_moved_before_the_proposal_was_tabled(delivery):
    with pytest.raises(ValidationError) as raised:
        implementation_event_update(event=delivery, happened_on=DAY - datetime.timedelta(days=1))
    assert "2025-06-02" in " ".join(raised.value.message_dict["happened_on"])


# --- 6: supersedes cycles of any length -------------------------------------------------


def test_a_supersedes_cycle_of_three_is_refused(negotiation, parties):
    a, b, c = (
        proposal_create(negotiation=negotiation, title=t, kind="exchange", tabled_on=DAY)
        for t in "ABC"
    )
    proposal_link_create(from_proposal=a, to_proposal=b, kind=LinkKind.SUPERSEDES)
    proposal_link_create(from_proposal=b, to_proposal=c, kind=LinkKind.SUPERSEDES)
    with pytest.raises(ValidationError) as raised:
        proposal_link_create(from_proposal=c, to_proposal=a, kind=LinkKind.SUPERSEDES)
    message = " ".join(raised.value.message_dict["kind"])
    assert "cycle" in message and "“B” supersedes “C”" in message
    proposal_link_create(from_proposal=c, to_proposal=a, kind=LinkKind.AMENDS)  # not a cycle


# --- 7: a position cannot predate its proposal -------------------------------------------


def test_a_position_before_the_proposal_was_tabled_is_refused(negotiation, parties):
    proposal = proposal_create(
        negotiation=negotiation, title="Truce", kind="ceasefire", tabled_on=DAY
    )
    term = term_create(proposal=proposal, text="Stop firing")
    for on_term in (None, term):
        with pytest.raises(ValidationError) as raised:
            position_record(
                proposal=proposal,
                term=on_term,
                party=parties["ru"],
                stance=Stance.REJECTS,
                stated_on=DAY - datetime.timedelta(days=21),
            )
        assert "2025-06-02" in " ".join(raised.value.message_dict["stated_on"])
    position_record(proposal=proposal, party=parties["ru"], stance=Stance.REJECTS, stated_on=DAY)


def test_a_proposal_cannot_be_tabled_after_a_position_on_it(negotiation, parties):
    proposal = proposal_create(
        negotiation=negotiation,
        title="Truce",
        kind="ceasefire",
        tabling_parties=[parties["ua"]],
        tabled_on=DAY,
    )
    position_record(proposal=proposal, party=parties["ru"], stance=Stance.REJECTS, stated_on=DAY)
    with pytest.raises(ValidationError) as raised:
        proposal_update(proposal=proposal, tabled_on=LATER)
    assert "2025-06-02" in " ".join(raised.value.message_dict["tabled_on"])
    proposal_update(proposal=proposal, tabled_on=DAY - datetime.timedelta(days=1))


def test_a_proposal_cannot_be_tabled_after_a_delivery_on_it(negotiation, parties):
    proposal = proposal_create(negotiation=negotiation, title="Swap", kind="exchange")
    term = term_create(proposal=proposal, text="Exchange 100 for 100", quantity=100, unit="people")
    implementation_event_record(term=term, happened_on=DAY, quantity=10)
    with pytest.raises(ValidationError) as raised:
        proposal_update(proposal=proposal, tabled_on=LATER)
    assert "carried out on 2025-06-02" in " ".join(raised.value.message_dict["tabled_on"])
    proposal_update(proposal=proposal, tabled_on=DAY)


def test_correcting_the_tabling_day_moves_the_tabling_position_with_it(negotiation, parties):
    proposal = proposal_create(
        negotiation=negotiation,
        title="Truce",
        kind="ceasefire",
        tabling_parties=[parties["ua"]],
        tabled_on=DAY,
    )
    tabling = Position.objects.get(proposal=proposal, stance=Stance.PROPOSES)
    proposal_update(proposal=proposal, tabled_on=LATER)
    tabling.refresh_from_db()
    assert (tabling.stated_on, tabling.version) == (LATER, 2)
    assert Position.objects.filter(proposal=proposal).count() == 1


def test_positions_of_an_undated_proposal_take_any_day(negotiation, parties):
    proposal = proposal_create(negotiation=negotiation, title="Truce", kind="ceasefire")
    position_record(proposal=proposal, party=parties["ru"], stance=Stance.REJECTS, stated_on=DAY)
    with pytest.raises(ValidationError):
        proposal_update(proposal=proposal, tabled_on=LATER)
    proposal_update(proposal=proposal, tabled_on=DAY)
