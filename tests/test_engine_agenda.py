"""An agenda item's status from its proposals' (issue 12, point 2): engine/agenda.py."""

from dataclasses import replace
from datetime import date

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from proposals.engine import ADVANCEMENT, PositionIn, all_statuses
from proposals.engine.agenda import ItemStatus, OnItem, item_status
from tests.test_engine import days, fast, snapshots

D1, D2, D3 = date(2025, 5, 16), date(2025, 6, 2), date(2025, 7, 23)


def on(id: int, status: str, since: date | None = None, title: str = "") -> OnItem:
    return OnItem(id, title or f"P{id}", status, since)


def test_an_item_without_proposals_is_open():
    assert item_status([]) == ItemStatus("open", "open: nothing tabled yet")


def test_an_item_is_agreed_when_one_proposal_on_it_is():
    result = item_status([on(1, "rejected", D1), on(2, "agreed", D2), on(3, "open")])
    assert result == ItemStatus("agreed", "agreed: «P2»")


def test_an_item_takes_the_most_advanced_of_its_agreed_proposals():
    result = item_status([on(1, "agreed"), on(2, "implemented"), on(3, "in_implementation")])
    assert result == ItemStatus("implemented", "implemented: «P2»")


def test_an_item_is_partially_agreed_when_a_proposal_on_it_is():
    result = item_status([on(1, "partially_agreed"), on(2, "open"), on(3, "rejected")])
    assert result == ItemStatus("partially_agreed", "partially agreed: «P1»")


def test_an_item_stays_open_while_a_proposal_on_it_is_open_or_conditional():
    assert item_status([on(1, "conditional")]).status == "open"
    assert item_status([on(1, "open"), on(2, "withdrawn", D1)]).status == "open"


def test_an_item_is_rejected_only_when_every_proposal_on_it_is_dead():
    result = item_status([on(1, "rejected", D1), on(2, "withdrawn", D2)])
    assert result == ItemStatus(
        "rejected", f"rejected: «P1» rejected on {D1}, «P2» withdrawn on {D2}"
    )


def test_a_superseded_proposal_is_not_live():
    assert item_status([on(1, "superseded"), on(2, "rejected", D2)]).status == "rejected"
    alone = item_status([on(1, "superseded")])
    assert alone == ItemStatus("open", "open: nothing live on it («P1» superseded)")


def test_the_worked_example_a_point_stays_open_while_rival_proposals_are_rejected():
    """Point 3, "exchange of prisoners": Ukraine's all-for-all is rejected, Russia's
    counter-proposal is still open; then that one is rejected too, and a third is tabled;
    only when the third is withdrawn is nothing live left on the point."""
    ua = on(1, "rejected", D1, "All for all")
    ru = on(2, "open", None, "1,000 for 1,000")
    assert item_status([ua, ru]) == ItemStatus(
        "open",
        f"open: «All for all» rejected on {D1}, counter-proposal «1,000 for 1,000» still open",
    )
    ru = replace(ru, status="rejected", since=D2)
    third = on(3, "conditional", None, "Wounded first")
    assert item_status([ua, ru, third]).status == "open"
    assert item_status([ua, ru]).status == "rejected"
    third = replace(third, status="withdrawn", since=D3)
    result = item_status([third, ru, ua])
    assert result == ItemStatus(
        "rejected",
        f"rejected: «All for all» rejected on {D1}, «1,000 for 1,000» rejected on {D2}, "
        f"«Wounded first» withdrawn on {D3}",
    )


def test_a_status_the_agenda_does_not_name_counts_as_live():
    assert item_status([on(1, "rejected", D1), on(2, "some_new_status")]).status == "open"


# ---------------------------------------------------------------- properties

RANK = {
    "rejected": 0,
    "open": 1,
    "partially_agreed": 2,
    **{s: 3 + r for s, r in ADVANCEMENT.items()},
}


def items_of(snapshot, statuses, chosen):
    return item_status([OnItem(pid, f"P{pid}", statuses[pid].status) for pid in chosen])


@fast
@given(
    st.lists(
        st.sampled_from(
            [
                "open",
                "conditional",
                "agreed",
                "in_implementation",
                "implemented",
                "partially_agreed",
                "rejected",
                "withdrawn",
                "superseded",
            ]
        ),
        max_size=5,
    ),
    st.randoms(),
)
def test_an_items_status_never_depends_on_the_order_of_its_proposals(statuses, rnd):
    proposals = [
        on(i, s, D1 if s in ("rejected", "withdrawn") else None) for i, s in enumerate(statuses)
    ]
    shuffled = list(proposals)
    rnd.shuffle(shuffled)
    assert item_status(shuffled) == item_status(proposals)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(snapshots(), days, st.data())
def test_adding_an_agreeing_stance_never_makes_an_agreed_item_less_agreed(snapshot, day, data):
    before = all_statuses(snapshot, day)
    agreed = [pid for pid in sorted(before) if before[pid].status in ADVANCEMENT]
    assume(agreed)
    others = data.draw(st.lists(st.sampled_from(sorted(before)), unique=True))
    chosen = sorted({data.draw(st.sampled_from(agreed)), *others})
    item = items_of(snapshot, before, chosen)
    assert item.status in ADVANCEMENT
    consent = {p.id: sorted(p.consent_party_ids) for p in snapshot.proposals}
    targets = [
        (p, t.term_id)
        for p in chosen
        for t in before[p].terms
        if t.status in ADVANCEMENT and consent[p]
    ] + [(p, None) for p in chosen if before[p].status in ADVANCEMENT and consent[p]]
    assume(targets)
    pid, term = data.draw(st.sampled_from(targets))
    party = data.draw(st.sampled_from(consent[pid]))
    fresh = max((p.id for p in snapshot.positions), default=0) + 1
    accepts = PositionIn(fresh, party, pid, term, "accepts", day)
    after = all_statuses(replace(snapshot, positions=(*snapshot.positions, accepts)), day)
    assert RANK[items_of(snapshot, after, chosen).status] >= RANK[item.status]
