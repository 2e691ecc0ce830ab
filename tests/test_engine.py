import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from proposals.engine import (
    ADVANCEMENT,
    Engine,
    EventIn,
    PositionIn,
    ProposalIn,
    Snapshot,
    TermIn,
    all_statuses,
    basis_as_json,
    proposal_status,
    term_status,
    timeline,
)
from proposals.engine.conditions import least_fixed_point

RU, UA, US, TR = 1, 2, 3, 4
NAMES = {RU: "Russia", UA: "Ukraine", US: "United States", TR: "Turkey"}
D = date(2025, 6, 2)
BEFORE, AFTER = D - timedelta(days=1), D + timedelta(days=1)


class Negotiation:
    """Builds a Snapshot row by row; ids are handed out in the order rows are added."""

    def __init__(self) -> None:
        self.proposals: list[ProposalIn] = []
        self.terms: list[TermIn] = []
        self.positions: list[PositionIn] = []
        self.events: list[EventIn] = []

    def proposal(
        self,
        tabled_by: int | None = UA,
        consent: tuple[int, ...] = (RU, UA),
        superseded_on: date | None = None,
    ) -> int:
        pid = len(self.proposals) + 1
        tabling = () if tabled_by is None else (tabled_by,)
        self.proposals.append(ProposalIn(pid, tabling, frozenset(consent), superseded_on))
        return pid

    def term(
        self,
        proposal: int,
        quantity: int | None = None,
        group: str = "",
        option: str = "",
        label: str = "",
    ) -> int:
        tid = 100 + len(self.terms)
        self.terms.append(TermIn(tid, proposal, len(self.terms), label, group, option, quantity))
        return tid

    def say(
        self,
        party: int,
        stance: str,
        *,
        term: int | None = None,
        proposal: int | None = None,
        on: date = D,
        conditional_on: tuple[int, ...] = (),
        id: int | None = None,
    ) -> int:
        if proposal is None:
            proposal = next(t.proposal_id for t in self.terms if t.id == term)
        pid = id if id is not None else 1000 + len(self.positions)
        self.positions.append(PositionIn(pid, party, proposal, term, stance, on, conditional_on))
        return pid

    def event(
        self, term: int, on: date, quantity: int | None = None, completes: bool = False
    ) -> None:
        self.events.append(EventIn(len(self.events) + 1, term, on, quantity, completes))

    def snapshot(self) -> Snapshot:
        return Snapshot(
            tuple(self.proposals),
            tuple(self.terms),
            tuple(self.positions),
            tuple(self.events),
            NAMES,
        )


def one_term(
    tabled_by: int | None = UA, consent: tuple[int, ...] = (RU, UA)
) -> tuple[Negotiation, int, int]:
    n = Negotiation()
    pid = n.proposal(tabled_by=tabled_by, consent=consent)
    return n, pid, n.term(pid)


def status_of(n: Negotiation, term: int, on: date = D) -> str:
    return term_status(n.snapshot(), term, on).status


# ---------------------------------------------------------------- term rules


@pytest.mark.parametrize("stances", [("accepts", "accepts"), ("proposes", "supports")])
def test_it_agrees_a_term_every_consent_party_proposes_supports_or_accepts(stances):
    n, _, t = one_term()
    n.say(RU, stances[0], term=t)
    n.say(UA, stances[1], term=t)
    assert status_of(n, t) == "agreed"


def test_it_explains_an_agreement_with_names_and_dates():
    n, _, t = one_term()
    n.say(RU, "accepts", term=t)
    n.say(UA, "accepts", term=t)
    result = term_status(n.snapshot(), t, D)
    assert result.reason == "agreed: accepted by Russia (2025-06-02) and Ukraine (2025-06-02)"


def test_it_rejects_a_term_any_consent_party_rejects():
    n, _, t = one_term()
    n.say(RU, "accepts", term=t)
    n.say(UA, "rejects", term=t)
    result = term_status(n.snapshot(), t, D)
    assert (result.status, result.reason) == ("rejected", "rejected by Ukraine on 2025-06-02")


