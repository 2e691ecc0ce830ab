"""A term's status says "recomputing" from the write that can change it until the
recompute has written it, on every recompute, not only the first (DESIGN §4)."""

from __future__ import annotations

import datetime

import pytest

from proposals.models import Stance, Term
from proposals.services import position_record, proposal_create, term_create
from tests.api_support import api_env, client_for

__all__ = ["api_env"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]
DAY = datetime.date(2025, 6, 2)


def _freshness(term: Term) -> str:
    response = client_for(None).get(f"/api/v1/terms/{term.pk}/")
    assert response.status_code == 200, response.content
    return str(response.json()["status_freshness"])


def _page_says_recomputing(client, term: Term) -> bool:
    page = client.get(f"/terms/{term.pk}/").content.decode()
    return "recomputing" in page


def test_a_term_is_recomputing_after_each_write_until_its_recompute(
    client, negotiation, parties, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_create(
            negotiation=negotiation, title="Bodies", kind="exchange", tabled_on=DAY
        )
        term = term_create(proposal=proposal, text="Swap bodies", quantity=6000, unit="bodies")
    assert _freshness(term) == "current"  # the first recompute has run

    for party in ("ru", "ua"):
        with django_capture_on_commit_callbacks() as recomputes:
            position_record(
                proposal=proposal, party=parties[party], stance=Stance.ACCEPTS, stated_on=DAY
            )
        assert recomputes, "the write enqueues a recompute once it commits"
        assert _freshness(term) == "recomputing"
        assert _page_says_recomputing(client, term)

        for recompute in recomputes:
            recompute()
        assert _freshness(term) == "current"
        assert not _page_says_recomputing(client, term)
    assert Term.objects.get(pk=term.pk).status == "agreed"
