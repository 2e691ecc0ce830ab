# ruff: noqa: F811  (pytest fixtures imported from tests/page_fixtures.py)
import pytest

from proposals.search import highlighted
from tests.page_fixtures import aftermath  # noqa: F401

pytestmark = pytest.mark.django_db


def test_search_finds_proposals_and_quotes_with_the_matches_highlighted(client, demo):
    page = client.get("/search/", {"q": "ceasefire"}).content.decode()
    assert "Unconditional <mark>ceasefire</mark>" in page
    assert "reject the motion of an unconditional <mark>ceasefire</mark>" in page


def test_search_finds_terms(client, demo):
    page = client.get("/search/", {"q": "NATO"}).content.decode()
    assert "Ukraine gives up its bid to join <mark>NATO</mark>." in page


def test_search_understands_english_word_forms(client, demo):
    page = client.get("/search/", {"q": "exchanges"}).content.decode()
    assert "Large-scale prisoner <mark>exchange</mark>" in page


def test_search_filters_by_negotiation_kind_status_and_party(client, aftermath):
    base = {"q": "memorandum OR ceasefire OR neutral"}
    page = client.get("/search/", {**base, "kind": "ceasefire"}).content.decode()
    assert "Unconditional" in page and "Russian <mark>memorandum</mark>" not in page
    page = client.get(
        "/search/", {**base, "status": "partially_agreed", "kind": "memorandum"}
    ).content
    assert "Russian <mark>memorandum</mark>" in page.decode()
    assert "counter-<mark>memorandum</mark>" not in page.decode()
    page = client.get("/search/", {**base, "party": "ukraine"}).content.decode()
    assert "counter-<mark>memorandum</mark>" in page
    page = client.get("/search/", {**base, "negotiation": "russia-ukraine-istanbul-2025"})
    assert "Unconditional <mark>ceasefire</mark>" in page.content.decode()


def test_search_with_filters_only_lists_proposals(client, demo):
    page = client.get("/search/", {"kind": "exchange"}).content.decode()
    assert "Large-scale prisoner exchange" in page and "Return of the bodies" in page
    assert "Unconditional ceasefire" not in page


def test_an_unknown_filter_value_is_explained_not_an_error(client, demo):
    response = client.get("/search/", {"q": "ceasefire", "status": "bogus"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_quoted_markup_in_results_is_escaped_and_only_our_marks_are_html(client, aftermath):
    page = client.get("/search/", {"q": "ceasefire"}).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_highlighting_escapes_first_then_marks():
    assert highlighted("<b>\ue000war\ue001</b>") == "&lt;b&gt;<mark>war</mark>&lt;/b&gt;"
    assert highlighted("stray \ue001 marker") == "stray  marker"


def test_search_results_export_as_csv(analyst_client, demo):
    client = analyst_client
    response = client.get("/search/", {"q": "ceasefire", "format": "csv"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "type,id,negotiation,proposal,term,party,stance,status,text,date,url,date_precision"
    )
    assert lines[1].startswith("proposal,")
    assert "\ue000" not in response.content.decode()


def test_search_makes_a_constant_number_of_queries(client, aftermath, django_assert_num_queries):
    # The form's two choice lists; proposals (and their tabling parties), terms, positions;
    # parties and people by name.
    with django_assert_num_queries(8):
        response = client.get(
            "/search/", {"q": "ceasefire", "party": "russia", "status": "rejected"}
        )
    assert response.status_code == 200
    with django_assert_num_queries(8):
        assert client.get("/search/", {"q": "NATO"}).status_code == 200
