from __future__ import annotations

import datetime
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


def pytest_collection_modifyitems(config, items):
    tests = Path(__file__).parent
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
        if SHARED_REDIS_FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("shared-redis"))


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
def demo(db, django_capture_on_commit_callbacks) -> Negotiation:
    with django_capture_on_commit_callbacks(execute=True):
        return load_demo()


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
