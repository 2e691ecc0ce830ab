"""The coalesced pipeline (issue 15): with a worker, writes publish at most one recompute
per negotiation, none while one is pending, and no write is lost while a recompute runs.

The worker's side runs in this process (the test plays the worker); publishing is
captured, so nothing reaches a broker. tests/test_pipeline.py runs real workers.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections, transaction
from django.utils import timezone

from negotiations.celery import app as celery_app
from negotiations.models import Negotiation
from proposals import engine, negotiation_recompute
from proposals.models import Proposal, RecomputeRequest, Stance, Term
from proposals.services import position_record, proposal_create, term_create
from proposals.snapshot import load_snapshot
from proposals.tasks import (
    recompute_negotiation,
    recompute_proposal,
    refresh_negotiation_summary,
    sweep_stale_proposals,
)

pytestmark = pytest.mark.django_db(transaction=True)
DAY = datetime.date(2025, 6, 2)


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """A worker's mode (not in-process); the negotiations whose recompute is published."""
    negotiations: list[int] = []
    monkeypatch.setattr(
        recompute_negotiation, "apply_async", lambda args, **options: negotiations.append(args[0])
    )
    monkeypatch.setattr(recompute_proposal, "apply_async", lambda *a, **k: pytest.fail(str(a)))
    monkeypatch.setattr(refresh_negotiation_summary, "apply_async", lambda *a, **k: None)
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield negotiations
    finally:
        celery_app.conf.task_always_eager = saved


def _exchanges(negotiation: Negotiation, n: int = 3) -> list[Proposal]:
    proposals = []
    for i in range(n):
        proposal = proposal_create(
            negotiation=negotiation, title=f"Exchange {i}", kind="exchange", tabled_on=DAY
        )
        term_create(proposal=proposal, text="Swap prisoners", quantity=100, unit="prisoners")
        proposals.append(proposal)
    return proposals


def _write(proposal: Proposal, party: Any, stance: str = Stance.ACCEPTS) -> None:
    position_record(proposal=proposal, party=party, stance=stance, stated_on=DAY)


def _assert_fresh_and_right(negotiation_id: int) -> None:
    fresh = engine.all_statuses(load_snapshot(negotiation_id), timezone.localdate())
    for proposal in Proposal.objects.filter(negotiation_id=negotiation_id):
        assert (proposal.status, proposal.status_stale) == (fresh[proposal.pk].status, False)
        terms = dict(Term.objects.filter(proposal=proposal).values_list("pk", "status"))
        assert terms == {t.term_id: t.status for t in fresh[proposal.pk].terms}


def test_a_burst_of_writes_to_one_negotiation_publishes_one_task_while_it_is_pending(
    negotiation, parties, published
):
    proposals = _exchanges(negotiation)
    recompute_negotiation(negotiation.pk)  # the creations' request
    published.clear()
    for i in range(12):
        _write(proposals[i % 3], parties["ru" if i % 2 else "ua"])
    assert published == [negotiation.pk]
    assert RecomputeRequest.objects.filter(negotiation=negotiation).exists()
    assert Proposal.objects.filter(negotiation=negotiation, status_stale=True).count() == 3


def test_the_task_clears_the_request_and_the_next_write_publishes_again(
    negotiation, parties, published
):
    proposals = _exchanges(negotiation)
    recompute_negotiation(negotiation.pk)  # the creations' request
    published.clear()
    writes = 0
    for _ in range(3):  # three rounds: ten writes, then the worker's run
        for i in range(10):
            _write(proposals[i % 3], parties["ru" if i % 2 else "ua"])
            writes += 1
        recompute_negotiation(negotiation.pk)
        assert not RecomputeRequest.objects.exists()
        _assert_fresh_and_right(negotiation.pk)
    print(f"{len(published)} tasks for {writes} writes")
    assert published == [negotiation.pk] * 3
    assert len(published) / writes <= 0.2


