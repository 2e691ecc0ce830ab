"""POST /api/v1/rounds/outcome/: a round's whole outcome in one request (issue 14, item 1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

import proposals.staleness
from negotiations.models import Delegation, Negotiation, Participation, Round
from parties.models import Person
from parties.services import party_create
from proposals.models import (
    Commitment,
    ImplementationEvent,
    Position,
    Proposal,
    ProposalLink,
    RatificationStep,
    Source,
    Tabling,
)
from proposals.verification import verify_negotiation
from tests.api_support import (
    ANALYST,
    EDITOR,
    api_env,  # noqa: F401
    client_for,
    make_user,
)
from tests.outcome_data import make_parties, round_document

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]
URL = "/api/v1/rounds/outcome/"


def _everything() -> dict[str, int]:
    """Row counts of every table we own, audit history included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"parties", "negotiations", "proposals"}
    }


@pytest.fixture
def editor():
    return client_for(make_user("eddie", EDITOR))


@pytest.fixture
def named():
    return make_parties()


def post(client: Any, document: Any, query: str = "") -> Any:
    return client.post(URL + query, document, format="json")


@pytest.fixture
def enqueues(monkeypatch):
    """How many times the writes asked for recomputes after a commit (the real function
    still runs)."""
    calls: list[frozenset[int]] = []
    real = proposals.staleness.enqueue_recompute_after_commit

    def counted(ids):
        calls.append(frozenset(ids))
        real(ids)

    monkeypatch.setattr(proposals.staleness, "enqueue_recompute_after_commit", counted)
    return calls


def small_document() -> dict[str, Any]:
    """Round 1 with its first four proposals: a single, a joint and a mediators' one."""
    return round_document(1, proposals=4)


def test_a_three_round_negotiation_takes_three_requests_and_a_repost_creates_nothing(
    editor, named, enqueues, django_capture_on_commit_callbacks
):
    documents = [round_document(n) for n in (1, 2, 3)]
    posts = 0
    for document in documents:
        with django_capture_on_commit_callbacks(execute=True):
            response = post(editor, document)
        posts += 1
        assert response.status_code == 201, response.json()
        assert len(enqueues) == posts  # one stale marking, one enqueue per document
    print(f"write requests for 3 rounds, {Proposal.objects.count()} proposals: {posts}")
    assert posts <= 5
    negotiation = Negotiation.objects.get(slug="istanbul-talks")
    assert Round.objects.filter(negotiation=negotiation).count() == 3
    assert Proposal.objects.filter(negotiation=negotiation).count() == 39
    joint = Proposal.objects.get(title="Thirty-day ceasefire (round 1)")
    assert [t.party for t in Tabling.objects.filter(proposal=joint)] == [named["ru"], named["ua"]]
    assert RatificationStep.objects.filter(body_party=named["ua"]).count() == 3
    exchange = Commitment.objects.filter(term__proposal__title__startswith="Exchange of prisoners")
    assert {c.party for c in exchange} == {named["ru"], named["ua"]}
    ways = ImplementationEvent.objects.values_list("by_party", "to_party").distinct()
    assert set(ways) == {(named["ru"].pk, named["ua"].pk), (named["ua"].pk, named["ru"].pk)}
    assert ProposalLink.objects.filter(kind="supersedes").count() == 6
    assert Position.objects.filter(stance="conditional").exclude(conditional_on=None).exists()
    assert Delegation.objects.filter(head__name="Rustem Umerov").count() == 3
    assert Person.objects.filter(name="Rustem Umerov").count() == 1
    # Statuses recomputed once per document are those of a fresh engine run.
    assert not Proposal.objects.filter(status_stale=True).exists()
    assert verify_negotiation(negotiation.pk) == []

    before = _everything()
    for document in documents:
        response = post(editor, document)
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["created"] == 0
        assert {row["result"] for row in body["rows"]} == {"existing"}
        assert {row["result"] for row in body["keys"].values()} == {"existing"}
    assert _everything() == before
    assert len(enqueues) == 3  # the re-posts marked nothing


