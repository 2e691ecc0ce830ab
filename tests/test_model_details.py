"""Issue 12, point 9: the smaller gaps of the model. Parties carry external identifiers and
are looked up by them; party and people's aliases are searched with accents and case
ignored; a delegation's members carry the title and role held in that round; rounds cite
sources; terms carry a note."""

from __future__ import annotations

import datetime

import pytest

from negotiations.models import DelegationMember, MemberRole
from negotiations.services import delegation_create, round_create
from parties.services import party_create, person_create
from proposals.services import proposal_create, source_create
from tests.api_support import EDITOR, api_env, client_for, etag_of, make_user, rows

__all__ = ["api_env"]

pytestmark = pytest.mark.usefixtures("api_env")


@pytest.fixture
def editor(db):
    return client_for(make_user("eddie", EDITOR))


@pytest.fixture
def reader(db):
    return client_for(None)


# ---------------------------------------------------------------- external identifiers


def test_a_party_is_written_and_found_by_its_external_identifiers(editor, reader):
    created = editor.post(
        "/api/v1/parties/",
        {
            "name": "Ukraine",
            "country_code": "UA",
            "wikidata_id": "q212",
            "ucdp_actor_id": 65,
            "acled_actor": "Military Forces of Ukraine (2019-)",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["wikidata_id"] == "Q212"
    party_create(name="Russia", wikidata_id="Q159", ucdp_actor_id=57)

    for query in (
        "wikidata_id=Q212",
        "wikidata_id=q212",
        "ucdp_actor_id=65",
        "acled_actor=military forces of ukraine (2019-)",
        "country_code=UA",
    ):
        assert [p["name"] for p in rows(reader.get(f"/api/v1/parties/?{query}"))] == ["Ukraine"]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("wikidata_id", "212", "Q followed by digits"),
        ("wikidata_id", "Q159", "already exists"),
        ("ucdp_actor_id", 57, "already exists"),
        ("ucdp_actor_id", -1, ""),
    ],
)
def test_a_bad_or_taken_identifier_is_a_400_naming_it_and_nothing_is_written(
    editor, field, value, words
):
    party_create(name="Russia", wikidata_id="Q159", ucdp_actor_id=57)
    response = editor.post("/api/v1/parties/", {"name": "X", field: value}, format="json")
    assert response.status_code == 400, response.content
    assert words in str(response.json())
    assert field in str(response.json())
    assert rows(editor.get("/api/v1/parties/?q=X")) == []


def test_a_malformed_identifier_query_is_a_400(reader, db):
    response = reader.get("/api/v1/parties/?ucdp_actor_id=sixty")
    assert response.status_code == 400
    assert "ucdp_actor_id" in str(response.json())


# ---------------------------------------------------------------- aliases, accents ignored


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("turkiye", ["Republic of Türkiye"]),
        ("TÜRKIYE", ["Republic of Türkiye"]),
        ("Turkey", ["Republic of Türkiye"]),  # an alias
        ("kyiv", ["Ukraine"]),  # an alias, as a part of it
        ("Moskva", []),
    ],
)
def test_parties_are_found_by_name_or_alias_with_accents_and_case_ignored(reader, db, query, found):
    party_create(name="Republic of Türkiye", short_name="Türkiye", aliases=["Turkey"])
    party_create(name="Ukraine", aliases=["Kyiv government"])
    party_create(name="Russia", aliases=["Russian Federation"])
    assert [p["name"] for p in rows(reader.get(f"/api/v1/parties/?q={query}"))] == found


def test_people_are_found_by_alias_with_accents_ignored(reader, db):
    ukraine = party_create(name="Ukraine")
    person_create(name="Volodymyr Zelenskyy", party=ukraine, aliases=["Zelensky", "Зеленський"])
    person_create(name="Rustem Umerov", party=ukraine)
    for query in ("zelensky", "ZELENSKÝ", "зеленський", "Volodymyr"):
        found = rows(reader.get(f"/api/v1/people/?q={query}"))
        assert [p["name"] for p in found] == ["Volodymyr Zelenskyy"], query
        assert found[0]["aliases"] == ["Zelensky", "Зеленський"]


