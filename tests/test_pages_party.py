# ruff: noqa: F811  (pytest fixtures imported from tests/page_fixtures.py)
import pytest

from tests.page_fixtures import aftermath  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_party_page_shows_roles_positions_latest_first_and_delegations(client, aftermath):
    page = client.get("/parties/russia/").content.decode()
    assert 'Principal in <a href="/negotiations/russia-ukraine-istanbul-2025/">' in page
    assert page.index("Ukrainian counter-memorandum") < page.index("Unconditional ceasefire")
    assert "Round 2</a> of Russia–Ukraine direct talks" in page
    assert 'head <span class="muted">not recorded</span>' in page
    assert "Russian memorandum on a settlement" in page[page.index("Proposals tabled") :]


def test_the_party_page_of_the_united_states_shows_its_conditional_openness(client, demo):
    page = client.get("/parties/united-states/").content.decode()
    assert "Observer in" in page
    assert "he wants both of these leaders and both sides to come to the table together" in page


def test_the_party_positions_export_as_csv_with_formulas_defused(analyst_client, aftermath):
    client = analyst_client
    response = client.get("/parties/russia/", {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("stated_on,negotiation,proposal_id,proposal,term,stance")
    assert ",\"'<script>" not in text  # only formula starts are prefixed
    assert "<script>alert" in text


def test_the_party_page_makes_a_constant_number_of_queries(
    client, aftermath, django_assert_num_queries
):
    with django_assert_num_queries(8):
        assert client.get("/parties/russia/").status_code == 200
    with django_assert_num_queries(8):
        assert client.get("/parties/ukraine/").status_code == 200


def test_an_unknown_party_is_a_404(client, db):
    assert client.get("/parties/atlantis/").status_code == 404
