"""Engine rules of issue 12's consent points: reservations (point 5), tabling parties
(point 1) and "not yet tabled" (point 10)."""

from proposals.engine import proposal_status, term_status
from tests.test_engine import BEFORE, RU, UA, D, one_term, status_of

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
