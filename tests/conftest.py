from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest

from negotiations.demo import load_demo
from negotiations.models import Negotiation, Role
from negotiations.services import negotiation_create, participation_create
from parties.models import Party
from parties.services import party_create

DAY = datetime.date(2025, 6, 2)

# Marked `slow` here, in one place, and skipped by `make test-fast` (pytest -m "not slow"):
# whole folders and files that start real processes (Chromium, Celery workers, Redis) or
# generate thousands of requests, every property-based (hypothesis) test, and the single
# tests that take over ~2 s (`pytest --durations=40`). Paths are relative to tests/.
SLOW_FOLDERS = {"browser"}
SLOW_FILES = {
    "test_pipeline.py",
    "test_api_schemathesis.py",
    "test_status_invariant.py",
    "test_status_concurrency.py",
    "test_api_stateful.py",
}
# With pytest-xdist (`make test` runs two processes against a PostgreSQL server), the tests
# whose real Celery workers share the machine's Redis database (the `broker_url` fixture,
# PARLEY_TEST_REDIS_URL) run in one process, one at a time.
SHARED_REDIS_FIXTURE = "broker_url"
SLOW_TESTS = {
    "test_backup.py::test_a_synthetic_set_survives_an_export_and_an_import",
    "test_accounts.py::test_a_successful_login_resets_the_failure_count",
    "test_accounts.py::test_the_login_is_locked_after_repeated_failures_for_that_user_and_address",
}


# Files whose tests take longest (migrations backwards and forwards, property tests, real
# processes): with `make test`'s two processes they start first, so that the short tests fill
# the end of the run instead of one process finishing a long file alone while the other waits.
LONG_FILES = {
    "test_migration_tabling.py",
    "test_migration_ledger.py",
    "test_migrations_carry_over.py",
    "test_migrations_date_precision.py",
    "test_backup.py",
}


def pytest_collection_modifyitems(config, items):
    tests = Path(__file__).parent
    long_first: set[Path] = set()
    for item in items:
        if not item.path.is_relative_to(tests):
            continue
        path = item.path.relative_to(tests)
        if (
            path.parts[0] in SLOW_FOLDERS
            or path.as_posix() in SLOW_FILES
            or f"{path.as_posix()}::{item.originalname}" in SLOW_TESTS
            or getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
        ):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("slow") or path.name in LONG_FILES:
            long_first.add(item.path)
        if SHARED_REDIS_FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("shared-redis"))
    # A stable sort: whole files move, in their own order (module fixtures stay shared),
    # inside pytest-django's order (tests in a transaction, then transactional tests, whose
    # flush also empties the groups the migrations made, then the rest), which stays.
    items.sort(key=lambda item: (_django_order(item), item.path not in long_first))


def _django_order(item: pytest.Item) -> int:
    """pytest-django's own order number for the test (pytest_django.plugin)."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    if {"transactional_db", "live_server"} & set(fixtures) or (
        marker is not None
        and (
            marker.kwargs.get("transaction")
            or marker.kwargs.get("reset_sequences")
            or (marker.args and marker.args[0])
        )
    ):
        return 1
    return 0 if marker is not None or "db" in fixtures else 2


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing(django_test_environment):
    """Every user the tests make (and every login they try) hashes a password: with the
    production hasher (PBKDF2, a million rounds) that was seconds per login test."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle and login-rate counters, and one-time form tokens, start empty in each test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_engine_cache():
    """Each test starts with no cached engine (proposals/selectors/as_of.py)."""
    from proposals.selectors import clear_engine_cache

    clear_engine_cache()
    yield
    clear_engine_cache()


@pytest.fixture
def demo(request, db, django_capture_on_commit_callbacks) -> Negotiation:
    if "demo_once" in request.fixturenames:
        return Negotiation.objects.get(pk=request.getfixturevalue("demo_once"))
    with django_capture_on_commit_callbacks(execute=True):
        return load_demo()


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker) -> Iterator[int]:
    """The demo loaded once for a whole module (its negotiation's id), in a transaction
    rolled back when the module ends; each test still runs in its own transaction inside
    it (a savepoint: pytest-django's `db`), rolled back after the test, so every test sees
    the demo exactly as loaded. Loading it (~1,300 queries and the recomputes they run) was
    the largest single cost of the suite. A module opts in with
    `pytest.mark.usefixtures("demo_once")` when every one of its tests takes `demo` (a test
    without it would see it too) and none is transactional (it would flush it). The
    recomputes run in-process while it loads, as under api_support's `api_env`."""
    from django.db import transaction
    from django.test import TestCase

    from negotiations.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    module = transaction.atomic()
    with django_db_blocker.unblock():
        module.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                negotiation_id = load_demo().pk
        except BaseException:
            transaction.set_rollback(True)
            module.__exit__(None, None, None)
            raise
        finally:
            app.conf.task_always_eager = eager
    yield negotiation_id
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module.__exit__(None, None, None)


@pytest.fixture
def parties(db) -> dict[str, Party]:
    return {
        slug: party_create(name=name, short_name=name, slug=slug)
        for slug, name in [
            ("ru", "Russia"),
            ("ua", "Ukraine"),
            ("tr", "Turkey"),
            ("xx", "Elsewhere"),
        ]
    }


@pytest.fixture
def negotiation(parties) -> Negotiation:
    negotiation = negotiation_create(title="Test talks", started_on=datetime.date(2025, 5, 1))
    participation_create(negotiation=negotiation, party=parties["ru"], roles=[Role.PRINCIPAL])
    participation_create(negotiation=negotiation, party=parties["ua"], roles=[Role.PRINCIPAL])
    participation_create(
        negotiation=negotiation, party=parties["tr"], roles=[Role.HOST, Role.MEDIATOR]
    )
    return negotiation


@pytest.fixture
def analyst_client(db):
    """A second test client, signed in as an analyst (exports need the role)."""
    from django.contrib.auth.models import Group, User
    from django.test import Client

    user = User.objects.create_user("analyst-in-tests", password="a-long-password-1")
    user.groups.add(Group.objects.get_or_create(name="analyst")[0])
    client = Client()
    client.force_login(user)
    return client
