"""The API takes its input strictly (negotiations/api/fields.py): ids are whole numbers, lists
are JSON arrays without repeats and of a bounded length, dates are YYYY-MM-DD in a sane
range, If-Match compares strongly, source URLs are compared normalised, and names in any
script get a slug."""

import ast
import importlib
import inspect

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from negotiations.api.fields import MAX_ITEMS
from negotiations.models import Negotiation
from parties.models import Party, Person
from proposals.api.proposals import ProposalSerializer
from proposals.models import Proposal, Source
from proposals.services import source_create
from tests.api_support import (
    EDITOR,
    api_env,  # noqa: F401
    client_for,
    etag_of,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]
DAY = "2025-06-02"


@pytest.fixture
def editor():
    return client_for(make_user("eddie", EDITOR))


@pytest.fixture
def sources(db):
    return [source_create(title=f"Report {n}") for n in range(3)]


def errors_of(response, field):
    assert response.status_code == 400, response.content
    return " ".join(response.json()["errors"][field])


def table(editor, negotiation, parties, **fields):
    payload = {
        "negotiation": negotiation.pk,
        "tabled_by": parties["ua"].pk,
        "title": "Unconditional ceasefire",
        "kind": "ceasefire",
        "tabled_on": DAY,
        **fields,
    }
    return editor.post("/api/v1/proposals/", payload, format="json")


# --------------------------------------------------------------------------- ids


@pytest.mark.parametrize("sent", [1.5, 1.0, True, "１", " 1", "1e0", [1], {"id": 1}])
def test_an_id_must_be_a_whole_number(parties, editor, sent):
    party = parties["ru"].pk
    value = party + 0.5 if sent == 1.5 else float(party) if sent == 1.0 else sent
    response = editor.post("/api/v1/people/", {"name": "Envoy", "party": value}, format="json")
    message = errors_of(response, "party")
    assert "whole number (an id)" in message
    assert "bool" not in message and "float" not in message
    assert not Person.objects.exists()


def test_a_decimal_id_is_refused_rather_than_rounded_down(parties, editor):
    response = editor.post(
        "/api/v1/people/", {"name": "Envoy", "party": parties["ru"].pk + 0.5}, format="json"
    )
    assert "whole number (an id), e.g. 3; a decimal number was sent" in errors_of(response, "party")
    assert not Person.objects.exists()


def test_an_id_sent_as_a_string_of_digits_is_still_taken(parties, editor):
    response = editor.post(
        "/api/v1/people/", {"name": "Envoy", "party": str(parties["ru"].pk)}, format="json"
    )
    assert response.status_code == 201, response.content
    assert Person.objects.get().party == parties["ru"]


def test_an_unknown_id_is_named_in_plain_words(editor):
    response = editor.post("/api/v1/people/", {"name": "Envoy", "party": 99999999}, format="json")
    assert errors_of(response, "party") == "There is no party 99999999."


@pytest.mark.parametrize(
    "query", ["party=1.0", "party=１", "party=1e0", "id=1,２", "proposal=1.5", "from_proposal=-1"]
)
def test_an_id_in_a_query_string_must_be_ascii_digits(client, query):
    path = "proposal-links" if "proposal" in query else "people"
    response = client.get(f"/api/v1/{path}/?{query}")
    assert response.status_code == 400, response.content
    assert "whole number (an id)" in str(response.json()["errors"])


def test_an_id_in_a_query_string_filters(parties, client):
    Person.objects.create(name="Envoy", party=parties["ru"])
    response = client.get(
        f"/api/v1/people/?party={parties['ru'].pk}&id=1,2,{Person.objects.get().pk}"
    )
    assert [p["name"] for p in response.json()["results"]] == ["Envoy"]


# --------------------------------------------------------------------------- lists


@pytest.mark.parametrize("sent", [{}, "1", 1, None])
def test_a_list_of_ids_must_be_a_json_array(negotiation, parties, sources, editor, sent):
    if sent == "1":
        sent = str(sources[0].pk)
    response = table(editor, negotiation, parties, sources=sent)
    assert response.status_code == 400, response.content
    assert not Proposal.objects.exists()


