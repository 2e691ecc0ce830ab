"""The facts of the demo round (shared/seed/: one news report of 2 June 2025), as plain
data in our own words; negotiations/demo/__init__.py loads them through the services."""

from __future__ import annotations

import datetime
from typing import Any

from negotiations.models import Role

DAY = datetime.date(2025, 6, 2)
NEGOTIATION_SLUG = "russia-ukraine-istanbul-2025"

PARTIES: list[dict[str, Any]] = [
    dict(name="Russian Federation", short_name="Russia", slug="russia", country_code="RU")
    | dict(wikidata_id="Q159"),
    dict(name="Ukraine", short_name="Ukraine", slug="ukraine", country_code="UA")
    | dict(wikidata_id="Q212"),
    dict(
        name="United States",
        short_name="United States",
        slug="united-states",
        country_code="US",
        aliases=["USA", "US"],
        wikidata_id="Q30",
    ),
    dict(
        name="Republic of Türkiye",
        short_name="Turkey",
        slug="turkey",
        country_code="TR",
        aliases=["Türkiye", "Turkey"],
        wikidata_id="Q43",
    ),
    dict(
        name="Western governments",
        short_name="The West",
        slug="the-west",
        kind="bloc",
        description="Ukraine's Western backers, as reports refer to them collectively.",
    ),
]

# The report names no formal agenda: the topics below group what it reports, so that a
# point's status shows beside its rival proposals (both ceasefire texts were rejected).
AGENDA = [
    ("Ceasefire", "How hostilities would stop.", ("ceasefire", "memorandum")),
    (
        "Humanitarian exchanges",
        "Prisoners, bodies, the wounded.",
        ("prisoners", "bodies", "wounded"),
    ),
    ("A leaders' meeting", "Putin and Zelenskyy, with Trump.", ("summit",)),
]

PEOPLE = [
    ("Sergiy Kyslytsya", "ukraine", "Member of the Ukrainian delegation"),
    ("Karoline Leavitt", "united-states", "White House press secretary"),
    ("Recep Tayyip Erdoğan", "turkey", "President of Türkiye"),
    ("Donald Trump", "united-states", "President of the United States"),
    ("Vladimir Putin", "russia", "President of Russia"),
    ("Volodymyr Zelenskyy", "ukraine", "President of Ukraine"),
]

PARTICIPANTS: list[tuple[str, list[str], str]] = [
    ("russia", [Role.PRINCIPAL], ""),
    ("ukraine", [Role.PRINCIPAL], ""),
    ("turkey", [Role.HOST, Role.MEDIATOR], "Hosts the talks and offers to mediate directly."),
    ("united-states", [Role.OBSERVER], "Third party; invited to a possible leaders' summit."),
    ("the-west", [Role.SUPPORTER], "Backs Ukraine; has rejected Moscow's demands before."),
]

REPORT: dict[str, Any] = dict(
    title="Russia and Ukraine agree on prisoner exchange in Istanbul; no ceasefire; "
    "White House says Trump open to a summit",
    publisher="News report with agency inputs",
    published_on=DAY,
    kind="news",
)
MEMORANDUM_TEXT: dict[str, Any] = dict(
    title="Russian memorandum on a settlement, as published by TASS and RIA Novosti",
    publisher="TASS; RIA Novosti",
    published_on=DAY,
    kind="document",
)

MEMORANDUM_TERMS = [
    # (label, text, category, stage, option_group, option)
    (
        "A",
        "Ukraine withdraws its forces from the four regions Russia annexed in September 2022.",
        "territory",
        "ceasefire",
        "truce",
        "A",
    ),
    ("B.1", "Ukraine halts mobilisation.", "military", "ceasefire", "truce", "B"),
    (
        "B.2",
        "Western arms deliveries to Ukraine are frozen.",
        "military",
        "ceasefire",
        "truce",
        "B",
    ),
    ("B.3", "Ukraine stops redeploying its forces.", "military", "ceasefire", "truce", "B"),
    (
        "B.4",
        "No military presence of third countries on Ukrainian territory.",
        "military",
        "ceasefire",
        "truce",
        "B",
    ),
    ("2", "Ukraine ends martial law.", "governance", "precondition", "", ""),
    (
        "3",
        "Ukraine holds elections, after which a comprehensive peace treaty can be signed.",
        "governance",
        "precondition",
        "",
        "",
    ),
    ("4.1", "Ukraine declares itself a neutral state.", "neutrality", "settlement", "", ""),
    ("4.2", "Ukraine gives up its bid to join NATO.", "neutrality", "settlement", "", ""),
    (
        "4.3",
        "Limits are set on the size of Ukraine's armed forces.",
        "military",
        "settlement",
        "",
        "",
    ),
    (
        "4.4",
        "Russian becomes an official language of Ukraine on a par with Ukrainian.",
        "language",
        "settlement",
        "",
        "",
    ),
]