def test_the_answer_gives_each_local_key_its_id(editor, named):
    body = post(editor, small_document()).json()
    p1 = body["keys"]["r1.p1"]
    assert p1["type"] == "proposal" and p1["result"] == "created"
    assert Proposal.objects.get(pk=p1["id"]).title == "Return of fallen soldiers' bodies (round 1)"
    term = body["keys"]["r1.p1.t0"]
    assert term["type"] == "term"
    assert body["round"] == Round.objects.get().pk
    assert body["created"] == len(body["rows"])


def test_it_answers_every_shape_error_at_its_path_and_writes_nothing(editor, named):
    document = small_document()
    document["negotiation"]["tabled_om"] = "2025-05-16"
    document["proposals"][2]["terms"][0]["stage"] = "eventually"
    document["positions"][1]["stated_on"] = "16/05/2025"
    document["events"][0]["quantity"] = "many"
    document["proposals"][0]["tabling_parties"].append({"id": "x"})
    before = _everything()
    response = post(editor, document)
    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["code"]) == (400, "invalid")
    assert set(body["errors"]) == {
        "negotiation.tabled_om",
        "proposals[2].terms[0].stage",
        "positions[1].stated_on",
        "events[0].quantity",
        "proposals[0].tabling_parties[1]",
    }
    assert "Unknown field" in body["errors"]["negotiation.tabled_om"][0]
    assert _everything() == before


def test_it_answers_every_reference_and_rule_error_at_its_path_and_writes_nothing(editor, named):
    document = small_document()
    document["proposals"][1]["tabling_parties"] = ["Atlantis"]
    document["proposals"][3]["key"] = "r1.p0"  # a duplicate
    document["positions"][0]["proposal"] = {"key": "nowhere"}
    document["positions"][4]["stated_on"] = "2025-01-01"  # before the proposal was tabled
    document["proposals"][2]["terms"][0]["unit"] = ""
    document["proposals"][2]["terms"][0]["quantity"] = 5
    before = _everything()
    response = post(editor, document)
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert 'No party is called "Atlantis"' in errors["proposals[1].tabling_parties[0]"][0]
    assert "already used at proposals[0]" in errors["proposals[3].key"][0]
    assert 'No part of this document has the key "nowhere"' in errors["positions[0].proposal"][0]
    assert "was only tabled on 2025-05-16" in errors["positions[4].stated_on"][0]
    assert "unit" in " ".join(errors["proposals[2].terms[0]"]) or errors.get(
        "proposals[2].terms[0].unit"
    )
    assert _everything() == before


def test_an_error_in_the_last_proposal_leaves_nothing_of_the_first(editor, named):
    document = round_document(1)
    document["proposals"][-1]["kind"] = "ceasefire"
    document["proposals"][-1]["required_parties"] = ["United States"]  # only an observer...
    document["negotiation"]["participants"].pop()  # ...and now no participant at all
    before = _everything()
    response = post(editor, document)
    assert response.status_code == 400, response.json()
    assert set(response.json()["errors"]) == {"proposals[12].required_parties"}
    assert _everything() == before
    assert not Proposal.objects.exists()


def test_a_dry_run_answers_what_would_be_created_and_writes_nothing(editor, named):
    before = _everything()
    response = post(editor, small_document(), "?dry_run=true")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["dry_run"] is True
    assert body["created"] > 10
    assert all(row["id"] is None for row in body["rows"] if row["result"] == "created")
    assert _everything() == before
    assert post(editor, small_document(), "?dry_run=perhaps").json()["errors"] == {
        "dry_run": ["Give true or false."]
    }


def test_a_dry_run_reports_the_errors_of_a_real_post(editor, named):
    document = small_document()
    document["positions"][0]["stance"] = "withdraws"  # not the tabling party
    document["positions"][0]["party"] = "ukraine"
    response = post(editor, document, "?dry_run=1")
    assert response.status_code == 400
    assert "positions[0].stance" in response.json()["errors"]


