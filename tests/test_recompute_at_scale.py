"""The full recompute's shortcuts give what the engine gives without them: positions read
set-based, the convergence series read from the recompute's timelines, timelines left
alone where they did not change, and a fixed number of queries per negotiation."""

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from negotiations.models import Negotiation, Round
from proposals import engine
from proposals.models import Position, Proposal, ProposalKind, StatusChange
from proposals.refresh import refresh_proposals
from proposals.services import proposal_create, term_create
from proposals.snapshot import load_snapshot
from proposals.summaries import (
    convergence_series,
    negotiation_generation,
    negotiation_summary_refresh,
)
from proposals.synthetic import generate

pytestmark = pytest.mark.django_db

# Queries of refreshing up to one chunk (50) of a negotiation's proposals: the rows, the
# snapshot's tables, the locks, and one statement per table written (the COPY of the
# timeline rows, made on the driver's cursor, is not counted).
REFRESH_QUERIES = 21


@pytest.fixture
def synthetic(db) -> list[int]:
    generate(positions=6000, seed=5)
    return list(Negotiation.objects.order_by("pk").values_list("pk", flat=True))


def _every_position(negotiation_id: int) -> tuple[engine.PositionIn, ...]:
    refs: dict[int, list[int]] = {}
    for position_id, term_id in Position.conditional_on.through.objects.filter(
        position__proposal__negotiation_id=negotiation_id
    ).values_list("position_id", "term_id"):
        refs.setdefault(position_id, []).append(term_id)
    return tuple(
        engine.PositionIn(pk, party, proposal, term, stance, on, tuple(sorted(refs.get(pk, ()))))
        for pk, party, proposal, term, stance, on in Position.objects.filter(
            proposal__negotiation_id=negotiation_id
        ).values_list("id", "party_id", "proposal_id", "term_id", "stance", "stated_on")
    )


def test_the_snapshot_for_statuses_leaves_out_only_positions_that_never_count(synthetic):
    """Neither those superseded on their own day nor those of parties that count for none
    of their proposal's statuses change a status, a reason, a basis or a timeline."""
    today = timezone.localdate()
    left_out = 0
    for negotiation_id in synthetic:
        snapshot = load_snapshot(negotiation_id, for_statuses=True)
        everything = dataclasses.replace(snapshot, positions=_every_position(negotiation_id))
        left_out += len(everything.positions) - len(snapshot.positions)
        read, full = engine.Engine(snapshot), engine.Engine(everything)
        assert read.all_statuses(today) == full.all_statuses(today)
        for proposal in snapshot.proposals:
            assert read.timeline(proposal.id, today) == full.timeline(proposal.id, today)
            for day in {entry.on for entry in full.timeline(proposal.id, today)}:
                assert read.proposal_status(proposal.id, day) == full.proposal_status(
                    proposal.id, day
                )
    assert left_out > 0  # the set has such positions


def test_the_convergence_read_from_the_timelines_is_the_replay_on_each_day(synthetic, demo):
    today = timezone.localdate()
    for negotiation_id in [*synthetic, demo.pk]:
        rounds = list(
            Round.objects.filter(negotiation_id=negotiation_id).order_by("starts_on", "number")
        )
        computed = engine.Engine(load_snapshot(negotiation_id))
        replayed = convergence_series(negotiation_id, rounds, today)
        assert convergence_series(negotiation_id, rounds, today, computed) == replayed
        assert len(replayed) > 1 or negotiation_id == demo.pk


def test_a_full_recompute_writes_the_summaries_a_summary_refresh_writes(synthetic):
    from proposals.summaries import negotiation_summary_refresh

    ids = list(Proposal.objects.values_list("pk", flat=True))
    refresh_proposals(proposal_ids=ids, summaries=True)
    shared = dict(Negotiation.objects.values_list("pk", "status_summary"))
    for negotiation_id in synthetic:
        negotiation_summary_refresh(negotiation_id=negotiation_id)
    assert dict(Negotiation.objects.values_list("pk", "status_summary")) == shared
    assert all(shared[pk]["convergence"] for pk in synthetic)


def test_refreshing_a_negotiation_takes_the_same_queries_whatever_its_size(synthetic):
    [negotiation_id] = synthetic
    ids = list(Proposal.objects.filter(negotiation_id=negotiation_id).values_list("pk", flat=True))
    assert len(ids) > 40
    counts = []
    for n in (3, 15, len(ids)):
        StatusChange.objects.all().delete()  # every timeline is rewritten
        with CaptureQueriesContext(connection) as queries:
            refresh_proposals(proposal_ids=ids[:n], chunk=len(ids))
        counts.append(len(queries))
    assert counts == [REFRESH_QUERIES] * 3


def test_a_timeline_that_did_not_change_is_left_as_it_is(synthetic):
    ids = list(Proposal.objects.values_list("pk", flat=True))
    refresh_proposals(proposal_ids=ids)
    before = list(StatusChange.objects.order_by("pk").values_list("pk", "created_at"))
    assert before
    refresh_proposals(proposal_ids=ids)
    assert list(StatusChange.objects.order_by("pk").values_list("pk", "created_at")) == before
    # A timeline out of step with the engine is rebuilt.
    first = StatusChange.objects.order_by("pk").first()
    assert first is not None
    rows = StatusChange.objects.filter(proposal_id=first.proposal_id).count()
    StatusChange.objects.filter(pk=first.pk).update(reason="edited by hand")
    refresh_proposals(proposal_ids=[first.proposal_id])
    assert not StatusChange.objects.filter(reason="edited by hand").exists()
    assert StatusChange.objects.filter(proposal_id=first.proposal_id).count() == rows


def test_a_summary_from_an_engine_older_than_a_write_reads_the_negotiation_afresh(synthetic):
    """A recompute writes the summaries from the engine it ran; if a write marked the
    negotiation after that engine was read (a proposal tabled since, which another worker
    may already have recomputed), the summary is not built from the older engine."""
    negotiation = Negotiation.objects.get(pk=synthetic[0])
    ids = list(Proposal.objects.filter(negotiation=negotiation).values_list("pk", flat=True))
    refresh_proposals(proposal_ids=ids, summaries=True)
    read = negotiation_generation(negotiation.pk)
    computed = engine.Engine(load_snapshot(negotiation.pk, for_statuses=True))
    party = negotiation.participations.first().party
    added = proposal_create(
        negotiation=negotiation,
        title="Tabled later",
        kind=ProposalKind.OTHER,
        tabling_parties=[party],
        tabled_on=timezone.localdate(),
    )
    term_create(proposal=added, text="A term tabled later")
    refresh_proposals(proposal_ids=[added.pk])  # another worker, first
    negotiation_summary_refresh(
        negotiation_id=negotiation.pk, computed=computed, timelines={}, read_generation=read
    )
    written = Negotiation.objects.get(pk=negotiation.pk).status_summary
    negotiation_summary_refresh(negotiation_id=negotiation.pk)
    assert written == Negotiation.objects.get(pk=negotiation.pk).status_summary
    assert written["proposals"]["total"] == len(ids) + 1
