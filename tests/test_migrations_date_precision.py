"""Date precision (issue 12, point 8): rows written before precision existed migrate as
known to the day, their dates untouched."""

from __future__ import annotations

import datetime

import pytest

from tests.test_migrations_carry_over import migrate_to_latest, old_shape  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

DAY = datetime.date(2025, 6, 19)


def test_existing_dates_migrate_as_known_to_the_day(old_shape):  # noqa: F811
    apps = old_shape(
        [
            ("negotiations", "0006_delegation_members_and_round_sources"),
            ("proposals", "0011_ws_a_drop_tabled_by"),
        ]
    )
    party = apps.get_model("parties", "Party").objects.create(name="Ukraine", slug="ukraine")
    negotiation = apps.get_model("negotiations", "Negotiation").objects.create(
        title="Talks", slug="talks"
    )
    round_ = apps.get_model("negotiations", "Round").objects.create(
        negotiation=negotiation, number=1, starts_on=DAY
    )
    proposal = apps.get_model("proposals", "Proposal").objects.create(
        negotiation=negotiation, title="Exchange", kind="exchange", tabled_on=DAY
    )
    term = apps.get_model("proposals", "Term").objects.create(
        proposal=proposal, ordinal=1, text="All for all"
    )
    apps.get_model("proposals", "Position").objects.create(
        party=party, proposal=proposal, stance="proposes", stated_on=DAY
    )
    apps.get_model("proposals", "ImplementationEvent").objects.create(term=term, happened_on=DAY)

    apps = migrate_to_latest()
    rows = [
        (apps.get_model("negotiations", "Round"), round_.pk, "starts_on"),
        (apps.get_model("proposals", "Proposal"), proposal.pk, "tabled_on"),
        (apps.get_model("proposals", "Position"), None, "stated_on"),
        (apps.get_model("proposals", "ImplementationEvent"), None, "happened_on"),
    ]
    for model, pk, field in rows:
        row = model.objects.get() if pk is None else model.objects.get(pk=pk)
        assert (getattr(row, field), getattr(row, f"{field}_precision")) == (DAY, "day"), model