def test_it_names_every_rejecter():
    n, _, t = one_term()
    n.say(RU, "rejects", term=t, on=BEFORE)
    n.say(UA, "rejects", term=t)
    reason = term_status(n.snapshot(), t, D).reason
    assert reason == "rejected by Russia (2025-06-01) and Ukraine (2025-06-02)"


def test_it_keeps_a_term_conditional_while_its_condition_is_unmet():
    n, _, t = one_term(consent=(RU, UA, US))
    n.say(RU, "accepts", term=t)
    n.say(UA, "accepts", term=t)
    n.say(US, "conditional", term=t)
    result = term_status(n.snapshot(), t, D)
    assert result.status == "conditional"
    assert result.reason.startswith("conditional: United States conditional on 2025-06-02")


@pytest.mark.parametrize("stance", ["undecided", None])
def test_it_leaves_a_term_open_while_a_party_is_undecided_or_silent(stance):
    n, _, t = one_term()
    n.say(UA, "accepts", term=t)
    if stance:
        n.say(RU, stance, term=t)
    result = term_status(n.snapshot(), t, D)
    assert result.status == "open"
    assert result.reason == f"open: Russia {stance or 'silent'}"


def test_it_leaves_a_term_open_when_a_consent_party_other_than_the_tabler_withdraws():
    n, _, t = one_term()
    n.say(UA, "accepts", term=t)
    n.say(RU, "withdraws", term=t)
    assert status_of(n, t) == "open"


def test_it_ignores_parties_outside_the_consent_set():
    n, _, t = one_term()
    n.say(RU, "accepts", term=t)
    n.say(UA, "accepts", term=t)
    n.say(US, "rejects", term=t)
    assert status_of(n, t) == "agreed"


def test_it_leaves_a_term_open_without_consent_parties():
    n, _, t = one_term(consent=())
    n.say(UA, "proposes", term=t)
    result = term_status(n.snapshot(), t, D)
    assert (result.status, result.reason) == ("open", "open: no consent parties are defined")


def test_it_withdraws_a_term_its_tabler_withdraws_even_outside_the_consent_set():
    n, _, t = one_term(tabled_by=TR)
    n.say(RU, "rejects", term=t)
    n.say(TR, "withdraws", term=t)
    result = term_status(n.snapshot(), t, D)
    assert (result.status, result.reason) == ("withdrawn", "withdrawn by Turkey on 2025-06-02")
    assert result.basis[-1].party_id == TR


# ---------------------------------------------------------------- effective stance


def test_it_lets_a_later_position_on_the_whole_proposal_override_a_term_position():
    n, p, t = one_term()
    n.say(RU, "accepts", term=t, on=BEFORE)
    n.say(RU, "rejects", proposal=p)
    n.say(UA, "accepts", proposal=p)
    assert status_of(n, t, BEFORE) == "open"
    assert status_of(n, t) == "rejected"


def test_it_prefers_the_term_position_to_the_proposal_position_on_the_same_day():
    n, p, t = one_term()
    n.say(RU, "accepts", term=t, id=1)
    n.say(RU, "rejects", proposal=p, id=2)
    n.say(UA, "accepts", proposal=p)
    result = term_status(n.snapshot(), t, D)
    assert result.status == "agreed"
    assert result.basis[0].position_id == 1 and result.basis[0].level == "term"


def test_it_prefers_the_position_recorded_later_on_the_same_day_and_level():
    n, _, t = one_term()
    n.say(RU, "accepts", term=t, id=7)
    n.say(RU, "rejects", term=t, id=3)
    n.say(UA, "accepts", term=t)
    assert status_of(n, t) == "agreed"


