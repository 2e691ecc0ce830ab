"""WS-B: the exchange ledger in the engine (engine/ledger.py): commitments per party,
suspensions, breaches, reversals, disputes and procedural (non-deliverable) terms."""

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from proposals.engine import (
    ADVANCEMENT,
    AGREED_OR_BEYOND,
    CommitmentIn,
    Engine,
    EventIn,
    Snapshot,
    TermIn,
    all_statuses,
    proposal_status,
    term_status,
    timeline,
)
from proposals.engine.ledger import party_progress
from proposals.engine.rules import aggregate
from tests.test_engine import AFTER, RU, UA, D, Negotiation, fast, snapshots

LATER = D + timedelta(days=5)


def exchange(
    *commitments: CommitmentIn, quantity: int | None = None, deliverable: bool = True
) -> tuple[Negotiation, int]:
    """An agreed term of one proposal (RU and UA accept on D)."""
    n = Negotiation()
    pid = n.proposal()
    n.terms.append(
        TermIn(100, pid, 0, quantity=quantity, deliverable=deliverable, commitments=commitments)
    )
    n.say(RU, "accepts", term=100)
    n.say(UA, "accepts", term=100)
    return n, 100


def add(n: Negotiation, term: int, on: date, kind: str = "delivery", **fields) -> int:
    eid = len(n.events) + 1
    n.events.append(EventIn(eid, term, on, kind=kind, **fields))
    return eid


EACH_1200 = (CommitmentIn(RU, 1200), CommitmentIn(UA, 1200))


def test_a_two_way_exchange_is_implemented_only_once_both_sides_delivered():
    n, t = exchange(*EACH_1200)
    add(n, t, D, quantity=1200, by_party_id=RU, to_party_id=UA)
    add(n, t, AFTER, quantity=900, by_party_id=UA, to_party_id=RU)
    result = term_status(n.snapshot(), t, AFTER)
    assert (result.status, result.delivered) == ("in_implementation", 2100)
    assert result.reason == "in implementation: Russia 1,200 of 1,200, Ukraine 900 of 1,200"
    add(n, t, LATER, quantity=300, by_party_id=UA)
    result = term_status(n.snapshot(), t, LATER)
    assert (result.status, result.delivered) == ("implemented", 2400)
    assert result.reason == "implemented: Russia 1,200 of 1,200, Ukraine 1,200 of 1,200"


def test_one_side_overdelivering_does_not_implement_a_two_way_exchange():
    n, t = exchange(*EACH_1200, quantity=2400)
    add(n, t, D, quantity=2400, by_party_id=RU)
    assert term_status(n.snapshot(), t, D).status == "in_implementation"


def test_per_party_progress_gives_committed_ranges_and_deliveries():
    term = TermIn(1, 1, 0, commitments=(CommitmentIn(RU, 1000, 1200, True),))
    events = [EventIn(1, 1, D, 700, kind="delivery", by_party_id=RU)]
    (line,) = party_progress(term, events, D)
    assert (line.party_id, line.committed, line.committed_high, line.approximate) == (
        RU,
        1000,
        1200,
        True,
    )
    assert line.delivered == 700
    assert party_progress(term, events, D - timedelta(days=1))[0].delivered == 0


def test_a_suspension_makes_an_agreed_term_suspended_until_resumed():
    n, t = exchange(quantity=100)
    add(n, t, D, quantity=10)
    add(n, t, AFTER, "halt", by_party_id=RU)
    add(n, t, LATER, "resumption")
    assert term_status(n.snapshot(), t, D).status == "in_implementation"
    suspended = term_status(n.snapshot(), t, AFTER)
    assert suspended.status == "suspended"
    assert suspended.reason == "suspended on 2025-06-03 (halt by Russia); 10 of 100 delivered"
    assert term_status(n.snapshot(), t, LATER).status == "in_implementation"
    days = [(e.on, e.status) for e in timeline(n.snapshot(), 1, LATER) if e.term_id == t]
    assert days == [
        (D, "in_implementation"),
        (AFTER, "suspended"),
        (LATER, "in_implementation"),
    ]


