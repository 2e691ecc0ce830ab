"""WS-B: the ledger migration carries old rows over: events become deliveries, terms
deliverable, and nothing else changes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("proposals", "0012_ws_d_date_precision"), ("parties", "0001_initial")]
AFTER = [("proposals", "0013_ws_b_ledger_and_partial_realisation")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_old_events_into_deliveries_and_old_terms_deliverable():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    party = old.get_model("parties", "Party").objects.create(name="Russia", slug="ru")
    negotiation = old.get_model("negotiations", "Negotiation").objects.create(
        title="Old talks", slug="old-talks"
    )
    proposal = old.get_model("proposals", "Proposal").objects.create(
        negotiation=negotiation, title="Old swap", kind="exchange"
    )
    term = old.get_model("proposals", "Term").objects.create(
        proposal=proposal, ordinal=1, text="Swap", quantity=10, unit="people"
    )
    event = old.get_model("proposals", "ImplementationEvent").objects.create(
        term=term, happened_on=datetime.date(2025, 6, 2), by_party=party, quantity=4
    )

    executor = MigrationExecutor(connection)  # a fresh loader sees the rolled-back graph
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(AFTER).apps
    migrated = new.get_model("proposals", "ImplementationEvent").objects.get(pk=event.pk)
    assert (migrated.kind, migrated.quantity, migrated.by_party_id) == ("delivery", 4, party.pk)
    assert (migrated.to_party_id, migrated.reverses_id, migrated.location) == (None, None, "")
    assert new.get_model("proposals", "Term").objects.get(pk=term.pk).deliverable is True
    assert not new.get_model("proposals", "Commitment").objects.exists()
