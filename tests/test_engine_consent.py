"""Engine rules of issue 12's consent points: reservations (point 5), tabling parties
(point 1) and "not yet tabled" (point 10)."""

from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from proposals.engine import (
    ADVANCEMENT,
    Engine,
    PositionIn,
    Snapshot,
    all_statuses,
    proposal_status,
    term_status,
    timeline,
)
from tests.test_engine import (
    AFTER,
    BEFORE,
    RU,
    TR,
    UA,
    US,
    D,
    Negotiation,
    days,
    one_term,
    snapshots,
    status_of,
)

RESERVES = "accepts_with_reservations"

# ---------------------------------------------------------------- reservations


def test_accepting_with_reservations_agrees_a_term():
    n, _, t = one_term()
    n.say(RU, RESERVES, term=t)
    n.say(UA, "accepts", term=t)
    result = term_status(n.snapshot(), t, D)
    assert result.status == "agreed"
    assert result.reason == (
        "agreed: accepted by Ukraine (2025-06-02); "
        "accepted with reservations by Russia (2025-06-02)"
    )
    assert [b.counts_as for b in result.basis] == [RESERVES, "accepts"]


def test_reservations_never_keep_a_term_conditional():
    n, p, t = one_term()
    n.say(RU, RESERVES, proposal=p, on=BEFORE)
    n.say(UA, RESERVES, term=t)
    assert status_of(n, t) == "agreed"
    assert proposal_status(n.snapshot(), p, D).status == "agreed"


def test_a_rejection_after_reservations_rejects():
    n, _, t = one_term()
    n.say(RU, RESERVES, term=t, on=BEFORE)
    n.say(UA, "accepts", term=t, on=BEFORE)
    n.say(RU, "rejects", term=t)
    assert status_of(n, t, BEFORE) == "agreed"
    assert status_of(n, t) == "rejected"


def test_worked_example_an_exchange_accepted_with_reservations_on_its_timing():
    """Both sides agree the large exchange; Ukraine reserves the timing of its second stage.
    The exchange is agreed, and goes into implementation as prisoners are returned."""
    n, p, _ = one_term()
    n.terms.clear()
    first = n.term(p, quantity=1000, label="1")
    second = n.term(p, quantity=200, label="2")
    n.say(RU, "proposes", proposal=p, on=BEFORE)
    n.say(UA, RESERVES, proposal=p)
    n.event(first, D, 390)
    result = proposal_status(n.snapshot(), p, D)
    assert [t.status for t in result.terms] == ["in_implementation", "agreed"]
    assert result.status == "agreed"
    assert term_status(n.snapshot(), second, D).reason == (
        "agreed: proposed by Russia (2025-06-01); "
        "accepted with reservations by Ukraine (2025-06-02)"
    )


# ---------------------------------------------------------------- tabling parties


def joint(tabling=(RU, TR), consent=(RU, UA), tabled_on=None):
    n = Negotiation()
    pid = n.proposal(consent=consent)
    n.proposals[0] = replace(n.proposals[0], tabling_party_ids=tabling, tabled_on=tabled_on)
    return n, pid, n.term(pid)


def test_a_joint_proposal_is_withdrawn_only_when_every_co_sponsor_withdraws():
    n, p, t = joint()
    n.say(RU, "accepts", term=t)
    n.say(UA, "accepts", term=t)
    n.say(TR, "withdraws", proposal=p)
    result = term_status(n.snapshot(), t, D)
    assert result.status == "agreed"
    assert result.reason.endswith("; withdrawal by co-sponsor Turkey on 2025-06-02")
    n.say(RU, "withdraws", proposal=p, on=AFTER)
    result = proposal_status(n.snapshot(), p, AFTER)
    assert result.status == "withdrawn"
    assert result.reason == "withdrawn by Russia (2025-06-03) and Turkey (2025-06-02)"


def test_co_sponsors_withdrawing_the_same_day_are_named_together():
    n, p, t = joint()
    n.say(RU, "withdraws", proposal=p)
    n.say(TR, "withdraws", proposal=p)
    result = term_status(n.snapshot(), t, D)
    assert (result.status, result.reason) == (
        "withdrawn",
        "withdrawn by Russia and Turkey on 2025-06-02",
    )


def test_only_a_tabling_party_can_withdraw():
    n, p, t = joint(tabling=(TR,))
    n.say(RU, "accepts", term=t)
    n.say(UA, "accepts", term=t)
    n.say(US, "withdraws", proposal=p)
    assert status_of(n, t) == "agreed"


def test_a_mediators_text_has_no_tabling_party_and_cannot_be_withdrawn():
    n, p, t = joint(tabling=())
    n.say(RU, "withdraws", proposal=p)
    n.say(UA, "accepts", term=t)
    assert status_of(n, t) == "open"


def test_a_co_sponsor_outside_the_consent_set_counts_only_for_withdrawal():
    n, p, t = joint(tabling=(TR, US))
    n.say(TR, "rejects", term=t)
    n.say(RU, "accepts", term=t)
    n.say(UA, "accepts", term=t)
    assert status_of(n, t) == "agreed"
    assert [b.party_id for b in term_status(n.snapshot(), t, D).basis] == [RU, UA, TR, US]


# ---------------------------------------------------------------- not yet tabled


def test_before_its_tabling_day_a_proposal_and_its_terms_are_not_yet_tabled():
    n, p, t = joint(tabling=(RU,), tabled_on=D)
    n.say(RU, "proposes", proposal=p, on=D)
    result = proposal_status(n.snapshot(), p, BEFORE)
    assert (result.status, result.reason) == (
        "not_tabled",
        "not yet tabled (tabled on 2025-06-02)",
    )
    assert [(x.status, x.reason) for x in result.terms] == [
        ("not_tabled", "not yet tabled (tabled on 2025-06-02)")
    ]
    assert proposal_status(n.snapshot(), p, D).status == "open"


