import pytest

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_the_demo_proposals_with_their_status(client, demo):
    page = client.get("/").content.decode()
    assert "Russia–Ukraine direct talks, Istanbul 2025" in page
    assert "rejected by Russia on 2025-06-02" in page
    assert "Return of the bodies of 6,000 soldiers" in page


def test_the_home_page_makes_a_constant_number_of_queries(client, demo, django_assert_num_queries):
    with django_assert_num_queries(2):
        client.get("/")


def test_a_stale_status_shows_as_recomputing(client, demo):
    from proposals.models import Proposal

    Proposal.objects.filter(kind="meeting").update(status_stale=True)
    assert "recomputing" in client.get("/").content.decode()
