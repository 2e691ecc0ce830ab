"""The editor's agenda page: add an item with its proposals, edit it, delete it."""

import datetime

import pytest

from negotiations.services import negotiation_create
from proposals.models import AgendaItem
from proposals.services import proposal_create
from tests.edit_support import EDITOR, client_as, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return client_as(make_user("eddie", EDITOR))


def test_an_item_is_added_edited_and_deleted(editor, negotiation):
    plan = proposal_create(
        negotiation=negotiation, title="Plan", kind="political", tabled_on=datetime.date(2025, 6, 2)
    )
    url = f"/edit/negotiations/{negotiation.pk}/agenda/"
    assert "No agenda recorded yet." in editor.get(url).content.decode()
    response = editor.post(url, {"title": "Prisoners", "proposals": [plan.pk]})
    assert response.status_code == 302
    item = AgendaItem.objects.get()
    assert (item.number, list(item.proposals.all())) == (1, [plan])
    page = editor.get(url).content.decode()
    assert "1. Prisoners" in page and "open:" in page

    response = editor.post(
        f"/edit/agenda/{item.pk}/",
        {"expected_version": item.version, "number": 2, "title": "Prisoners of war"},
    )
    assert response.status_code == 302 and response["Location"] == url
    item.refresh_from_db()
    assert (item.number, item.title, item.proposals.count()) == (2, "Prisoners of war", 0)

    response = editor.post(f"/edit/agenda/{item.pk}/delete/", {"reason": "Merged"})
    assert response.status_code == 302 and response["Location"] == url
    assert not AgendaItem.objects.exists()


def test_only_the_negotiations_proposals_are_offered(editor, negotiation):
    other = negotiation_create(title="Other talks", started_on=datetime.date(2025, 5, 1))
    elsewhere = proposal_create(negotiation=other, title="Elsewhere", kind="other")
    url = f"/edit/negotiations/{negotiation.pk}/agenda/"
    response = editor.post(url, {"title": "Prisoners", "proposals": [elsewhere.pk]})
    assert response.status_code == 200
    assert not AgendaItem.objects.exists()