def test_it_ignores_positions_stated_after_the_date():
    n, _, t = one_term()
    n.say(RU, "accepts", term=t)
    n.say(UA, "accepts", term=t)
    n.say(UA, "rejects", term=t, on=AFTER)
    assert status_of(n, t) == "agreed"
    assert status_of(n, t, AFTER) == "rejected"


def test_it_counts_only_proposal_positions_in_the_proposal_basis():
    n, p, t = one_term()
    n.say(RU, "accepts", term=t)
    n.say(UA, "supports", proposal=p)
    basis = proposal_status(n.snapshot(), p, D).basis
    assert [(b.party_id, b.stance, b.level) for b in basis] == [
        (RU, None, None),
        (UA, "supports", "proposal"),
    ]


# ---------------------------------------------------------------- conditions


def test_it_counts_a_conditional_as_accepted_once_every_named_term_is_agreed():
    n = Negotiation()
    other = n.term(n.proposal())
    p = n.proposal()
    t = n.term(p)
    n.say(RU, "accepts", proposal=p)
    n.say(UA, "conditional", term=t, conditional_on=(other,))
    n.say(RU, "accepts", term=other)
    n.say(UA, "accepts", term=other, on=AFTER)
    assert status_of(n, t) == "conditional"
    result = term_status(n.snapshot(), t, AFTER)
    assert result.status == "agreed"
    assert result.basis[1].counts_as == "accepts"
    assert "Ukraine (2025-06-02, conditions met)" in result.reason


def test_it_follows_a_chain_of_conditions():
    n = Negotiation()
    p = n.proposal()
    a, b, c = n.term(p), n.term(p), n.term(p)
    n.say(RU, "accepts", proposal=p)
    n.say(UA, "conditional", term=a, conditional_on=(b,))
    n.say(UA, "conditional", term=b, conditional_on=(c,))
    n.say(UA, "accepts", term=c)
    assert proposal_status(n.snapshot(), p, D).status == "agreed"


def test_it_keeps_mutually_conditional_terms_conditional():
    n = Negotiation()
    p = n.proposal()
    a, b = n.term(p), n.term(p)
    n.say(RU, "accepts", proposal=p)
    n.say(UA, "conditional", term=a, conditional_on=(b,))
    n.say(UA, "conditional", term=b, conditional_on=(a,))
    assert [t.status for t in proposal_status(n.snapshot(), p, D).terms] == ["conditional"] * 2


def test_it_keeps_a_self_referencing_conditional_conditional():
    n, _, t = one_term()
    n.say(RU, "accepts", term=t)
    n.say(UA, "conditional", term=t, conditional_on=(t,))
    assert status_of(n, t) == "conditional"


@pytest.mark.parametrize("refs", [(), (999,)])
def test_it_never_resolves_a_condition_without_known_terms(refs):
    n, p, t = one_term()
    n.say(RU, "accepts", term=t)
    n.say(UA, "conditional", term=t, conditional_on=refs)
    assert status_of(n, t) == "conditional"
    last = timeline(n.snapshot(), p, D)[-1]
    assert (last.term_id, last.status) == (t, "conditional")
    assert last.reason == term_status(n.snapshot(), t, D).reason


def test_it_agrees_through_a_chain_of_conditions_in_the_fixed_point():
    assert least_fixed_point({1: {2}, 2: {3}}, {3}) == {1, 2, 3}


def test_it_cuts_conditions_that_lead_back_to_themselves_in_the_fixed_point():
    assert least_fixed_point({1: {2}, 2: {1}, 3: {3}, 4: {1, 5}}, {5}) == {5}


def test_it_agrees_a_term_only_once_all_its_named_terms_are_agreed_in_the_fixed_point():
    assert least_fixed_point({1: {2, 3}, 4: set()}, {2}) == {2, 4}
    assert least_fixed_point({1: {2, 3}}, {2, 3}) == {1, 2, 3}


# ---------------------------------------------------------------- implementation


