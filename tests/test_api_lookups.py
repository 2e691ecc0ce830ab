"""A client finds an existing row by its natural key instead of downloading every list to
avoid duplicates: parties and people by exact name or alias (accents and case ignored),
by slug and external ids; sources by URL, spelled any way that normalises the same;
negotiations by slug; rounds by negotiation (id or slug) and number."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps

from negotiations.services import round_create
from parties.services import party_create, person_create
from proposals.models import Source
from proposals.services.sources import normalised_url
from tests.api_support import EDITOR, api_env, client_for, make_user  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]


def found(url: str, query: dict | None = None) -> list[int]:
    response = client_for().get(url, query)
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def ukraine(db):
    return party_create(
        name="Ukraine",
        short_name="Ukraine",
        slug="ukraine",
        aliases=["Kyiv", "Ukrainian government"],
        wikidata_id="Q212",
        ucdp_actor_id=65,
        acled_actor="Military Forces of Ukraine (2019-)",
    )


@pytest.fixture
def others(db):
    return [
        party_create(name="Kyiv Oblast administration", short_name="Kyiv Oblast", slug="kyiv-ob"),
        party_create(name="Republic of Türkiye", short_name="Turkey", aliases=["Türkiye"]),
    ]


@pytest.mark.parametrize(
    "name", ["kyiv", "KYIV", " Kyiv ", "Kyïv", "ukraine", "UKRAINIAN GOVERNMENT"]
)
def test_a_party_is_found_by_its_exact_name_or_alias_in_any_case_and_accents(ukraine, others, name):
    assert found(f"/api/v1/parties/?name={name}") == [ukraine.pk]


def test_a_party_is_found_by_short_name_and_by_an_accented_alias_spelt_without_accents(others):
    turkey = others[1]
    assert found("/api/v1/parties/?name=turkey") == [turkey.pk]
    assert found("/api/v1/parties/?name=TURKIYE") == [turkey.pk]


@pytest.mark.parametrize("part", ["kyi", "ukrainian", "government", "Kyiv Ukrainian"])
def test_a_part_of_a_name_or_of_two_aliases_is_not_a_name(ukraine, others, part):
    assert ukraine.pk not in found(f"/api/v1/parties/?name={part}")


def test_q_finds_the_party_whose_alias_is_kyiv_among_those_that_contain_it(ukraine, others):
    assert set(found("/api/v1/parties/?q=Kyiv")) == {ukraine.pk, others[0].pk}


@pytest.mark.parametrize(
    "query",
    [
        "slug=ukraine",
        "wikidata_id=q212",
        "ucdp_actor_id=65",
        "acled_actor=military forces of ukraine (2019-)",
    ],
)
def test_a_party_is_found_by_slug_and_external_ids(ukraine, others, query):
    assert found(f"/api/v1/parties/?{query}") == [ukraine.pk]


def test_a_person_is_found_by_exact_name_or_alias(ukraine):
    envoy = person_create(name="Sergiy Kyslytsya", party=ukraine, aliases=["Serhiy Kyslytsya"])
    person_create(name="Sergiy Kyslytsya Jr", party=ukraine)
    assert found("/api/v1/people/?name=serhiy kyslytsya") == [envoy.pk]
    assert found("/api/v1/people/?name=SERGIY KYSLYTSYA") == [envoy.pk]
    assert found("/api/v1/people/?name=Kyslytsya") == []


# --------------------------------------------------------------------------- sources


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("HTTPS://Example.ORG:443/a/b/", "https://example.org/a/b"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/", "https://example.org/"),
        (
            "https://example.org/a?utm_source=x&id=3&UTM_Medium=y&fbclid=z",
            "https://example.org/a?id=3",
        ),
        ("https://example.org/a?gclid=1&msclkid=2#part", "https://example.org/a#part"),
        ("https://example.org/A?B=C%20D&b=c+d", "https://example.org/A?B=C%20D&b=c+d"),
        ("https://example.org/a?utm=1&autm_source=2", "https://example.org/a?utm=1&autm_source=2"),
    ],
)
def test_a_url_is_normalised_without_trailing_slash_and_tracking_parameters(sent, stored):
    assert normalised_url(sent) == stored


def test_a_source_is_found_by_its_url_spelt_any_way_that_normalises_the_same():
    editor = client_for(make_user("eddie", EDITOR))
    sent = "https://www.Reuters.com/world/talks/?utm_source=feed&id=7"
    created = editor.post("/api/v1/sources/", {"title": "Talks", "url": sent}, format="json")
    assert created.json()["url"] == "https://www.reuters.com/world/talks?id=7"
    other = Source.objects.create(title="Other", url="https://www.reuters.com/world/other")
    for spelling in (
        "https://www.reuters.com/world/talks?id=7",
        "HTTPS://WWW.REUTERS.COM:443/world/talks/?id=7&fbclid=abc",
    ):
        assert found("/api/v1/sources/", {"url": spelling}) == [created.json()["id"]]
    assert found("/api/v1/sources/", {"url": "https://www.reuters.com/world/talks"}) == []
    assert found("/api/v1/sources/", {"url": "https://www.reuters.com/world/other/"}) == [other.pk]


def test_a_url_differing_only_by_trailing_slash_or_tracking_is_a_duplicate():
    editor = client_for(make_user("eddie", EDITOR))
    first = {"title": "One", "url": "https://example.org/report"}
    assert editor.post("/api/v1/sources/", first, format="json").status_code == 201
    again = {"title": "Two", "url": "https://example.org/report/?utm_campaign=x"}
    response = editor.post("/api/v1/sources/", again, format="json")
    assert response.status_code == 400, response.content
    assert "url" in response.json()["errors"] or "non_field_errors" in response.json()["errors"]
    assert Source.objects.count() == 1


def test_the_migration_drops_trailing_slashes_and_tracking_unless_another_source_has_it(db):
    migration = importlib.import_module("proposals.migrations.0015_normalise_source_urls")
    alone = Source.objects.create(title="Alone", url="https://alone.example/x/?utm_source=a")
    kept = Source.objects.create(title="Kept", url="https://clash.example/a")
    clashing = Source.objects.create(title="Clashing", url="https://clash.example/a/")
    migration.normalise(apps, None)
    alone.refresh_from_db()
    assert (alone.url, alone.version) == ("https://alone.example/x", 2)
    assert Source.objects.get(pk=kept.pk).url == "https://clash.example/a"
    assert Source.objects.get(pk=clashing.pk).url == "https://clash.example/a/"


def test_the_migration_keeps_the_rule_as_it_was_written():
    migration = importlib.import_module("proposals.migrations.0015_normalise_source_urls")
    for url in ("HTTPS://A.example:443/b/?utm_x=1&c=2", "https://a.example", "x"):
        assert migration.normalised_url(url) == normalised_url(url)


# --------------------------------------------------------------------------- negotiations


def test_negotiations_rounds_and_proposals_are_found_by_the_negotiation_slug(demo):
    slug = demo.slug
    assert found(f"/api/v1/negotiations/?slug={slug}") == [demo.pk]
    rounds = found(f"/api/v1/rounds/?negotiation={slug}")
    assert rounds and rounds == found(f"/api/v1/rounds/?negotiation={demo.pk}")
    proposals = found(f"/api/v1/proposals/?negotiation={slug}")
    assert proposals and proposals == found(f"/api/v1/proposals/?negotiation={demo.pk}")
    assert found("/api/v1/proposals/?negotiation=no-such-talks") == []


def test_a_round_is_found_by_negotiation_and_number(negotiation):
    first = round_create(negotiation=negotiation, number=1, starts_on=datetime.date(2025, 5, 16))
    second = round_create(negotiation=negotiation, number=2, starts_on=datetime.date(2025, 6, 2))
    assert found(f"/api/v1/rounds/?negotiation={negotiation.slug}&number=2") == [second.pk]
    assert found(f"/api/v1/rounds/?negotiation={negotiation.pk}&number=1") == [first.pk]
    assert found(f"/api/v1/rounds/?negotiation={negotiation.slug}&number=3") == []


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("negotiation=two words", "Give an id (e.g. 3) or a slug"),
        ("negotiation=%C3%A9", "Give an id (e.g. 3) or a slug"),
        ("number=two", "Must be a whole number, e.g. 3."),
        ("number=%EF%BC%93", "Must be a whole number, e.g. 3."),
    ],
)
def test_a_malformed_natural_key_is_a_400_saying_what_to_give(query, said):
    response = client_for().get(f"/api/v1/rounds/?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert said in response.json()["errors"][name][0]


def test_the_schema_shows_an_example_for_each_lookup(client):
    schema = client.get("/api/schema/?format=json").json()

    def description(path: str, name: str) -> str:
        parameters = schema["paths"][path]["get"]["parameters"]
        return next(p["description"] for p in parameters if p["name"] == name)

    assert "name=kyiv" in description("/api/v1/parties/", "name")
    assert "wikidata_id=Q212" in description("/api/v1/parties/", "wikidata_id")
    assert "url=https://" in description("/api/v1/sources/", "url")
    assert "number=2" in description("/api/v1/rounds/", "number")
    assert "istanbul-2025" in description("/api/v1/proposals/", "negotiation")
