"""The demo round encodes DESIGN §3's worked example; loading it twice changes nothing."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command

from negotiations.demo import load_demo
from proposals.models import Proposal, Stance, Status

pytestmark = pytest.mark.django_db


def _statuses(negotiation) -> dict[str, str]:
    return dict(Proposal.objects.filter(negotiation=negotiation).values_list("title", "status"))


def test_the_demo_statuses_are_those_of_the_worked_example(demo):
    assert _statuses(demo) == {
        "Unconditional ceasefire": Status.REJECTED,
        "Large-scale prisoner exchange": Status.AGREED,
        "Return of the bodies of 6,000 soldiers": Status.AGREED,
        "Commission on exchanging seriously wounded troops": Status.AGREED,
        "Russian memorandum on a settlement": Status.REJECTED,
        "Leaders' summit in Istanbul or Ankara": Status.OPEN,
    }
    assert not Proposal.objects.filter(status_stale=True).exists()


def test_every_term_of_the_memorandum_is_rejected_by_ukraine(demo):
    memorandum = Proposal.objects.get(negotiation=demo, kind="memorandum")
    terms = list(memorandum.terms.all())
    assert len(terms) == 11
    assert {t.status for t in terms} == {Status.REJECTED}
    assert all("Ukraine" in t.status_reason for t in terms)
    truce = [t for t in terms if t.option_group == "truce"]
    assert {t.option for t in truce} == {"A", "B"}
    assert sum(t.option == "B" for t in truce) == 4
    assert {t.stage for t in terms if not t.option_group} >= {"settlement"}


def test_the_summit_is_open_with_the_united_states_conditional(demo):
    summit = Proposal.objects.get(negotiation=demo, kind="meeting")
    assert summit.status == Status.OPEN
    us = summit.positions.get(party__slug="united-states")
    assert us.stance == Stance.CONDITIONAL
    assert "both of these leaders" in us.quote
    assert sorted(summit.required_parties.values_list("slug", flat=True)) == [
        "russia",
        "ukraine",
        "united-states",
    ]


def test_the_bodies_exchange_carries_its_quantity(demo):
    bodies = Proposal.objects.get(negotiation=demo, title__contains="6,000")
    term = bodies.terms.get()
    assert (term.quantity, term.unit, term.delivered) == (6000, "bodies", 0)


def test_the_tabling_party_proposes_its_proposal(demo):
    ceasefire = Proposal.objects.get(negotiation=demo, kind="ceasefire")
    assert ceasefire.positions.filter(party__slug="ukraine", stance=Stance.PROPOSES).exists()


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"parties", "negotiations", "proposals"}
    }


def test_loading_the_demo_twice_leaves_the_same_rows(demo, django_capture_on_commit_callbacks):
    before = _row_counts()
    assert before["proposals.Position"] > 0
    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _row_counts() == before
