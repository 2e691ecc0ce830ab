import pytest

pytestmark = pytest.mark.django_db


def test_the_atom_feed_lists_status_changes(client, demo):
    response = client.get("/feeds/status-changes/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = response.content.decode()
    assert 'xmlns="http://www.w3.org/2005/Atom"' in feed
    assert "<title>Unconditional ceasefire: rejected</title>" in feed
    assert "new → rejected: rejected by Russia on 2025-06-02" in feed
    assert "#change-2025-06-02-rejected" in feed


def test_the_per_negotiation_feed_is_titled_by_the_negotiation(client, demo):
    feed = client.get("/feeds/status-changes/russia-ukraine-istanbul-2025/").content.decode()
    assert "Parley: status changes in Russia–Ukraine direct talks, Istanbul 2025" in feed
    assert feed.count("<entry>") == 6


def test_entry_ids_survive_a_recompute(client, demo, django_capture_on_commit_callbacks):
    from proposals.staleness import mark_negotiations_stale

    before = client.get("/feeds/status-changes/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        mark_negotiations_stale(negotiation_ids=[demo.pk])
    assert client.get("/feeds/status-changes/").content.decode().count("<id>") == before.count(
        "<id>"
    )
    ids = [line for line in before.splitlines() if "<id>" in line]
    after = client.get("/feeds/status-changes/").content.decode()
    assert all(line in after for line in ids)


def test_an_unknown_negotiation_feed_is_a_404(client, db):
    assert client.get("/feeds/status-changes/nowhere/").status_code == 404


def test_the_feed_makes_a_constant_number_of_queries(client, demo, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get("/feeds/status-changes/").status_code == 200
    with django_assert_num_queries(2):
        assert client.get("/feeds/status-changes/russia-ukraine-istanbul-2025/").status_code == 200