def test_an_object_is_not_taken_as_the_list_of_its_keys(negotiation, parties, sources, editor):
    response = table(editor, negotiation, parties, sources={str(sources[0].pk): 1})
    assert (
        errors_of(response, "sources") == "Must be a list of ids, e.g. [1, 2]; an object was sent."
    )
    assert not Proposal.objects.exists()


def test_a_list_naming_an_id_twice_is_refused(negotiation, parties, sources, editor):
    pk = sources[1].pk
    response = table(editor, negotiation, parties, sources=[sources[0].pk, pk, pk])
    assert errors_of(response, "sources") == f"Lists source {pk} twice; list each once."
    assert not Proposal.objects.exists()


def test_ten_thousand_repeated_ids_are_refused_without_a_query_each(
    negotiation, parties, sources, editor
):
    with CaptureQueriesContext(connection) as queries:
        response = table(editor, negotiation, parties, sources=[sources[0].pk] * 10_000)
    assert f"List at most {MAX_ITEMS} sources; this lists 10000." in errors_of(response, "sources")
    assert len(queries) < 20


def test_a_list_of_ids_is_read_in_one_query_and_kept_in_its_order(
    sources, django_assert_num_queries
):
    field = ProposalSerializer().fields["sources"]
    ids = [sources[2].pk, sources[0].pk, sources[1].pk]
    with django_assert_num_queries(1):
        found = field.run_validation(ids)
    assert [s.pk for s in found] == ids


def test_a_list_with_an_unknown_id_names_it(sources):
    field = ProposalSerializer().fields["sources"]
    with pytest.raises(Exception, match="There is no source 99999999"):
        field.run_validation([sources[0].pk, 99999999])


def test_a_list_of_values_must_be_a_json_array_of_bounded_length(editor):
    response = editor.post("/api/v1/parties/", {"name": "Atlantis", "aliases": {}}, format="json")
    assert errors_of(response, "aliases") == 'Must be a list, e.g. ["a", "b"]; an object was sent.'
    many = [f"Alias {n}" for n in range(MAX_ITEMS + 1)]
    response = editor.post("/api/v1/parties/", {"name": "Atlantis", "aliases": many}, format="json")
    assert f"at most {MAX_ITEMS} items" in errors_of(response, "aliases")
    assert not Party.objects.filter(name="Atlantis").exists()


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("sent", ["20250601", "２０２５-０６-０１", "2025-6-1", 20250601, ""])
def test_a_date_must_be_yyyy_mm_dd_in_ascii_digits(negotiation, parties, editor, sent):
    response = table(editor, negotiation, parties, tabled_on=sent)
    assert "YYYY-MM-DD" in errors_of(response, "tabled_on")
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("sent", "kind"),
    [(0, "a number"), ([], "a list"), ({}, "an object"), (False, "true/false"), ("", "empty text")],
)
def test_a_date_of_another_kind_is_refused_saying_what_was_sent(
    negotiation, parties, editor, sent, kind
):
    response = table(editor, negotiation, parties, tabled_on=sent)
    assert errors_of(response, "tabled_on").endswith(f"; {kind} was sent.")


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_a_date_outside_the_sane_range_is_refused(negotiation, parties, editor, day):
    proposal = table(editor, negotiation, parties).json()
    response = editor.post(
        "/api/v1/terms/",
        {"proposal": proposal["id"], "text": "Withdrawal", "category": "military", "due_on": day},
        format="json",
    )
    message = errors_of(response, "due_on")
    assert message == f"{day} is out of range: dates run from 1900-01-01 to 2100-12-31."
    response = editor.post(
        "/api/v1/positions/",
        {
            "party": parties["ru"].pk,
            "proposal": proposal["id"],
            "stance": "rejects",
            "stated_on": day,
        },
        format="json",
    )
    assert "out of range" in errors_of(response, "stated_on")


def test_the_schema_states_the_date_rule(client):
    schema = client.get("/api/schema/?format=json").json()
    tabled_on = schema["components"]["schemas"]["Proposal"]["properties"]["tabled_on"]
    assert "1900-01-01 to 2100-12-31" in tabled_on["description"]


