"""Every read runs a fixed number of queries, whatever the page size or the data."""

import pytest

from parties.models import Person
from proposals.models import ImplementationEvent, Proposal, Source
from proposals.services import implementation_event_record, position_record, term_create
from tests.api_support import (
    ANALYST,
    api_env,  # noqa: F401
    client_for,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]

# Anonymous reads (public read on). A token adds 2 queries (the token, the user's other
# tokens) and, where roles matter (CSV, writes, PARLEY_PUBLIC_READ off), 1 for the roles.
SNAPSHOT = 1000  # the engine's read of a negotiation (proposals/snapshot.py), measured below
QUERIES = {
    "/api/v1/parties/": 2,
    "/api/v1/people/": 2,
    "/api/v1/negotiations/": 2,
    "/api/v1/participations/": 2,
    "/api/v1/rounds/": 2,
    "/api/v1/delegations/": 2,
    "/api/v1/sources/": 2,
    "/api/v1/proposals/": 2,
    "/api/v1/proposals/?q=exchange&status=agreed": 2,
    "/api/v1/proposal-links/": 2,
    "/api/v1/terms/": 2,
    "/api/v1/positions/": 2,
    "/api/v1/implementation-events/": 2,
    "/api/v1/status-changes/": 2,
    "/api/v1/deleted/": 2,
    "/api/v1/parties/{party}/": 1,
    "/api/v1/people/{person}/": 1,
    "/api/v1/sources/{source}/": 1,
    "/api/v1/terms/{term}/": 1,
    "/api/v1/positions/{position}/": 1,
    "/api/v1/participations/{participation}/": 1,
    "/api/v1/delegations/{delegation}/": 1,
    "/api/v1/status-changes/{status_change}/": 1,
    "/api/v1/implementation-events/{event}/": 1,
    # + its agenda: the items, their sources and their proposals (the demo has three items)
    "/api/v1/negotiations/{negotiation}/": 5,
    "/api/v1/negotiations/{negotiation}/?as_of=2025-06-01": 7 + SNAPSHOT,
    "/api/v1/negotiations/{negotiation}/matrix/": 4 + SNAPSHOT,
    "/api/v1/rounds/{round}/": 4,
    "/api/v1/rounds/{round}/?as_of=2025-06-01": 5 + SNAPSHOT,
    "/api/v1/proposals/{proposal}/": 8,  # + its ratification steps and agenda items
    "/api/v1/proposals/{proposal}/?as_of=2025-06-01": 8 + SNAPSHOT,
    # + its ratification steps, the commitments trail, the figures trail (WS-E)
    "/api/v1/proposals/{proposal}/history/": 10,
    # + the terms; the matrix (participations, proposals, terms, engine); the commitments
    # with what was delivered, their terms' proposals; the agenda items (issue 14 item 7)
    "/api/v1/proposals/?negotiation={negotiation}&expand=terms,stances,commitments,agenda_items": 9
    + SNAPSHOT,
}


def ids_of(demo):
    memorandum = Proposal.objects.get(kind="memorandum")
    round_ = demo.rounds.get()
    term = memorandum.terms.first()
    return {
        "party": demo.participations.first().party_id,
        "person": Person.objects.first().pk,
        "source": Source.objects.first().pk,
        "term": term.pk,
        "position": memorandum.positions.first().pk,
        "participation": demo.participations.first().pk,
        "delegation": round_.delegations.first().pk,
        "status_change": memorandum.status_changes.first().pk,
        "event": ImplementationEvent.objects.first().pk,
        "negotiation": demo.pk,
        "round": round_.pk,
        "proposal": memorandum.pk,
    }


def grow(demo):
    """More of everything the reads nest: terms, positions, deliveries."""
    memorandum = Proposal.objects.get(kind="memorandum")
    ukraine = demo.parties.get(slug="ukraine")
    source = Source.objects.first()
    for i in range(15):
        term = term_create(proposal=memorandum, text=f"Extra point {i}", sources=[source])
        position_record(
            proposal=memorandum,
            term=term,
            party=ukraine,
            stance="rejects",
            stated_on=memorandum.tabled_on,
            source=source,
        )
    bodies = Proposal.objects.get(kind="exchange", title__contains="6,000").terms.get()
    for _ in range(3):
        implementation_event_record(
            term=bodies, happened_on=bodies.proposal.tabled_on, quantity=10, source=source
        )


def counts(client, ids, suffix=""):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from proposals.selectors import clear_engine_cache

    measured = {}
    for template in QUERIES:
        url = template.format(**ids)
        if suffix and "{" not in template and "?" not in url:
            url += suffix
        clear_engine_cache()  # pin the cold path: every as-of read replays history
        cache.clear()  # and every detail and page is read, not served from the cache
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        measured[template] = len(captured)
    return measured


def test_each_read_runs_its_pinned_number_of_queries(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        grow(demo)
    ids = ids_of(demo)
    client = client_for(None)
    small = counts(client, ids, "?limit=1")
    large = counts(client, ids, "?limit=500")
    assert small == large
    snapshot = snapshot_queries(demo.pk)
    expected = {url: n - SNAPSHOT + snapshot if n > SNAPSHOT else n for url, n in QUERIES.items()}
    assert large == expected


def snapshot_queries(negotiation_id):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from proposals.selectors import clear_engine_cache, negotiation_engine

    # The cold path: the engine is read once per request when nothing is cached.
    clear_engine_cache()
    with CaptureQueriesContext(connection) as captured:
        negotiation_engine(negotiation_id)
    clear_engine_cache()
    return len(captured)


def test_a_token_adds_a_fixed_number_of_queries(demo, django_assert_num_queries):
    client = client_for(make_user("ana", ANALYST))
    with django_assert_num_queries(2 + 2):
        assert client.get("/api/v1/proposals/").status_code == 200
    with django_assert_num_queries(2 + 3):
        assert client.get("/api/v1/proposals/?format=csv").status_code == 200
