import datetime

import pytest

from negotiations.models import Negotiation, Round
from proposals.models import Proposal, Stance
from proposals.services import position_record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_once")]


def test_the_demo_negotiation_summary_counts_statuses_and_live_terms(demo):
    summary = Negotiation.objects.get(pk=demo.pk).status_summary
    assert summary["proposals"]["by_status"] == {"agreed": 3, "open": 1, "rejected": 2}
    # ceasefire 1 + three exchanges 3 + memorandum 11; the summit has no terms
    assert (summary["terms"]["live"], summary["terms"]["agreed"]) == (15, 3)
    assert summary["terms"]["share_agreed"] == 0.2
    first = summary["convergence"][0]
    assert (first["on"], first["round"], first["share_agreed"]) == ("2025-06-02", 2, 0.2)


def test_the_round_summary_covers_what_was_tabled_in_that_round(demo):
    round_ = Round.objects.get(negotiation=demo, number=2)
    # the summit was offered outside the talks, so five proposals belong to the round
    assert round_.status_summary["proposals"]["total"] == 5
    assert round_.status_summary_at is not None


def test_the_convergence_series_replays_history_at_each_round_date(
    demo, django_capture_on_commit_callbacks
):
    memorandum = Proposal.objects.get(kind="memorandum")
    later = datetime.date(2025, 7, 1)
    with django_capture_on_commit_callbacks(execute=True):
        # Ukraine later accepts one settlement term: a change after the round date.
        position_record(
            proposal=memorandum,
            term=memorandum.terms.get(label="4.4"),
            party=memorandum.negotiation.participations.get(party__slug="ukraine").party,
            stance=Stance.ACCEPTS,
            stated_on=later,
        )
    series = Negotiation.objects.get(pk=demo.pk).status_summary["convergence"]
    assert series[0]["agreed"] == 3  # as of the round, unchanged
    assert series[-1]["agreed"] == 4  # today


def test_deleting_a_proposal_refreshes_the_summaries(demo, django_capture_on_commit_callbacks):
    from proposals.services import proposal_delete

    summit = Proposal.objects.get(kind="meeting")
    with django_capture_on_commit_callbacks(execute=True):
        proposal_delete(proposal=summit, reason="entered twice")
    summary = Negotiation.objects.get(pk=demo.pk).status_summary
    assert summary["proposals"]["total"] == 5
    assert "open" not in summary["proposals"]["by_status"]