# --------------------------------------------------------------------------- If-Match


@pytest.fixture
def proposal(negotiation, parties, editor):
    response = table(editor, negotiation, parties)
    assert response.status_code == 201, response.content
    return response


def test_a_weak_etag_never_matches_a_write(proposal, editor):
    url = f"/api/v1/proposals/{proposal.json()['id']}/"
    response = editor.patch(url, {"title": "Changed"}, format="json", HTTP_IF_MATCH='W/"v1"')
    assert response.status_code == 412
    assert "weak ETag" in response.json()["detail"]
    assert Proposal.objects.get().title == "Unconditional ceasefire"


def test_a_strong_etag_beside_a_weak_one_still_matches(proposal, editor):
    url = f"/api/v1/proposals/{proposal.json()['id']}/"
    tags = f'W/"v1", {etag_of(proposal)}'
    response = editor.patch(url, {"title": "Changed"}, format="json", HTTP_IF_MATCH=tags)
    assert response.status_code == 200, response.content


def test_a_version_in_other_digits_is_not_an_etag(proposal, editor):
    url = f"/api/v1/proposals/{proposal.json()['id']}/"
    response = editor.patch(url, {"title": "Changed"}, format="json", HTTP_IF_MATCH='"v١"')
    assert "If-Match" in response.json()["errors"]
    assert Proposal.objects.get().title == "Unconditional ceasefire"


