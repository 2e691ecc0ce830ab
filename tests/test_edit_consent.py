"""The editor pages for issue 12's consent points: a joint proposal with co-sponsors,
a mediators' text, a withdrawal by one co-sponsor, and a reservation."""

import pytest

from parties.models import Party
from proposals.models import Position, Proposal, Source
from tests.edit_support import proposal_post
from tests.test_edit_flow import DAY, editor, started  # noqa: F401

pytestmark = pytest.mark.django_db


def _ids():
    return {p.slug: p.pk for p in Party.objects.all()}


def test_a_joint_proposal_is_tabled_with_its_co_sponsors_and_a_reservation(
    editor,  # noqa: F811
    started,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    ids = _ids()
    data = proposal_post(
        {
            "title": "Joint memorandum",
            "kind": "memorandum",
            "tabled_by": ids["russia"],
            "co_sponsors": [ids["turkey"]],
            "tabled_on": DAY,
            "source_title": "Report",
        },
        terms=[{"text": "A ceasefire."}],
        positions=[
            {
                "party": ids["ukraine"],
                "stance": "accepts_with_reservations",
                "stated_on": DAY,
                "reservations": "Monitoring to be agreed.",
            }
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(f"/edit/rounds/{started.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    proposal = Proposal.objects.get()
    assert [p.slug for p in proposal.tabling_party_list()] == ["russia", "turkey"]
    assert Position.objects.filter(stance="proposes").count() == 2
    reserved = Position.objects.get(stance="accepts_with_reservations")
    assert reserved.reservations == "Monitoring to be agreed."

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            f"/edit/proposals/{proposal.pk}/withdraw/",
            {"party": ids["turkey"], "stated_on": DAY, "source": Source.objects.first().pk},
        )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status != "withdrawn"
    assert "withdrawal by co-sponsor" in proposal.status_reason


def test_a_reservation_without_its_text_is_refused_next_to_the_field(
    editor,  # noqa: F811
    started,  # noqa: F811
):
    ids = _ids()
    data = proposal_post(
        {"title": "Memo", "kind": "memorandum", "tabled_by": ids["russia"], "source_title": "R"},
        positions=[
            {"party": ids["ukraine"], "stance": "accepts_with_reservations", "stated_on": DAY}
        ],
    )
    page = editor.post(f"/edit/rounds/{started.pk}/", data).content.decode()
    assert "Accepting with reservations needs the reservations" in page
    assert not Proposal.objects.exists()
