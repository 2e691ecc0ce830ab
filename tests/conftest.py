from __future__ import annotations

import datetime

import pytest

from negotiations.demo import load_demo
from negotiations.models import Negotiation, Role
from negotiations.services import negotiation_create, participation_create
from parties.models import Party
from parties.services import party_create

DAY = datetime.date(2025, 6, 2)


@pytest.fixture(autouse=True)
def _fresh_engine_cache():
    """Each test starts with no cached engine (proposals/selectors.py)."""
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
