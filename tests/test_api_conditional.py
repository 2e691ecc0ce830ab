"""Conditional GET: ETag and Last-Modified on every read, 304 when the copy is current."""

import pytest

from proposals.models import Proposal
from proposals.services import position_delete
from tests.api_support import (
    EDITOR,
    api_env,  # noqa: F401
    client_for,
    etag_of,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_once", "api_env")]

READS = [
    "/api/v1/proposals/",
    "/api/v1/positions/?stance=rejects",
    "/api/v1/terms/",
    "/api/v1/negotiations/{negotiation}/",
    "/api/v1/negotiations/{negotiation}/?as_of=2025-06-01",
    "/api/v1/negotiations/{negotiation}/matrix/",
    "/api/v1/rounds/{round}/",
    "/api/v1/proposals/{memorandum}/",
    "/api/v1/proposals/{memorandum}/?as_of=2025-06-01",
    "/api/v1/proposals/{memorandum}/history/",
    "/api/v1/status-changes/",
    "/api/v1/deleted/",
]


@pytest.fixture
def urls(demo):
    ids = {
        "negotiation": demo.pk,
        "round": demo.rounds.get().pk,
        "memorandum": Proposal.objects.get(kind="memorandum").pk,
    }
    return [url.format(**ids) for url in READS]


def test_every_read_answers_304_to_its_own_etag(client, urls):
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200, url
        assert first["Cache-Control"] == "no-cache"
        again = client.get(url, HTTP_IF_NONE_MATCH=etag_of(first))
        assert again.status_code == 304, url
        assert again.content == b""
        assert again["ETag"] == first["ETag"]


def test_if_modified_since_answers_304_until_something_changes(client, urls):
    for url in urls:
        first = client.get(url)
        if "Last-Modified" not in first:
            continue
        again = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        is_list = isinstance(first.json(), dict) and "results" in first.json()
        # Lists answer 304 only to If-None-Match (see the next test); details to both.
        assert again.status_code == (200 if is_list else 304), url
        older = client.get(url, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT")
        assert older.status_code == 200, url


def test_the_etag_changes_when_the_data_does(client, demo):
    memorandum = Proposal.objects.get(kind="memorandum")
    url = f"/api/v1/proposals/{memorandum.pk}/"
    before = client.get(url)
    listing = client.get("/api/v1/proposals/")
    Proposal.objects.filter(pk=memorandum.pk).update(status_stale=True)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag_of(before)).status_code == 200
    assert client.get("/api/v1/proposals/", HTTP_IF_NONE_MATCH=etag_of(listing)).status_code == 200


def test_an_edit_changes_the_etag_of_the_item_and_its_list(demo):
    editor = client_for(make_user("eddie", EDITOR))
    memorandum = Proposal.objects.get(kind="memorandum")
    url = f"/api/v1/proposals/{memorandum.pk}/"
    before, listing = editor.get(url), editor.get("/api/v1/proposals/")
    assert etag_of(before).startswith('"v1-')
    edited = editor.patch(url, {"summary": "New"}, format="json", HTTP_IF_MATCH=etag_of(before))
    assert edited.status_code == 200
    assert editor.get(url, HTTP_IF_NONE_MATCH=etag_of(before)).status_code == 200
    assert editor.get(url, HTTP_IF_NONE_MATCH=etag_of(edited)).status_code == 304
    again = editor.get("/api/v1/proposals/", HTTP_IF_NONE_MATCH=etag_of(listing))
    assert again.status_code == 200


def test_a_deletion_changes_the_list_etag(client, demo):
    listing = client.get("/api/v1/positions/")
    position = demo.proposals.get(kind="memorandum").positions.last()
    position_delete(position=position, reason="Test")
    again = client.get("/api/v1/positions/", HTTP_IF_NONE_MATCH=etag_of(listing))
    assert again.status_code == 200
    assert again.json()["count"] == listing.json()["count"] - 1


def test_each_format_and_query_has_its_own_etag(client, demo):
    a = client.get("/api/v1/positions/?stance=rejects")
    b = client.get("/api/v1/positions/?stance=accepts")
    assert etag_of(a) != etag_of(b)


def test_a_row_leaving_a_filtered_list_is_not_hidden_by_if_modified_since(
    client, demo, django_capture_on_commit_callbacks
):
    from parties.models import Party
    from proposals.services import position_record

    url = f"/api/v1/proposals/?negotiation={demo.pk}&status=agreed"
    first = client.get(url)
    assert len(first.json()["results"]) == 3
    wounded = Proposal.objects.get(kind="humanitarian")
    with django_capture_on_commit_callbacks(execute=True):
        position_record(
            proposal=wounded,
            party=Party.objects.get(slug="russia"),
            stance="rejects",
            stated_on=wounded.tabled_on,
        )
    # The two proposals still agreed did not change: their timestamps are as before.
    again = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200
    assert len(again.json()["results"]) == 2
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
