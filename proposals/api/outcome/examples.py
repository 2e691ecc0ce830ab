"""The example round-outcome document of the schema and the README."""

from __future__ import annotations

from typing import Any

EXAMPLE_DOCUMENT: dict[str, Any] = {
    "negotiation": {
        "slug": "russia-ukraine-istanbul-2025",
        "title": "Russia–Ukraine direct talks, Istanbul 2025",
        "participants": [
            {"party": "russia", "roles": ["principal"]},
            {"party": "Ukraine", "roles": ["principal"]},
            {"party": "Q43", "roles": ["mediator", "host"]},
        ],
    },
    "round": {
        "number": 2,
        "starts_on": "2025-06-02",
        "venue_city": "Istanbul",
        "venue_country": "Türkiye",
        "hosts": ["turkiye"],
        "sources": [{"key": "s1"}],
    },
    "sources": [
        {
            "key": "s1",
            "url": "https://example.org/news/istanbul-round-2",
            "title": "Second round of talks in Istanbul",
            "publisher": "Example News",
            "published_on": "2025-06-02",
        }
    ],
    "delegations": [
        {
            "party": "ukraine",
            "members": [{"person": "Rustem Umerov", "title": "Defence Minister", "role": "head"}],
        }
    ],
    "agenda": [{"key": "a1", "number": 1, "title": "Humanitarian exchanges"}],
    "proposals": [
        {
            "key": "p1",
            "title": "Exchange of 6,000 bodies",
            "kind": "exchange",
            "tabling_parties": ["russia", "ukraine"],
            "agenda_items": [{"key": "a1"}],
            "sources": [{"key": "s1"}],
            "terms": [
                {
                    "key": "p1.t1",
                    "text": "Each side returns the bodies of fallen soldiers.",
                    "category": "exchange",
                    "quantity": 6000,
                    "unit": "bodies",
                    "commitments": [
                        {"party": "russia", "quantity": 6000},
                        {"party": "ukraine", "quantity": 6000},
                    ],
                }
            ],
        }
    ],
    "positions": [
        {
            "party": "ukraine",
            "proposal": {"key": "p1"},
            "stance": "accepts",
            "stated_on": "2025-06-02",
            "source": {"key": "s1"},
        }
    ],
    "events": [
        {
            "term": {"key": "p1.t1"},
            "kind": "delivery",
            "by_party": "russia",
            "to_party": "ukraine",
            "quantity": 1212,
            "happened_on": "2025-06-11",
            "source": "https://example.org/news/istanbul-round-2",
        }
    ],
}

EXAMPLE_ANSWER: dict[str, Any] = {
    "dry_run": False,
    "negotiation": 1,
    "round": 2,
    "created": 4,
    "existing": 2,
    "keys": {
        "s1": {"type": "source", "id": 7, "result": "existing"},
        "p1": {"type": "proposal", "id": 12, "result": "created"},
        "p1.t1": {"type": "term", "id": 40, "result": "created"},
    },
    "rows": [
        {"path": "negotiation", "type": "negotiation", "key": None, "id": 1, "result": "existing"},
        {"path": "sources[0]", "type": "source", "key": "s1", "id": 7, "result": "existing"},
        {"path": "round", "type": "round", "key": None, "id": 2, "result": "created"},
        {"path": "proposals[0]", "type": "proposal", "key": "p1", "id": 12, "result": "created"},
        {
            "path": "proposals[0].terms[0]",
            "type": "term",
            "key": "p1.t1",
            "id": 40,
            "result": "created",
        },
        {"path": "positions[0]", "type": "position", "key": None, "id": 90, "result": "created"},
    ],
}
