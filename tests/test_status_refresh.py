"""The synchronous refresh path: writes mark proposals stale, commit recomputes them."""

from __future__ import annotations

import datetime
from contextlib import suppress

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from negotiations.models import Role
from negotiations.services import participation_create, participation_update
from parties.services import party_update
from proposals import refresh
from proposals.models import Proposal, Stance, Status, StatusChange, Term
from proposals.refresh import proposal_status_refresh
from proposals.services import (
    implementation_event_record,
    position_record,
    proposal_create,
    proposal_link_create,
    term_create,
)
from proposals.tasks import recompute_proposal

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
            tabling_parties=[parties["tr"]],
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


# --- enqueueing once per transaction, with public transaction hooks only ---------------


class Abandoned(Exception):
    pass


def _publishing(monkeypatch):
    """The proposal ids whose recompute is published, in order (nothing reaches a broker)."""
    published = []
    monkeypatch.setattr(
        recompute_proposal, "apply_async", lambda args, **options: published.append(args[0])
    )
    return published


def _proposals(negotiation, *titles):
    return [
        proposal_create(negotiation=negotiation, title=title, kind="exchange", tabled_on=DAY)
        for title in titles
    ]


@pytest.mark.django_db(transaction=True)
def test_a_transaction_enqueues_one_recompute_per_proposal_however_many_writes(
    negotiation, parties, monkeypatch
):
    first, second = _proposals(negotiation, "First", "Second")
    published = _publishing(monkeypatch)
    with transaction.atomic():
        for stance in (Stance.UNDECIDED, Stance.ACCEPTS, Stance.REJECTS):
            for party in ("ru", "ua"):
                position_record(proposal=first, party=parties[party], stance=stance, stated_on=DAY)
        position_record(proposal=second, party=parties["ru"], stance=Stance.ACCEPTS, stated_on=DAY)
        assert published == []  # not before the commit
    assert sorted(published) == sorted([first.pk, second.pk])


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_nothing_that_suppresses_a_later_enqueue(
    negotiation, parties, monkeypatch
):
    [proposal] = _proposals(negotiation, "Bodies")
    published = _publishing(monkeypatch)
    with pytest.raises(Abandoned), transaction.atomic():
        position_record(
            proposal=proposal, party=parties["ru"], stance=Stance.ACCEPTS, stated_on=DAY
        )
        raise Abandoned
    assert published == []
    position_record(proposal=proposal, party=parties["ru"], stance=Stance.ACCEPTS, stated_on=DAY)
    assert published == [proposal.pk]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_publishes_nothing_and_suppresses_nothing(
    negotiation, parties, monkeypatch
):
    first, second = _proposals(negotiation, "First", "Second")
    published = _publishing(monkeypatch)
    with transaction.atomic():
        with suppress(Abandoned), transaction.atomic():
            for proposal in (first, second):
                position_record(
                    proposal=proposal, party=parties["ru"], stance=Stance.ACCEPTS, stated_on=DAY
                )
            raise Abandoned
        position_record(proposal=first, party=parties["ua"], stance=Stance.ACCEPTS, stated_on=DAY)
    assert published == [first.pk]


# --- the fault seam ----------------------------------------------------------------------


def test_the_fault_seam_is_off_by_default():
    assert django_settings.PARLEY_TEST_FAULTS is False, "set only by the pipeline tests"


def test_a_recompute_sleeps_half_written_only_with_the_test_faults_on(
    exchange, settings, monkeypatch
):
    proposal, _ = exchange
    slept = []
    monkeypatch.setattr(refresh.time, "sleep", slept.append)
    settings.PARLEY_RECOMPUTE_PAUSE = 60
    settings.PARLEY_TEST_FAULTS = False
    proposal_status_refresh(proposal_id=proposal.pk)
    assert slept == []
    settings.PARLEY_TEST_FAULTS = True
    proposal_status_refresh(proposal_id=proposal.pk)
    assert slept == [60]


# --- writes in the lower apps reach the pipeline through statuses_affected ---------------


def _stale(proposal):
    return Proposal.objects.values_list("status_stale", flat=True).get(pk=proposal.pk)


def test_renaming_a_party_marks_the_proposals_of_its_negotiations_stale(exchange, parties):
    proposal, _ = exchange
    assert not _stale(proposal)
    party_update(party=parties["xx"], short_name="Nowhere")  # takes no part in the talks
    assert not _stale(proposal)
    party_update(party=parties["ru"], short_name="RF")
    assert _stale(proposal)


def test_a_new_participation_marks_the_negotiations_proposals_stale(negotiation, exchange, parties):
    proposal, _ = exchange
    assert not _stale(proposal)
    participation_create(negotiation=negotiation, party=parties["xx"], roles=[Role.OBSERVER])
    assert _stale(proposal)


def test_the_stale_mark_rolls_back_with_the_write_that_signalled_it(exchange, parties):
    proposal, _ = exchange
    with pytest.raises(Abandoned), transaction.atomic():
        party_update(party=parties["ru"], short_name="RF")
        assert _stale(proposal)  # marked inside the writer's transaction
        raise Abandoned
    assert not _stale(proposal)