def bodies(quantity: int | None = 6000) -> tuple[Negotiation, int]:
    n = Negotiation()
    t = n.term(n.proposal(), quantity=quantity)
    n.say(RU, "accepts", term=t)
    n.say(UA, "accepts", term=t)
    return n, t


def test_it_puts_an_agreed_term_in_implementation_once_an_event_exists():
    n, t = bodies()
    n.event(t, AFTER, quantity=1212)
    result = term_status(n.snapshot(), t, AFTER)
    assert (result.status, result.delivered) == ("in_implementation", 1212)
    assert result.reason == "in implementation: 1,212 of 6,000 delivered"
    assert status_of(n, t) == "agreed"


def test_it_marks_a_term_implemented_once_the_quantity_is_delivered():
    n, t = bodies()
    n.event(t, D, quantity=1212)
    n.event(t, AFTER, quantity=4788)
    n.event(t, AFTER, quantity=None)
    result = term_status(n.snapshot(), t, AFTER)
    assert (result.status, result.reason) == (
        "implemented",
        "implemented: 6,000 of 6,000 delivered",
    )


def test_it_marks_a_term_implemented_when_an_event_completes_it():
    n, t = bodies(quantity=None)
    n.event(t, D)
    n.event(t, AFTER, completes=True)
    assert status_of(n, t) == "in_implementation"
    result = term_status(n.snapshot(), t, AFTER)
    assert (result.status, result.reason) == (
        "implemented",
        "implemented: marked complete on 2025-06-03",
    )


def test_it_overlays_implementation_only_on_agreed_terms():
    n, t = bodies()
    n.say(UA, "rejects", term=t, on=AFTER)
    n.event(t, D, completes=True)
    assert status_of(n, t) == "implemented"
    assert status_of(n, t, AFTER) == "rejected"


# ---------------------------------------------------------------- option groups


def memorandum_truce(n: Negotiation) -> tuple[int, int, list[int]]:
    p = n.proposal(tabled_by=RU)
    a = n.term(p, group="truce", option="A")
    b = [n.term(p, group="truce", option="B") for _ in range(4)]
    return p, a, b


def test_it_agrees_a_group_once_every_term_of_one_option_is_agreed():
    n = Negotiation()
    p, a, b = memorandum_truce(n)
    n.say(RU, "proposes", proposal=p)
    n.say(UA, "rejects", term=a)
    for t in b[:-1]:
        n.say(UA, "accepts", term=t)
    n.say(UA, "accepts", term=b[-1], on=AFTER)
    assert proposal_status(n.snapshot(), p, D).status == "open"
    result = proposal_status(n.snapshot(), p, AFTER)
    assert (result.status, result.reason) == ("agreed", "option B of group 'truce' agreed")
    assert result.terms[0].status == "rejected"


def test_it_rejects_a_group_once_every_option_is_dead():
    n = Negotiation()
    p, a, b = memorandum_truce(n)
    n.say(RU, "proposes", proposal=p)
    n.say(UA, "rejects", term=a)
    n.say(UA, "rejects", term=b[2], on=AFTER)
    assert proposal_status(n.snapshot(), p, D).status == "open"
    assert proposal_status(n.snapshot(), p, AFTER).status == "rejected"


def test_it_withdraws_a_group_only_when_every_option_is_withdrawn():
    n = Negotiation()
    p, a, b = memorandum_truce(n)
    n.say(RU, "withdraws", term=a)
    n.say(RU, "withdraws", term=b[0])
    n.say(UA, "rejects", term=b[1], on=AFTER)
    assert proposal_status(n.snapshot(), p, D).status == "withdrawn"
    assert proposal_status(n.snapshot(), p, AFTER).status == "rejected"


def test_it_prefers_a_conditional_option_to_an_open_one():
    n = Negotiation()
    p, a, b = memorandum_truce(n)
    n.say(RU, "proposes", proposal=p)
    n.say(UA, "conditional", term=a)
    assert proposal_status(n.snapshot(), p, D).status == "conditional"


