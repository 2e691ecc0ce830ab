"""A real client: generated from the live schema with openapi-python-client during the
test run, then used as a research pipeline would: pull the demo proposals' histories,
then keep a copy in sync with updated_since and the deleted-ids feed."""

import importlib
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.test import Client

from proposals.models import Proposal
from tests.api_support import (
    ANALYST,
    EDITOR,
    api_env,  # noqa: F401
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Generate the client package from the schema the server serves right now."""
    root = tmp_path_factory.mktemp("generated")
    schema = root / "schema.json"
    schema.write_bytes(Client().get("/api/schema/?format=json").content)
    config = root / "config.yaml"
    config.write_text("post_hooks: []\npackage_name_override: parley_client\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(schema),
            "--config",
            str(config),
            "--meta",
            "none",
            "--output-path",
            str(root / "parley_client"),
        ],
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("parley_client")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.startswith("parley_client")]:
            del sys.modules[name]


@pytest.fixture
def connect(generated):
    """A generated AuthenticatedClient talking to the app in-process (WSGI)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from knox.models import AuthToken

    cache.clear()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def client_for(user):
        _, token = AuthToken.objects.create(user=user)
        api = generated.AuthenticatedClient(
            base_url="http://testserver", token=token, prefix="Token"
        )
        api.set_httpx_client(
            httpx.Client(
                base_url="http://testserver",
                transport=httpx.WSGITransport(app=get_wsgi_application()),
                headers={"Authorization": f"Token {token}"},
            )
        )
        return api

    yield client_for
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def pull_proposals(api, **filters):
    from parley_client.api.proposals import proposals_list

    proposals, cursor = [], None
    while True:
        extra = {"cursor": cursor} if cursor else {}
        page = proposals_list.sync(client=api, limit=2, **filters, **extra)
        proposals.extend(page.results)
        if not page.next_:
            return proposals
        cursor = parse_qs(urlparse(page.next_).query)["cursor"][0]


def test_the_generated_client_pulls_every_demo_proposals_history(demo, connect):
    from parley_client.api.proposals import proposals_history_retrieve
    from parley_client.models import History

    api = connect(make_user("researcher", ANALYST))
    proposals = pull_proposals(api)
    assert len(proposals) == Proposal.objects.count()
    histories = {p.id: proposals_history_retrieve.sync(id=p.id, client=api) for p in proposals}
    assert all(isinstance(h, History) for h in histories.values())
    memorandum = Proposal.objects.get(kind="memorandum")
    events = histories[memorandum.pk].events
    kinds = {e.type_.value for e in events}
    assert {"position", "status_changed", "edited"} <= kinds
    rejection = next(e for e in events if e.type_.value == "position" and e.stance == "rejects")
    assert rejection.source.title
    dates = [e.date for e in events]
    assert dates == sorted(dates)


def test_the_generated_client_keeps_a_copy_in_sync(demo, connect):
    from parley_client.api.proposals import (
        proposals_destroy,
        proposals_partial_update,
        proposals_retrieve,
    )
    from parley_client.api.sync import deleted_retrieve
    from parley_client.models import PatchedProposalRequest

    api = connect(make_user("pipeline", EDITOR))
    copy = {p.id: p for p in pull_proposals(api)}
    mark = max(p.changed_at for p in copy.values())

    memorandum = Proposal.objects.get(kind="memorandum")
    read = proposals_retrieve.sync_detailed(id=memorandum.pk, client=api)
    etag = read.headers["ETag"]
    edited = proposals_partial_update.sync_detailed(
        id=memorandum.pk,
        client=api,
        body=PatchedProposalRequest(summary="Edited by the pipeline"),
        if_match=etag,
    )
    assert edited.status_code == 200
    stale = proposals_partial_update.sync_detailed(
        id=memorandum.pk, client=api, body=PatchedProposalRequest(summary="Late"), if_match=etag
    )
    assert stale.status_code == 412
    assert stale.parsed.current_version == 2
    summit = Proposal.objects.get(kind="meeting")
    gone = proposals_destroy.sync_detailed(id=summit.pk, client=api, reason="Entered twice")
    assert gone.status_code == 204

    changed = pull_proposals(api, updated_since=mark)
    assert memorandum.pk in {p.id for p in changed}
    assert len(changed) < len(copy)
    for proposal in changed:
        copy[proposal.id] = proposal
    # A pipeline passes since=<its last sync>; inside the test's transaction PostgreSQL
    # dates every deletion at the transaction's start, so ask for all of them.
    deleted = deleted_retrieve.sync(client=api)
    for entry in deleted.results:
        if entry.type_.value == "proposal":
            copy.pop(entry.id, None)
    assert copy[memorandum.pk].summary == "Edited by the pipeline"
    assert summit.pk not in copy
    assert set(copy) == set(Proposal.objects.values_list("pk", flat=True))


def test_the_generated_client_enters_three_rounds_in_one_request_each_and_syncs(connect):
    """Issue 14, item 8: a pipeline enters a negotiation (agenda, joint proposal,
    ratification, a two-way exchange) through POST /rounds/outcome/, reads it back, then
    syncs what changed with updated_since and the deleted-ids feed."""
    from parley_client.api.implementation_events import implementation_events_list
    from parley_client.api.proposals import proposals_destroy, proposals_retrieve
    from parley_client.api.rounds import rounds_outcome_create
    from parley_client.api.sync import deleted_retrieve
    from parley_client.models import OutcomeDocumentRequest

    from tests.outcome_data import make_parties, round_document

    named = make_parties()
    api = connect(make_user("pipeline", EDITOR))
    answers = []
    for number in (1, 2, 3):
        body = OutcomeDocumentRequest.from_dict(round_document(number, proposals=9))
        response = rounds_outcome_create.sync_detailed(client=api, body=body)
        assert response.status_code == 201, response.content
        answers.append(response.parsed)
    negotiation = answers[0].negotiation
    assert {a.negotiation for a in answers} == {negotiation}
    again = rounds_outcome_create.sync_detailed(
        client=api, body=OutcomeDocumentRequest.from_dict(round_document(3, proposals=9))
    )
    assert (again.status_code, again.parsed.created) == (200, 0)

    copy = {p.id: p for p in pull_proposals(api, negotiation=negotiation)}
    assert len(copy) == 27
    joint_id = answers[0].keys["r1.p2"].id
    joint = proposals_retrieve.sync(id=joint_id, client=api)
    assert len(joint.terms) == 3
    memorandum = proposals_retrieve.sync(id=answers[1].keys["r2.p8"].id, client=api)
    assert memorandum.ratification_steps[0].body_name == "Verkhovna Rada"
    events = implementation_events_list.sync(client=api, limit=100).results
    ru, ua = named["ru"].pk, named["ua"].pk
    assert {(e.by_party, e.to_party) for e in events} == {(ru, ua), (ua, ru)}  # both ways
    mark = max(p.changed_at for p in copy.values())

    later = round_document(3, proposals=10)  # one more proposal in round 3
    response = rounds_outcome_create.sync_detailed(
        client=api, body=OutcomeDocumentRequest.from_dict(later)
    )
    assert response.status_code == 201, response.content
    added = response.parsed.keys["r3.p9"].id
    gone = proposals_destroy.sync_detailed(id=joint_id, client=api, reason="Entered twice")
    assert gone.status_code == 204

    for proposal in pull_proposals(api, negotiation=negotiation, updated_since=mark):
        copy[proposal.id] = proposal
    for entry in deleted_retrieve.sync(client=api).results:
        if entry.type_.value == "proposal":
            copy.pop(entry.id, None)
    assert added in copy and joint_id not in copy
    assert set(copy) == set(
        Proposal.objects.filter(negotiation_id=negotiation).values_list("pk", flat=True)
    )