def test_a_write_that_lands_while_the_task_runs_is_recomputed_by_it(
    negotiation, parties, published, monkeypatch
):
    """The write marks its proposal stale after the task's first pass and commits only
    after the task asked to delete the request: the task must wait for it, see the
    stale flag, and recompute it; the write, finding the request pending, publishes
    nothing."""
    first, second, _ = _exchanges(negotiation)
    recompute_negotiation(negotiation.pk)  # the creations' request
    published.clear()
    _write(first, parties["ru"])  # the request: this write publishes
    assert published == [negotiation.pk]

    marked, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def late_write() -> None:
        try:
            with transaction.atomic():
                _write(second, parties["ua"], Stance.REJECTS)
                marked.set()
                release.wait(30)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
            marked.set()
        finally:
            connections.close_all()

    real = negotiation_recompute.refresh_proposals
    writer = threading.Thread(target=late_write)

    def refresh_then_write(**kwargs: Any) -> Any:
        results = real(**kwargs)
        if not writer.is_alive() and not marked.is_set():
            writer.start()  # after the first pass: it reads nothing of the late write
            marked.wait(30)
        return results

    monkeypatch.setattr(negotiation_recompute, "refresh_proposals", refresh_then_write)
    outcome: list[negotiation_recompute.NegotiationRecompute] = []
    worker = threading.Thread(
        target=lambda: outcome.append(
            negotiation_recompute.negotiation_recompute(negotiation_id=negotiation.pk, passes=2)
        )
    )
    worker.start()
    assert marked.wait(30)
    worker.join(2)
    assert worker.is_alive(), "the task deleted the request while a write was marking"
    release.set()
    writer.join(30)
    worker.join(30)
    connections.close_all()
    assert not errors
    assert outcome and outcome[0].cleared
    assert published == [negotiation.pk]  # the late write found the request pending
    assert not RecomputeRequest.objects.exists()
    _assert_fresh_and_right(negotiation.pk)
    assert Proposal.objects.get(pk=second.pk).status == "rejected"


def test_the_request_survives_a_broker_outage_and_the_sweep_recovers_it(
    negotiation, parties, published, monkeypatch
):
    [proposal] = _exchanges(negotiation, 1)

    def broker_down(*args: Any, **options: Any) -> None:
        raise ConnectionRefusedError("Redis is down")

    monkeypatch.setattr(recompute_negotiation, "apply_async", broker_down)
    _write(proposal, parties["ru"])
    _write(proposal, parties["ua"])  # succeeds too; the request is already pending
    assert Proposal.objects.get(pk=proposal.pk).status_stale
    assert RecomputeRequest.objects.filter(negotiation=negotiation).exists()

    # A request younger than `overdue`, and no stale proposal in the batch: not yet.
    assert sweep_stale_proposals(batch=0, overdue=3600) == 0
    assert Proposal.objects.get(pk=proposal.pk).status_stale
    # Once it is overdue, the sweep recomputes the negotiation and deletes the request.
    assert sweep_stale_proposals(batch=0, overdue=0) == 1
    assert not RecomputeRequest.objects.exists()
    _assert_fresh_and_right(negotiation.pk)
    assert Proposal.objects.get(pk=proposal.pk).status == "agreed"


def test_a_rolled_back_write_leaves_no_request(negotiation, parties, published):
    [proposal] = _exchanges(negotiation, 1)
    recompute_negotiation(negotiation.pk)
    published.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        _write(proposal, parties["ru"])
        raise RuntimeError("abandoned")
    assert not RecomputeRequest.objects.exists()
    assert published == []
    _write(proposal, parties["ru"])
    assert published == [negotiation.pk]


def test_a_negotiation_still_marked_after_its_pass_is_handed_on_to_a_fresh_task(
    negotiation, parties, published, monkeypatch
):
    first, second, _ = _exchanges(negotiation)
    recompute_negotiation(negotiation.pk)  # the creations' request
    published.clear()
    _write(first, parties["ru"])
    real = negotiation_recompute.refresh_proposals
    wrote: list[bool] = []

    def refresh_then_write(**kwargs: Any) -> Any:
        results = real(**kwargs)
        if not wrote:  # once: a write commits while the task runs
            wrote.append(True)
            writer = threading.Thread(
                target=lambda: (_write(second, parties["ua"]), connections.close_all())
            )
            writer.start()
            writer.join(30)
        return results

    monkeypatch.setattr(negotiation_recompute, "refresh_proposals", refresh_then_write)
    recompute_negotiation(negotiation.pk)
    assert published == [negotiation.pk, negotiation.pk]  # the write's, and the hand-on
    assert RecomputeRequest.objects.filter(negotiation=negotiation).exists()
    assert Proposal.objects.get(pk=second.pk).status_stale
    monkeypatch.setattr(negotiation_recompute, "refresh_proposals", real)
    recompute_negotiation(negotiation.pk)
    assert not RecomputeRequest.objects.exists()
    _assert_fresh_and_right(negotiation.pk)
