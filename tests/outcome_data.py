"""Realistic round-outcome documents for the tests of POST /api/v1/rounds/outcome/: a
three-round negotiation with an agenda, joint proposals, ratification, a two-way
exchange with commitments and deliveries both ways, conditional positions and links
between proposals, generated from a seed so that a failure can be replayed."""

from __future__ import annotations

import datetime
import random
from typing import Any

from parties.models import Party
from parties.services import party_create

ROUND_DAYS = [datetime.date(2025, 5, 16), datetime.date(2025, 6, 2), datetime.date(2025, 7, 23)]
TOPICS = [
    ("Exchange of prisoners of war", "exchange", "exchange", "prisoners"),
    ("Return of fallen soldiers' bodies", "exchange", "exchange", "bodies"),
    ("Thirty-day ceasefire", "ceasefire", "ceasefire", ""),
    ("Energy infrastructure moratorium", "security", "military", ""),
    ("Black Sea navigation", "security", "military", ""),
    ("Return of deported children", "humanitarian", "humanitarian", "children"),
    ("Leaders' meeting", "meeting", "meeting", ""),
    ("Monitoring mission", "political", "monitoring", ""),
    ("Memorandum on a settlement", "memorandum", "governance", ""),
    ("Civilian detainees", "humanitarian", "humanitarian", "civilians"),
    ("Demining of farmland", "humanitarian", "humanitarian", ""),
    ("Nuclear plant safety zone", "security", "monitoring", ""),
    ("Sanctions relief sequencing", "political", "sanctions", ""),
]


def make_parties() -> dict[str, Party]:
    """The parties a client finds by natural key (they are not part of a document)."""
    return {
        "ru": party_create(
            name="Russian Federation",
            short_name="Russia",
            slug="russia",
            aliases=["Moscow"],
            wikidata_id="Q159",
            ucdp_actor_id=57,
        ),
        "ua": party_create(
            name="Ukraine",
            slug="ukraine",
            aliases=["Kyiv", "Kiev"],
            wikidata_id="Q212",
            acled_actor="Government of Ukraine (2019-)",
        ),
        "tr": party_create(
            name="Türkiye",
            short_name="Türkiye",
            slug="turkiye",
            aliases=["Turkey"],
            wikidata_id="Q43",
            kind="state",
        ),
        "us": party_create(
            name="United States", slug="united-states", aliases=["USA"], wikidata_id="Q30"
        ),
    }


def _source(n: int, day: datetime.date) -> dict[str, Any]:
    return {
        "key": f"s{n}",
        "url": f"https://news.example.org/{day.isoformat()}/report-{n}",
        "title": f"Report {n} on the talks",
        "publisher": random.choice(["Example Wire", "Daily Example", "Ministry of Examples"]),
        "published_on": day.isoformat(),
        "kind": "news",
    }


def round_document(number: int, seed: int = 14, proposals: int = 13) -> dict[str, Any]:
    """Round `number` (1-3) of the test negotiation: round 1 creates the negotiation."""
    random.seed(seed * 10 + number)
    day = ROUND_DAYS[number - 1]
    iso = day.isoformat()
    r = f"r{number}"
    sources = [_source(number * 10 + i, day) for i in range(4)]
    # Party references in every spelling a client would use.
    russia = random.choice(["russia", "Russia", "Moscow", "Q159", "57"])
    ukraine = random.choice(["ukraine", "Kyiv", "kyiv", "Q212", "Government of Ukraine (2019-)"])
    turkey = random.choice(["turkiye", "Turkiye", "TURKEY", "Q43"])
    negotiation: dict[str, Any] = {"slug": "istanbul-talks"}
    if number == 1:
        negotiation = {
            "title": "Russia–Ukraine direct talks, Istanbul 2025",
            "slug": "istanbul-talks",
            "started_on": ROUND_DAYS[0].isoformat(),
            "participants": [
                {"party": russia, "roles": ["principal"]},
                {"party": ukraine, "roles": ["principal"]},
                {"party": turkey, "roles": ["mediator", "host"]},
                {"party": "USA", "roles": ["observer"]},
            ],
        }
    doc: dict[str, Any] = {
        "negotiation": negotiation,
        "round": {
            "number": number,
            "starts_on": iso,
            "venue_city": "Istanbul",
            "venue_country": "Türkiye",
            "hosts": [turkey],
            "sources": [{"key": sources[0]["key"]}],
        },
        "sources": sources,
        "delegations": [
            {
                "party": russia,
                "members": [
                    {"person": "Vladimir Medinsky", "title": "Presidential aide", "role": "head"},
                    {"person": "Igor Kostyukov", "role": "member"},
                ],
            },
            {
                "party": ukraine,
                "members": [
                    {"person": "Rustem Umerov", "title": "Defence Minister", "role": "head"},
                    {"person": "Serhiy Kyslytsya", "role": "deputy"},
                ],
            },
        ],
        "agenda": [
            {"key": f"{r}.a{n}", "number": n, "title": title}
            for n, title in [(1, "Humanitarian questions"), (2, "Ceasefire"), (3, "Settlement")]
        ],
        "proposals": [],
        "positions": [],
        "events": [],
    }
    for i in range(proposals):
        _proposal(doc, number, i, day, russia, ukraine, turkey, sources)
    return doc


