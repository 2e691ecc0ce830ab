"""Ratification (issue 12, point 4): the overlay right after the items' aggregate."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from proposals.engine import ADVANCEMENT, Engine, Snapshot, StepIn, all_statuses, proposal_status
from tests import test_engine as base
from tests.test_engine import (
    AFTER,
    BEFORE,
    RU,
    UA,
    D,
    Negotiation,
    days,
    fast,
    snapshots,
)

LATER = D + timedelta(days=10)


def step(
    id: int = 1,
    outcome: str = "pending",
    decided_on: date | None = None,
    *,
    kind: str = "parliament",
    name: str = "Parliament",
    ordinal: int | None = None,
    due_on: date | None = None,
    share_for: Decimal | None = None,
) -> StepIn:
    return StepIn(
        id,
        id if ordinal is None else ordinal,
        kind,
        name,
        outcome,
        decided_on,
        due_on,
        share_for,
    )


def agreed_with(*steps: StepIn, terms: int = 1, stance: str = "accepts") -> tuple[Snapshot, int]:
    """A proposal both principals accept on D (one term unless `terms=0`), with `steps`."""
    n = Negotiation()
    pid = n.proposal()
    term_ids = [n.term(pid) for _ in range(terms)]
    n.say(RU, "accepts", proposal=pid)
    n.say(UA, stance, proposal=pid)
    if term_ids:
        n.event(term_ids[0], AFTER, completes=True)
    n.proposals[0] = replace(n.proposals[0], steps=steps)
    return n.snapshot(), pid


def test_it_leaves_a_proposal_without_steps_alone():
    snapshot, pid = agreed_with()
    result = proposal_status(snapshot, pid, AFTER)
    assert (result.status, result.ratification) == ("implemented", None)


def test_it_holds_an_agreed_proposal_at_agreed_while_a_step_is_pending():
    snapshot, pid = agreed_with(step(name="Parliament of Cyprus", due_on=LATER))
    result = proposal_status(snapshot, pid, AFTER)
    assert result.status == "agreed"  # the completing event does not advance it yet
    assert result.reason == f"agreed; ratification pending: Parliament of Cyprus, due {LATER}"
    assert result.ratification == "pending"
    assert result.terms[0].status == "implemented"  # the term itself was carried out


def test_it_counts_a_decision_only_from_its_date():
    snapshot, pid = agreed_with(step(outcome="rejected", decided_on=LATER))
    assert proposal_status(snapshot, pid, AFTER).status == "agreed"
    assert proposal_status(snapshot, pid, AFTER).ratification == "pending"
    assert proposal_status(snapshot, pid, LATER).status == "rejected"


def test_it_rejects_an_agreed_proposal_a_step_rejects():
    snapshot, pid = agreed_with(
        step(1, "approved", D),
        step(2, "rejected", AFTER, kind="court", name="Constitutional Court"),
    )
    result = proposal_status(snapshot, pid, AFTER)
    assert (result.status, result.ratification) == ("rejected", "rejected")
    assert result.reason == f"rejected in the court's decision of {AFTER} (Constitutional Court)"


def test_it_names_the_earliest_rejection():
    snapshot, pid = agreed_with(
        step(1, "rejected", AFTER, name="Senate"), step(2, "rejected", D, name="House")
    )
    assert "(House)" in proposal_status(snapshot, pid, LATER).reason


def test_it_follows_the_usual_path_once_every_step_approved():
    snapshot, pid = agreed_with(step(1, "approved", D), step(2, "approved", AFTER))
    assert proposal_status(snapshot, pid, D).status == "agreed"
    result = proposal_status(snapshot, pid, AFTER)
    assert (result.status, result.ratification) == ("implemented", "approved")


def test_it_does_nothing_before_the_principals_agreed():
    n = Negotiation()
    pid = n.proposal()
    n.term(pid)
    n.say(RU, "accepts", proposal=pid)
    n.say(UA, "undecided", proposal=pid)
    n.proposals[0] = replace(n.proposals[0], steps=(step(1, "rejected", BEFORE),))
    result = proposal_status(n.snapshot(), pid, D)
    assert (result.status, result.ratification) == ("open", "rejected")


def test_it_overlays_a_proposal_without_terms_too():
    snapshot, pid = agreed_with(step(1, "rejected", AFTER), terms=0)
    assert proposal_status(snapshot, pid, D).status == "agreed"
    assert proposal_status(snapshot, pid, AFTER).status == "rejected"


def test_it_replays_a_decision_on_its_day():
    snapshot, pid = agreed_with(step(1, "rejected", LATER), terms=0)
    entries = Engine(snapshot).timeline(pid, LATER)
    assert [(e.on, e.status) for e in entries] == [(D, "agreed"), (LATER, "rejected")]
    assert entries[-1].reason.startswith(f"rejected in the parliament's decision of {LATER}")


# ---------------------------------------------------------------- the Annan Plan, 2004

REFERENDUM = date(2004, 4, 24)
SIGNED = date(2004, 3, 31)  # the day the principals' agreement is taken to stand here


def annan(tc: str, gc: str) -> Snapshot:
    """Both communities' leaders (RU, UA stand in) accept the plan; each community votes."""
    n = Negotiation()
    pid = n.proposal(tabled_by=None)
    n.term(pid)
    n.say(RU, "accepts", proposal=pid, on=SIGNED)
    n.say(UA, "accepts", proposal=pid, on=SIGNED)
    decided = {o: (None if o == "pending" else REFERENDUM) for o in (tc, gc)}
    steps = (
        step(
            1,
            tc,
            decided[tc],
            kind="electorate",
            name="Turkish Cypriot electorate",
            share_for=Decimal("64.91"),
        ),
        step(
            2,
            gc,
            decided[gc],
            kind="electorate",
            name="Greek Cypriot electorate",
            share_for=Decimal("24.17"),
        ),
    )
    n.proposals[0] = replace(n.proposals[0], steps=steps)
    return n.snapshot()


