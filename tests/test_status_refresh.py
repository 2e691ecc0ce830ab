"""The synchronous refresh path: writes mark proposals stale, commit recomputes them."""

from __future__ import annotations

import datetime

import pytest

from negotiations.models import Role
from negotiations.services import participation_update
from proposals.models import Proposal, Stance, Status, StatusChange, Term
from proposals.services import (
    implementation_event_record,
    position_record,
    proposal_create,
    proposal_link_create,
    term_create,
)
from proposals.status import proposal_status_refresh

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 6, 2)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block's on-commit callbacks, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def exchange(negotiation, parties, committed):
    with committed():
        proposal = proposal_create(
            negotiation=negotiation, title="Bodies", kind="exchange", tabled_on=DAY
        )
        term = term_create(proposal=proposal, text="Swap bodies", quantity=6000, unit="bodies")
    return proposal, term


def _agree(proposal, parties, on=DAY):
    for party in ("ru", "ua"):
        position_record(
            proposal=proposal, party=parties[party], stance=Stance.ACCEPTS, stated_on=on
        )


def test_a_write_marks_the_proposal_stale_until_commit(exchange, parties):
    proposal, _ = exchange
    position_record(proposal=proposal, party=parties["ru"], stance=Stance.ACCEPTS, stated_on=DAY)
    proposal.refresh_from_db()
    assert proposal.status_stale  # the on-commit refresh has not run in this transaction


def test_commit_recomputes_statuses_and_clears_the_flag(exchange, parties, committed):
    proposal, term = exchange
    with committed():
        _agree(proposal, parties)
    proposal.refresh_from_db()
    term.refresh_from_db()
    assert (proposal.status, proposal.status_stale, proposal.status_since) == (
        Status.AGREED,
        False,
        DAY,
    )
    assert term.status == Status.AGREED
    assert proposal.status_computed_at is not None


def test_deliveries_move_an_agreed_exchange_into_implementation_then_implemented(
    exchange, parties, committed
):
    proposal, term = exchange
    with committed():
        _agree(proposal, parties)
        implementation_event_record(
            term=term,
            happened_on=DAY + datetime.timedelta(days=9),
            quantity=1212,
            by_party=parties["ru"],
        )
    term.refresh_from_db()
    assert (term.status, term.delivered) == (Status.IN_IMPLEMENTATION, 1212)
    with committed():
        implementation_event_record(
            term=term, happened_on=DAY + datetime.timedelta(days=20), quantity=4788
        )
    term.refresh_from_db()
    proposal.refresh_from_db()
    assert (term.status, term.delivered, proposal.status) == (
        Status.IMPLEMENTED,
        6000,
        Status.IMPLEMENTED,
    )
    timeline = list(
        StatusChange.objects.filter(proposal=proposal, term=None).values_list(
            "status", "changed_on"
        )
    )
    assert timeline == [
        (Status.AGREED, DAY),
        (Status.IN_IMPLEMENTATION, DAY + datetime.timedelta(days=9)),
        (Status.IMPLEMENTED, DAY + datetime.timedelta(days=20)),
    ]


def test_an_old_position_entered_late_rewrites_the_timeline(exchange, parties, committed):
    proposal, _ = exchange
    with committed():
        _agree(proposal, parties, on=DAY + datetime.timedelta(days=3))
    with committed():
        position_record(
            proposal=proposal, party=parties["ru"], stance=Stance.REJECTS, stated_on=DAY
        )
    steps = list(
        StatusChange.objects.filter(proposal=proposal, term=None).values_list(
            "changed_on", "status"
        )
    )
    assert steps == [(DAY, Status.REJECTED), (DAY + datetime.timedelta(days=3), Status.AGREED)]


def test_refreshing_twice_writes_identical_rows(exchange, parties, committed):
    proposal, _ = exchange
    with committed():
        _agree(proposal, parties)

    def rows():
        changes = list(
            StatusChange.objects.filter(proposal=proposal)
            .order_by("seq")
            .values("term_id", "changed_on", "status", "previous_status", "reason", "seq")
        )
        p = Proposal.objects.values("status", "status_reason", "status_basis", "status_since").get(
            pk=proposal.pk
        )
        terms = list(Term.objects.filter(proposal=proposal).values("status", "status_basis"))
        return changes, p, terms

    first = rows()
    assert proposal_status_refresh(proposal_id=proposal.pk).changed is False
    assert rows() == first


def test_a_conditional_elsewhere_is_recomputed_when_its_condition_is_agreed(
    negotiation, parties, exchange, committed
):
    bodies, bodies_term = exchange
    with committed():
        summit = proposal_create(
            negotiation=negotiation,
            title="Summit",
            kind="meeting",
            tabled_by=parties["tr"],
            tabled_on=DAY,
        )
        position_record(
            proposal=summit,
            party=parties["ru"],
            stance=Stance.CONDITIONAL,
            stated_on=DAY,
            conditions="Only once the bodies are exchanged",
            conditional_on=[bodies_term],
        )
        position_record(proposal=summit, party=parties["ua"], stance=Stance.ACCEPTS, stated_on=DAY)
    summit.refresh_from_db()
    assert summit.status == Status.CONDITIONAL
    with committed():
        _agree(bodies, parties)  # a write to the other proposal only
    summit.refresh_from_db()
    assert summit.status == Status.AGREED


def test_superseded_proposals_stop_counting(negotiation, parties, exchange, committed):
    old, _ = exchange
    with committed():
        new = proposal_create(
            negotiation=negotiation,
            title="Bodies, revised",
            kind="exchange",
            tabled_on=DAY + datetime.timedelta(days=1),
        )
        proposal_link_create(from_proposal=new, to_proposal=old, kind="supersedes")
    old.refresh_from_db()
    assert (old.status, old.status_since) == (Status.SUPERSEDED, DAY + datetime.timedelta(days=1))


def test_changing_the_principals_recomputes_the_negotiation(
    negotiation, parties, exchange, committed
):
    proposal, _ = exchange
    with committed():
        position_record(
            proposal=proposal, party=parties["ru"], stance=Stance.ACCEPTS, stated_on=DAY
        )
    proposal.refresh_from_db()
    assert proposal.status == Status.OPEN  # Ukraine silent
    ukraine = negotiation.participations.get(party=parties["ua"])
    with committed():
        participation_update(participation=ukraine, roles=[Role.OBSERVER])
    proposal.refresh_from_db()
    assert proposal.status == Status.AGREED
