"""An editor records the seed round (shared/seed/) in Chromium, from an empty database,
through the editor pages only; the round page and the API then show what load_demo
gives. The time it takes and the number of form submissions are printed and written to
artifacts/editor-recording.json."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from negotiations.core.roles import EDITOR
from negotiations.demo.facts import MEMORANDUM_TERMS
from tests.browser.conftest import Session, check_axe, screenshot
from tests.edit_support import PASSWORD, make_user
from tests.tools import ROOT, SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

DAY = "2025-06-02"
REPORT = (
    "Russia and Ukraine agree on prisoner exchange in Istanbul; no ceasefire; "
    "White House says Trump open to a summit"
)
# The memorandum as a numbered list, the way an editor pastes it (the demo's own terms).
MEMORANDUM = "\n".join(f"{label}. {text}" for label, text, *_ in MEMORANDUM_TERMS)
PARTIES = [
    # name, short name, country, kind, roles (indexes in Role.choices), hosts, delegation
    ("Russian Federation", "Russia", "RU", "state", [0], False, ""),
    ("Ukraine", "Ukraine", "UA", "state", [0], False, "Sergiy Kyslytsya"),
    ("Republic of Türkiye", "Turkey", "TR", "state", [1, 2], True, None),
    ("United States", "United States", "US", "state", [4], False, None),
    ("Western governments", "The West", "", "bloc", [5], False, None),
]
EXPECTED = {  # what load_demo gives (DESIGN §3, worked example)
    "Unconditional ceasefire": "rejected",
    "Large-scale prisoner exchange": "agreed",
    "Return of the bodies of 6,000 soldiers": "agreed",
    "Commission on exchanging seriously wounded troops": "agreed",
    "Russian memorandum on a settlement": "rejected",
    "Leaders' summit in Istanbul or Ankara": "open",
}


class Counter:
    """Form submissions (page loads by POST) and htmx helper requests (rows added,
    lists split), as the browser sent them."""

    def __init__(self, page: Any) -> None:
        self.submissions = 0
        self.helpers = 0
        page.on("request", self._seen)

    def _seen(self, request: Any) -> None:
        if request.method != "POST":
            return
        if request.resource_type == "document":
            self.submissions += 1
        else:
            self.helpers += 1


def log_in(page: Any, base_url: str, username: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_label("Password").press("Enter")


def save(page: Any, form: str, name: str) -> None:
    with page.expect_navigation():
        page.locator(f"#{form} .form-actions button[type=submit]").click()
    errors = page.locator(".field-error, .form-errors").all_inner_texts()
    assert errors == [], f"saving {name}: {errors}"


def option_value(page: Any, select: str, text: str) -> str:
    return page.locator(f"{select} option", has_text=text).first.get_attribute("value")


def fill_party_row(page: Any, index: int, spec: tuple[Any, ...]) -> None:
    name, short, country, kind, roles, hosts, delegation = spec
    row = f"#id_participants-{index}"
    page.fill(f"{row}-new_name", name)
    page.fill(f"{row}-new_short_name", short)
    page.fill(f"{row}-new_country_code", country)
    page.select_option(f"{row}-new_kind", kind)
    for role in roles:
        page.check(f"{row}-roles_{role}")
    if hosts:
        page.check(f"{row}-hosts_round")
    if delegation is not None:
        page.check(f"{row}-delegation")
        page.fill(f"{row}-members", delegation)


def fill_proposal(page: Any, title: str, kind: str, **fields: Any) -> None:
    page.fill("#id_proposal-title", title)
    page.select_option("#id_proposal-kind", kind)
    if "tabled_by" in fields:
        page.select_option("#id_proposal-tabled_by", label=fields["tabled_by"])
    if "text_status" in fields:
        page.select_option("#id_proposal-text_status", fields["text_status"])
    for name in ("summary", "speaker", "quote"):
        if name in fields:
            page.fill(f"#id_proposal-{name}", fields[name])
    if "source" in fields:
        page.select_option(
            "#id_proposal-source", option_value(page, "#id_proposal-source", fields["source"])
        )


def fill_term(page: Any, index: int, text: str, category: str, stage: str, **extra: str) -> None:
    page.fill(f"#id_terms-{index}-text", text)
    page.select_option(f"#id_terms-{index}-category", category)
    page.select_option(f"#id_terms-{index}-stage", stage)
    for name, value in extra.items():
        page.fill(f"#id_terms-{index}-{name}", value)


def fill_position(page: Any, index: int, party: str, stance: str, **fields: str) -> None:
    row = f"#id_ppos-{index}"
    page.select_option(f"{row}-party", label=party)
    page.select_option(f"{row}-stance", stance)
    for name, value in fields.items():
        if name == "source":
            page.select_option(f"{row}-source", option_value(page, f"{row}-source", value))
        else:
            page.fill(f"{row}-{name}", value)


def record_seed_round(session: Session) -> tuple[float, Counter]:
    page = session.page
    counter = Counter(page)
    started = time.monotonic()  # the axe checks and screenshots below are counted too
    page.goto(session.base_url + "/edit/")
    with page.expect_navigation():
        page.get_by_role("link", name="Start a round of a new negotiation").click()

    # Step 1: the negotiation, the five parties, the round.
    page.fill("#id_negotiation_title", "Russia–Ukraine direct talks, Istanbul 2025")
    page.fill("#id_negotiation_slug", "russia-ukraine-istanbul-2025")
    page.fill("#id_negotiation_started_on", "2025-05-16")
    for index in range(2):  # three rows are there; two more, added in place by htmx
        page.get_by_role("button", name="Add another party").click()
        page.locator(f"#id_participants-{3 + index}-new_name").wait_for()
    for index, spec in enumerate(PARTIES):
        fill_party_row(page, index, spec)
    page.fill("#id_number", "2")
    page.fill("#id_title", "Second round, Istanbul")
    page.fill("#id_starts_on", DAY)
    page.fill("#id_ends_on", DAY)
    page.fill("#id_venue_city", "Istanbul")
    page.fill("#id_venue_country", "Türkiye")
    page.fill(
        "#id_summary",
        "The delegations agreed a large-scale prisoner exchange, the return of 6,000 bodies "
        "and a commission on exchanging the seriously wounded; Russia again rejected an "
        "unconditional ceasefire.",
    )
    screenshot(page, "20-editor-round-start")
    assert check_axe(page) == [], "axe on the round's first step"
    save(page, "round-start-form", "the round")

    # Step 2: the proposals, each with its terms and the positions taken on it.
    fill_proposal(
        page,
        "Unconditional ceasefire",
        "ceasefire",
        tabled_by="Ukraine",
        summary="Kyiv's call for an immediate halt to hostilities without preconditions.",
    )
    page.fill("#id_proposal-source_title", REPORT)
    page.fill("#id_proposal-source_publisher", "News report with agency inputs")
    page.fill("#id_proposal-source_published_on", DAY)
    fill_term(page, 0, "An unconditional halt to hostilities.", "ceasefire", "ceasefire")
    fill_position(
        page,
        0,
        "Russian Federation",
        "rejects",
        quote="The Russian side continued to reject the motion of an unconditional ceasefire.",
        note="As reported to journalists by Sergiy Kyslytsya of the Ukrainian delegation.",
    )
    save(page, "proposal-form", "the ceasefire")

    exchanges = [
        ("Large-scale prisoner exchange", "exchange", "exchange",
         "The sides exchange prisoners of war on a large scale.", {}),
        ("Return of the bodies of 6,000 soldiers", "exchange", "exchange",
         "Each side hands over the bodies of soldiers killed in action: 6,000 in all.",
         {"quantity": "6000", "unit": "bodies"}),
        ("Commission on exchanging seriously wounded troops", "humanitarian", "humanitarian",
         "A joint commission is set up to organise the exchange of seriously wounded troops.",
         {}),
    ]  # fmt: skip
    for title, kind, category, text, extra in exchanges:
        fill_proposal(page, title, kind, source=REPORT[:40])
        fill_term(page, 0, text, category, "implementation", **extra)
        fill_position(page, 0, "Russian Federation", "accepts")
        fill_position(page, 1, "Ukraine", "accepts")
        save(page, "proposal-form", title)

    fill_proposal(
        page,
        "Russian memorandum on a settlement",
        "memorandum",
        tabled_by="Russian Federation",
        text_status="official",
        summary="Two alternative ways to a truce, then the end of martial law and elections, "
        "then a peace treaty on neutrality, NATO, army size and the Russian language.",
    )
    page.fill(
        "#id_proposal-source_title",
        "Russian memorandum on a settlement, as published by TASS and RIA Novosti",
    )
    page.fill("#id_proposal-source_publisher", "TASS; RIA Novosti")
    page.fill("#id_proposal-source_published_on", DAY)
    page.select_option("#id_proposal-source_kind", "document")
    page.fill("#id_proposal-paste", MEMORANDUM)
    page.get_by_role("button", name="Split into term rows").click()
    page.locator("#id_terms-10-text").wait_for()
    assert page.input_value("#id_terms-10-label") == "4.4"
    for index, (_label, _text, category, stage, group, option) in enumerate(MEMORANDUM_TERMS):
        page.select_option(f"#id_terms-{index}-category", category)
        page.select_option(f"#id_terms-{index}-stage", stage)
        if group:
            page.fill(f"#id_terms-{index}-option_group", group)
            page.fill(f"#id_terms-{index}-option", option)
    screenshot(page, "21-editor-memorandum")
    terms = page.locator("#proposal-form fieldset.block").filter(has=page.locator(".term-row"))
    terms.screenshot(path=str(SCREENSHOTS / "21-editor-memorandum-terms.png"))
    assert check_axe(page) == [], "axe on the workspace with pasted terms"
    fill_position(
        page, 0, "Ukraine", "rejects", source=REPORT[:40],
        note="The report recalls that Ukraine had rejected all of these demands before.",
    )  # fmt: skip
    fill_position(
        page, 1, "Western governments", "rejects", source=REPORT[:40],
        note="The report recalls that the West had rejected all of these demands before.",
    )  # fmt: skip
    save(page, "proposal-form", "the memorandum")

    fill_proposal(
        page,
        "Leaders' summit in Istanbul or Ankara",
        "meeting",
        tabled_by="Republic of Türkiye",
        source=REPORT[:40],
        speaker="Recep Tayyip Erdoğan",
        quote="My greatest wish is to bring both Vladimir Putin and Zelenskyy together in "
        "Istanbul or Ankara, and even to bring Mr. Trump to their side, if they accept.",
        summary="Türkiye's offer to host Putin and Zelenskyy, with Trump joining them.",
    )
    page.uncheck("#id_proposal-in_round")
    for party in ("Russian Federation", "Ukraine", "United States"):
        page.locator("fieldset.field-required_parties").get_by_label(party, exact=True).check()
    fill_position(
        page,
        0,
        "United States",
        "conditional",
        speaker="Karoline Leavitt",
        quote="The president has said he's open to it if it comes to that, but he wants both "
        "of these leaders and both sides to come to the table together.",
        conditions="Both leaders and both sides come to the table together, with genuine "
        "readiness from all sides to seek peace.",
    )
    save(page, "proposal-form", "the summit")
    return time.monotonic() - started, counter


def test_an_editor_records_the_seed_round_from_an_empty_database(session: Session) -> None:
    from negotiations.models import Negotiation
    from proposals.models import Term

    assert not Negotiation.objects.exists()
    make_user("eddie", EDITOR)
    page = session.page
    page.goto(session.base_url + "/accounts/login/")
    assert check_axe(page) == [], "axe on the login page"
    screenshot(page, "19-login")
    log_in(page, session.base_url, "eddie")

    seconds, counter = record_seed_round(session)

    recorded = page.locator("#recorded").inner_text()
    for title in EXPECTED:
        assert title in recorded
    assert check_axe(page) == [], "axe on the workspace"
    screenshot(page, "22-editor-workspace-recorded")
    summary = {
        "seconds": round(seconds, 1),
        "form_submissions": counter.submissions,
        "htmx_helper_requests": counter.helpers,
        "login_submissions": 1,
    }
    print(
        f"\nRecorded the seed round through the UI in {seconds:.1f} s with "
        f"{counter.submissions} form submissions (+{counter.helpers} htmx row/paste requests, "
        "+1 login)."
    )
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "editor-recording.json").write_text(json.dumps(summary, indent=2))

    with page.expect_navigation():
        page.get_by_role("link", name="See the outcome on the round's page").click()
    screenshot(page, "23-round-recorded-by-the-editor")
    rejected = page.locator(".outcome-rejected").inner_text()
    agreed = page.locator(".outcome-agreed").inner_text()
    still_open = page.locator(".outcome-open").inner_text()
    for title, status in EXPECTED.items():
        box = {"rejected": rejected, "agreed": agreed, "open": still_open}[status]
        assert title in box, f"{title} should be {status} on the round page"
    assert "rejected by Russia" in rejected

    negotiation = Negotiation.objects.get()
    memorandum_terms = Term.objects.filter(proposal__title="Russian memorandum on a settlement")
    fields = ("label", "text", "category", "stage", "option_group", "option")
    assert list(memorandum_terms.order_by("ordinal").values_list(*fields)) == MEMORANDUM_TERMS
    api = page.request.get(f"{session.base_url}/api/v1/proposals/?negotiation={negotiation.pk}")
    assert api.ok
    statuses = {row["title"]: row["status"] for row in api.json()["results"]}
    assert statuses == EXPECTED
    assert all(not row["status_stale"] for row in api.json()["results"])
    assert session.console_errors == []