def test_the_annan_plan_is_rejected_by_one_communitys_vote():
    result = proposal_status(annan("approved", "rejected"), 1, REFERENDUM)
    assert (result.status, result.ratification) == ("rejected", "rejected")
    assert result.reason == (
        "rejected in the referendum of 2004-04-24 (Greek Cypriot electorate, 75.83 % against)"
    )
    before = proposal_status(annan("approved", "rejected"), 1, REFERENDUM - timedelta(days=1))
    assert before.reason == (
        "agreed; ratification pending: Turkish Cypriot electorate; Greek Cypriot electorate"
    )


def test_the_annan_plan_approved_by_both_takes_the_agreed_path():
    result = proposal_status(annan("approved", "approved"), 1, REFERENDUM)
    assert (result.status, result.ratification) == ("agreed", "approved")
    assert result.reason != "" and "ratification" not in result.reason


def test_the_annan_plan_pending_one_vote_is_agreed_with_reason():
    result = proposal_status(annan("approved", "pending"), 1, REFERENDUM)
    assert (result.status, result.ratification) == ("agreed", "pending")
    assert result.reason == "agreed; ratification pending: Greek Cypriot electorate"


# ---------------------------------------------------------------- properties

OUTCOMES = ["pending", "approved", "approved", "rejected"]


@st.composite
def ratified_snapshots(draw: st.DrawFn) -> Snapshot:
    """tests/test_engine.py's snapshots, their proposals given 0 to 3 ratification steps."""
    snapshot = draw(snapshots())
    ids = iter(range(1, 100))
    proposals = []
    for proposal in snapshot.proposals:
        steps = []
        for _ in range(draw(st.integers(0, 3))):
            outcome = draw(st.sampled_from(OUTCOMES))
            decided = None if outcome == "pending" else draw(days)
            steps.append(step(next(ids), outcome, decided, ordinal=draw(st.integers(1, 3))))
        proposals.append(replace(proposal, steps=tuple(steps)))
    return replace(snapshot, proposals=tuple(proposals))


@fast
@given(ratified_snapshots(), days)
def test_ratification_touches_only_agreed_proposals(snapshot, day):
    bare = replace(snapshot, proposals=tuple(replace(p, steps=()) for p in snapshot.proposals))
    without, with_steps = all_statuses(bare, day), all_statuses(snapshot, day)
    for pid, result in with_steps.items():
        before = without[pid].status
        if before not in ADVANCEMENT:
            assert result.status == before
        elif result.ratification == "rejected":
            assert result.status == "rejected"
        elif result.ratification == "pending":
            assert result.status == "agreed"
        else:
            assert result.status == before


@fast
@given(ratified_snapshots(), days, st.data())
def test_ratified_statuses_never_depend_on_the_order_of_steps(snapshot, day, data):
    shuffled = replace(
        snapshot,
        proposals=tuple(
            replace(p, steps=tuple(data.draw(st.permutations(p.steps)))) for p in snapshot.proposals
        ),
    )
    assert all_statuses(shuffled, day) == all_statuses(snapshot, day)
    base.test_it_never_depends_on_the_order_of_input_rows.hypothesis.inner_test(snapshot, day, data)


@fast
@given(ratified_snapshots(), days)
def test_ratified_timelines_end_on_the_status_as_of_their_last_day(snapshot, until):
    base.test_it_ends_every_timeline_on_the_status_as_of_its_last_day.hypothesis.inner_test(
        snapshot, until
    )


@fast
@given(ratified_snapshots(), days)
def test_ratified_timelines_replay_each_day_the_status_as_of_that_day(snapshot, until):
    replay = base.test_it_replays_on_each_day_the_status_as_of_that_day
    replay.hypothesis.inner_test(snapshot, until)