# ---------------------------------------------------------------- proposals


def proposal_with(*stances: str, on: date = D) -> tuple[Negotiation, int, list[int]]:
    """One term per stance Ukraine takes; Russia accepts the whole proposal."""
    n = Negotiation()
    p = n.proposal()
    terms = [n.term(p) for _ in stances]
    n.say(RU, "accepts", proposal=p)
    for t, stance in zip(terms, stances, strict=True):
        n.say(UA, stance, term=t, on=on)
    return n, p, terms


def test_it_partially_agrees_a_proposal_with_some_items_agreed():
    n, p, _ = proposal_with("accepts", "rejects", "undecided")
    result = proposal_status(n.snapshot(), p, D)
    assert (result.status, result.reason) == ("partially_agreed", "1 of 3 items agreed")


def test_it_gives_a_fully_agreed_proposal_its_least_advanced_status():
    n, p, (t1, t2) = proposal_with("accepts", "accepts")
    n.event(t1, D, completes=True)
    n.event(t2, AFTER)
    assert proposal_status(n.snapshot(), p, D).status == "agreed"
    assert proposal_status(n.snapshot(), p, AFTER).status == "in_implementation"


def test_it_rejects_a_proposal_all_of_whose_remaining_items_are_rejected():
    n, p, (t1, _) = proposal_with("rejects", "rejects")
    n.say(UA, "withdraws", term=t1, on=AFTER)
    assert proposal_status(n.snapshot(), p, D).reason == "all 2 items rejected"
    result = proposal_status(n.snapshot(), p, AFTER)
    assert (result.status, result.reason) == ("rejected", "all 1 item rejected (1 withdrawn)")


def test_it_withdraws_a_proposal_its_tabler_withdraws():
    n, p, _ = proposal_with("accepts", "rejects")
    n.say(UA, "withdraws", proposal=p, on=AFTER)
    result = proposal_status(n.snapshot(), p, AFTER)
    assert (result.status, result.reason) == ("withdrawn", "withdrawn by Ukraine on 2025-06-03")
    assert {t.status for t in result.terms} == {"withdrawn"}


def test_it_makes_a_proposal_conditional_when_every_live_item_is_conditional():
    n, p, _ = proposal_with("conditional", "rejects")
    result = proposal_status(n.snapshot(), p, D)
    assert (result.status, result.reason) == (
        "conditional",
        "conditional: 1 of 2 items conditional, 1 rejected",
    )


def test_it_leaves_a_proposal_open_otherwise():
    n, p, _ = proposal_with("conditional", "undecided")
    assert proposal_status(n.snapshot(), p, D).status == "open"


@pytest.mark.parametrize("superseded_on, expected", [(D, "superseded"), (AFTER, "agreed")])
def test_it_supersedes_a_proposal_from_its_superseded_on_date(superseded_on, expected):
    n = Negotiation()
    p = n.proposal(superseded_on=superseded_on)
    n.term(p)
    n.say(RU, "accepts", proposal=p)
    n.say(UA, "accepts", proposal=p)
    result = proposal_status(n.snapshot(), p, D)
    assert result.status == expected
    assert result.terms[0].status == "agreed"


def test_it_applies_the_term_rules_to_a_proposal_without_terms():
    n = Negotiation()
    p = n.proposal()
    n.say(RU, "accepts", proposal=p)
    n.say(UA, "rejects", proposal=p)
    assert proposal_status(n.snapshot(), p, D).reason == "rejected by Ukraine on 2025-06-02"


def test_it_resolves_a_condition_on_a_proposal_without_terms():
    n = Negotiation()
    other = n.term(n.proposal())
    summit = n.proposal(tabled_by=TR, consent=(RU, UA, US))
    n.say(US, "conditional", proposal=summit, conditional_on=(other,))
    for party in (RU, UA):
        n.say(party, "accepts", proposal=summit)
        n.say(party, "accepts", term=other, on=AFTER)
    assert proposal_status(n.snapshot(), summit, D).status == "conditional"
    assert proposal_status(n.snapshot(), summit, AFTER).status == "agreed"


