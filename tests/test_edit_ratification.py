"""The editor pages of ratification steps: add, refuse bad input next to the field,
edit through the generic object page, delete with a reason."""

import datetime

import pytest

from proposals.models import RatificationStep
from proposals.services import proposal_create
from tests.edit_support import EDITOR, client_as, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return client_as(make_user("eddie", EDITOR))


@pytest.fixture
def proposal(negotiation):
    return proposal_create(
        negotiation=negotiation,
        title="Plan",
        kind="political",
        tabled_on=datetime.date(2025, 6, 2),
    )


def test_a_step_is_added_edited_and_deleted(editor, proposal):
    url = f"/edit/proposals/{proposal.pk}/ratification/"
    assert editor.get(url).status_code == 200
    response = editor.post(
        url, {"body_kind": "electorate", "body_name": "Voters", "outcome": "pending"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    step = RatificationStep.objects.get()
    page = editor.get(f"/edit/proposals/{proposal.pk}/").content.decode()
    assert "Voters" in page and f"/edit/ratification/{step.pk}/" in page

    edit = editor.get(f"/edit/ratification/{step.pk}/")
    assert edit.status_code == 200
    response = editor.post(
        f"/edit/ratification/{step.pk}/",
        {
            "expected_version": step.version,
            "ordinal": 1,
            "body_kind": "electorate",
            "body_name": "Voters",
            "outcome": "approved",
            "decided_on": "2025-06-05",
            "note": "",
        },
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.outcome, step.decided_on) == ("approved", datetime.date(2025, 6, 5))

    response = editor.post(f"/edit/ratification/{step.pk}/delete/", {"reason": "Duplicate"})
    assert response.status_code == 302
    assert not RatificationStep.objects.exists()


def test_a_decided_step_without_a_date_is_refused_next_to_the_field(editor, proposal):
    response = editor.post(
        f"/edit/proposals/{proposal.pk}/ratification/",
        {"body_kind": "court", "body_name": "Court", "outcome": "rejected"},
    )
    assert response.status_code == 200
    assert "Say when the body decided." in response.content.decode()
    assert not RatificationStep.objects.exists()