def test_if_match_star_is_refused_saying_why(proposal, editor):
    url = f"/api/v1/proposals/{proposal.json()['id']}/"
    response = editor.patch(url, {"title": "Changed"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 428
    assert "matches any version" in response.json()["detail"]


# --------------------------------------------------------------------------- source URLs


@pytest.mark.parametrize(
    "spelling",
    ["HTTPS://Example.ORG/memo", "https://EXAMPLE.org:443/memo", "https://example.org:443/memo"],
)
def test_a_url_differing_only_in_case_of_host_or_default_port_is_a_duplicate(editor, spelling):
    source_create(title="Memorandum", url="https://example.org/memo")
    response = editor.post("/api/v1/sources/", {"title": "Again", "url": spelling}, format="json")
    assert "already recorded" in str(response.json()["errors"])
    assert Source.objects.count() == 1


def test_a_url_is_stored_normalised_on_create_and_update(editor):
    created = editor.post(
        "/api/v1/sources/", {"title": "Memo", "url": "HTTP://Example.ORG:80"}, format="json"
    )
    assert created.json()["url"] == "http://example.org/"
    url = f"/api/v1/sources/{created.json()['id']}/"
    changed = editor.patch(
        url,
        {"url": "https://Example.org:8443/A?B=C"},
        format="json",
        HTTP_IF_MATCH=etag_of(created),
    )
    assert changed.json()["url"] == "https://example.org:8443/A?B=C"


def test_the_migration_normalises_stored_urls_unless_another_source_has_that_spelling(db):
    migration = importlib.import_module("proposals.migrations.0004_normalise_source_urls")
    alone = Source.objects.create(title="Alone", url="https://Alone.example/x")
    kept = Source.objects.create(title="Kept", url="https://clash.example/")
    clashing = Source.objects.create(title="Clashing", url="HTTPS://CLASH.example")
    migration.normalise(apps, None)
    alone.refresh_from_db()
    assert (alone.url, alone.version) == ("https://alone.example/x", 2)
    assert Source.objects.get(pk=kept.pk).url == "https://clash.example/"
    assert Source.objects.get(pk=clashing.pk).url == "HTTPS://CLASH.example"


def test_the_migration_keeps_its_own_copy_of_the_rule():
    migration = importlib.import_module("proposals.migrations.0004_normalise_source_urls")
    imported = {
        node.module.partition(".")[0]
        for node in ast.walk(ast.parse(inspect.getsource(migration)))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not imported & {"negotiations", "parties", "proposals"}


def test_the_migration_leaves_a_url_whose_normalised_spelling_would_not_fit(db):
    migration = importlib.import_module("proposals.migrations.0004_normalise_source_urls")
    longest = Source._meta.get_field("url").max_length
    full = Source.objects.create(title="Full", url="HTTPS://" + "a" * (longest - 8))
    two = [
        Source.objects.create(title=f"Twin {n}", url=f"HTTPS://Twin.example:{p}/")
        for n, p in enumerate(["443", ""])
    ]
    migration.normalise(apps, None)
    assert Source.objects.get(pk=full.pk).url == full.url
    assert sorted(
        Source.objects.filter(pk__in=[t.pk for t in two]).values_list("url", flat=True)
    ) == [
        "HTTPS://Twin.example:/",
        "https://twin.example/",
    ]


# --------------------------------------------------------------------------- slugs


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Україна", "ukraina"),
        ("حماس", "hms"),
        ("中国", "zhongguo"),
        ("Türkiye", "turkiye"),
        ("!!! ???", "party"),
    ],
)
def test_a_party_named_in_any_script_gets_a_slug_its_page_answers_to(editor, client, name, slug):
    response = editor.post("/api/v1/parties/", {"name": name}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == slug
    assert client.get(f"/parties/{slug}/").status_code == 200


def test_a_taken_slug_gets_a_number(editor):
    slugs = [
        editor.post("/api/v1/parties/", {"name": name}, format="json").json()["slug"]
        for name in ("Україна", "Ukraina", "UKRAINA!", "?", "¿")
    ]
    assert slugs == ["ukraina", "ukraina-2", "ukraina-3", "party", "party-2"]


def test_a_negotiation_titled_in_another_script_gets_a_slug(editor, client):
    response = editor.post(
        "/api/v1/negotiations/", {"title": "Переговори в Стамбулі"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "peregovori-v-stambuli"
    assert Negotiation.objects.get().slug == "peregovori-v-stambuli"
    assert client.get("/negotiations/peregovori-v-stambuli/").status_code == 200


def test_a_negotiation_titled_like_another_gets_a_numbered_slug(editor):
    slugs = [
        editor.post("/api/v1/negotiations/", {"title": title}, format="json").json()["slug"]
        for title in ("Istanbul talks", "Istanbul Talks!", "Talks Переговори")
    ]
    assert slugs == ["istanbul-talks", "istanbul-talks-2", "talks-peregovori"]


@pytest.mark.parametrize(
    "query",
    ["negotiation=", "updated_since=", "status=", "id=", "q=", "as_of="],
)
def test_a_parameter_sent_empty_is_refused_not_ignored(demo, query):
    one = "" if query != "as_of=" else f"{Proposal.objects.first().pk}/"
    response = client_for().get(f"/api/v1/proposals/{one}?{query}")
    assert response.status_code == 400, response.content
    name = query.rstrip("=")
    assert response.json()["errors"][name] == ["Empty: give a value, or leave the parameter out."]


# --------------------------------------------------------------------------- unknown fields


def test_a_misspelt_field_is_named_not_dropped_and_nothing_is_written(editor):
    response = editor.post(
        "/api/v1/sources/",
        {"title": "Round report", "url": "https://example.org/r", "publsher": "Reuters"},
        format="json",
    )
    assert "Unknown field" in errors_of(response, "publsher")  # named by its key
    assert "publisher" in errors_of(response, "publsher")  # and what it takes instead
    assert not Source.objects.filter(title="Round report").exists()


def test_a_misspelt_field_in_a_patch_is_named_and_nothing_changes(sources, editor):
    url = f"/api/v1/sources/{sources[0].pk}/"
    tag = etag_of(editor.get(url))
    response = editor.patch(url, {"titel": "Changed"}, format="json", HTTP_IF_MATCH=tag)
    assert "Unknown field" in errors_of(response, "titel")
    sources[0].refresh_from_db()
    assert sources[0].title == "Report 0"


def test_read_only_fields_sent_back_as_read_are_ignored(sources, editor):
    url = f"/api/v1/sources/{sources[0].pk}/"
    read = editor.get(url)
    body = {**read.json(), "title": "Corrected"}
    response = editor.patch(url, body, format="json", HTTP_IF_MATCH=etag_of(read))
    assert response.status_code == 200, response.content
    sources[0].refresh_from_db()
    assert sources[0].title == "Corrected"