def test_aliases_are_trimmed_and_kept_once(editor, db):
    response = editor.post(
        "/api/v1/parties/",
        {"name": "Ukraine", "aliases": [" Kyiv ", "Kyiv", "Ukrainian government"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["aliases"] == ["Kyiv", "Ukrainian government"]


# ---------------------------------------------------------------- delegation members


@pytest.fixture
def delegation(negotiation, parties):
    round_ = round_create(negotiation=negotiation, number=1, starts_on=datetime.date(2025, 6, 2))
    umerov = person_create(name="Rustem Umerov", party=parties["ua"], title="Secretary of the NSDC")
    return delegation_create(round=round_, party=parties["ua"], members=[umerov])


def test_members_given_as_ids_become_memberships(delegation):
    (member,) = DelegationMember.objects.filter(delegation=delegation)
    assert member.person.name == "Rustem Umerov"
    assert member.role == MemberRole.MEMBER


def test_a_member_carries_the_title_and_role_held_in_that_round(editor, delegation, parties):
    (member,) = DelegationMember.objects.filter(delegation=delegation)
    url = f"/api/v1/delegation-members/{member.pk}/"
    current = editor.get(url)
    changed = editor.patch(
        url,
        {"title": "Defence Minister", "role": "head"},
        format="json",
        HTTP_IF_MATCH=etag_of(current),
    )
    assert changed.status_code == 200, changed.content
    stale = editor.patch(url, {"title": "X"}, format="json", HTTP_IF_MATCH=etag_of(current))
    assert stale.status_code == 412

    detail = editor.get(f"/api/v1/rounds/{delegation.round_id}/").json()
    (brief,) = detail["delegations"]
    assert brief["members"] == [
        {
            "id": member.person_id,
            "name": "Rustem Umerov",
            "title": "Defence Minister",
            "role": "head",
        }
    ]
    # The person's own title is the current one, untouched by the round's.
    assert editor.get(f"/api/v1/people/{member.person_id}/").json()["title"] == (
        "Secretary of the NSDC"
    )


def test_a_member_of_another_party_or_twice_is_refused(editor, delegation, parties):
    medinsky = person_create(name="Vladimir Medinsky", party=parties["ru"])
    umerov = DelegationMember.objects.get(delegation=delegation).person
    for person, words in ((medinsky, "belongs to"), (umerov, "already in this delegation")):
        response = editor.post(
            "/api/v1/delegation-members/",
            {"delegation": delegation.pk, "person": person.pk, "role": "member"},
            format="json",
        )
        assert response.status_code == 400, response.content
        assert words in str(response.json())
    assert DelegationMember.objects.filter(delegation=delegation).count() == 1


def test_the_round_page_shows_each_members_title_and_role(client, delegation):
    DelegationMember.objects.filter(delegation=delegation).update(
        title="Defence Minister", role=MemberRole.HEAD
    )
    round_ = delegation.round
    page = client.get(f"/negotiations/{round_.negotiation.slug}/rounds/{round_.number}/")
    assert page.status_code == 200
    assert (
        'Rustem Umerov (Defence Minister) <span class="small muted">head of delegation</span>'
        in (page.content.decode())
    )


# ---------------------------------------------------------------- round sources, term notes


def test_a_round_cites_its_sources(editor, negotiation, client):
    source = source_create(title="Talks in Istanbul", url="https://example.org/istanbul")
    created = editor.post(
        "/api/v1/rounds/",
        {
            "negotiation": negotiation.pk,
            "number": 2,
            "starts_on": "2025-06-02",
            "sources": [source.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["sources"] == [source.pk]
    assert editor.get(f"/api/v1/rounds/{created.json()['id']}/").json()["sources"] == [source.pk]
    page = client.get(f"/negotiations/{negotiation.slug}/rounds/2/")
    assert 'href="https://example.org/istanbul"' in page.content.decode()

    unknown = editor.patch(
        f"/api/v1/rounds/{created.json()['id']}/",
        {"sources": [source.pk + 1000]},
        format="json",
        HTTP_IF_MATCH=etag_of(created),
    )
    assert unknown.status_code == 400
    assert "sources" in unknown.json()["errors"] or "sources" in str(unknown.json())


def test_a_term_carries_a_note(editor, negotiation, parties, client):
    proposal = proposal_create(negotiation=negotiation, title="Exchange", kind="exchange")
    created = editor.post(
        "/api/v1/terms/",
        {"proposal": proposal.pk, "text": "All for all", "note": "Paraphrased by TASS."},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["note"] == "Paraphrased by TASS."
    detail = editor.get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert detail["terms"][0]["note"] == "Paraphrased by TASS."
    assert "Paraphrased by TASS." in client.get(f"/proposals/{proposal.pk}/").content.decode()


def test_the_search_page_finds_parties_and_people_by_alias_with_accents_ignored(client, db):
    turkiye = party_create(name="Republic of Türkiye", short_name="Türkiye", aliases=["Turkey"])
    person_create(name="Hakan Fidan", party=turkiye, aliases=["Hakan Fıdan"])
    page = client.get("/search/?q=turkiye").content.decode()
    assert '<a href="/parties/turkiye/">Republic of Türkiye</a>' in page
    assert "1 result for" in page
    assert "Hakan Fidan" not in page
    page = client.get("/search/?q=fidan").content.decode()
    assert "Hakan Fidan" in page and "Republic of Türkiye" in page