def _proposal(
    doc: dict[str, Any],
    number: int,
    i: int,
    day: datetime.date,
    russia: str,
    ukraine: str,
    turkey: str,
    sources: list[dict[str, Any]],
) -> None:
    title, kind, category, unit = TOPICS[i % len(TOPICS)]
    key = f"r{number}.p{i}"
    source = {"key": random.choice(sources)["key"]}
    tabling = [[russia], [ukraine], [russia, ukraine], []][i % 4]  # a joint one, a mediators' one
    proposal: dict[str, Any] = {
        "key": key,
        "title": f"{title} (round {number})",
        "kind": kind,
        "tabled_on": day.isoformat(),
        "tabling_parties": tabling,
        "mediators": [] if tabling else [turkey],
        "sources": [source],
        "agenda_items": [{"key": f"r{number}.a{1 + i % 3}"}],
        "terms": [],
        "links": [],
        "ratification_steps": [],
    }
    if tabling:
        proposal["quote"] = "We table this in good faith."
    terms = 1 + i % 3
    for t in range(terms):
        term: dict[str, Any] = {
            "key": f"{key}.t{t}",
            "label": f"{t + 1}",
            "text": f"{title}: point {t + 1}.",
            "category": category,
            "stage": random.choice(["ceasefire", "settlement", "implementation"]),
            "note": "Reported wording." if t else "",
            "deliverable": bool(unit) or t == 0,
        }
        if unit and t == 0:
            term["quantity"], term["unit"] = 1000 + 200 * i, unit
            share = term["quantity"] // 2
            term["commitments"] = [  # the two-way exchange: each side's share
                {"party": russia, "quantity": share, "unit": unit},
                {"party": ukraine, "quantity": share, "unit": unit},
            ]
        proposal["terms"].append(term)
    if kind == "memorandum":
        proposal["ratification_steps"].append(
            {
                "body_kind": "parliament",
                "body_name": "Verkhovna Rada",
                "body_party": ukraine,
                "outcome": "pending",
                "sources": [source],
            }
        )
    if number > 1 and i % 5 == 0:  # a rewrite of the earlier round's proposal
        proposal["links"].append({"kind": "supersedes", "to": f"{title} (round {number - 1})"})
    if i % 6 == 1 and i > 1:
        proposal["links"].append({"kind": "counter_to", "to": {"key": f"r{number}.p{i - 1}"}})
    doc["proposals"].append(proposal)
    _statements(doc, proposal, day, russia, ukraine, source, unit)


def _statements(
    doc: dict[str, Any],
    proposal: dict[str, Any],
    day: datetime.date,
    russia: str,
    ukraine: str,
    source: dict[str, Any],
    unit: str,
) -> None:
    later = (day + datetime.timedelta(days=1)).isoformat()
    first_term = proposal["terms"][0]["key"]
    for party in (russia, ukraine):
        stance = random.choice(["accepts", "accepts", "supports", "rejects", "undecided"])
        position: dict[str, Any] = {
            "party": party,
            "proposal": {"key": proposal["key"]},
            "stance": stance,
            "stated_on": later,
            "quote": f"{party} on {proposal['title']}",
            "source": source,
        }
        if len(doc["positions"]) % 7 == 3:
            position.update(
                stance="conditional",
                conditions="If the exchange is carried out.",
                conditional_on=[{"key": first_term}],
            )
            position.pop("proposal")
            position["term"] = {"key": proposal["terms"][-1]["key"]}
            if position["term"] == position["conditional_on"][0]:
                position["conditional_on"] = []
                position["conditions"] = "If the other side keeps its word."
        if party == ukraine and len(doc["positions"]) % 5 == 0:
            position["speaker"] = "Rustem Umerov"
        doc["positions"].append(position)
    if unit:  # deliveries both ways
        for n, (by, to) in enumerate([(russia, ukraine), (ukraine, russia)]):
            doc["events"].append(
                {
                    "key": f"{first_term}.e{n}",
                    "term": {"key": first_term},
                    "kind": "delivery",
                    "by_party": by,
                    "to_party": to,
                    "quantity": 390 + n,
                    "happened_on": (day + datetime.timedelta(days=9 + n)).isoformat(),
                    "source": source,
                }
            )
