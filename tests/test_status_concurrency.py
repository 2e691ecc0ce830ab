"""Writers and recomputes racing on overlapping proposals end with every stored status
equal to a fresh engine run (issue 13, deliverable 5).

Real commits (transaction=True): each thread has its own database connection, as each
web process and worker has. Writers call the services, so every write takes the normal
path (mark stale in the transaction, recompute after commit, in-process here); the
recomputes race with them: the worker's path (only if stale), the command's path (every
proposal, `recompute_status --all`), and in the last test two real worker processes.
"Draining" is what the sweep does: recompute what is still flagged stale.
"""

from __future__ import annotations

import datetime
import os
import random
import threading
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections

from negotiations.models import Negotiation, Role
from negotiations.services import negotiation_create, participation_create
from parties.models import Party
from parties.services import party_create
from proposals.models import Proposal, Stance, Term
from proposals.refresh import proposal_status_refresh, refresh_proposals
from proposals.services import (
    implementation_event_record,
    position_record,
    proposal_create,
    term_create,
)
from proposals.tasks import sweep_stale_proposals
from proposals.verification import verify_negotiation
from tests.processes import CeleryProcess, running, wait_for
from tests.test_pipeline import broker_url, private_redis, publishing_to  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)
DAY = datetime.date(2025, 6, 2)
ROUNDS = int(os.environ.get("PARLEY_RACE_ROUNDS", "100"))  # CI runs fewer (.ci/run)
STANCES = [Stance.ACCEPTS, Stance.REJECTS, Stance.UNDECIDED, Stance.CONDITIONAL]


class Talks:
    """A small negotiation whose proposals depend on each other through conditions."""

    def __init__(self, n_proposals: int = 4) -> None:
        self.parties: dict[str, Party] = {
            slug: party_create(name=name, slug=slug)
            for slug, name in [("ru", "Russia"), ("ua", "Ukraine"), ("tr", "Turkey")]
        }
        self.negotiation: Negotiation = negotiation_create(title="Racing talks")
        for slug, role in [("ru", Role.PRINCIPAL), ("ua", Role.PRINCIPAL), ("tr", Role.MEDIATOR)]:
            participation_create(
                negotiation=self.negotiation, party=self.parties[slug], roles=[role]
            )
        self.proposals: list[Proposal] = []
        self.terms: list[Term] = []
        for i in range(n_proposals):
            proposal = proposal_create(
                negotiation=self.negotiation,
                title=f"Exchange {i}",
                kind="exchange",
                tabled_on=DAY,
                tabling_parties=[self.parties["tr"]],
            )
            self.proposals.append(proposal)
            self.terms.append(
                term_create(proposal=proposal, text="Swap prisoners", quantity=90, unit="people")
            )
            self.terms.append(term_create(proposal=proposal, text="Return the bodies"))

    def write(self, rng: random.Random) -> None:
        """One service call on a random proposal: a position (perhaps conditional on a term
        of another proposal, which ties their statuses together) or a delivery."""
        proposal = rng.choice(self.proposals)
        own = [t for t in self.terms if t.proposal_id == proposal.pk]
        on = DAY + datetime.timedelta(days=rng.randrange(1, 60))
        if rng.random() < 0.15:
            implementation_event_record(term=own[0], happened_on=on, quantity=rng.randrange(1, 40))
            return
        stance = rng.choice(STANCES)
        others = [t for t in self.terms if t.proposal_id != proposal.pk]
        position_record(
            proposal=proposal,
            term=rng.choice([None, *own]),
            party=self.parties[rng.choice(["ru", "ua"])],
            stance=stance,
            stated_on=on,
            conditions="if the other side delivers" if stance == Stance.CONDITIONAL else "",
            conditional_on=[rng.choice(others)] if stance == Stance.CONDITIONAL else [],
        )

    def ids(self) -> list[int]:
        return [p.pk for p in self.proposals]


def in_threads(*bodies: Callable[[], None], timeout: float = 180) -> None:
    """Run each body in its own thread (its own database connection); re-raise the first
    error any of them met."""
    errors: list[BaseException] = []

    def run(body: Callable[[], None]) -> None:
        try:
            body()
        except BaseException as error:  # noqa: BLE001 - re-raised below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    if errors:
        raise errors[0]


def rounds(barrier: threading.Barrier, n: int, step: Callable[[], Any]) -> Callable[[], None]:
    """A thread body: n steps, each started together with the other threads'."""

    def body() -> None:
        for _ in range(n):
            barrier.wait(30)
            step()

    return body


def drain_and_verify(talks: Talks) -> None:
    sweep_stale_proposals(batch=1000)
    assert not Proposal.objects.filter(status_stale=True).exists()
    divergences = verify_negotiation(talks.negotiation.pk)
    assert not divergences, "\n".join(map(str, divergences))


def test_writers_and_recomputes_racing_leave_no_divergence():
    talks = Talks()
    rngs = [random.Random(seed) for seed in range(3)]
    barrier = threading.Barrier(3)
    overlapping = talks.ids()

    def recompute() -> None:
        if rngs[2].random() < 0.5:  # what recompute_status does: stale or not
            refresh_proposals(proposal_ids=rngs[2].sample(overlapping, 2))
        else:  # what a worker does
            proposal_status_refresh(proposal_id=rngs[2].choice(overlapping), only_if_stale=True)

    in_threads(
        rounds(barrier, ROUNDS, lambda: talks.write(rngs[0])),
        rounds(barrier, ROUNDS, lambda: talks.write(rngs[1])),
        rounds(barrier, ROUNDS, recompute),
    )
    drain_and_verify(talks)


def test_recompute_status_all_while_writes_land_leaves_no_divergence():
    talks = Talks()
    rng = random.Random(5)
    done = threading.Event()

    def write() -> None:
        for _ in range(ROUNDS // 2):
            talks.write(rng)
        done.set()

    def recompute_everything() -> None:
        while not done.is_set():
            call_command("recompute_status", "--all", "--no-progress", stdout=StringIO())

    in_threads(write, recompute_everything)
    drain_and_verify(talks)


def test_writers_racing_two_worker_processes_leave_no_divergence(broker_url):  # noqa: F811
    workers = [CeleryProcess("worker", broker_url, f"racer{i}") for i in (1, 2)]
    with publishing_to(broker_url), running(*workers):
        talks = Talks()
        rngs = [random.Random(seed) for seed in (11, 12)]
        barrier = threading.Barrier(3)

        def recompute_all() -> None:
            refresh_proposals(proposal_ids=talks.ids())

        in_threads(
            rounds(barrier, ROUNDS // 3, lambda: talks.write(rngs[0])),
            rounds(barrier, ROUNDS // 3, lambda: talks.write(rngs[1])),
            rounds(barrier, ROUNDS // 3, recompute_all),
        )
        wait_for(
            lambda: not Proposal.objects.filter(status_stale=True).exists(),
            60,
            "the workers to drain the queue",
        )
    drain_and_verify(talks)


@pytest.fixture(autouse=True)
def _no_leftover_connections() -> Iterator[None]:
    yield
    connections.close_all()
