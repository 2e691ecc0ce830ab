# ruff: noqa: F811  (pytest fixtures imported from tests/page_fixtures.py)
import datetime

import pytest
import time_machine

from proposals.models import Proposal
from tests.page_fixtures import HOSTILE_QUOTE, aftermath, memorandum  # noqa: F401

pytestmark = pytest.mark.django_db


def url(proposal: Proposal) -> str:
    return f"/proposals/{proposal.pk}/"


def test_the_proposal_page_gives_the_status_with_its_reason_in_words(client, demo):
    page = client.get(url(memorandum())).content.decode()
    assert '<span class="status status-rejected">Rejected</span>' in page
    assert "All 7 items rejected" in page
    assert "Consent needed from" in page


def test_terms_are_grouped_by_stage_and_option_group(client, demo):
    page = client.get(url(memorandum())).content.decode()
    assert page.index(">Precondition</h3>") < page.index(">Ceasefire</h3>")
    assert page.index(">Ceasefire</h3>") < page.index(">Settlement</h3>")
    assert "Alternatives “truce”" in page
    assert "Option A" in page and "Option B (all of these together)" in page
    assert page.count("rejected by Ukraine on 2025-06-02") >= 11


def test_each_consent_party_stance_per_term_is_shown_with_its_statement(client, demo):
    page = client.get(url(memorandum())).content.decode()
    assert "Where the consent parties stand now" in page
    assert page.count("(whole proposal)") == 22  # two consent parties, eleven terms
    assert "Covers: whole proposal, term A, term B.1" in page
    assert "News report with agency inputs" in page


def test_the_summit_shows_the_us_conditional_openness_with_speaker_and_quote(client, demo):
    summit = Proposal.objects.get(kind="meeting")
    page = client.get(url(summit)).content.decode()
    assert "open to it if it comes to that" in page
    assert "Karoline Leavitt, White House press secretary" in page
    assert "≈</span> conditional" in page
    assert "<strong>Conditions:</strong> Both leaders and both sides" in page


def test_the_status_timeline_and_positions_history_are_shown(client, demo):
    page = client.get(url(memorandum())).content.decode()
    assert 'id="change-2025-06-02-rejected"' in page
    assert "Positions, party by party" in page
    assert 'The West</a> <span class="small muted">(consent not required)</span>' in page


def test_links_offer_a_comparison_and_the_comparison_marks_the_wording(client, aftermath):
    counter = aftermath["counter"]
    page = client.get(url(memorandum())).content.decode()
    compare = f"/proposals/{memorandum().pk}/compare/{counter.pk}/"
    assert "Ukrainian counter-memorandum</a> is a counter-proposal to this proposal" in page
    assert f'href="{compare}"' in page
    compared = client.get(compare).content.decode()
    assert "<ins>state, with binding security guarantees.</ins>" in compared
    assert "<del>state.</del>" in compared
    assert "No counterpart: new in the later proposal." in compared


def test_the_comparison_refuses_proposals_of_different_negotiations(client, aftermath):
    assert client.get(f"/proposals/{memorandum().pk}/compare/999999/").status_code == 404


def test_sources_that_disagree_are_shown_side_by_side(client, aftermath):
    bodies = aftermath["bodies_term"].proposal
    page = client.get(url(bodies)).content.decode()
    section = page[page.index("Where sources disagree") :]
    assert "1,212" in section and "1,200" in section
    assert "Ukrinform" in section and "TASS" in section


def test_an_unsourced_claim_and_an_overdue_term_are_flagged(client, aftermath):
    counter = aftermath["counter"]
    with time_machine.travel(datetime.date(2025, 9, 1)):
        page = client.get(url(counter)).content.decode()
    assert '<span class="flag">overdue</span>' in page
    assert '<span class="flag">unsourced</span>' in page  # Russia's undecided position


def test_quoted_markup_is_escaped(client, aftermath):
    page = client.get(url(aftermath["counter"])).content.decode()
    assert HOSTILE_QUOTE not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_the_terms_export_as_csv(analyst_client, demo):
    client = analyst_client
    lines = client.get(url(memorandum()), {"format": "csv"}).content.decode("utf-8-sig")
    assert lines.splitlines()[0].startswith("term_id,label,text,stage")
    assert len(lines.splitlines()) == 12


def test_the_proposal_page_makes_a_constant_number_of_queries(
    client, aftermath, django_assert_num_queries
):
    pages = [url(memorandum()), url(aftermath["bodies_term"].proposal), url(aftermath["counter"])]
    for page in pages:
        # Issue 12: +2 the tabling parties and the mediators, +2 the ratification steps
        # and the agenda items, +1 the commitments, +1 the figures (WS-E, one query for
        # every term, event and commitment: proposals/selectors/figures.py).
        with django_assert_num_queries(18):
            assert client.get(page).status_code == 200


def test_the_term_page_shows_its_positions_and_ledger(client, analyst_client, aftermath):
    term = aftermath["bodies_term"]
    page = client.get(f"/terms/{term.pk}/").content.decode()
    assert "Term 1 of</span> Return of the bodies of 6,000 soldiers" in page
    assert "Ledger: what was delivered, when" in page
    assert "2,439" in page  # running total
    assert "Where sources disagree" in page
    lines = analyst_client.get(f"/terms/{term.pk}/", {"format": "csv"})
    assert len(lines.content.decode("utf-8-sig").splitlines()) == 4


def test_the_term_page_of_a_rewritten_term_links_both_ways(client, aftermath):
    page = client.get(f"/terms/{aftermath['neutral'].pk}/").content.decode()
    assert "Rewritten as" in page and "Ukrainian counter-memorandum" in page


def test_the_term_page_makes_a_constant_number_of_queries(
    client, aftermath, django_assert_num_queries
):
    with django_assert_num_queries(12):
        assert client.get(f"/terms/{aftermath['bodies_term'].pk}/").status_code == 200
    with django_assert_num_queries(12):
        assert client.get(f"/terms/{aftermath['neutral'].pk}/").status_code == 200


def test_an_unknown_proposal_or_term_is_a_404(client, db):
    assert client.get("/proposals/999999/").status_code == 404
    assert client.get("/terms/999999/").status_code == 404
