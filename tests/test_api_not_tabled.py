"""Not yet tabled (issue 12, point 10): before its tabling day a proposal and its terms
answer `not_tabled`, in the API and on the pages; positions stated earlier count from
that day on, and its timeline starts there."""

import datetime

import pytest

from negotiations.services import round_create
from proposals import services
from proposals.models import StatusChange
from proposals.refresh import refresh_proposals
from tests.api_support import EDITOR, api_env, client_for, make_user  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]
EARLY = datetime.date(2025, 5, 30)
DAY = datetime.date(2025, 6, 2)


@pytest.fixture
def editor():
    return client_for(make_user("eddie", EDITOR))


@pytest.fixture
def tabled_at_the_round(negotiation, parties):
    """Both sides said yes on 30 May to a text that was only tabled at the round of
    2 June (its tabling day is the round's first day: it has no tabled_on)."""
    proposal = services.proposal_create(negotiation=negotiation, title="Exchange", kind="exchange")
    services.term_create(proposal=proposal, text="All for all")
    for party in (parties["ru"], parties["ua"]):
        services.position_record(proposal=proposal, party=party, stance="accepts", stated_on=EARLY)
    round_ = round_create(negotiation=negotiation, number=1, starts_on=DAY)
    services.proposal_update(proposal=proposal, round=round_)
    refresh_proposals(proposal_ids=[proposal.pk])
    proposal.refresh_from_db()
    return proposal


def test_the_api_answers_not_yet_tabled_before_the_tabling_day(tabled_at_the_round, editor):
    url = f"/api/v1/proposals/{tabled_at_the_round.pk}/"
    before = editor.get(url, {"as_of": "2025-06-01"}).json()
    assert (before["status"], before["status_reason"]) == (
        "not_tabled",
        "not yet tabled (tabled on 2025-06-02)",
    )
    assert [t["status"] for t in before["terms"]] == ["not_tabled"]
    on_the_day = editor.get(url, {"as_of": "2025-06-02"}).json()
    assert on_the_day["status"] == "agreed"
    assert {s["stated_on"] for s in on_the_day["stances"]} == {"2025-05-30"}


def test_the_stored_status_of_today_is_unaffected(tabled_at_the_round):
    assert tabled_at_the_round.status == "agreed"


def test_the_timeline_starts_on_the_tabling_day(tabled_at_the_round):
    days = set(
        StatusChange.objects.filter(proposal=tabled_at_the_round).values_list(
            "changed_on", flat=True
        )
    )
    assert days == {DAY}


def test_the_pages_use_the_same_words(tabled_at_the_round, client):
    slug = tabled_at_the_round.negotiation.slug
    page = client.get(f"/negotiations/{slug}/", {"as_of": "2025-06-01"}).content.decode()
    assert '<span class="status status-not_tabled">Not yet tabled</span>' in page
    today = client.get(f"/negotiations/{slug}/").content.decode()
    assert "Not yet tabled" not in today
