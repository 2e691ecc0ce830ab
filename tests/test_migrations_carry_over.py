"""Migrations carry existing rows over to the new shape (issue 12): a database holding the
old shape is migrated forward and its rows are where the new models expect them."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def old_shape() -> Iterator[Any]:
    """A callable that takes the database back to some migrations and gives their apps;
    the database is brought back to the latest migrations afterwards, whatever happens."""

    def go_back(targets: list[tuple[str, str]]) -> Any:
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    yield go_back
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_to_latest() -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(latest)
    return executor.loader.project_state(latest).apps


def test_delegation_members_become_memberships_with_a_role(old_shape):
    apps = old_shape([("negotiations", "0005_summary_generation"), ("parties", "0001_initial")])
    party = apps.get_model("parties", "Party").objects.create(name="Ukraine", slug="ukraine")
    person = apps.get_model("parties", "Person").objects.create(name="Rustem Umerov", party=party)
    negotiation = apps.get_model("negotiations", "Negotiation").objects.create(
        title="Talks", slug="talks"
    )
    round_ = apps.get_model("negotiations", "Round").objects.create(
        negotiation=negotiation, number=1, starts_on=datetime.date(2025, 6, 2)
    )
    delegation = apps.get_model("negotiations", "Delegation").objects.create(
        round=round_, party=party
    )
    delegation.members.add(person)

    apps = migrate_to_latest()
    Member = apps.get_model("negotiations", "DelegationMember")
    (member,) = Member.objects.all()
    assert (member.delegation_id, member.person_id) == (delegation.pk, person.pk)
    assert (member.role, member.title, member.version) == ("member", "", 1)
    assert list(apps.get_model("negotiations", "Delegation").objects.get().members.all()) == [
        apps.get_model("parties", "Person").objects.get()
    ]
