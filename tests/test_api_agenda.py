"""Agenda items (issue 12, point 2) through the API and the pages: CRUD with If-Match,
proposals of another negotiation refused, statuses derived from the proposals'."""

import datetime

import pytest

from negotiations.services import negotiation_create
from proposals.models import AgendaItem, Proposal, Stance
from proposals.services import (
    agenda_item_create,
    position_record,
    proposal_create,
    term_create,
)
from tests.api_support import ANALYST, EDITOR, api_env, client_for, etag_of, make_user  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]
DAY = datetime.date(2025, 6, 2)
LATER = datetime.date(2025, 6, 9)


@pytest.fixture
def editor():
    return client_for(make_user("eddie", EDITOR))


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _tabled(negotiation, parties, title: str, by: str, on=DAY) -> Proposal:
    proposal = proposal_create(
        negotiation=negotiation,
        title=title,
        kind="exchange",
        tabling_parties=[parties[by]],
        tabled_on=on,
    )
    term_create(proposal=proposal, text=title)
    return proposal


@pytest.fixture
def rivals(negotiation, parties, committed):
    """Ukraine's all-for-all, rejected by Russia; Russia's counter-proposal, still open."""
    with committed():
        all_for_all = _tabled(negotiation, parties, "All for all", "ua")
        position_record(
            proposal=all_for_all, party=parties["ru"], stance=Stance.REJECTS, stated_on=DAY
        )
        counter = _tabled(negotiation, parties, "1,000 for 1,000", "ru", on=LATER)
    return all_for_all, counter


def test_an_item_stays_open_while_a_counter_proposal_lives(
    rivals, negotiation, parties, editor, committed, client
):
    all_for_all, counter = rivals
    created = editor.post(
        "/api/v1/agenda-items/",
        {
            "negotiation": negotiation.pk,
            "title": "Exchange of prisoners",
            "proposals": [all_for_all.pk, counter.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["number"], body["status"]) == (1, "open")
    assert body["status_reason"] == (
        f"open: «All for all» rejected on {DAY}, counter-proposal «1,000 for 1,000» still open"
    )
    assert body["proposal_statuses"] == [
        {"id": all_for_all.pk, "title": "All for all", "status": "rejected"},
        {"id": counter.pk, "title": "1,000 for 1,000", "status": "open"},
    ]
    with committed():
        position_record(
            proposal=counter, party=parties["ua"], stance=Stance.REJECTS, stated_on=LATER
        )
    listed = editor.get("/api/v1/agenda-items/", {"negotiation": negotiation.pk}).json()
    assert [row["status"] for row in listed["results"]] == ["rejected"]

    detail = editor.get(f"/api/v1/negotiations/{negotiation.pk}/").json()
    assert [(i["number"], i["status"]) for i in detail["agenda"]] == [(1, "rejected")]
    as_of = editor.get(f"/api/v1/negotiations/{negotiation.pk}/", {"as_of": DAY.isoformat()})
    assert as_of.json()["agenda"][0]["status"] == "rejected"  # the counter was not tabled yet
    as_of = editor.get(f"/api/v1/negotiations/{negotiation.pk}/", {"as_of": LATER.isoformat()})
    assert as_of.json()["agenda"][0]["status"] == "rejected"
    earlier = editor.get(f"/api/v1/negotiations/{negotiation.pk}/", {"as_of": "2025-06-08"}).json()[
        "agenda"
    ][0]
    assert [p["id"] for p in earlier["proposal_statuses"]] == [all_for_all.pk]

    proposal = editor.get(f"/api/v1/proposals/{counter.pk}/").json()
    assert proposal["agenda_items"] == [
        {"id": body["id"], "number": 1, "title": "Exchange of prisoners"}
    ]
    page = client.get(f"/negotiations/{negotiation.slug}/").content.decode()
    assert "Exchange of prisoners" in page and "«1,000 for 1,000» rejected on" in page
    page = client.get(f"/proposals/{counter.pk}/").content.decode()
    assert "item 1, Exchange of prisoners" in page


def test_items_are_edited_with_if_match_and_deleted_with_a_reason(rivals, negotiation, editor):
    all_for_all, counter = rivals
    created = editor.post(
        "/api/v1/agenda-items/",
        {"negotiation": negotiation.pk, "title": "Prisoners", "proposals": [all_for_all.pk]},
        format="json",
    )
    url = f"/api/v1/agenda-items/{created.json()['id']}/"
    assert created.json()["status"] == "rejected"
    changed = editor.patch(
        url,
        {"proposals": [all_for_all.pk, counter.pk]},
        format="json",
        HTTP_IF_MATCH=etag_of(created),
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["status"] == "open"
    stale = editor.patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH=etag_of(created))
    assert stale.status_code == 412
    assert editor.patch(url, {"title": "x"}, format="json").status_code == 428
    assert editor.delete(url).status_code == 400  # no reason
    assert editor.delete(f"{url}?reason=Merged").status_code == 204
    assert not AgendaItem.objects.exists()


def test_a_proposal_of_another_negotiation_is_a_clear_400(rivals, negotiation, editor):
    elsewhere = proposal_create(
        negotiation=negotiation_create(title="Other talks", started_on=DAY),
        title="Elsewhere",
        kind="other",
    )
    response = editor.post(
        "/api/v1/agenda-items/",
        {"negotiation": negotiation.pk, "title": "Prisoners", "proposals": [elsewhere.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "proposals" in response.json()["errors"]
    assert not AgendaItem.objects.exists()


def test_a_number_is_unique_per_negotiation_and_from_one(negotiation, editor):
    agenda_item_create(negotiation=negotiation, title="First")
    for number in (1, 0):
        response = editor.post(
            "/api/v1/agenda-items/",
            {"negotiation": negotiation.pk, "title": "Again", "number": number},
            format="json",
        )
        assert response.status_code == 400, response.content
    assert AgendaItem.objects.count() == 1


def test_an_item_without_proposals_is_open(negotiation, editor):
    item = agenda_item_create(negotiation=negotiation, title="Humanitarian corridors")
    body = editor.get(f"/api/v1/agenda-items/{item.pk}/").json()
    assert (body["status"], body["status_reason"]) == ("open", "open: nothing tabled yet")


def test_the_agenda_exports_as_csv(rivals, negotiation):
    all_for_all, counter = rivals
    agenda_item_create(negotiation=negotiation, title="Prisoners", proposals=[all_for_all, counter])
    analyst = client_for(make_user("ana", ANALYST))
    response = analyst.get("/api/v1/agenda-items/", {"format": "csv"})
    assert response.status_code == 200, response.content
    lines = response.content.decode("utf-8-sig").splitlines()
    assert "status" in lines[0] and len(lines) == 2
    assert "Prisoners" in lines[1] and ",open," in lines[1]
