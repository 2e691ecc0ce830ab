"""Bad input through a service raises a clear ValidationError and writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from negotiations.services import round_create
from proposals.models import Position, Stance
from proposals.services import (
    implementation_event_record,
    position_delete,
    position_record,
    proposal_create,
    term_create,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 6, 2)


def _everything() -> dict[str, int]:
    """Row counts of every table we own, audit history included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"parties", "negotiations", "proposals"}
    }


@pytest.fixture
def proposal(negotiation, parties):
    return proposal_create(
        negotiation=negotiation,
        title="Truce",
        kind="ceasefire",
        tabling_parties=[parties["ua"]],
        tabled_on=DAY,
    )


def _rejects(call, field: str, words: str) -> None:
    before = _everything()
    with pytest.raises(ValidationError) as raised:
        call()
    assert field in raised.value.message_dict, raised.value.message_dict
    assert words in " ".join(raised.value.message_dict[field])
    assert _everything() == before


def test_it_rejects_an_unknown_stance(proposal, parties):
    _rejects(
        lambda: position_record(
            proposal=proposal, party=parties["ru"], stance="shrugs", stated_on=DAY
        ),
        "stance",
        "not a valid choice",
    )


def test_it_rejects_a_position_by_a_party_that_takes_no_part(proposal, parties):
    _rejects(
        lambda: position_record(
            proposal=proposal, party=parties["xx"], stance=Stance.ACCEPTS, stated_on=DAY
        ),
        "party",
        "takes no part",
    )


def test_it_rejects_a_negative_quantity(proposal):
    _rejects(
        lambda: term_create(proposal=proposal, text="Swap", quantity=-5, unit="prisoners"),
        "__all__",
        "cannot be negative",
    )


def test_it_rejects_a_negative_delivery(proposal):
    term = term_create(proposal=proposal, text="Swap", quantity=5, unit="prisoners")
    _rejects(
        lambda: implementation_event_record(term=term, happened_on=DAY, quantity=-1),
        "__all__",
        "cannot be negative",
    )


def test_it_rejects_a_conditional_stance_without_conditions(proposal, parties):
    _rejects(
        lambda: position_record(
            proposal=proposal, party=parties["ru"], stance=Stance.CONDITIONAL, stated_on=DAY
        ),
        "__all__",
        "needs its conditions",
    )


def test_only_the_tabling_party_can_withdraw(proposal, parties):
    _rejects(
        lambda: position_record(
            proposal=proposal, party=parties["ru"], stance=Stance.WITHDRAWS, stated_on=DAY
        ),
        "stance",
        "Only the party that tabled",
    )


def test_it_rejects_a_term_of_another_proposal(proposal, negotiation, parties):
    other = proposal_create(negotiation=negotiation, title="Other", kind="exchange")
    foreign_term = term_create(proposal=other, text="Something")
    _rejects(
        lambda: position_record(
            proposal=proposal,
            term=foreign_term,
            party=parties["ru"],
            stance=Stance.ACCEPTS,
            stated_on=DAY,
        ),
        "term",
        "another proposal",
    )


def test_conditions_must_refer_to_terms_of_the_same_negotiation(proposal, parties):
    from negotiations.models import Role
    from negotiations.services import negotiation_create, participation_create

    elsewhere = negotiation_create(title="Other talks")
    participation_create(negotiation=elsewhere, party=parties["ru"], roles=[Role.PRINCIPAL])
    far = proposal_create(negotiation=elsewhere, title="Far", kind="other")
    far_term = term_create(proposal=far, text="Far away")
    _rejects(
        lambda: position_record(
            proposal=proposal,
            party=parties["ru"],
            stance=Stance.CONDITIONAL,
            stated_on=DAY,
            conditions="If the far term is agreed",
            conditional_on=[far_term],
        ),
        "conditional_on",
        "same negotiation",
    )


def test_a_position_cannot_be_dated_in_the_future(proposal, parties):
    _rejects(
        lambda: position_record(
            proposal=proposal,
            party=parties["ru"],
            stance=Stance.ACCEPTS,
            stated_on=datetime.date.today() + datetime.timedelta(days=2),
        ),
        "stated_on",
        "future",
    )


def test_a_round_cannot_end_before_it_starts(negotiation):
    _rejects(
        lambda: round_create(
            negotiation=negotiation, number=1, starts_on=DAY, ends_on=DAY - datetime.timedelta(1)
        ),
        "__all__",
        "cannot end before it starts",
    )


def test_round_numbers_are_unique_per_negotiation(negotiation):
    round_create(negotiation=negotiation, number=1, starts_on=DAY)
    _rejects(
        lambda: round_create(negotiation=negotiation, number=1, starts_on=DAY),
        "__all__",
        "already has a round with this number",
    )


def test_a_proposal_cannot_be_tabled_by_an_outsider(negotiation, parties):
    _rejects(
        lambda: proposal_create(
            negotiation=negotiation, title="X", kind="other", tabling_parties=[parties["xx"]]
        ),
        "tabling_parties",
        "takes no part",
    )


def test_creating_a_proposal_records_the_tabling_partys_proposes_position(proposal, parties):
    position = Position.objects.get(proposal=proposal)
    assert (position.party, position.stance, position.stated_on) == (
        parties["ua"],
        Stance.PROPOSES,
        DAY,
    )


def test_deleting_a_position_needs_a_reason_and_keeps_it_in_the_audit(proposal, parties):
    position = position_record(
        proposal=proposal, party=parties["ru"], stance=Stance.REJECTS, stated_on=DAY
    )
    _rejects(lambda: position_delete(position=position, reason=" "), "reason", "Say why")
    position_id = position.pk
    position_delete(position=position, reason="wrong party in the report")
    assert not Position.objects.filter(pk=position_id).exists()
    event = Position.pgh_event_model.objects.get(pgh_obj_id=position_id, pgh_label="delete")
    assert event.pgh_context.metadata["reason"] == "wrong party in the report"


def test_a_failing_write_in_a_batch_leaves_nothing_behind(negotiation, parties):
    before = _everything()
    with pytest.raises(ValidationError):
        proposal_create(
            negotiation=negotiation,
            title="X",
            kind="other",
            tabling_parties=[parties["ua"]],
            tabled_on=datetime.date.today() + datetime.timedelta(days=5),
        )
    assert _everything() == before
