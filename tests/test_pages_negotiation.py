# ruff: noqa: F811  (pytest fixtures imported from tests/page_fixtures.py)
import pytest

from tests.page_fixtures import aftermath, snapshot_queries  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/negotiations/russia-ukraine-istanbul-2025/"


def test_the_negotiation_page_shows_participants_by_role(client, demo):
    page = client.get(URL).content.decode()
    assert "<dt>Principals</dt>" in page
    assert 'href="/parties/russia/">Russia</a>, <a href="/parties/ukraine/">Ukraine</a>' in page
    assert "<dt>Observer</dt>" in page


def test_the_negotiation_page_shows_the_rounds_as_a_timeline_with_what_was_agreed(client, demo):
    page = client.get(URL).content.decode()
    assert "<strong>Round 2</strong>: Second round, Istanbul" in page
    assert "Agreed: <a" in page and "Large-scale prisoner exchange" in page


def test_the_convergence_chart_is_server_rendered_svg_with_labelled_axes(client, demo):
    page = client.get(URL).content.decode()
    assert '<svg viewBox="0 0 640 260" role="img"' in page
    assert '<title id="chart-title">Share of live terms agreed over time</title>' in page
    for label in (">0%</text>", ">100%</text>", ">2 Jun 2025</text>", ">R2: 20%</text>"):
        assert label in page


def test_the_stance_matrix_doubles_colour_with_a_symbol_and_a_word(client, demo):
    page = client.get(URL).content.decode()
    assert 'class="stance stance-rejects"' in page
    assert '<span class="sym" aria-hidden="true">✗</span> rejects' in page
    assert '<span class="sym" aria-hidden="true">≈</span> conditional' in page


def test_the_as_of_picker_replays_history(client, demo):
    before = client.get(URL, {"as_of": "2025-06-01"}).content.decode()
    assert "Showing stances as of <strong>1 June 2025</strong>" in before
    assert "not yet tabled" in before
    assert 'title="rejects, 2 June 2025"' not in before
    on_the_day = client.get(URL, {"as_of": "2025-06-02"}).content.decode()
    assert 'title="rejects, 2 June 2025"' in on_the_day
    assert "not yet tabled" not in on_the_day


def test_the_as_of_picker_explains_a_bad_date(client, demo):
    page = client.get(URL, {"as_of": "last week"}).content.decode()
    assert "is not a date; use YYYY-MM-DD" in page


def test_an_htmx_request_gets_only_the_matrix(client, demo):
    response = client.get(URL, {"as_of": "2025-06-02"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="matrix-body">')
    assert "<html" not in page


def test_an_htmx_history_restore_gets_the_whole_page(client, demo):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in client.get(URL, headers=headers).content.decode()


def test_the_matrix_exports_as_csv_with_the_same_date(analyst_client, demo):
    client = analyst_client
    response = client.get(URL, {"as_of": "2025-06-02", "format": "csv"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("as_of,proposal_id,proposal,term,text,status,Russia,Ukraine")
    assert any("Unconditional ceasefire" in line and "rejects" in line for line in lines)
    assert "2025-06-02" in response["Content-Disposition"]


def test_an_unknown_negotiation_is_a_404(client, db):
    assert client.get("/negotiations/nowhere/").status_code == 404


# Replaying history reads the negotiation into the engine (snapshot_queries); the page
# adds a fixed number of its own.
# Issue 12: +3 the agenda (its items, their proposals and sources), +1 the proposals'
# tabling parties.
PAGE_QUERIES, FRAGMENT_QUERIES = 12, 5


def test_the_negotiation_page_makes_a_constant_number_of_queries(
    client, aftermath, django_assert_num_queries
):
    with django_assert_num_queries(
        snapshot_queries(aftermath["counter"].negotiation_id) + PAGE_QUERIES
    ):
        assert client.get(URL).status_code == 200


def test_the_negotiation_page_makes_as_many_queries_with_only_the_demo(
    client, demo, django_assert_num_queries
):
    with django_assert_num_queries(snapshot_queries(demo.pk) + PAGE_QUERIES):
        assert client.get(URL).status_code == 200


def test_the_matrix_fragment_makes_a_constant_number_of_queries(
    client, aftermath, django_assert_num_queries
):
    expected = snapshot_queries(aftermath["counter"].negotiation_id) + FRAGMENT_QUERIES
    with django_assert_num_queries(expected):
        response = client.get(URL, {"as_of": "2025-06-02"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