def test_a_suspension_before_any_delivery_suspends_an_agreed_term():
    n, t = exchange()
    add(n, t, D, "suspension")
    assert term_status(n.snapshot(), t, D).status == "suspended"


def test_a_suspension_after_implementation_changes_nothing():
    n, t = exchange(quantity=10)
    add(n, t, D, quantity=10)
    add(n, t, AFTER, "suspension")
    assert term_status(n.snapshot(), t, AFTER).status == "implemented"


def test_a_suspension_does_not_touch_a_term_that_is_not_agreed():
    n, t = exchange()
    n.say(UA, "rejects", term=t, on=AFTER)
    add(n, t, AFTER, "suspension")
    assert term_status(n.snapshot(), t, AFTER).status == "rejected"


def test_a_breach_changes_no_status_but_is_counted():
    n, t = exchange(quantity=100)
    before = term_status(n.snapshot(), t, AFTER)
    add(n, t, AFTER, "breach", by_party_id=RU)
    add(n, t, AFTER, "breach", by_party_id=UA)
    after = term_status(n.snapshot(), t, AFTER)
    assert after.status == before.status == "agreed"
    assert after.reason == before.reason + "; 2 breaches reported"
    add(n, t, LATER, quantity=5)
    result = term_status(n.snapshot(), t, LATER)
    assert result.status == "in_implementation"
    assert result.reason == "in implementation: 5 of 100 delivered; 2 breaches reported"


def test_a_reversal_subtracts_the_reversed_delivery():
    n, t = exchange(*EACH_1200)
    add(n, t, D, quantity=1200, by_party_id=RU)
    first = add(n, t, D, quantity=1200, by_party_id=UA)
    assert term_status(n.snapshot(), t, D).status == "implemented"
    add(n, t, AFTER, "reversal", reverses_id=first)
    result = term_status(n.snapshot(), t, AFTER)
    assert (result.status, result.delivered) == ("in_implementation", 1200)
    assert "Ukraine 0 of 1,200" in result.reason


def test_a_partial_reversal_subtracts_its_own_quantity_and_only_once():
    n, t = exchange(quantity=100)
    first = add(n, t, D, quantity=60)
    add(n, t, AFTER, "reversal", quantity=20, reverses_id=first)
    add(n, t, AFTER, "reversal", reverses_id=first)
    assert term_status(n.snapshot(), t, AFTER).delivered == 40


def test_a_disputed_delivery_stays_counted_and_is_flagged():
    n, t = exchange(quantity=100)
    first = add(n, t, D, quantity=100)
    add(n, t, AFTER, "dispute", reverses_id=first)
    result = term_status(n.snapshot(), t, AFTER)
    assert (result.status, result.delivered) == ("implemented", 100)
    assert result.reason == "implemented: 100 of 100 delivered; 1 delivery disputed"


def test_a_procedural_term_does_not_hold_its_proposal_back_from_implemented():
    n = Negotiation()
    pid = n.proposal()
    n.terms.append(TermIn(100, pid, 0, quantity=10))
    n.terms.append(TermIn(101, pid, 1, deliverable=False))  # "within 10 days"
    n.say(RU, "accepts", proposal=pid)
    n.say(UA, "accepts", proposal=pid)
    add(n, 100, AFTER, quantity=10)
    result = proposal_status(n.snapshot(), pid, AFTER)
    assert result.status == "implemented"
    assert [t.status for t in result.terms] == ["implemented", "agreed"]
    assert proposal_status(n.snapshot(), pid, D).status == "agreed"


def test_procedural_terms_alone_still_count():
    assert aggregate(["agreed", "implemented"], [False, False]) == "agreed"
    assert aggregate(["agreed", "implemented"], [False, True]) == "implemented"
    assert aggregate(["agreed", "implemented"]) == "agreed"


def test_suspended_sits_between_agreed_and_in_implementation_in_the_aggregate():
    assert ADVANCEMENT["agreed"] < ADVANCEMENT["suspended"] < ADVANCEMENT["in_implementation"]
    assert "suspended" in AGREED_OR_BEYOND
    assert aggregate(["suspended", "implemented", "in_implementation"]) == "suspended"
    assert aggregate(["suspended", "agreed"]) == "agreed"
    assert aggregate(["suspended", "rejected"]) == "partially_agreed"