def test_it_stores_the_basis_as_json():
    n, p, t = one_term()
    n.say(RU, "accepts", term=t)
    data = basis_as_json(term_status(n.snapshot(), t, D).basis)
    assert json.loads(json.dumps(data))[0] == {
        "party_id": RU,
        "stance": "accepts",
        "counts_as": "accepts",
        "position_id": 1000,
        "stated_on": "2025-06-02",
        "level": "term",
    }


def test_it_explains_unknown_ids():
    n, p, t = one_term()
    with pytest.raises(LookupError, match="proposal 99 is not in this snapshot"):
        proposal_status(n.snapshot(), 99, D)
    with pytest.raises(LookupError, match="term 99"):
        term_status(Engine(n.snapshot()), 99, D)


# ---------------------------------------------------------------- timeline


def test_it_replays_the_timeline_of_a_proposal_and_its_terms():
    n, t = bodies()
    n.event(t, date(2025, 6, 15), quantity=1212)
    n.event(t, date(2025, 7, 1), quantity=4788)
    entries = timeline(n.snapshot(), 1, date(2025, 7, 31))
    assert [(e.on.isoformat(), e.term_id, e.previous_status, e.status) for e in entries] == [
        ("2025-06-02", None, None, "agreed"),
        ("2025-06-02", t, None, "agreed"),
        ("2025-06-15", None, "agreed", "in_implementation"),
        ("2025-06-15", t, "agreed", "in_implementation"),
        ("2025-07-01", None, "in_implementation", "implemented"),
        ("2025-07-01", t, "in_implementation", "implemented"),
    ]
    assert entries[3].reason == "in implementation: 1,212 of 6,000 delivered"
    assert timeline(n.snapshot(), 1, date(2025, 6, 20))[-1].status == "in_implementation"


def test_it_replays_changes_in_terms_named_by_conditions():
    n = Negotiation()
    other = n.term(n.proposal())
    p = n.proposal()
    t = n.term(p)
    n.say(RU, "accepts", proposal=p, on=BEFORE)
    n.say(UA, "conditional", term=t, conditional_on=(other,), on=BEFORE)
    n.say(RU, "accepts", term=other)
    n.say(UA, "accepts", term=other, on=AFTER)
    entries = timeline(n.snapshot(), p, AFTER)
    assert [(e.on, e.term_id, e.status) for e in entries] == [
        (BEFORE, None, "conditional"),
        (BEFORE, t, "conditional"),
        (AFTER, None, "agreed"),
        (AFTER, t, "agreed"),
    ]


def test_it_starts_a_timeline_on_the_first_day_anything_it_hangs_on_was_said():
    n = Negotiation()
    other = n.term(n.proposal())
    p = n.proposal()
    t = n.term(p)
    n.say(RU, "accepts", term=other, on=BEFORE)
    n.say(RU, "accepts", term=t)
    n.say(UA, "conditional", term=t, conditional_on=(other,))
    entries = timeline(n.snapshot(), p, AFTER)
    assert [(e.on, e.term_id, e.status) for e in entries] == [
        (BEFORE, None, "open"),
        (BEFORE, t, "open"),
        (D, None, "conditional"),
        (D, t, "conditional"),
    ]
    assert timeline(n.snapshot(), p, BEFORE - timedelta(days=1)) == []


# ---------------------------------------------------------------- worked example (DESIGN §3)


