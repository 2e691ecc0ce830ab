# ruff: noqa: F811  (pytest fixtures imported from tests/page_fixtures.py)
import pytest

from tests.page_fixtures import aftermath, snapshot_queries  # noqa: F401

# The outcome is replayed as of the round's end: the engine's snapshot plus the page's own
# (the round with its hosts, sources, delegations and their members among them; issue 12
# added the round's sources and the proposals' tabling parties).
ROUND_QUERIES = 12

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_once")]

URL = "/negotiations/russia-ukraine-istanbul-2025/rounds/2/"


def test_the_round_page_shows_date_venue_hosts_and_delegations(client, demo):
    page = client.get(URL).content.decode()
    assert "Round 2: Second round, Istanbul" in page
    assert "2 June 2025" in page and "Istanbul, Türkiye" in page
    assert '<dt>Hosts</dt><dd><a href="/parties/turkey/">Turkey</a>' in page
    assert "members: Sergiy Kyslytsya" in page
    assert 'head <span class="muted">not recorded</span>' in page


def test_the_round_page_sorts_the_outcome_into_agreed_rejected_and_left_open(client, demo):
    page = client.get(URL).content.decode()
    agreed = page.index('Agreed <span class="count">(3)</span>')
    rejected = page.index('Rejected <span class="count">(2)</span>')
    left_open = page.index('Left open <span class="count">(1)</span>')
    assert agreed < rejected < left_open
    assert "Unconditional ceasefire" in page[rejected:left_open]
    assert "Russian memorandum on a settlement" in page[rejected:left_open]
    assert "tabled outside the rounds" in page[left_open:]


def test_the_round_page_shows_exchanges_with_the_ledger_and_progress(client, aftermath):
    page = client.get(URL).content.decode()
    assert "Return of the bodies of 6,000 soldiers" in page
    assert "2,439 of 6,000 bodies delivered (41%)" in page
    assert '<progress id="progress-' in page and 'max="6000" value="2439"' in page
    assert "sources disagree" in page


def test_the_outcome_is_as_of_the_round_and_says_where_it_moved_since(client, aftermath):
    page = client.get(URL).content.decode()
    assert 'now: <span class="status status-in_implementation">' in page


def test_the_round_page_quotes_what_was_said(client, demo):
    page = client.get(URL).content.decode()
    assert "The Russian side continued to reject the motion of an unconditional ceasefire." in page
    assert "Karoline Leavitt" in page


def test_the_round_page_exports_its_outcome_as_csv(analyst_client, demo):
    client = analyst_client
    lines = client.get(URL, {"format": "csv"}).content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("proposal_id,proposal,kind,tabled_by,tabled_here,status_at_round")
    assert len(lines) == 7


def test_the_round_page_makes_a_constant_number_of_queries(
    client, aftermath, django_assert_num_queries
):
    with django_assert_num_queries(
        snapshot_queries(aftermath["round3"].negotiation_id) + ROUND_QUERIES
    ):
        assert client.get(URL).status_code == 200


def test_the_round_page_makes_as_many_queries_with_only_the_demo(
    client, demo, django_assert_num_queries
):
    with django_assert_num_queries(snapshot_queries(demo.pk) + ROUND_QUERIES):
        assert client.get(URL).status_code == 200


def test_an_unknown_round_is_a_404(client, demo):
    assert client.get("/negotiations/russia-ukraine-istanbul-2025/rounds/9/").status_code == 404
