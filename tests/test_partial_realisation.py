"""WS-B: partial realisation through the database: the dependency map marks the wider
proposal stale when the narrower one changes, and the stored statuses follow."""

from __future__ import annotations

import datetime

import pytest

from proposals.dependencies import affected_proposal_ids
from proposals.models import LinkKind, Proposal, ProposalLink, Stance, Status
from proposals.services import (
    position_delete,
    position_record,
    proposal_create,
    proposal_link_create,
    proposal_link_delete,
    proposal_update,
    term_create,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 6, 2)
LATER = datetime.date(2025, 6, 5)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def pair(negotiation, parties, committed):
    """A, a maximal demand Russia is undecided on; B, a swap both sides accepted, which
    realises part of A."""
    with committed():
        a = proposal_create(
            negotiation=negotiation, title="Full exchange", kind="exchange", tabled_on=DAY
        )
        term_create(proposal=a, text="All for all")
        b = proposal_create(
            negotiation=negotiation, title="Swap of 1,000", kind="exchange", tabled_on=LATER
        )
        term_create(proposal=b, text="1,000 for 1,000")
        position_record(proposal=a, party=parties["ru"], stance=Stance.UNDECIDED, stated_on=DAY)
        for party in ("ru", "ua"):
            position_record(
                proposal=b, party=parties[party], stance=Stance.ACCEPTS, stated_on=LATER
            )
        proposal_link_create(from_proposal=b, to_proposal=a, kind=LinkKind.REALISES_PART_OF)
    return a, b


def _stored(proposal: Proposal) -> tuple[str, str]:
    proposal.refresh_from_db()
    return proposal.status, proposal.status_reason


def test_the_wider_proposal_is_stored_partially_agreed_naming_the_narrower(pair):
    a, b = pair
    status, reason = _stored(a)
    assert status == Status.PARTIALLY_AGREED
    assert reason.startswith("partially realised by «Swap of 1,000», agreed on 2025-06-05")
    timeline = a.status_changes.filter(term=None).order_by("changed_on", "seq")
    assert [(c.changed_on, c.status) for c in timeline] == [
        (DAY, Status.OPEN),
        (LATER, Status.PARTIALLY_AGREED),
    ]


def test_the_map_marks_the_wider_proposal_when_the_narrower_changes(pair):
    a, b = pair
    assert a.pk in affected_proposal_ids(proposal_ids=[b.pk])
    assert b.pk not in affected_proposal_ids(proposal_ids=[a.pk])


def test_a_change_to_the_narrower_proposal_is_recomputed_in_the_wider(pair, parties, committed):
    a, b = pair
    with committed():
        proposal_update(proposal=b, title="Swap of 1,200")
    assert "«Swap of 1,200»" in _stored(a)[1]
    with committed():
        position_record(proposal=b, party=parties["ua"], stance=Stance.REJECTS, stated_on=LATER)
    assert _stored(a)[0] == Status.OPEN
    rejection = b.positions.get(stance=Stance.REJECTS)
    with committed():
        position_delete(position=rejection, reason="Misread")
    assert _stored(a)[0] == Status.PARTIALLY_AGREED
    with committed():
        proposal_link_delete(link=ProposalLink.objects.get(), reason="Not related")
    assert _stored(a)[0] == Status.OPEN
