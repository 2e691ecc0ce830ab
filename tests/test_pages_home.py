# ruff: noqa: F811  (pytest fixtures imported from tests/page_fixtures.py)
import pytest

from proposals.models import Proposal
from tests.page_fixtures import aftermath  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_once")]


def test_the_home_page_lists_the_active_negotiation_with_its_latest_round_and_summary(client, demo):
    page = client.get("/").content.decode()
    assert "Russia–Ukraine direct talks, Istanbul 2025" in page
    assert 'href="/negotiations/russia-ukraine-istanbul-2025/rounds/2/"' in page
    assert "20%</strong> of live terms agreed (3 of 15)" in page
    assert "rejected by Russia on 2025-06-02" in page
    assert "Return of the bodies of 6,000 soldiers" in page


def test_the_home_page_shows_the_latest_status_changes_and_a_search_box(client, demo):
    page = client.get("/").content.decode()
    assert "Latest status changes" in page
    assert 'action="/search/"' in page
    assert 'href="/feeds/status-changes/"' in page
    proposal = Proposal.objects.get(title="Unconditional ceasefire")
    assert f'href="/proposals/{proposal.pk}/#change-2025-06-02-rejected"' in page


def test_the_home_page_makes_a_constant_number_of_queries(
    client, aftermath, django_assert_num_queries
):
    with django_assert_num_queries(4):
        assert client.get("/").status_code == 200


def test_the_home_page_makes_as_many_queries_with_only_the_demo(
    client, demo, django_assert_num_queries
):
    with django_assert_num_queries(4):
        assert client.get("/").status_code == 200


def test_a_stale_status_shows_as_recomputing(client, demo):
    Proposal.objects.filter(kind="meeting").update(status_stale=True)
    assert "recomputing" in client.get("/").content.decode()


def test_the_latest_status_changes_export_as_csv(analyst_client, demo):
    client = analyst_client
    response = client.get("/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "changed_on,negotiation,proposal,previous_status,status,reason"
    assert any("Unconditional ceasefire" in line and "rejected" in line for line in lines)
