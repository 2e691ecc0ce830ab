"""Keeping a local copy in sync: updated_since, the changed_at key, the deleted-ids feed."""

import pytest

from proposals.models import Proposal
from proposals.services import position_delete, term_delete
from tests.api_support import (
    EDITOR,
    api_env,  # noqa: F401
    client_for,
    etag_of,
    make_user,
    rows,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_once", "api_env")]


def pull(client, url):
    """Every page of a list, following `next`."""
    items = []
    while url:
        body = client.get(url).json()
        items.extend(body["results"])
        url = body["next"]
    return items


def test_updated_since_returns_only_what_changed(demo):
    client = client_for(make_user("eddie", EDITOR))
    everything = pull(client, "/api/v1/proposals/?limit=2")
    mark = max(p["changed_at"] for p in everything)
    assert {p["id"] for p in pull(client, f"/api/v1/proposals/?updated_since={mark}")} == {
        p["id"] for p in everything if p["changed_at"] == mark
    }
    memorandum = Proposal.objects.get(kind="memorandum")
    url = f"/api/v1/proposals/{memorandum.pk}/"
    client.patch(url, {"summary": "Edited"}, format="json", HTTP_IF_MATCH=etag_of(client.get(url)))
    changed = pull(client, f"/api/v1/proposals/?updated_since={mark}")
    assert memorandum.pk in {p["id"] for p in changed}
    assert len(changed) < len(everything)


def test_a_recomputed_status_moves_changed_at_without_a_new_version(demo):
    from proposals.refresh import proposal_status_refresh

    client = client_for(None)
    memorandum = Proposal.objects.get(kind="memorandum")
    before = client.get(f"/api/v1/proposals/{memorandum.pk}/").json()
    proposal_status_refresh(proposal_id=memorandum.pk)
    after = client.get(f"/api/v1/proposals/{memorandum.pk}/").json()
    assert after["version"] == before["version"]
    assert after["changed_at"] > before["changed_at"]
    since = rows(client.get(f"/api/v1/proposals/?updated_since={before['changed_at']}"))
    assert memorandum.pk in {p["id"] for p in since}


def test_deletions_appear_in_the_deleted_feed_with_their_reason(demo):
    client = client_for(None)
    memorandum = Proposal.objects.get(kind="memorandum")
    position = memorandum.positions.last()
    term = memorandum.terms.last()
    position_id, term_id = position.pk, term.pk
    start = "2025-01-01T00:00:00Z"
    position_delete(position=position, reason="Duplicate")
    term_delete(term=term, reason="Not in the published text")
    body = client.get("/api/v1/deleted/", {"since": start}).json()
    entries = {(e["type"], e["id"]): e for e in body["results"]}
    assert entries[("position", position_id)]["reason"] == "Duplicate"
    assert entries[("term", term_id)]["reason"] == "Not in the published text"
    only_terms = client.get("/api/v1/deleted/", {"since": start, "type": "term"}).json()
    assert {e["type"] for e in only_terms["results"]} == {"term"}
    later = client.get("/api/v1/deleted/", {"since": "2999-01-01T00:00:00Z"}).json()
    assert later["results"] == []


def test_the_deleted_feed_pages_in_order(demo):
    memorandum = Proposal.objects.get(kind="memorandum")
    for position in list(memorandum.positions.all()):
        position_delete(position=position, reason="Cleanup")
    client = client_for(None)
    everything = pull(client, "/api/v1/deleted/?limit=500")
    paged = pull(client, "/api/v1/deleted/?limit=1")
    assert paged == everything
    assert len(everything) >= 2
    assert [e["deleted_at"] for e in everything] == sorted(e["deleted_at"] for e in everything)


def test_the_deleted_feed_validates_its_parameters(demo):
    client = client_for(None)
    assert client.get("/api/v1/deleted/?type=planet").status_code == 400
    assert client.get("/api/v1/deleted/?since=never").status_code == 400
    assert client.get("/api/v1/deleted/?cursor=xyz").status_code == 400
