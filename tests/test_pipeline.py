"""The recompute pipeline against a real Redis and real Celery worker processes.

These tests assert outcomes with generous timeouts; speed is measured in bench/.
The machine's Redis is used when PARLEY_TEST_REDIS_URL is set (CI does); the tests that
stop Redis always use a private redis-server of their own.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import kombu.pools
import pytest
import redis as redis_client
from django.db import connection, connections, transaction
from django.utils import timezone

from negotiations.celery import app as celery_app
from negotiations.models import Role
from negotiations.services import negotiation_create, participation_create
from parties.services import party_create
from proposals import engine
from proposals.models import Proposal, RecomputeRequest, Stance, StatusChange, Term
from proposals.refresh import proposal_status_refresh
from proposals.services import position_record, proposal_create, term_create
from proposals.snapshot import load_snapshot
from proposals.tasks import enqueue_recompute
from tests.processes import CeleryProcess, RedisServer, free_port, running, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
DAY = datetime.date(2025, 6, 2)


@pytest.fixture(scope="module")
def private_redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker_url(private_redis: RedisServer) -> str:
    url = os.environ.get("PARLEY_TEST_REDIS_URL") or private_redis.url
    redis_client.Redis.from_url(url).flushdb()
    return url


def _reset_publisher() -> None:
    kombu.pools.reset()  # closes and forgets every connection and producer pool
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """Make this test process publish to `url` instead of running tasks in-process."""
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    _reset_publisher()
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = url, False
    try:
        yield
    finally:
        _reset_publisher()
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved


def closed_broker() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


def make_negotiation(n_proposals: int = 1) -> tuple[list[Proposal], dict[str, object]]:
    ru = party_create(name="Russia")
    ua = party_create(name="Ukraine")
    tr = party_create(name="Turkey")
    negotiation = negotiation_create(title="Pipeline talks")
    participation_create(negotiation=negotiation, party=ru, roles=[Role.PRINCIPAL])
    participation_create(negotiation=negotiation, party=ua, roles=[Role.PRINCIPAL])
    participation_create(negotiation=negotiation, party=tr, roles=[Role.MEDIATOR])
    proposals = []
    for i in range(n_proposals):
        proposal = proposal_create(
            negotiation=negotiation,
            title=f"Exchange {i}",
            kind="exchange",
            tabled_on=DAY,
            tabling_parties=[tr],
        )
        term_create(proposal=proposal, text="Swap prisoners", quantity=100, unit="prisoners")
        term_create(proposal=proposal, text="Swap bodies", option_group="g", option="A")
        term_create(proposal=proposal, text="Swap the wounded", option_group="g", option="B")
        proposals.append(proposal)
    return proposals, {"ru": ru, "ua": ua, "tr": tr}


def stored(proposal: Proposal) -> tuple[str, bool]:
    row = Proposal.objects.values_list("status", "status_stale").get(pk=proposal.pk)
    return row[0], row[1]


def assert_equal_to_a_recompute_from_scratch(negotiation_id: int) -> None:
    fresh = engine.all_statuses(load_snapshot(negotiation_id), timezone.localdate())
    for proposal in Proposal.objects.filter(negotiation_id=negotiation_id):
        expected = fresh[proposal.pk]
        assert (proposal.status, proposal.status_stale) == (expected.status, False), proposal
        assert proposal.status_reason == expected.reason
        terms = dict(Term.objects.filter(proposal=proposal).values_list("pk", "status"))
        assert terms == {t.term_id: t.status for t in expected.terms}


def rows_of(proposal: Proposal) -> tuple[object, ...]:
    timeline = list(
        StatusChange.objects.filter(proposal=proposal)
        .order_by("seq")
        .values_list("term_id", "changed_on", "status", "previous_status", "reason", "seq")
    )
    own = Proposal.objects.values_list(
        "status", "status_reason", "status_basis", "status_since", "status_stale"
    ).get(pk=proposal.pk)
    terms = list(
        Term.objects.filter(proposal=proposal)
        .order_by("pk")
        .values_list("status", "status_reason", "status_basis", "status_since", "delivered")
    )
    return timeline, own, terms


def test_a_position_reaches_its_recomputed_status_end_to_end(broker_url):
    worker = CeleryProcess("worker", broker_url, "e2e")
    with publishing_to(broker_url), running(worker):
        [proposal], parties = make_negotiation()
        position_record(
            proposal=proposal, party=parties["ru"], stance=Stance.ACCEPTS, stated_on=DAY
        )
        position_record(
            proposal=proposal, party=parties["ua"], stance=Stance.ACCEPTS, stated_on=DAY
        )
        took = wait_for(lambda: stored(proposal) == ("agreed", False), 30, "the agreed status")
    print(f"end to end: recomputed by the worker {took:.2f}s after the write")
    assert "succeeded" in worker.output()
    assert_equal_to_a_recompute_from_scratch(proposal.negotiation_id)


def test_many_writes_in_one_transaction_collapse_into_one_task_per_negotiation(private_redis):
    queue = redis_client.Redis.from_url(private_redis.url)
    with publishing_to(closed_broker()):
        (first, second), parties = make_negotiation(2)
    queue.flushdb()
    RecomputeRequest.objects.all().delete()  # as the worker would once the set-up is fresh
    with publishing_to(private_redis.url), transaction.atomic():
        for stance in (Stance.UNDECIDED, Stance.ACCEPTS, Stance.REJECTS):
            for party in ("ru", "ua"):
                position_record(proposal=first, party=parties[party], stance=stance, stated_on=DAY)
        position_record(proposal=second, party=parties["ru"], stance=Stance.ACCEPTS, stated_on=DAY)
    messages = [json.loads(m) for m in queue.lrange("parley", 0, -1)]
    # Issue 15: one task per negotiation (it was one per proposal: [first.pk, second.pk]).
    assert {m["headers"]["task"] for m in messages} == {"proposals.tasks.recompute_negotiation"}
    args = sorted(json.loads(base64.b64decode(m["body"]))[0][0] for m in messages)
    assert args == [first.negotiation_id]


def test_writes_succeed_quickly_with_the_broker_down_and_the_sweep_catches_up(private_redis):
    rng = random.Random(7)
    with publishing_to(closed_broker()):
        proposals, parties = make_negotiation(5)
        slowest = 0.0
        for _ in range(50):
            proposal = rng.choice(proposals)
            term = rng.choice([None, *proposal.terms.all()])
            start = time.monotonic()
            position_record(
                proposal=proposal,
                term=term,
                party=parties[rng.choice(["ru", "ua"])],
                stance=rng.choice([Stance.ACCEPTS, Stance.REJECTS, Stance.UNDECIDED]),
                stated_on=DAY + datetime.timedelta(days=rng.randrange(30)),
            )
            slowest = max(slowest, time.monotonic() - start)
    print(f"50 writes with Redis unreachable: slowest took {slowest * 1000:.0f} ms")
    assert slowest < 1.0
    assert all(stored(p)[1] for p in proposals), "every touched proposal stays stale"

    worker = CeleryProcess("worker", private_redis.url, "sweeper")
    beat = CeleryProcess("beat", private_redis.url, "beat", PARLEY_SWEEP_SECONDS="1")
    with publishing_to(private_redis.url), running(worker, beat):
        wait_for(lambda: not Proposal.objects.filter(status_stale=True).exists(), 60, "the sweep")
    assert "sweep_stale_proposals" in worker.output()
    assert_equal_to_a_recompute_from_scratch(proposals[0].negotiation_id)


def _recompute_in_progress(proposal_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 1 AND objid = %s"
            " AND granted",
            [proposal_id],
        )
        return cursor.fetchone() is not None


def test_a_worker_killed_in_the_middle_of_a_recompute_leaves_a_correct_status(private_redis):
    with publishing_to(closed_broker()):
        [proposal], parties = make_negotiation()
        position_record(
            proposal=proposal, party=parties["ru"], stance=Stance.ACCEPTS, stated_on=DAY
        )
        proposal_status_refresh(proposal_id=proposal.pk)
        before = rows_of(proposal)
        position_record(
            proposal=proposal, party=parties["ua"], stance=Stance.ACCEPTS, stated_on=DAY
        )
    assert stored(proposal) == ("open", True)

    doomed = CeleryProcess(
        "worker",
        private_redis.url,
        "doomed",
        PARLEY_TEST_FAULTS="1",
        PARLEY_RECOMPUTE_PAUSE="60",
        PARLEY_VISIBILITY_TIMEOUT="5",
    )
    with publishing_to(private_redis.url), running(doomed):
        assert enqueue_recompute([proposal.pk]) == 1
        wait_for(lambda: _recompute_in_progress(proposal.pk), 30, "the recompute to start")
        doomed.kill()
    wait_for(lambda: not _recompute_in_progress(proposal.pk), 30, "PostgreSQL to roll back")
    timeline_before, _, terms_before = before
    timeline_after, own_after, terms_after = rows_of(proposal)
    assert (timeline_after, terms_after) == (timeline_before, terms_before), "half-write visible"
    assert own_after[-1] is True  # still stale

    # A worker restores unacknowledged messages older than the visibility timeout when it
    # starts, and otherwise only now and then: start it once the timeout has passed, so a
    # slow machine does not leave the redelivery to the occasional restore.
    time.sleep(6)
    survivor = CeleryProcess("worker", private_redis.url, "survivor", PARLEY_VISIBILITY_TIMEOUT="5")
    with publishing_to(private_redis.url), running(survivor):
        took = wait_for(lambda: stored(proposal) == ("agreed", False), 180, "redelivery")
    print(f"the killed worker's task was redelivered and done {took:.1f}s later")
    assert_equal_to_a_recompute_from_scratch(proposal.negotiation_id)


def test_a_worker_resumes_consuming_after_redis_restarts():
    redis = RedisServer()
    redis.start()
    worker = CeleryProcess("worker", redis.url, "resumer")
    try:
        with publishing_to(redis.url), running(worker):
            [proposal], parties = make_negotiation()
            wait_for(lambda: not stored(proposal)[1], 30, "the first recompute")

            redis.stop()
            time.sleep(3)
            redis.start()

            def publish() -> bool:
                return enqueue_recompute([proposal.pk]) == 1

            with publishing_to(closed_broker()):
                for party in ("ru", "ua"):
                    position_record(
                        proposal=proposal,
                        party=parties[party],
                        stance=Stance.ACCEPTS,
                        stated_on=DAY,
                    )
            wait_for(publish, 30, "the publisher to reconnect", every=1)
            took = wait_for(
                lambda: stored(proposal) == ("agreed", False), 60, "the worker to resume"
            )
        print(f"after the Redis restart the worker consumed again within {took:.1f}s")
    finally:
        redis.stop()


def test_the_same_task_delivered_twice_leaves_identical_rows(private_redis):
    with publishing_to(closed_broker()):
        [proposal], parties = make_negotiation()
        for party in ("ru", "ua"):
            position_record(
                proposal=proposal, party=parties[party], stance=Stance.ACCEPTS, stated_on=DAY
            )
    from proposals.tasks import recompute_proposal

    workers = [CeleryProcess("worker", private_redis.url, f"twin{i}") for i in (1, 2)]
    with publishing_to(private_redis.url), running(*workers):
        for _ in range(2):
            recompute_proposal.apply_async(args=[proposal.pk], task_id="one-and-the-same")
        wait_for(lambda: sum(w.output().count("succeeded") for w in workers) >= 2, 30, "both runs")
    after_both = rows_of(proposal)
    proposal_status_refresh(proposal_id=proposal.pk)  # and once more, from scratch
    assert rows_of(proposal) == after_both
    assert after_both[1][0] == "agreed"


def test_two_concurrent_recomputes_write_the_same_rows_as_one():
    with publishing_to(closed_broker()):
        [proposal], parties = make_negotiation()
        for party in ("ru", "ua"):
            position_record(
                proposal=proposal, party=parties[party], stance=Stance.ACCEPTS, stated_on=DAY
            )
    proposal_status_refresh(proposal_id=proposal.pk)
    alone = rows_of(proposal)
    errors: list[BaseException] = []

    def recompute() -> None:
        try:
            for _ in range(5):
                proposal_status_refresh(proposal_id=proposal.pk)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=recompute) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert rows_of(proposal) == alone
