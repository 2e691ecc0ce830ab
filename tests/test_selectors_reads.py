"""The reads a page and an endpoint share (proposals/selectors): a proposal's nested detail
and history, and the summaries and round statuses as of a day."""

import datetime

import pytest

from negotiations.models import Negotiation
from parties.models import Party
from proposals.models import Proposal
from proposals.selectors import (
    ProposalDetail,
    negotiation_summary_as_of,
    proposal_detail,
    proposal_history,
    proposal_row,
    round_proposals,
    summary_as_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_once")]

BEFORE = datetime.date(2025, 6, 1)
ON_THE_DAY = datetime.date(2025, 6, 2)


def memorandum() -> Proposal:
    proposal = Proposal.objects.get(kind="memorandum")
    assert proposal.terms.exists(), "the memorandum has no terms: the checks would pass on nothing"
    return proposal


def detail_of(proposal: Proposal, as_of: datetime.date | None = None) -> ProposalDetail:
    detail = proposal_detail(
        proposal_row(proposal),
        as_of=as_of,
        term_fields=("id", "label", "status", "delivered"),
        party_fields=("id", "short_name"),
        source_fields=("id", "title"),
    )
    assert detail is not None
    return detail


def test_the_detail_carries_every_term_with_the_fields_asked_for_and_the_consent_parties(demo):
    proposal = memorandum()
    detail = detail_of(proposal)
    assert len(detail.terms) == proposal.terms.count()
    assert all(
        set(term) == {"id", "label", "status", "delivered", "sources", "status_basis"}
        for term in detail.terms
    )
    names = {party["id"]: party["short_name"] for party in detail.parties}
    assert sorted(names[i] for i in detail.consent_parties) == ["Russia", "Ukraine"]
    assert detail.cited_sources
    assert all(set(source) == {"id", "title"} for source in detail.cited_sources)
    assert detail.proposal["status"] == "rejected"
    assert detail.as_of is None


def test_the_detail_reads_a_fixed_number_of_queries_whatever_the_terms(
    demo, django_assert_num_queries
):
    row = proposal_row(memorandum())
    # terms, ratification steps, principals, parties, links, cited sources
    with django_assert_num_queries(6):
        proposal_detail(
            row, as_of=None, term_fields=("id",), party_fields=("id",), source_fields=("id",)
        )


def test_the_detail_as_of_a_day_before_the_round_is_not_yet_tabled_everywhere(demo):
    # Issue 12 point 10: before its tabling day a proposal is `not_tabled`, never "open".
    detail = detail_of(memorandum(), as_of=BEFORE)
    assert detail.as_of == BEFORE
    assert detail.proposal["status"] == "not_tabled"
    assert (detail.proposal["status_stale"], detail.proposal["status_computed_at"]) == (False, None)
    assert detail.terms
    assert {term["status"] for term in detail.terms} == {"not_tabled"}
    assert all(entry["stance"] in (None, "proposes") for entry in detail.basis)


def test_named_required_parties_replace_the_principals_as_consent_parties(demo):
    proposal = memorandum()
    ukraine = Party.objects.get(slug="ukraine")
    proposal.required_parties.set([ukraine])
    assert detail_of(proposal).consent_parties == [ukraine.pk]


def test_a_link_is_seen_from_each_of_its_ends(demo):
    from proposals.services import proposal_link_create

    counter = Proposal.objects.get(kind="ceasefire")
    proposal_link_create(from_proposal=counter, to_proposal=memorandum(), kind="counter_to")
    [outgoing] = detail_of(counter).links
    [incoming] = detail_of(memorandum()).links
    assert (outgoing["direction"], outgoing["proposal"]) == ("out", memorandum().pk)
    assert (incoming["direction"], incoming["proposal"]) == ("in", counter.pk)
    assert incoming["title"] == counter.title


def test_the_history_is_chronological_with_sources_read_with_the_fields_asked_for(demo):
    events = proposal_history(memorandum().pk, source_fields=("id", "title"))
    assert {"position", "status_changed", "edited"} <= {event["type"] for event in events}
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    sources = [e["source"] for e in events if e["type"] == "position" and e["source"]]
    assert sources
    assert all(set(source) == {"id", "title"} for source in sources)


def test_the_summary_as_of_the_day_matches_the_stored_one(demo):
    stored = Negotiation.objects.get(pk=demo.pk).status_summary
    computed = summary_as_of(demo.pk, ON_THE_DAY)
    assert computed["proposals"]["total"] == demo.proposals.count() > 0
    assert (computed["proposals"], computed["terms"]) == (stored["proposals"], stored["terms"])


def test_the_negotiation_summary_as_of_a_day_keeps_the_convergence_up_to_that_day(demo):
    stored = Negotiation.objects.get(pk=demo.pk).status_summary
    assert stored["convergence"]
    before = negotiation_summary_as_of(demo.pk, BEFORE, stored=stored)
    assert (before["proposals"]["total"], before["convergence"]) == (0, [])  # none tabled yet
    on_the_day = negotiation_summary_as_of(demo.pk, ON_THE_DAY, stored=stored)
    assert [point["on"] for point in on_the_day["convergence"]] == ["2025-06-02"]  # not today's


def test_the_proposals_of_a_round_have_their_stored_statuses_or_those_of_a_day(demo):
    round_ = demo.rounds.get()
    stored = round_proposals(demo.pk, round_.pk, fields=("id", "status"))
    assert stored.summary is None
    assert len(stored.proposals) == round_.proposals.count() > 0
    assert "rejected" in {p["status"] for p in stored.proposals}
    before = round_proposals(demo.pk, round_.pk, fields=("id", "status"), as_of=BEFORE)
    assert len(before.proposals) == len(stored.proposals)
    assert {p["status"] for p in before.proposals} == {"not_tabled"}  # issue 12, point 10
    on_the_day = round_proposals(demo.pk, round_.pk, fields=("id",), as_of=ON_THE_DAY)
    assert on_the_day.summary is not None
    assert on_the_day.summary["proposals"]["total"] == len(stored.proposals)