def test_parties_and_sources_are_found_by_every_natural_key(editor, named):
    ukraine_acled = "government of ukraine (2019-)"
    document = {
        "negotiation": {
            "title": "Natural keys",
            "participants": [
                {"party": "MOSCOW", "roles": ["principal"]},  # an alias, any case
                {"party": "Q212", "roles": ["principal"]},  # a Wikidata id
                {"party": "Turkiye", "roles": ["mediator"]},  # accents ignored
                {"party": "Q30", "roles": ["observer"]},
            ],
        },
        "round": {
            "number": 1,
            "starts_on": "2025-05-16",
            "sources": [
                "HTTPS://News.Example.ORG:443/first"  # the source below, spelled otherwise
            ],
        },
        "sources": [{"key": "s", "url": "https://news.example.org/first", "title": "First"}],
        "proposals": [
            {
                "key": "p",
                "title": "Truce",
                "kind": "ceasefire",
                "tabling_parties": ["57", ukraine_acled],
            }
        ],  # UCDP id, ACLED name
        "positions": [
            {
                "party": "kyiv",
                "proposal": {"key": "p"},
                "stance": "accepts",
                "stated_on": "2025-05-17",
                "source": "https://news.example.org/first",
            }
        ],
    }
    response = post(editor, document)
    assert response.status_code == 201, response.json()
    negotiation = Negotiation.objects.get(title="Natural keys")
    assert set(
        Participation.objects.filter(negotiation=negotiation).values_list("party__slug", flat=True)
    ) == {"russia", "ukraine", "turkiye", "united-states"}
    assert Source.objects.count() == 1
    assert list(Round.objects.get().sources.all()) == [Source.objects.get()]
    truce = Proposal.objects.get(title="Truce")
    assert truce.tabling_party_list() == [named["ru"], named["ua"]]
    assert Position.objects.get(stance="accepts").source == Source.objects.get()
    # Known by URL, a source of an earlier document is reused, not created again.
    again = {**document, "sources": [], "round": {"number": 1}}
    assert post(editor, again).status_code == 200


def test_a_name_that_fits_two_parties_is_an_error_listing_both(editor, named):
    party_create(name="Republic of the Congo", slug="congo-brazzaville", aliases=["Congo"])
    party_create(name="Democratic Republic of the Congo", slug="drc", aliases=["Congo"])
    document = small_document()
    participants = document["negotiation"]["participants"]
    participants.append({"party": "DRC", "roles": ["observer"]})  # a slug is exact
    participants.append({"party": "congo", "roles": ["observer"]})
    before = _everything()
    response = post(editor, document)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"negotiation.participants[5].party"}
    message = errors["negotiation.participants[5].party"][0]
    assert "Democratic Republic of the Congo (slug drc," in message
    assert "Republic of the Congo (slug congo-brazzaville," in message
    assert _everything() == before


def test_a_matched_row_that_differs_is_a_409_naming_the_difference(editor, named):
    assert post(editor, small_document()).status_code == 201
    document = small_document()
    document["proposals"][1]["kind"] = "humanitarian"
    document["round"]["venue_city"] = "Ankara"
    before = _everything()
    response = post(editor, document)
    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["code"] == "conflict"
    assert set(body["errors"]) == {"proposals[1].kind", "round.venue_city"}
    assert "'Istanbul'" in body["errors"]["round.venue_city"][0]
    assert _everything() == before


def test_a_part_given_twice_in_one_document_is_a_400_naming_the_first(editor, named):
    """Two parts with one natural identity are one row: the second used to be reported as
    `existing` (in a dry run, with the id of a row that was never stored) or, differing,
    as a 409 about a row that is not stored."""
    document = small_document()
    document["proposals"].append({**document["proposals"][0], "key": "again"})
    document["positions"].append(dict(document["positions"][0]))
    document["sources"].append({**document["sources"][0], "key": "again-source"})
    before = _everything()
    for query in ("?dry_run=true", ""):
        response = post(editor, document, query)
        assert response.status_code == 400, response.json()
        errors = response.json()["errors"]
        last = len(document["proposals"]) - 1
        assert "Repeats proposals[0]" in errors[f"proposals[{last}]"][0]
        assert "Repeats positions[0]" in " ".join(
            errors[f"positions[{len(document['positions']) - 1}]"]
        )
        assert any("Repeats sources[0]" in " ".join(m) for m in errors.values())
        assert _everything() == before


