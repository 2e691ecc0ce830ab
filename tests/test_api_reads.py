"""Reads: every resource, the nested proposal/round/negotiation reads, as_of, the matrix."""

import pytest

from proposals.models import Proposal, Term
from tests.api_support import (
    api_env,  # noqa: F401
    client_for,
    rows,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_once", "api_env")]

RESOURCES = [
    "parties",
    "people",
    "negotiations",
    "participations",
    "rounds",
    "delegations",
    "sources",
    "proposals",
    "proposal-links",
    "terms",
    "positions",
    "implementation-events",
    "status-changes",
]


@pytest.fixture
def anonymous():
    return client_for(None)


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_resource_lists_and_shows_its_items(anonymous, demo, resource):
    listing = anonymous.get(f"/api/v1/{resource}/")
    assert listing.status_code == 200
    assert listing["Content-Type"] == "application/json"
    body = listing.json()
    assert set(body) == {"count", "next", "results"}
    if body["results"]:
        first = body["results"][0]
        assert {"id", "changed_at"} <= set(first)
        detail = anonymous.get(f"/api/v1/{resource}/{first['id']}/")
        assert detail.status_code == 200
        assert detail.json()["id"] == first["id"]


def test_the_proposal_detail_carries_terms_stances_links_and_sources(anonymous, demo):
    memorandum = Proposal.objects.get(kind="memorandum")
    body = anonymous.get(f"/api/v1/proposals/{memorandum.pk}/").json()
    assert body["status"] == "rejected"
    assert body["status_freshness"] == "current"
    assert body["status_computed_at"] is not None
    assert body["as_of"] is None
    assert len(body["terms"]) == memorandum.terms.count()
    names = {p["id"]: p["short_name"] for p in body["parties"]}
    assert sorted(names[i] for i in body["consent_parties"]) == ["Russia", "Ukraine"]
    term = body["terms"][0]
    assert {"status", "status_reason", "option_group", "option", "quantity", "delivered"} <= set(
        term
    )
    stances = {names[s["party"]]: s for s in term["stances"]}
    assert stances["Ukraine"]["stance"] == "rejects"
    assert stances["Ukraine"]["position"] is not None
    assert any(t["option_group"] for t in body["terms"])
    assert body["cited_sources"] and body["cited_sources"][0]["title"]
    assert body["links"] == []


def test_a_stale_proposal_says_it_is_being_recomputed(anonymous, demo):
    memorandum = Proposal.objects.get(kind="memorandum")
    Proposal.objects.filter(pk=memorandum.pk).update(status_stale=True)
    body = anonymous.get(f"/api/v1/proposals/{memorandum.pk}/").json()
    assert (body["status_stale"], body["status_freshness"]) == (True, "recomputing")


def test_as_of_a_day_before_the_round_nothing_was_tabled_yet(anonymous, demo):
    # Issue 12 point 10: before its tabling day a proposal is `not_tabled`, never "open".
    memorandum = Proposal.objects.get(kind="memorandum")
    body = anonymous.get(f"/api/v1/proposals/{memorandum.pk}/?as_of=2025-06-01").json()
    assert body["as_of"] == "2025-06-01"
    assert body["status"] == "not_tabled"
    assert {t["status"] for t in body["terms"]} == {"not_tabled"}
    assert all(s["stance"] in (None, "proposes") for s in body["stances"])
    on_the_day = anonymous.get(f"/api/v1/proposals/{memorandum.pk}/?as_of=2025-06-02").json()
    assert on_the_day["status"] == "rejected"


def test_as_of_uses_the_engine_not_the_stored_status(anonymous, demo):
    memorandum = Proposal.objects.get(kind="memorandum")
    Proposal.objects.filter(pk=memorandum.pk).update(status="agreed")
    Term.objects.filter(proposal=memorandum).update(status="agreed")
    stored = anonymous.get(f"/api/v1/proposals/{memorandum.pk}/").json()
    assert stored["status"] == "agreed"
    computed = anonymous.get(f"/api/v1/proposals/{memorandum.pk}/?as_of=2025-06-03").json()
    assert computed["status"] == "rejected"


def test_a_bad_as_of_is_a_400_naming_the_parameter(anonymous, demo):
    response = anonymous.get(f"/api/v1/negotiations/{demo.pk}/?as_of=June")
    assert response.status_code == 400
    assert "as_of" in response.json()["errors"]


def test_the_round_carries_its_delegations_and_its_proposals_statuses(anonymous, demo):
    round_id = demo.rounds.get().pk
    body = anonymous.get(f"/api/v1/rounds/{round_id}/").json()
    assert {d["party"]["short_name"] for d in body["delegations"]} >= {"Russia", "Ukraine"}
    statuses = {p["title"]: p["status"] for p in body["proposals"]}
    assert statuses["Russian memorandum on a settlement"] == "rejected"
    assert body["status_summary"]["proposals"]["total"] == len(body["proposals"])
    before = anonymous.get(f"/api/v1/rounds/{round_id}/?as_of=2025-06-01").json()
    assert {p["status"] for p in before["proposals"]} == {"not_tabled"}  # issue 12, point 10
    assert before["as_of"] == "2025-06-01"


def test_the_negotiation_carries_participations_and_its_summary_as_of_a_day(anonymous, demo):
    body = anonymous.get(f"/api/v1/negotiations/{demo.pk}/").json()
    roles = {p["party"]["short_name"]: p["roles"] for p in body["participations"]}
    assert roles["Russia"] == ["principal"]
    assert body["status_summary"]["proposals"]["by_status"]["rejected"] == 2
    before = anonymous.get(f"/api/v1/negotiations/{demo.pk}/?as_of=2025-06-01").json()
    assert before["status_summary"]["terms"]["agreed"] == 0


def test_the_matrix_has_a_cell_per_party_and_column(anonymous, demo):
    body = anonymous.get(f"/api/v1/negotiations/{demo.pk}/matrix/").json()
    assert len(body["cells"]) == len(body["parties"]) * len(body["columns"])
    memorandum = Proposal.objects.get(kind="memorandum")
    ukraine = next(p["id"] for p in body["parties"] if p["slug"] == "ukraine")
    cell = next(
        c
        for c in body["cells"]
        if c["party"] == ukraine and c["proposal"] == memorandum.pk and c["term"] is None
    )
    assert (cell["stance"], cell["consent"]) == ("rejects", True)
    proposals_only = anonymous.get(f"/api/v1/negotiations/{demo.pk}/matrix/?terms=false").json()
    assert all(c["term"] is None for c in proposals_only["columns"])
    earlier = anonymous.get(f"/api/v1/negotiations/{demo.pk}/matrix/?as_of=2025-05-20").json()
    assert all(c["stance"] is None for c in earlier["cells"])
    assert anonymous.get("/api/v1/negotiations/999999/matrix/").status_code == 404


# --------------------------------------------------------------------------- filters


def test_lists_filter_by_their_natural_keys(anonymous, demo):
    rejects = rows(anonymous.get("/api/v1/positions/?stance=rejects"))
    assert rejects and {p["stance"] for p in rejects} == {"rejects"}
    several = rows(anonymous.get("/api/v1/positions/?stance=rejects&stance=accepts"))
    assert {p["stance"] for p in several} == {"rejects", "accepts"}
    memorandum = Proposal.objects.get(kind="memorandum")
    terms = rows(anonymous.get(f"/api/v1/terms/?proposal={memorandum.pk}&limit=500"))
    assert len(terms) == memorandum.terms.count()
    rejected = rows(anonymous.get("/api/v1/proposals/?status=rejected"))
    assert {p["status"] for p in rejected} == {"rejected"}
    by_kind = rows(anonymous.get("/api/v1/proposals/?kind=memorandum"))
    assert [p["id"] for p in by_kind] == [memorandum.pk]
    assert rows(anonymous.get(f"/api/v1/rounds/?negotiation={demo.pk}"))
    assert rows(anonymous.get("/api/v1/rounds/?negotiation=999999")) == []
    ranged = rows(
        anonymous.get("/api/v1/positions/?stated_on_after=2025-06-02&stated_on_before=2025-06-02")
    )
    assert len(ranged) == len(rows(anonymous.get("/api/v1/positions/?limit=500")))
    assert rows(anonymous.get("/api/v1/positions/?stated_on_before=2025-06-01")) == []
    level = rows(anonymous.get("/api/v1/positions/?level=term"))
    assert all(p["term"] is not None for p in level)
    ukraine = rows(anonymous.get("/api/v1/parties/?slug=ukraine"))
    assert [p["short_name"] for p in ukraine] == ["Ukraine"]
    ids = [p["id"] for p in rows(anonymous.get("/api/v1/parties/"))][:2]
    picked = rows(anonymous.get(f"/api/v1/parties/?id={ids[0]},{ids[1]}"))
    assert sorted(p["id"] for p in picked) == sorted(ids)


def test_q_searches_titles_texts_and_quotes_in_full_text(anonymous, demo):
    found = rows(anonymous.get("/api/v1/proposals/?q=exchanges"))
    assert {p["kind"] for p in found} >= {"exchange"}
    assert rows(anonymous.get("/api/v1/proposals/?q=zebra")) == []
    terms = rows(anonymous.get("/api/v1/terms/?q=neutrality"))
    assert terms and all("neutral" in t["text"].lower() for t in terms)


def test_bad_filter_values_are_400s_naming_the_parameter(anonymous, demo):
    for query, name in [
        ("stance=maybe", "stance"),
        ("negotiation=not a slug", "negotiation"),
        ("stated_on_after=soon", "stated_on"),
        ("updated_since=yesterday", "updated_since"),
    ]:
        response = anonymous.get(f"/api/v1/positions/?{query}")
        assert response.status_code == 400, query
        assert any(key.startswith(name) for key in response.json()["errors"]), response.json()


# --------------------------------------------------------------------------- pagination


def test_pages_follow_the_cursor_without_gaps_or_repeats(anonymous, demo):
    everything = rows(anonymous.get("/api/v1/terms/?limit=500"))
    seen = []
    url = "/api/v1/terms/?limit=4"
    while url:
        response = anonymous.get(url)
        body = response.json()
        assert body["count"] == len(everything)
        assert len(body["results"]) <= 4
        seen.extend(t["id"] for t in body["results"])
        if body["next"]:
            assert response["Link"] == f'<{body["next"]}>; rel="next"'
        url = body["next"]
    assert seen == [t["id"] for t in everything]
    stamps = [(t["changed_at"], t["id"]) for t in everything]
    assert stamps == sorted(stamps)


def test_the_page_size_is_100_by_default_and_at_most_500(anonymous, demo):
    assert anonymous.get("/api/v1/terms/?limit=500").status_code == 200
    for limit in ("501", "0", "many"):
        response = anonymous.get(f"/api/v1/terms/?limit={limit}")
        assert response.status_code == 400
        assert "limit" in response.json()["errors"]


def test_a_forged_cursor_is_a_400(anonymous, demo):
    response = anonymous.get("/api/v1/terms/?cursor=not-a-cursor")
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


# --------------------------------------------------------------------------- csv


def test_csv_exports_every_match_with_a_filename(demo):
    from tests.api_support import ANALYST, make_user

    analyst = client_for(make_user("ana", ANALYST))
    response = analyst.get("/api/v1/positions/?format=csv&stance=rejects")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="parley-positions-' in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("id,party,proposal,term,stance,stated_on")
    assert len(lines) == 1 + len(rows(client_for(None).get("/api/v1/positions/?stance=rejects")))


def test_csv_cells_cannot_smuggle_spreadsheet_formulas(demo):
    from parties.services import party_create
    from tests.api_support import ANALYST, make_user

    party_create(name="=HYPERLINK(evil)", slug="evil", description="+1 and @home")
    analyst = client_for(make_user("ana", ANALYST))
    text = analyst.get("/api/v1/parties/?format=csv&slug=evil").content.decode()
    assert "'=HYPERLINK(evil)" in text
    assert "'+1 and @home" in text
