"""Where issue 12's rules meet (found by a review of the merged engine): each case failed
before its fix. Pure engine, no database."""

from __future__ import annotations

from datetime import date

from proposals.engine import (
    Engine,
    EventIn,
    PositionIn,
    ProposalIn,
    Snapshot,
    TermIn,
)
from proposals.engine.agenda import OnItem, item_status

NAMES = {1: "Russia", 2: "Ukraine"}
RU, UA = 1, 2


def day(n: int) -> date:
    return date(2025, 1, n)


LATE = day(20)


def status(snapshot: Snapshot, proposal: int = 1, on: date = LATE) -> str:
    return Engine(snapshot).proposal_status(proposal, on).status


def test_positions_said_before_the_tabling_day_keep_the_order_they_were_said_in():
    # Both take effect on the tabling day (10th); the acceptance was said after the
    # rejection, so it stands, whichever was entered first.
    proposal = ProposalIn(1, (RU,), frozenset({RU, UA}), tabled_on=day(10))
    positions = (
        PositionIn(1, RU, 1, None, "proposes", day(1)),
        PositionIn(5, UA, 1, None, "accepts", day(3)),
        PositionIn(10, UA, 1, None, "rejects", day(1)),  # older, entered later
    )
    snapshot = Snapshot((proposal,), (TermIn(11, 1, 1),), positions, (), NAMES)
    assert status(snapshot) == "agreed"
    engine = Engine(snapshot)
    assert engine.stance_of(UA, 1, None, day(20)).id == 5
    assert engine.timeline(1, day(20))[0].on == day(10)


def test_a_later_whole_proposal_stance_said_before_tabling_wins_over_an_earlier_term_one():
    proposal = ProposalIn(1, (RU,), frozenset({RU, UA}), tabled_on=day(10))
    positions = (
        PositionIn(1, RU, 1, None, "proposes", day(1)),
        PositionIn(2, UA, 1, 11, "rejects", day(2)),
        PositionIn(3, UA, 1, None, "accepts", day(3)),
    )
    snapshot = Snapshot((proposal,), (TermIn(11, 1, 1),), positions, (), NAMES)
    untabled = Snapshot(
        (ProposalIn(1, (RU,), frozenset({RU, UA})),), snapshot.terms, positions, (), NAMES
    )
    assert status(snapshot) == status(untabled) == "agreed"


def _exchange(*events: EventIn) -> Snapshot:
    proposal = ProposalIn(1, (RU,), frozenset({RU}))
    positions = (PositionIn(1, RU, 1, None, "proposes", day(1)),)
    return Snapshot((proposal,), (TermIn(11, 1, 1, quantity=100),), positions, events, NAMES)


def test_reversing_the_delivery_that_completed_a_term_undoes_the_completion():
    snapshot = _exchange(
        EventIn(1, 11, day(2), 100, True, "delivery", RU),
        EventIn(2, 11, day(3), None, False, "reversal", RU, None, 1),
    )
    assert status(snapshot, on=day(2)) == "implemented"
    result = Engine(snapshot).term_status(11, day(4))
    assert (result.status, result.delivered) == ("in_implementation", 0)


def test_a_term_completed_while_suspended_is_implemented():
    snapshot = _exchange(
        EventIn(1, 11, day(2), 50, False, "delivery", RU),
        EventIn(2, 11, day(3), None, False, "suspension", RU),
        EventIn(3, 11, day(4), 50, True, "delivery", RU),
    )
    assert status(snapshot, on=day(3)) == "suspended"
    assert status(snapshot, on=day(5)) == "implemented"


def test_an_option_group_is_as_deliverable_as_the_option_that_carries_it():
    # The timing group is carried by its procedural option a; its deliverable option b is
    # still open, and must not hold the proposal back from implemented.
    terms = (
        TermIn(11, 1, 1, quantity=5),
        TermIn(12, 1, 2, option_group="timing", option="a", deliverable=False),
        TermIn(13, 1, 3, option_group="timing", option="b", deliverable=True),
    )
    positions = (
        PositionIn(1, RU, 1, None, "proposes", day(1)),
        PositionIn(2, UA, 1, 11, "accepts", day(1)),
        PositionIn(3, UA, 1, 12, "accepts", day(1)),
    )
    events = (EventIn(1, 11, day(2), 5, False, "delivery", RU),)
    proposal = ProposalIn(1, (RU,), frozenset({RU, UA}))
    assert status(Snapshot((proposal,), terms, positions, events, NAMES)) == "implemented"


def test_an_agenda_item_leaves_out_proposals_not_yet_tabled():
    result = item_status([OnItem(1, "Ceasefire", "not_tabled"), OnItem(2, "All", "rejected")])
    assert result.status == "rejected"
    assert "Ceasefire" not in result.reason