def test_positions_stated_before_tabling_count_from_the_tabling_day_with_their_own_date():
    early = D - timedelta(days=5)
    n, p, t = joint(tabling=(RU,), tabled_on=D)
    n.say(RU, "proposes", proposal=p, on=early)
    n.say(UA, "accepts", term=t, on=early)
    assert status_of(n, t, BEFORE) == "not_tabled"
    result = term_status(n.snapshot(), t, D)
    assert result.status == "agreed"
    assert {b.party_id: b.stated_on for b in result.basis} == {RU: early, UA: early}
    assert Engine(n.snapshot()).stance_of(UA, p, t, D).stated_on == early


def test_the_timeline_starts_on_the_tabling_day():
    n, p, t = joint(tabling=(RU,), tabled_on=D)
    n.say(RU, "proposes", proposal=p, on=D - timedelta(days=5))
    n.say(UA, "accepts", proposal=p, on=AFTER)
    entries = timeline(n.snapshot(), p, AFTER)
    assert [(e.on, e.term_id, e.status) for e in entries] == [
        (D, None, "open"),
        (D, t, "open"),
        (AFTER, None, "agreed"),
        (AFTER, t, "agreed"),
    ]
    assert timeline(n.snapshot(), p, BEFORE) == []


# ---------------------------------------------------------------- properties

# Fewer examples than test_engine's properties: these repeat them with more inputs, and
# CI is at its time limit.
quick = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def consent_snapshots(draw: st.DrawFn) -> Snapshot:
    """The engine's snapshots with co-sponsors, mediators' texts, reservations and tabling
    days mixed in."""
    snapshot = draw(snapshots())
    parties = sorted(snapshot.party_names)
    proposals = tuple(
        replace(
            p,
            tabling_party_ids=tuple(
                draw(st.lists(st.sampled_from(parties), max_size=3, unique=True))
            ),
            tabled_on=draw(st.none() | days),
        )
        for p in snapshot.proposals
    )
    positions = tuple(
        replace(p, stance=RESERVES) if p.stance == "accepts" and draw(st.booleans()) else p
        for p in snapshot.positions
    )
    return replace(snapshot, proposals=proposals, positions=positions)


@quick
@given(consent_snapshots(), days, st.data())
def test_with_co_sponsors_and_tabling_days_the_order_of_rows_never_matters(snapshot, day, data):
    shuffled = Snapshot(
        *(
            tuple(data.draw(st.permutations(rows)))
            for rows in (snapshot.proposals, snapshot.terms, snapshot.positions, snapshot.events)
        ),
        snapshot.party_names,
    )
    assert all_statuses(shuffled, day) == all_statuses(snapshot, day)
    for p in snapshot.proposals:
        assert timeline(shuffled, p.id, day) == timeline(snapshot, p.id, day)


@quick
@given(consent_snapshots(), days)
def test_with_co_sponsors_and_tabling_days_later_rows_never_change_the_past(snapshot, day):
    earlier = replace(
        snapshot,
        positions=tuple(p for p in snapshot.positions if p.stated_on <= day),
        events=tuple(e for e in snapshot.events if e.happened_on <= day),
    )
    assert all_statuses(earlier, day) == all_statuses(snapshot, day)


@quick
@given(consent_snapshots(), days)
def test_with_co_sponsors_and_tabling_days_every_timeline_ends_on_the_status(snapshot, until):
    engine = Engine(snapshot)
    for pid, now in engine.all_statuses(until).items():
        last = {e.term_id: e.status for e in engine.timeline(pid, until)}
        if not last:
            assert {now.status, *(t.status for t in now.terms)} <= {"open", "not_tabled"}
            continue
        assert last[None] == now.status
        assert {t.term_id: t.status for t in now.terms} == {
            tid: s for tid, s in last.items() if tid is not None
        }


@quick
@given(consent_snapshots(), days)
def test_reservations_agree_exactly_as_acceptances_do(snapshot, day):
    plain = replace(
        snapshot,
        positions=tuple(
            replace(p, stance="accepts") if p.stance == RESERVES else p for p in snapshot.positions
        ),
    )
    mine, theirs = all_statuses(snapshot, day), all_statuses(plain, day)
    assert {k: (v.status, [t.status for t in v.terms]) for k, v in mine.items()} == {
        k: (v.status, [t.status for t in v.terms]) for k, v in theirs.items()
    }


@quick
@given(consent_snapshots(), days, st.data())
def test_accepting_with_reservations_never_makes_an_agreed_term_less_agreed(snapshot, day, data):
    before = all_statuses(snapshot, day)
    consent = {p.id: sorted(p.consent_party_ids) for p in snapshot.proposals}
    agreed = [
        (p, t)
        for p in before.values()
        for t in p.terms
        if t.status in ADVANCEMENT and consent[p.proposal_id]
    ]
    assume(agreed)
    proposal, term = data.draw(st.sampled_from(agreed))
    party = data.draw(st.sampled_from(consent[proposal.proposal_id]))
    fresh = max((p.id for p in snapshot.positions), default=0) + 1
    reserves = PositionIn(fresh, party, proposal.proposal_id, term.term_id, RESERVES, day)
    after = all_statuses(replace(snapshot, positions=(*snapshot.positions, reserves)), day)
    statuses = {t.term_id: t.status for t in after[proposal.proposal_id].terms}
    assert statuses[term.term_id] == term.status
