"""A status that changes with the calendar: a proposal stored as `not_tabled` is
recomputed once its tabling day comes (proposals/due.py), though nothing was written."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from negotiations.services import round_create
from proposals import engine
from proposals.due import mark_tabling_days, tabled_since_computed
from proposals.models import Proposal
from proposals.services import proposal_create
from proposals.snapshot import load_snapshot
from tests.api_support import api_env

__all__ = ["api_env"]

pytestmark = pytest.mark.usefixtures("api_env")

TODAY, TABLED = datetime.date(2025, 6, 1), datetime.date(2025, 6, 2)


def fresh(proposal: Proposal) -> str:
    return engine.proposal_status(
        load_snapshot(proposal.negotiation_id), proposal.pk, TABLED
    ).status


def test_a_proposal_tabled_in_a_scheduled_round_is_recomputed_when_the_round_starts(
    negotiation, django_capture_on_commit_callbacks
):
    with time_machine.travel(TODAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        scheduled = round_create(negotiation=negotiation, number=1, starts_on=TABLED)
        proposal = proposal_create(
            negotiation=negotiation, title="Exchange", kind="exchange", round=scheduled
        )
    proposal.refresh_from_db()
    assert proposal.status == "not_tabled"
    with time_machine.travel(TODAY, tick=False):
        assert tabled_since_computed() == []  # its day has not come: nothing to do

    with time_machine.travel(TABLED, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tabled_since_computed() == [proposal.pk]
        assert mark_tabling_days() == 1
    proposal.refresh_from_db()
    assert (proposal.status, proposal.status_stale) == ("open", False)
    assert proposal.status == fresh(proposal)
    with time_machine.travel(TABLED, tick=False):
        assert tabled_since_computed() == []
