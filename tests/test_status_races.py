"""Recomputes and summaries that commit out of order never leave an older result marked
current (DESIGN §4). Each interleaving is reproduced deterministically: a run is held at
a chosen point on its own connection while the other work commits."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from negotiations.models import Negotiation
from proposals import engine, refresh
from proposals.models import Proposal, Stance, StatusChange, Term
from proposals.refresh import proposal_status_refresh
from proposals.services import position_record, proposal_create, term_create
from proposals.snapshot import load_snapshot
from proposals.tasks import recompute_proposal, refresh_negotiation_summary

pytestmark = pytest.mark.django_db(transaction=True)
DAY = datetime.date(2025, 6, 2)
WAIT = 30  # seconds; only a broken test waits this long


class Held:
    """A run in a thread of its own (its own connection), held at one point until released."""

    def __init__(self, run: Callable[[], object]) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._main, args=(run,))

    def _main(self, run: Callable[[], object]) -> None:
        try:
            run()
        except BaseException as error:  # noqa: BLE001 - reported by finish()
            self.errors.append(error)
        finally:
            self.reached.set()
            connections.close_all()

    def hold(self) -> None:
        """Called by the run at the chosen point, in its own thread."""
        if threading.current_thread() is self.thread and not self.reached.is_set():
            self.reached.set()
            assert self.release.wait(WAIT), "never released"

    @contextmanager
    def held(self) -> Iterator[None]:
        self.thread.start()
        assert self.reached.wait(WAIT), "the run never reached the point"
        try:
            yield
        finally:
            self.release.set()
            self.finish()

    def finish(self) -> None:
        self.thread.join(WAIT)
        assert not self.thread.is_alive()
        assert not self.errors, self.errors


def _in_thread(run: Callable[[], object]) -> Held:
    """Start the run on a connection of its own and give it a moment; it may be waiting for
    a lock that a held run holds, and then finishes after the release (call finish())."""
    other = Held(run)
    other.thread.start()
    other.thread.join(3)
    return other


@pytest.fixture
def unpublished(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The recomputes that commits publish, kept here: the test plays the worker."""
    published: list[int] = []
    monkeypatch.setattr(
        recompute_proposal,
        "apply_async",
        lambda args, **options: published.append(args[0]),
    )
    monkeypatch.setattr(refresh_negotiation_summary, "apply_async", lambda *a, **k: None)
    return published


def _exchange(negotiation: Negotiation) -> tuple[Proposal, Term]:
    proposal = proposal_create(
        negotiation=negotiation, title="Bodies", kind="exchange", tabled_on=DAY
    )
    term = term_create(proposal=proposal, text="Swap bodies", quantity=6000, unit="bodies")
    return proposal, term


def _stored(proposal: Proposal) -> tuple[str, bool]:
    row = Proposal.objects.values_list("status", "status_stale").get(pk=proposal.pk)
    return str(row[0]), bool(row[1])


def _fresh(proposal: Proposal) -> dict[str, Any]:
    """What a recompute from scratch would store now, as comparable rows."""
    computed = engine.Engine(load_snapshot(proposal.negotiation_id))
    today = timezone.localdate()
    result = computed.proposal_status(proposal.pk, today)
    return {
        "status": result.status,
        "terms": sorted((t.term_id, t.status) for t in result.terms),
        "timeline": [(e.term_id, e.on, e.status) for e in computed.timeline(proposal.pk, today)],
    }


def _written(proposal: Proposal) -> dict[str, Any]:
    return {
        "status": Proposal.objects.values_list("status", flat=True).get(pk=proposal.pk),
        "terms": sorted(Term.objects.filter(proposal=proposal).values_list("pk", "status")),
        "timeline": list(
            StatusChange.objects.filter(proposal=proposal)
            .order_by("seq")
            .values_list("term_id", "changed_on", "status")
        ),
    }


def test_a_recompute_that_read_before_a_write_never_lands_over_the_newer_result(
    negotiation, parties, unpublished, monkeypatch
):
    proposal, _ = _exchange(negotiation)
    position_record(proposal=proposal, party=parties["ru"], stance=Stance.ACCEPTS, stated_on=DAY)
    proposal_status_refresh(proposal_id=proposal.pk)
    assert _stored(proposal) == ("open", False)

    # `recompute_status` starts: it reads its snapshot (Ukraine silent), then is held.
    late = Held(lambda: proposal_status_refresh(proposal_id=proposal.pk, only_if_stale=False))
    read_snapshot = refresh.load_snapshot

    def load_and_hold(negotiation_id: int, **options: Any) -> Any:
        snapshot = read_snapshot(negotiation_id, **options)
        late.hold()
        return snapshot

    # Meanwhile Ukraine accepts, and a worker recomputes: agreed, and current.
    def write_and_recompute() -> None:
        unpublished.clear()
        position_record(
            proposal=proposal, party=parties["ua"], stance=Stance.ACCEPTS, stated_on=DAY
        )
        assert unpublished == [proposal.pk]
        recompute_proposal(proposal.pk)

    monkeypatch.setattr(refresh, "load_snapshot", load_and_hold)
    with late.held():
        worker = _in_thread(write_and_recompute)
    worker.finish()
    # Whatever the held run did once released, no older result is marked current.
    assert _stored(proposal) == ("agreed", False)
    assert _written(proposal) == _fresh(proposal)


def _summary(negotiation: Negotiation) -> dict[str, Any]:
    summary = Negotiation.objects.values_list("status_summary", flat=True).get(pk=negotiation.pk)
    return dict(summary["proposals"])


def test_a_recompute_that_commits_after_a_summary_was_written_still_updates_it(
    negotiation, parties, unpublished, monkeypatch
):
    bodies, _ = _exchange(negotiation)
    summit = proposal_create(negotiation=negotiation, title="Summit", kind="meeting")
    for proposal in (bodies, summit):
        recompute_proposal(proposal.pk)
    refresh_negotiation_summary(negotiation.pk, force=True)
    for party in ("ru", "ua"):
        position_record(proposal=bodies, party=parties[party], stance=Stance.ACCEPTS, stated_on=DAY)
    position_record(proposal=summit, party=parties["ru"], stance=Stance.REJECTS, stated_on=DAY)
    assert _summary(negotiation)["stale"] == 0  # written before both writes

    # A worker recomputes the exchange (agreed) and is held before its commit ...
    late = Held(lambda: recompute_proposal(bodies.pk))
    monkeypatch.setattr(refresh, "_pause_half_written", late.hold)
    with late.held():
        # ... while another recomputes the summit, commits, and rewrites the summary,
        # which cannot see the exchange's uncommitted result.
        recompute_proposal(summit.pk)
        assert refresh_negotiation_summary(negotiation.pk) is True
        assert _summary(negotiation)["by_status"] == {"open": 1, "rejected": 1}
    assert _stored(bodies) == ("agreed", False)

    # The exchange's worker then asks for the summary, "only if outdated": it is.
    refresh_negotiation_summary(negotiation.pk)
    assert _summary(negotiation) == {
        "total": 2,
        "by_status": {"agreed": 1, "rejected": 1},
        "stale": 0,
    }
    # And once it is up to date, a further request changes nothing.
    assert refresh_negotiation_summary(negotiation.pk) is False