def test_it_reproduces_the_worked_example_of_the_round_of_2_june_2025():
    n = Negotiation()
    ceasefire = n.proposal(tabled_by=UA)
    n.term(ceasefire, label="unconditional ceasefire")
    n.say(UA, "proposes", proposal=ceasefire)
    n.say(RU, "rejects", proposal=ceasefire)
    agreed = {}
    for label, quantity in (
        ("prisoner exchange", None),
        ("6,000 bodies", 6000),
        ("wounded commission", None),
    ):
        agreed[label] = n.proposal()
        n.term(agreed[label], label=label, quantity=quantity)
        n.say(RU, "accepts", proposal=agreed[label])
        n.say(UA, "accepts", proposal=agreed[label])
    n.event(n.terms[2].id, date(2025, 6, 11), quantity=1212)
    memorandum = n.proposal(tabled_by=RU)
    for label in (
        "withdrawal from four regions",
        "halt to mobilisation",
        "arms freeze",
        "no redeployment",
        "no foreign troops",
        "end of martial law",
        "elections",
        "neutrality",
        "no NATO",
        "army limits",
        "Russian language",
    ):
        n.term(memorandum, label=label)
    n.term(memorandum, group="truce", option="A", label="withdrawal first")
    for label in ("no redeployment", "no mobilisation", "no arms", "elections in 100 days"):
        n.term(memorandum, group="truce", option="B", label=label)
    n.say(RU, "proposes", proposal=memorandum)
    n.say(UA, "rejects", proposal=memorandum)
    summit = n.proposal(tabled_by=TR, consent=(RU, UA, US))
    n.say(US, "conditional", proposal=summit)

    statuses = all_statuses(n.snapshot(), D)
    assert statuses[ceasefire].status == "rejected"
    assert statuses[ceasefire].terms[0].reason == "rejected by Russia on 2025-06-02"
    assert {statuses[p].status for p in agreed.values()} == {"agreed"}
    later = proposal_status(n.snapshot(), agreed["6,000 bodies"], date(2025, 6, 20))
    assert (later.status, later.reason) == (
        "in_implementation",
        "in implementation: 1,212 of 6,000 delivered",
    )
    memo = statuses[memorandum]
    assert (memo.status, memo.reason) == ("rejected", "all 12 items rejected")
    assert len(memo.terms) == 16 and {t.status for t in memo.terms} == {"rejected"}
    assert (statuses[summit].status, statuses[summit].reason) == (
        "open",
        "open: Russia, Ukraine silent; United States conditional on 2025-06-02",
    )


# ---------------------------------------------------------------- properties

START = date(2025, 6, 1)
# Weighted towards agreement so that agreed terms and met conditions come up often.
STANCES = (
    ["accepts"] * 5
    + ["conditional"] * 3
    + [
        "proposes",
        "supports",
        "undecided",
        "rejects",
        "withdraws",
    ]
)
days = st.integers(0, 8).map(lambda d: START + timedelta(days=d))


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    parties = list(range(1, draw(st.integers(2, 4)) + 1))
    proposals = [
        ProposalIn(
            pid,
            draw(st.sampled_from([(), *((party,) for party in parties)])),
            frozenset(draw(st.lists(st.sampled_from(parties), max_size=3))),
            draw(st.sampled_from([None, None, None, START + timedelta(days=6)])),
        )
        for pid in range(1, draw(st.integers(1, 3)) + 1)
    ]
    terms = [
        TermIn(
            tid,
            draw(st.sampled_from(proposals)).id,
            draw(st.integers(0, 3)),
            option_group=(group := draw(st.sampled_from(["", "", "g", "h"]))),
            option=draw(st.sampled_from(["a", "b"])) if group else "",
            quantity=draw(st.none() | st.integers(1, 6)),
        )
        for tid in range(1, draw(st.integers(1, 5)) + 1)
    ]
    term_ids = [t.id for t in terms]
    positions = []
    ids = draw(st.permutations(range(1, 41)))
    for pid in ids[: draw(st.integers(0, 40))]:
        proposal = draw(st.sampled_from(proposals)).id
        own = [t for t in term_ids if terms[t - 1].proposal_id == proposal]
        stance = draw(st.sampled_from(STANCES))
        refs = draw(st.lists(st.sampled_from([*term_ids, 99]), min_size=1, max_size=2))
        positions.append(
            PositionIn(
                pid,
                draw(st.sampled_from(parties)),
                proposal,
                draw(st.sampled_from([None, *own])),
                stance,
                draw(days),
                tuple(refs) if stance == "conditional" else (),
            )
        )
    events = [
        EventIn(
            eid,
            draw(st.sampled_from(term_ids)),
            draw(days),
            draw(st.none() | st.integers(0, 4)),
            draw(st.booleans()),
        )
        for eid in range(1, draw(st.integers(0, 4)) + 1)
    ]
    names = {party: f"P{party}" for party in parties}
    return Snapshot(tuple(proposals), tuple(terms), tuple(positions), tuple(events), names)


