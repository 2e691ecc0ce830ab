"""Data for the page tests: the demo round, then what came after it (a third round, a
counter-proposal rewriting memorandum terms, deliveries of bodies reported twice with
different figures, a late acceptance, and a quote carrying markup and a formula)."""

from __future__ import annotations

import datetime

import pytest

from negotiations.models import Negotiation, Round
from negotiations.services import round_create
from parties.models import Party
from proposals.models import Proposal, Term
from proposals.services import (
    implementation_event_record,
    position_record,
    proposal_create,
    proposal_link_create,
    source_create,
    term_create,
)

HOSTILE_QUOTE = '<script>alert("x")</script> =HYPERLINK("http://evil.example","click") ceasefire'


def add_the_aftermath(negotiation: Negotiation) -> dict[str, object]:
    party = {p.slug: p for p in Party.objects.all()}
    memorandum = Proposal.objects.get(negotiation=negotiation, kind="memorandum")
    bodies = Proposal.objects.get(negotiation=negotiation, title__startswith="Return")
    bodies_term = bodies.terms.get()
    ukrinform = source_create(
        title="Bodies returned", publisher="Ukrinform", url="https://example.org/ukrinform/1"
    )
    tass = source_create(
        title="Bodies handed over", publisher="TASS", url="https://example.org/tass/1"
    )
    day = datetime.date(2025, 6, 11)
    implementation_event_record(
        term=bodies_term, happened_on=day, by_party=party["russia"], quantity=1212, source=ukrinform
    )
    implementation_event_record(
        term=bodies_term, happened_on=day, by_party=party["russia"], quantity=1200, source=tass
    )
    implementation_event_record(
        term=bodies_term, happened_on=day, by_party=party["ukraine"], quantity=27
    )
    round3 = round_create(
        negotiation=negotiation,
        number=3,
        title="Third round, Istanbul",
        venue_city="Istanbul",
        venue_country="Türkiye",
        starts_on=datetime.date(2025, 7, 23),
        hosts=[party["turkey"]],
    )
    counter = proposal_create(
        negotiation=negotiation,
        title="Ukrainian counter-memorandum",
        kind="memorandum",
        round=round3,
        tabling_parties=[party["ukraine"]],
        sources=[ukrinform],
    )
    neutral = memorandum.terms.get(label="4.1")
    language = memorandum.terms.get(label="4.4")
    term_create(
        proposal=counter,
        label="1",
        text="Ukraine declares itself a neutral state, with binding security guarantees.",
        category="neutrality",
        derived_from=neutral,
    )
    term_create(
        proposal=counter,
        label="2",
        text="All prisoners are exchanged, all for all.",
        category="exchange",
        due_on=datetime.date(2025, 8, 1),
    )
    proposal_link_create(from_proposal=counter, to_proposal=memorandum, kind="counter_to")
    position_record(
        proposal=memorandum,
        term=language,
        party=party["ukraine"],
        stance="accepts",
        stated_on=datetime.date(2025, 7, 1),
    )
    position_record(
        proposal=counter,
        party=party["russia"],
        stance="undecided",
        stated_on=datetime.date(2025, 7, 23),
        round=round3,
        quote=HOSTILE_QUOTE,
    )
    return {
        "memorandum": memorandum,
        "counter": counter,
        "bodies_term": bodies_term,
        "round3": round3,
        "neutral": neutral,
    }


@pytest.fixture
def aftermath(demo, django_capture_on_commit_callbacks) -> dict[str, object]:
    with django_capture_on_commit_callbacks(execute=True):
        return add_the_aftermath(demo)


def memorandum() -> Proposal:
    return Proposal.objects.get(title="Russian memorandum on a settlement")


def first_term(proposal: Proposal) -> Term:
    return proposal.terms.order_by("ordinal").first()


def round_two(negotiation: Negotiation) -> Round:
    return Round.objects.get(negotiation=negotiation, number=2)


def snapshot_queries(negotiation_id: int) -> int:
    """What reading one negotiation into the engine costs (proposals/snapshot.py owns it);
    pages that replay history add their own fixed number of queries to it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from proposals.selectors import clear_engine_cache, negotiation_engine

    # The cold path: the engine is read once per request when nothing is cached.
    clear_engine_cache()
    with CaptureQueriesContext(connection) as queries:
        negotiation_engine(negotiation_id)
    clear_engine_cache()
    return len(queries.captured_queries)