def test_only_editors_may_post_an_outcome(named):
    assert post(client_for(None), small_document()).status_code in (401, 403)
    analyst = client_for(make_user("ana", ANALYST))
    response = analyst.post(URL, small_document(), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Proposal.objects.exists()


NEW_ROUND = {"number": 1, "starts_on": "2025-05-16"}


@pytest.mark.parametrize(
    "body",
    [
        [],
        "x",
        None,
        3,
        {"negotiation": []},
        {"negotiation": {"id": 10**30}, "round": {}},
        {"negotiation": {"slug": "none"}, "round": {"number": 1}, "proposals": {"a": 1}},
        {"negotiation": {"slug": "none"}, "round": {"number": 1}},
        {"negotiation": {"title": "New"}, "round": {"number": 1}},
        {"negotiation": {"title": "New"}, "round": NEW_ROUND, "agenda": [{"number": 1}]},
        {"negotiation": {"title": "New"}, "round": NEW_ROUND, "events": [{"term": {"id": 1}}]},
        {
            "negotiation": {"title": "New"},
            "round": NEW_ROUND,
            "delegations": [{"party": "ukraine", "members": [{"person": "x" * 1000}]}],
        },
        {
            "negotiation": {"title": "New"},
            "round": {**NEW_ROUND, "number": 10**6},
            "proposals": [{"title": "T", "kind": "other", "terms": [{"text": "t", "ordinal": -1}]}],
        },
    ],
)
def test_any_body_gets_an_answer_not_a_server_error(editor, named, body):
    response = editor.post(URL, body, format="json")
    assert response.status_code == 400, response.content


def test_the_queries_of_a_document_are_bounded(editor, named):
    with CaptureQueriesContext(connection) as small:
        assert post(editor, round_document(1, proposals=4)).status_code == 201
    other = round_document(1, proposals=13)
    other["negotiation"].update(slug="other-talks", title="Other talks")
    for source in other["sources"]:
        source["url"] += "-other"
    with CaptureQueriesContext(connection) as large:
        assert post(editor, other).status_code == 201
    per_proposal = (len(large) - len(small)) / 9
    print(f"queries: 4 proposals {len(small)}, 13 proposals {len(large)}")
    # Each row goes through its service (validation, history context): linear, bounded.
    assert len(small) < 800
    assert per_proposal < 180


def test_parts_refer_to_earlier_parts_by_key_and_never_to_later_ones(editor, named):
    document = small_document()
    first, second = document["proposals"][0], document["proposals"][2]
    second["terms"][0]["derived_from"] = {"key": first["terms"][0]["key"]}
    delivery = document["events"][0]
    document["events"].append(
        {
            "term": delivery["term"],
            "kind": "dispute",
            "by_party": "ukraine",
            "happened_on": "2025-05-30",
            "reverses": {"key": delivery["key"]},
            "note": "The other side counts fewer.",
        }
    )
    response = post(editor, document)
    assert response.status_code == 201, response.json()
    keys = response.json()["keys"]
    term = Proposal.objects.get(pk=keys[second["key"]]["id"]).terms.get(ordinal=1)
    assert term.derived_from_id == keys[first["terms"][0]["key"]]["id"]
    dispute = ImplementationEvent.objects.get(kind="dispute")
    assert dispute.reverses_id == keys[delivery["key"]]["id"]

    later = small_document()
    later["proposals"][0]["terms"][0]["derived_from"] = {"key": "r1.p2.t0"}
    response = post(editor, later)
    assert response.status_code == 400
    assert (
        "defined further down (proposals[2].terms[0])"
        in (response.json()["errors"]["proposals[0].terms[0].derived_from"][0])
    )


def test_the_audit_history_names_the_editor_who_posted_the_outcome(named):
    user = make_user("audited", EDITOR)
    response = post(client_for(user), small_document())
    assert response.status_code == 201
    proposal = Proposal.objects.order_by("pk").first()
    event = Proposal.pgh_event_model.objects.filter(pgh_obj_id=proposal.pk).first()
    assert event.pgh_context.metadata["user"] == user.pk


def test_one_marking_marks_the_collected_proposals_once_and_nothing_if_it_fails(
    negotiation, parties, enqueues
):
    from proposals.services import proposal_create

    with proposals.staleness.one_marking() as collected:
        one = proposal_create(negotiation=negotiation, title="One", kind="other")
        two = proposal_create(negotiation=negotiation, title="Two", kind="other")
        assert collected == {one.pk, two.pk}
        assert not enqueues
    assert enqueues == [frozenset({one.pk, two.pk})]
    with pytest.raises(RuntimeError), proposals.staleness.one_marking():
        proposal_create(negotiation=negotiation, title="Three", kind="other")
        raise RuntimeError
    assert len(enqueues) == 1