def test_a_suspended_term_makes_its_proposal_suspended():
    n, t = exchange(quantity=10)
    add(n, t, D, quantity=5)
    add(n, t, AFTER, "suspension")
    result = proposal_status(n.snapshot(), 1, AFTER)
    assert result.status == "suspended"


# ---------------------------------------------------------------- properties

KINDS = ["delivery"] * 4 + ["suspension", "halt", "resumption", "breach", "reversal", "dispute"]


@st.composite
def ledger_snapshots(draw: st.DrawFn) -> Snapshot:
    """tests/test_engine.py's snapshots, with deliverable flags, commitments and every
    kind of event (reversals and disputes naming any event, even a later one)."""
    base = draw(snapshots())
    parties = sorted(base.party_names)
    terms = tuple(
        replace(
            term,
            deliverable=draw(st.booleans()),
            commitments=tuple(
                CommitmentIn(
                    party,
                    low := draw(st.integers(0, 4)),
                    draw(st.none() | st.integers(low, 6)),
                    draw(st.booleans()),
                )
                for party in draw(st.lists(st.sampled_from(parties), unique=True, max_size=2))
            ),
        )
        for term in base.terms
    )
    ids = [e.id for e in base.events]
    events = []
    for event in base.events:
        kind = draw(st.sampled_from(KINDS))
        events.append(
            replace(
                event,
                kind=kind,
                quantity=event.quantity if kind in ("delivery", "reversal") else None,
                completes=event.completes and kind == "delivery",
                by_party_id=draw(st.none() | st.sampled_from(parties)),
                reverses_id=draw(st.sampled_from(ids)) if kind in ("reversal", "dispute") else None,
            )
        )
    return replace(base, terms=terms, events=tuple(events))


days = st.integers(0, 8).map(lambda d: date(2025, 5, 1) + timedelta(days=d))


@fast
@given(ledger_snapshots(), days, st.data())
def test_the_ledger_never_depends_on_the_order_of_input_rows(snapshot, day, data):
    shuffled = replace(
        snapshot,
        terms=tuple(data.draw(st.permutations(snapshot.terms))),
        events=tuple(data.draw(st.permutations(snapshot.events))),
        positions=tuple(data.draw(st.permutations(snapshot.positions))),
    )
    assert all_statuses(shuffled, day) == all_statuses(snapshot, day)
    for p in snapshot.proposals:
        assert timeline(shuffled, p.id, day) == timeline(snapshot, p.id, day)


@fast
@given(ledger_snapshots(), days)
def test_later_events_and_positions_never_change_an_earlier_status(snapshot, day):
    earlier = replace(
        snapshot,
        positions=tuple(p for p in snapshot.positions if p.stated_on <= day),
        events=tuple(e for e in snapshot.events if e.happened_on <= day),
    )
    assert all_statuses(earlier, day) == all_statuses(snapshot, day)


@fast
@given(ledger_snapshots(), days)
def test_every_ledger_timeline_ends_on_the_status_as_of_its_last_day(snapshot, until):
    engine = Engine(snapshot)
    for pid, now in engine.all_statuses(until).items():
        last = {e.term_id: e.status for e in engine.timeline(pid, until)}
        if not last:
            assert {now.status, *(t.status for t in now.terms)} == {"open"}
            continue
        assert last[None] == now.status
        assert {t.term_id: t.status for t in now.terms} == {
            tid: s for tid, s in last.items() if tid is not None
        }


@fast
@given(ledger_snapshots(), days)
def test_a_ledger_timeline_replays_on_each_day_the_status_as_of_that_day(snapshot, until):
    start = date(2025, 5, 1)
    engine = Engine(snapshot)
    for p in snapshot.proposals:
        entries = engine.timeline(p.id, until)
        for offset in range((until - start).days + 1):
            day = start + timedelta(days=offset)
            now = Engine(snapshot).proposal_status(p.id, day)
            expected = {None: now.status, **{t.term_id: t.status for t in now.terms}}
            latest = {e.term_id: e.status for e in entries if e.on <= day}
            for key, status in expected.items():
                assert latest.get(key, "open") == status
