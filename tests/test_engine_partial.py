"""WS-B: partial realisation in the engine (engine/partial.py): a narrower deal B
"realises part of" a maximal demand A."""

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from proposals.engine import Engine, Snapshot, all_statuses, proposal_status, timeline
from tests.test_engine import AFTER, BEFORE, RU, UA, D, Negotiation, fast
from tests.test_engine_ledger import ledger_snapshots

LATER = D + timedelta(days=5)


def demand_and_deal(since: date | None = None) -> tuple[Negotiation, int, int]:
    """A (a maximal demand nobody agreed) and B (a narrower deal agreed on AFTER)."""
    n = Negotiation()
    a = n.proposal()
    n.term(a)
    b = n.proposal()
    n.term(b)
    n.say(RU, "accepts", proposal=b, on=AFTER)
    n.say(UA, "accepts", proposal=b, on=AFTER)
    n.say(RU, "rejects", proposal=a, on=D)
    n.proposals[0] = replace(
        n.proposals[0], title="Maximal demand", realised_in_part_by=((b, since),)
    )
    n.proposals[1] = replace(n.proposals[1], title="Prisoner swap")
    return n, a, b


def test_a_demand_is_partially_agreed_while_a_deal_realising_part_of_it_is_agreed():
    n, a, b = demand_and_deal()
    n.say(RU, "undecided", proposal=a, on=D)  # A open, not rejected
    assert proposal_status(n.snapshot(), a, D).status == "open"
    result = proposal_status(n.snapshot(), a, AFTER)
    assert result.status == "partially_agreed"
    assert result.reason.startswith("partially realised by «Prisoner swap», agreed on 2025-06-03; ")
    n.say(UA, "rejects", proposal=b, on=LATER)
    assert proposal_status(n.snapshot(), a, LATER).status == "open"


def test_a_rejected_demand_stays_rejected():
    n, a, _ = demand_and_deal()
    assert proposal_status(n.snapshot(), a, AFTER).status == "rejected"


def test_the_link_counts_only_from_its_day():
    n, a, _ = demand_and_deal(since=LATER)
    n.say(RU, "undecided", proposal=a, on=D)
    assert proposal_status(n.snapshot(), a, AFTER).status == "open"
    assert proposal_status(n.snapshot(), a, LATER).status == "partially_agreed"


def test_an_agreed_demand_is_left_alone():
    n, a, _ = demand_and_deal()
    n.say(RU, "accepts", proposal=a, on=AFTER)
    n.say(UA, "accepts", proposal=a, on=AFTER)
    assert proposal_status(n.snapshot(), a, AFTER).status == "agreed"


def test_partial_realisation_does_not_chain_and_cycles_do_not_loop():
    n, a, b = demand_and_deal()
    n.say(RU, "undecided", proposal=a, on=D)
    c = n.proposal()
    n.term(c)
    # C realises part of B, B of A, A of B: B agreed makes A partial; A partial makes
    # nothing of B (only agreed-or-beyond counts) and C, open, makes nothing of anything.
    n.proposals[1] = replace(n.proposals[1], realised_in_part_by=((a, None), (c, None)))
    statuses = all_statuses(n.snapshot(), AFTER)
    assert statuses[a].status == "partially_agreed"
    assert statuses[b].status == "agreed"
    assert statuses[c].status == "open"
    n.proposals[2] = replace(n.proposals[2], realised_in_part_by=((a, None),))
    assert all_statuses(n.snapshot(), AFTER)[c].status == "open"  # A is only partial


def test_the_demands_timeline_changes_on_the_days_the_deal_changes():
    n, a, b = demand_and_deal()
    n.say(RU, "undecided", proposal=a, on=BEFORE)
    n.say(RU, "undecided", proposal=a, on=D)  # over the rejection of that day
    n.say(UA, "rejects", proposal=b, on=LATER)
    days = [(e.on, e.status) for e in timeline(n.snapshot(), a, LATER) if e.term_id is None]
    assert days == [(BEFORE, "open"), (AFTER, "partially_agreed"), (LATER, "open")]


@st.composite
def linked_snapshots(draw: st.DrawFn) -> Snapshot:
    """The ledger snapshots, with "realises part of" links between their proposals."""
    base = draw(ledger_snapshots())
    ids = [p.id for p in base.proposals]
    since = st.none() | st.integers(0, 8).map(lambda d: date(2025, 6, 1) + timedelta(days=d))
    proposals = tuple(
        replace(
            p,
            title=f"P{p.id}",
            realised_in_part_by=tuple(
                sorted(
                    (other, draw(since))
                    for other in draw(st.lists(st.sampled_from(ids), unique=True, max_size=2))
                    if other != p.id
                )
            ),
        )
        for p in base.proposals
    )
    return replace(base, proposals=proposals)


days = st.integers(0, 8).map(lambda d: date(2025, 6, 1) + timedelta(days=d))


@fast
@given(linked_snapshots(), days)
def test_linked_timelines_end_on_the_status_as_of_their_last_day(snapshot, until):
    engine = Engine(snapshot)
    for pid, now in engine.all_statuses(until).items():
        last = {e.term_id: e.status for e in engine.timeline(pid, until)}
        if last:
            assert last[None] == now.status


@fast
@given(linked_snapshots(), days)
def test_linked_timelines_replay_each_day_as_of_that_day(snapshot, until):
    start = date(2025, 6, 1)
    for p in snapshot.proposals:
        entries = Engine(snapshot).timeline(p.id, until)
        for offset in range((until - start).days + 1):
            day = start + timedelta(days=offset)
            now = Engine(snapshot).proposal_status(p.id, day)
            latest = {e.term_id: e for e in entries if e.on <= day}
            if None in latest:
                assert latest[None].status == now.status
                if latest[None].on == day:
                    assert latest[None].reason == now.reason
            else:
                assert now.status == "open"


@fast
@given(linked_snapshots(), days)
def test_later_rows_never_change_an_earlier_partial_realisation(snapshot, day):
    earlier = replace(
        snapshot,
        positions=tuple(p for p in snapshot.positions if p.stated_on <= day),
        events=tuple(e for e in snapshot.events if e.happened_on <= day),
    )
    assert all_statuses(earlier, day) == all_statuses(snapshot, day)