fast = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(snapshots(), days, st.data())
def test_it_never_depends_on_the_order_of_input_rows(snapshot, day, data):
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


@fast
@given(snapshots(), days)
def test_it_never_lets_later_positions_change_an_earlier_status(snapshot, day):
    earlier = replace(
        snapshot, positions=tuple(p for p in snapshot.positions if p.stated_on <= day)
    )
    assert all_statuses(earlier, day) == all_statuses(snapshot, day)


@fast
@given(snapshots(), days)
def test_it_ends_every_timeline_on_the_status_as_of_its_last_day(snapshot, until):
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
@given(snapshots(), days, st.data())
def test_it_keeps_an_agreed_term_agreed_when_a_consent_party_accepts_again(snapshot, day, data):
    before = all_statuses(snapshot, day)
    agreed = [(p, t) for p in before.values() for t in p.terms if t.status in ADVANCEMENT]
    consent = {p.id: sorted(p.consent_party_ids) for p in snapshot.proposals}
    candidates = [(p, t) for p, t in agreed if consent[p.proposal_id]]
    assume(candidates)
    proposal, term = data.draw(st.sampled_from(candidates))
    party = data.draw(st.sampled_from(consent[proposal.proposal_id]))
    fresh = max((p.id for p in snapshot.positions), default=0) + 1
    accepts = PositionIn(fresh, party, proposal.proposal_id, term.term_id, "accepts", day)
    after = all_statuses(replace(snapshot, positions=(*snapshot.positions, accepts)), day)
    assert {t.term_id: t.status for t in after[proposal.proposal_id].terms}[term.term_id] == (
        term.status
    )
    if proposal.status in ADVANCEMENT:
        assert after[proposal.proposal_id].status == proposal.status


@fast
@given(snapshots(), days, days)
def test_it_never_lets_one_timeline_leak_into_another(snapshot, until, other_day):
    shared = Engine(snapshot)
    for target in snapshot.proposals:
        for other in snapshot.proposals:
            if other.id != target.id:
                shared.timeline(other.id, other_day)
                shared.proposal_status(other.id, other_day)
        assert shared.timeline(target.id, until) == Engine(snapshot).timeline(target.id, until)


@fast
@given(snapshots(), days)
def test_it_replays_on_each_day_the_status_as_of_that_day(snapshot, until):
    engine = Engine(snapshot)
    for p in snapshot.proposals:
        entries = engine.timeline(p.id, until)
        before: dict[int | None, str | None] = {}
        for e in entries:
            assert e.previous_status == before.get(e.term_id) != e.status
            before[e.term_id] = e.status
        for offset in range((until - START).days + 1):
            day = START + timedelta(days=offset)
            now = Engine(snapshot).proposal_status(p.id, day)
            expected = {None: (now.status, now.reason)}
            expected.update((t.term_id, (t.status, t.reason)) for t in now.terms)
            latest = {e.term_id: e for e in entries if e.on <= day}
            for key, (status, reason) in expected.items():
                if key not in latest:
                    # Before the first change date nobody has said anything yet.
                    assert status == "open"
                    continue
                assert latest[key].status == status
                if latest[key].on == day:
                    assert latest[key].reason == reason
