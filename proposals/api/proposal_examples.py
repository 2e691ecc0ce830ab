"""The proposal resource's examples in the OpenAPI schema (proposals/api/proposals.py)."""

from __future__ import annotations

from typing import Any

from negotiations.api.schema import EXAMPLE_TIMES as TIMES
from proposals.api.terms import NESTED_TERM, TERM_EXAMPLE

PROPOSAL_EXAMPLE: dict[str, Any] = {
    "id": 5,
    "negotiation": 1,
    "round": 1,
    "tabling_parties": [1],
    "mediators": [],
    "tabled_by": 1,
    "title": "Russian memorandum on a settlement",
    "kind": "memorandum",
    "summary": "",
    "text": "",
    "tabled_on": "2025-06-02",
    "tabled_on_precision": "day",
    "text_status": "official",
    "required_parties": [],
    "sources": [2],
    "status": "rejected",
    "status_reason": "rejected by Ukraine on 2025-06-02",
    "status_since": "2025-06-02",
    "status_stale": False,
    "status_freshness": "current",
    "status_computed_at": "2025-06-02T18:00:01Z",
    "ratification": None,
    **TIMES,
}
PROPOSAL_DETAIL_EXAMPLE: dict[str, Any] = {
    **PROPOSAL_EXAMPLE,
    "as_of": None,
    "consent_parties": [1, 2],
    "parties": [
        {"id": 1, "name": "Russian Federation", "short_name": "Russia", "slug": "russia"},
        {"id": 2, "name": "Ukraine", "short_name": "Ukraine", "slug": "ukraine"},
    ],
    "stances": [
        {
            "party": 2,
            "stance": "rejects",
            "counts_as": "rejects",
            "position": 10,
            "stated_on": "2025-06-02",
            "level": "proposal",
        }
    ],
    "terms": [{k: v for k, v in TERM_EXAMPLE.items() if k in NESTED_TERM}],
    "links": [],
    "cited_sources": [
        {
            "id": 2,
            "title": "Memorandum as published",
            "url": "",
            "publisher": "TASS",
            "published_on": "2025-06-02",
            "kind": "document",
        }
    ],
    "ratification_steps": [],
    "agenda_items": [{"id": 1, "number": 3, "title": "Exchange of prisoners"}],
    "reservations": [],
}
