"""Hostile input against every JSON write endpoint (issue 11).

The endpoints come from the OpenAPI schema (every POST, PATCH and PUT with a JSON body);
each has a valid body below, checked to be accepted. Every hostile input is that valid
body with one field (of the type the input targets) or the whole body made hostile, sent
by an editor: the answer must be a 4xx in the API's JSON shape, and no table may gain
or lose a row. A new write endpoint without a valid body here fails the module.
`pytest -rA tests/test_hostile_input.py -k count` prints how many inputs are tried.
Hostile query strings, on every read, are tests/test_query_strictness.py.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import TestCase
from drf_spectacular.generators import SchemaGenerator

from negotiations.demo import load_demo
from negotiations.models import Delegation, Role, Round
from negotiations.services import participation_create
from parties.models import Person
from parties.services import party_create, person_create
from proposals.models import Proposal, Source, Term
from proposals.services.agenda import agenda_item_create
from proposals.services.figures import figure_create
from proposals.services.ledger import commitment_create, implementation_event_record
from proposals.services.ratification import ratification_step_create
from tests.api_support import EDITOR, api_env, client_for, make_user  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]

PASSWORD = "a-long-test-password"
MARK = "@@hostile@@"
COUNTED_APPS = {"negotiations", "parties", "proposals", "auth", "knox"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    fields: dict[str, str]  # name -> kind: number, ids, list, date, text, bounded

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"


def _kind(prop: dict[str, Any]) -> str | None:
    if prop.get("readOnly"):
        return None
    types = {prop.get("type")} | {p.get("type") for p in prop.get("oneOf", [])}
    if "integer" in types:
        return "number"
    if "array" in types:
        return "ids" if prop.get("items", {}).get("type") == "integer" else "list"
    if prop.get("format") == "date":
        return "date"
    if "string" in types and not prop.get("enum"):
        lengths = [prop.get("maxLength")] + [p.get("maxLength") for p in prop.get("oneOf", [])]
        return "bounded" if any(lengths) else "text"
    return None


def discover() -> list[Endpoint]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if method not in {"post", "put", "patch"} or "application/json" not in content:
                continue
            ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            properties = components[ref]["properties"]
            kinds = {name: _kind(prop) for name, prop in properties.items()}
            found.append(Endpoint(method, path, {k: v for k, v in kinds.items() if v}))
    return found


ENDPOINTS = discover()

# A valid body per endpoint, built from the world below; PATCH bodies change what the
# first item of the resource can take.
VALID: dict[str, Callable[[dict[str, int]], dict[str, Any]]] = {
    "POST /api/v1/auth/tokens/": lambda w: {
        "username": "hostile-editor",
        "password": PASSWORD,
        "days": 1,
    },
    "POST /api/v1/parties/": lambda w: {
        "name": "Hostile Test Party",
        "short_name": "HTP",
        "slug": "hostile-test-party",
        "kind": "other",
        "country_code": "CH",
        "aliases": ["HTP"],
        "description": "A party for the hostile-input test.",
    },
    "PATCH /api/v1/parties/{id}/": lambda w: {"description": "Changed", "aliases": ["X"]},
    "POST /api/v1/people/": lambda w: {
        "name": "A. Envoy",
        "party": w["member_party"],
        "title": "Envoy",
    },
    "PATCH /api/v1/people/{id}/": lambda w: {"title": "Changed"},
    "POST /api/v1/negotiations/": lambda w: {
        "title": "Hostile talks",
        "slug": "hostile-talks",
        "summary": "Talks for the hostile-input test.",
        "status": "active",
        "started_on": "2025-05-01",
        "ended_on": "2025-06-30",
    },
    "PATCH /api/v1/negotiations/{id}/": lambda w: {"summary": "Changed"},
    "POST /api/v1/participations/": lambda w: {
        "negotiation": w["negotiation"],
        "party": w["outsider"],
        "roles": ["observer"],
        "note": "Joins late.",
    },
    "PATCH /api/v1/participations/{id}/": lambda w: {"note": "Changed"},
    "POST /api/v1/rounds/": lambda w: {
        "negotiation": w["negotiation"],
        "number": 99,
        "title": "Round 99",
        "venue_city": "Geneva",
        "venue_country": "CH",
        "starts_on": "2025-06-10",
        "ends_on": "2025-06-11",
        "status": "held",
        "hosts": [w["host"]],
        "summary": "A round for the hostile-input test.",
    },
    "PATCH /api/v1/rounds/{id}/": lambda w: {"summary": "Changed", "hosts": [w["host"]]},
    "POST /api/v1/delegations/": lambda w: {
        "round": w["round"],
        "party": w["member_party"],
        "head": w["member"],
        "members": [w["member"]],
        "members_text": "A. Member (head)",
    },
    "PATCH /api/v1/delegations/{id}/": lambda w: {
        "members_text": "Changed",
        "members": [w["delegate"]],
    },
    "POST /api/v1/delegation-members/": lambda w: {
        "delegation": w["delegation"],
        "person": w["newcomer"],
        "title": "Adviser to the head",
        "role": "adviser",
    },
    "PATCH /api/v1/delegation-members/{id}/": lambda w: {"title": "Changed", "role": "expert"},
    "POST /api/v1/ratification-steps/": lambda w: {
        "proposal": w["proposal"],
        "body_kind": "parliament",
        "body_name": "State Duma",
        "body_party": w["party"],
        "due_on": "2025-07-01",
        "outcome": "approved",
        "decided_on": "2025-06-20",
        "votes_for": 400,
        "votes_against": 10,
        "abstentions": 2,
        "share_for": "97.1",
        "turnout": "91.5",
        "note": "Ratified by the lower house.",
        "sources": [w["source"]],
    },
    "PATCH /api/v1/ratification-steps/{id}/": lambda w: {"note": "Changed", "due_on": "2025-08-01"},
    "POST /api/v1/agenda-items/": lambda w: {
        "negotiation": w["negotiation"],
        "number": 99,
        "title": "Hostile item",
        "description": "An item for the hostile-input test.",
        "sources": [w["source"]],
        "proposals": [w["proposal"]],
    },
    "PATCH /api/v1/agenda-items/{id}/": lambda w: {"description": "Changed"},
    "POST /api/v1/sources/": lambda w: {
        "url": "https://example.org/hostile",
        "title": "A report",
        "publisher": "Example",
        "published_on": "2025-06-02",
        "retrieved_on": "2025-06-03",
        "kind": "news",
    },
    "PATCH /api/v1/sources/{id}/": lambda w: {"publisher": "Changed"},
    "POST /api/v1/proposals/": lambda w: {
        "negotiation": w["negotiation"],
        "round": w["round"],
        "tabled_by": w["party"],
        "title": "A hostile proposal",
        "kind": "ceasefire",
        "summary": "x",
        "text": "x",
        "tabled_on": "2025-06-02",
        "text_status": "reported",
        "required_parties": [w["party"]],
        "sources": [w["source"]],
        "speaker": w["speaker"],
        "quote": "x",
    },
    "PATCH /api/v1/proposals/{id}/": lambda w: {
        "summary": "Changed",
        "sources": [w["source"]],
    },
    "POST /api/v1/terms/": lambda w: {
        "proposal": w["proposal"],
        "label": "99",
        "text": "Return 10 bodies",
        "category": "exchange",
        "stage": "implementation",
        "quantity": 10,
        "unit": "bodies",
        "due_on": "2025-07-01",
        "sources": [w["source"]],
    },
    "PATCH /api/v1/terms/{id}/": lambda w: {"text": "Changed", "sources": [w["source"]]},
    "POST /api/v1/positions/": lambda w: {
        "party": w["party"],
        "proposal": w["proposal"],
        "stance": "conditional",
        "stated_on": "2025-06-02",
        "round": w["round"],
        "speaker": w["speaker"],
        "quote": "Only if.",
        "conditions": "Only with the exchange.",
        "conditional_on": [w["term"]],
        "source": w["source"],
        "note": "x",
    },
    "POST /api/v1/proposal-links/": lambda w: {
        "from_proposal": w["unlinked"],
        "to_proposal": w["proposal"],
        "kind": "responds_to",
        "linked_on": "2025-06-02",
        "note": "x",
    },
    "POST /api/v1/implementation-events/": lambda w: {
        "term": w["term"],
        "happened_on": "2025-06-02",
        "by_party": w["party"],
        "quantity": 1,
        "completes": False,
        "note": "x",
        "source": w["source"],
    },
    "PATCH /api/v1/implementation-events/{id}/": lambda w: {"note": "Changed"},
    # WS-B: commitments.
    "POST /api/v1/commitments/": lambda w: {
        "term": w["term"],
        "party": w["member_party"],
        "quantity": 5,
        "quantity_high": 6,
        "approximate": True,
        "unit": "bodies",
        "note": "x",
    },
    "PATCH /api/v1/commitments/{id}/": lambda w: {"note": "Changed", "unit": "bodies"},
    # WS-E: conflicting figures (not counted: the term's total stays as it is).
    "POST /api/v1/figures/": lambda w: {
        "term": w["term"],
        "value": 5,
        "value_high": 6,
        "approximate": True,
        "source": w["source"],
        "attributed_to": w["member_party"],
        "note": "x",
    },
    "PATCH /api/v1/figures/{id}/": lambda w: {"note": "Changed", "value": 7},
    # WS-14A: a round's outcome in one document (its nested fields: tests/test_api_outcome.py).
    "POST /api/v1/rounds/outcome/": lambda w: {
        "negotiation": {"id": w["negotiation"]},
        "round": {"number": 9, "starts_on": "2025-07-01"},
        "sources": [{"key": "s", "url": "https://example.org/hostile", "title": "Hostile"}],
        "proposals": [
            {"key": "p", "title": "Hostile outcome", "kind": "other", "terms": [{"text": "x"}]}
        ],
        "positions": [
            {
                "party": {"id": w["party"]},
                "proposal": {"key": "p"},
                "stance": "accepts",
                "stated_on": "2025-07-02",
                "source": {"key": "s"},
            }
        ],
    },
}

DATES = {
    "a date without dashes": "20250601",
    "a date in fullwidth digits": "２０２５-０６-０１",
    "a date with slashes": "2025/06/01",
    "the year 0001": "0001-01-01",
    "the year 9999": "9999-12-31",
}
BY_KIND: dict[str, dict[str, Any]] = {
    "text": {"a NUL character": "a\x00b", "a lone surrogate": "a\ud800b"},
    "number": {"a float for an id": 1.5},
    "ids": {"an object for a list": {}, "10,000 repeated ids": "repeat"},
    "list": {"an object for a list": {}},
    "date": DATES,
}
BY_KIND["bounded"] = {**BY_KIND["text"], "a 1 MB string": "a" * 1_048_576}
WHOLE_BODY = {
    "nesting 1,000 deep": "[" * 1_000 + "]" * 1_000,
    "a 10 MB body": '"' + "a" * 10 * 1_048_576 + '"',
    "invalid UTF-8": b'"\xff\xfe\xed\xa0\x80"',
}


def _cases() -> list[Any]:
    cases = []
    for endpoint in ENDPOINTS:
        inputs = [(None, name) for name in WHOLE_BODY]
        for field, kind in sorted(endpoint.fields.items()):
            inputs += [(field, name) for name in BY_KIND[kind]]
        for field, name in inputs:
            label = f"{endpoint.key} {field}: {name}" if field else f"{endpoint.key}: {name}"
            cases.append(pytest.param(endpoint, field, name, id=label))
    return cases


CASES = _cases()


def _row_counts() -> list[int]:
    """Row counts of every table of the project's apps, the users and the tokens, in one query."""
    models = [m for m in apps.get_models() if m._meta.app_label in COUNTED_APPS]
    tables = sorted({m._meta.db_table for m in models if m._meta.managed})
    counts = ", ".join(f'(SELECT count(*) FROM "{table}")' for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return list(cursor.fetchone())


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo round and an editor, once for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            negotiation = load_demo()
        editor = make_user("hostile-editor", EDITOR, password=PASSWORD)
        member_party = party_create(name="Member", short_name="Member", slug="member")
        participation_create(negotiation=negotiation, party=member_party, roles=[Role.OBSERVER])
        outsider = party_create(name="Outsider", short_name="Outsider", slug="outsider")
        proposal = Proposal.objects.filter(negotiation=negotiation).order_by("pk").first()
        delegation = Delegation.objects.filter(members__isnull=False).order_by("pk").first()
        assert proposal is not None and delegation is not None
        tabler = proposal.tabling_party_list()[0]
        speaker = Person.objects.filter(party=tabler).first()
        round_ = Round.objects.filter(negotiation=negotiation).order_by("pk").first()
        assert round_ is not None
        ids = {
            "negotiation": negotiation.pk,
            "round": round_.pk,
            "host": round_.hosts.values_list("pk", flat=True)[0],
            "member_party": member_party.pk,
            "member": person_create(name="A. Member", party=member_party).pk,
            "outsider": outsider.pk,
            "delegate": delegation.members.values_list("pk", flat=True)[0],
            "delegation": delegation.pk,
            "newcomer": person_create(name="A. Newcomer", party=delegation.party).pk,
            "party": tabler.pk,
            "speaker": speaker.pk if speaker else None,
            "proposal": proposal.pk,
            "term": Term.objects.filter(proposal=proposal).order_by("pk").first().pk,
            "source": Source.objects.order_by("pk").first().pk,
            "unlinked": Proposal.objects.exclude(pk=proposal.pk)
            .filter(negotiation=negotiation, links_out__isnull=True, links_in__isnull=True)
            .order_by("pk")
            .first()
            .pk,
        }
        implementation_event_record(
            term=Term.objects.get(pk=ids["term"]), happened_on=datetime.date(2025, 6, 2)
        )
        commitment_create(term=Term.objects.get(pk=ids["term"]), party=tabler, quantity=1)
        figure_create(term=Term.objects.get(pk=ids["term"]), value=3)
        ratification_step_create(proposal=proposal, body_kind="parliament", body_name="Rada")
        agenda_item_create(negotiation=negotiation, title="An item", proposals=[proposal])
        yield {"ids": ids, "client": client_for(editor), "targets": {}}
        transaction.set_rollback(True)


def _target(world: dict[str, Any], endpoint: Endpoint) -> tuple[str, dict[str, str]]:
    """The URL to send to, and for a PATCH or PUT the If-Match of a read of the first item
    (read once: no case may change it)."""
    if "{id}" not in endpoint.path:
        return endpoint.path, {}
    if endpoint.key not in world["targets"]:
        client = world["client"]
        collection = endpoint.path.replace("{id}/", "")
        first = client.get(f"{collection}?limit=1").json()["results"][0]["id"]
        url = endpoint.path.replace("{id}", str(first))
        world["targets"][endpoint.key] = url, {"HTTP_IF_MATCH": client.get(url).headers["ETag"]}
    return world["targets"][endpoint.key]


def _send(world: dict[str, Any], endpoint: Endpoint, body: bytes) -> Any:
    url, headers = _target(world, endpoint)
    cache.clear()  # throttles: the module sends more than a minute's allowance
    return world["client"].generic(
        endpoint.method.upper(), url, body, content_type="application/json", **headers
    )


def hostile_body(world: dict[str, Any], endpoint: Endpoint, field: str | None, name: str):
    body = VALID[endpoint.key](world["ids"])
    if field is None:
        raw = WHOLE_BODY[name]
        encoded = raw if isinstance(raw, bytes) else raw.encode()
        texts = [f for f, kind in endpoint.fields.items() if kind in {"text", "bounded"}]
        if not texts:  # a document of objects and lists only: the whole body is hostile
            return encoded
        body[texts[0]] = MARK
        return json.dumps(body).encode().replace(f'"{MARK}"'.encode(), encoded)
    value = BY_KIND[endpoint.fields[field]][name]
    body[field] = [_an_id_for(world, endpoint, field)] * 10_000 if value == "repeat" else value
    return json.dumps(body).encode()


def _an_id_for(world: dict[str, Any], endpoint: Endpoint, field: str) -> int:
    """A real id for a list of ids: the valid body's, or the one its POST takes."""
    create = endpoint.key.replace("PATCH", "POST").replace("PUT", "POST").replace("{id}/", "")
    for key in (endpoint.key, create):
        given = VALID[key](world["ids"]).get(field) if key in VALID else None
        if given:
            return given[0]
    return world["ids"]["source"]


def test_every_write_endpoint_has_a_valid_body():
    assert len(ENDPOINTS) >= 20
    assert {e.key for e in ENDPOINTS} == set(VALID)


def test_count_of_hostile_inputs():
    endpoints = {e.key for e in ENDPOINTS}
    print(f"{len(CASES)} hostile inputs over {len(endpoints)} write endpoints")
    assert len(CASES) > 10 * len(endpoints)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.key)
def test_each_endpoint_takes_its_valid_body(world, endpoint):
    response = _send(world, endpoint, json.dumps(VALID[endpoint.key](world["ids"])).encode())
    assert response.status_code in {200, 201}, response.content[:500]


@pytest.mark.parametrize(("endpoint", "field", "name"), CASES)
def test_hostile_input_is_a_json_4xx_and_writes_nothing(world, endpoint, field, name):
    body = hostile_body(world, endpoint, field, name)
    before = _row_counts()
    response = _send(world, endpoint, body)
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response.headers["Content-Type"] == "application/json", response.content[:300]
    assert {"status", "code", "detail"} <= set(response.json())
    assert _row_counts() == before
