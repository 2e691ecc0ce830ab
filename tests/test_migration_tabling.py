"""The tabling-parties migrations carry a database of the old shape over: each proposal's
tabled_by becomes its first tabling party, and back again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# parties 0001: before its own migrations (new NOT NULL columns) the old rows fit.
OLD = [("proposals", "0008_ws_a_reservations"), ("parties", "0001_initial")]
NEW = [("proposals", "0011_ws_a_drop_tabled_by")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_tabled_by_becomes_the_first_tabling_party_and_back():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        old = _migrate(OLD)
        Party = old.get_model("parties", "Party")
        Negotiation = old.get_model("negotiations", "Negotiation")
        Proposal = old.get_model("proposals", "Proposal")
        russia = Party.objects.create(name="Russia", short_name="Russia", slug="ru")
        talks = Negotiation.objects.create(title="Talks", slug="talks")
        tabled = Proposal.objects.create(
            negotiation=talks, title="Memorandum", kind="memorandum", tabled_by=russia
        )
        unattributed = Proposal.objects.create(negotiation=talks, title="Joint", kind="other")

        new = _migrate(NEW)
        Tabling = new.get_model("proposals", "Tabling")
        assert list(Tabling.objects.values_list("proposal_id", "party_id", "ordinal")) == [
            (tabled.pk, russia.pk, 1)
        ]
        assert not Tabling.objects.filter(proposal_id=unattributed.pk).exists()

        old = _migrate(OLD)
        Proposal = old.get_model("proposals", "Proposal")
        assert dict(Proposal.objects.values_list("pk", "tabled_by_id")) == {
            tabled.pk: russia.pk,
            unattributed.pk: None,
        }
    finally:
        _migrate(latest)
