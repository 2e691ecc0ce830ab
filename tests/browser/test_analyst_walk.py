"""An analyst walks the demo in Chromium: home → negotiation → round → memorandum → a
term → party → search "ceasefire", checking the seed facts, accessibility (axe-core)
and phone width on the way, with a screenshot of every page in artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Session, check_axe, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def follow(page: Any, locator: Any) -> None:
    with page.expect_navigation():
        locator.click()


def visit(session: Session, name: str, visited: list[tuple[str, str]]) -> Any:
    page = session.page
    page.wait_for_load_state("load")
    assert check_axe(page) == [], f"axe on {name}"
    screenshot(page, name)
    visited.append((name, page.url))
    return page


def test_an_analyst_walks_the_demo_round(session: Session, demo: Any) -> None:
    page = session.page
    visited: list[tuple[str, str]] = []

    page.goto(session.base_url + "/")
    visit(session, "01-home", visited)
    assert "Russia–Ukraine direct talks, Istanbul 2025" in page.locator("main").inner_text()
    follow(page, page.get_by_role("link", name="Russia–Ukraine direct talks, Istanbul 2025").first)

    visit(session, "02-negotiation", visited)
    main = page.locator("main")
    assert main.get_by_role("heading", name="Who stands where").is_visible()
    assert page.locator("svg[role=img] title").text_content().startswith("Share of live terms")
    us_on_summit = page.locator(
        "#matrix-body tr", has=page.get_by_role("link", name="Leaders' summit")
    )
    assert "conditional" in us_on_summit.inner_text()
    follow(page, page.locator(".timeline").get_by_role("link", name="Round 2"))

    visit(session, "03-round", visited)
    text = page.locator("main").inner_text()
    assert "6,000 bodies" in text or "6,000" in text
    rejected = page.locator(".outcome-rejected").inner_text()
    assert "Unconditional ceasefire" in rejected and "rejected by Russia" in rejected
    assert "open to it if it comes to that" in text  # the US conditional openness
    memorandum = page.locator(".outcome-rejected").get_by_role(
        "link", name="Russian memorandum on a settlement"
    )
    follow(page, memorandum)

    visit(session, "04-memorandum", visited)
    terms = page.locator("section[aria-labelledby=terms-h]").inner_text()
    for wording in (
        "Ukraine withdraws its forces from the four regions",
        "Ukraine gives up its bid to join NATO.",
        "Russian becomes an official language of Ukraine",
    ):
        assert wording in terms
    assert terms.count("rejected by Ukraine on 2025-06-02") == 11
    page.emulate_media(media="print")
    screenshot(page, "04-memorandum-print")
    page.emulate_media(media="screen")
    follow(page, page.locator("#terms-h ~ section").get_by_role("link", name="4.2"))

    visit(session, "05-term", visited)
    assert "Ukraine gives up its bid to join NATO." in page.locator("main").inner_text()
    follow(page, page.locator("main").get_by_role("link", name="Ukraine").first)

    visit(session, "06-party", visited)
    assert page.get_by_role("heading", level=1).inner_text() == "Ukraine"
    page.get_by_role("searchbox", name="Search proposals, terms and quotes").fill("ceasefire")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    visit(session, "07-search", visited)
    marks = page.locator("main mark").all_inner_texts()
    assert marks and all(m.lower() == "ceasefire" for m in marks)
    assert "Unconditional ceasefire" in page.locator("main").inner_text()

    page.set_viewport_size(PHONE)
    for name, url in visited:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} is wider than a phone ({width}px)"
        screenshot(page, f"{name}-phone")
    assert session.console_errors == []


def test_the_as_of_picker_replays_history_without_a_reload(session: Session, demo: Any) -> None:
    page = session.page
    page.goto(session.base_url + "/negotiations/russia-ukraine-istanbul-2025/")
    page.evaluate("window.stillHere = true")
    matrix = page.locator("#matrix-body")
    assert matrix.locator('[title="rejects, 2 June 2025"]').count() > 0

    page.get_by_label("As of", exact=True).fill("2025-06-01")
    page.get_by_role("button", name="Replay").click()
    page.wait_for_url("**as_of=2025-06-01**")
    matrix.get_by_text("Showing stances as of 1 June 2025").wait_for()
    assert page.evaluate("window.stillHere") is True  # htmx swapped the matrix only
    assert matrix.locator('[title="rejects, 2 June 2025"]').count() == 0
    assert "not yet tabled" in matrix.inner_text()
    assert check_axe(page) == []
    screenshot(page, "08-negotiation-as-of-2025-06-01")

    page.get_by_label("As of", exact=True).fill("2025-06-02")
    page.get_by_role("button", name="Replay").click()
    matrix.get_by_text("Showing stances as of 2 June 2025").wait_for()
    assert matrix.locator('[title="rejects, 2 June 2025"]').count() > 0


def test_the_as_of_picker_works_without_javascript(browser: Any, live_server: Any, demo: Any):
    session = Session(browser, live_server.url, java_script_enabled=False)
    try:
        page = session.page
        page.goto(live_server.url + "/negotiations/russia-ukraine-istanbul-2025/")
        page.get_by_label("As of", exact=True).fill("2025-06-01")
        page.get_by_role("button", name="Replay").click()
        page.wait_for_url("**as_of=2025-06-01**")
        assert "Showing stances as of 1 June 2025" in page.locator("#matrix-body").inner_text()
        assert page.locator("h1").inner_text() == "Russia–Ukraine direct talks, Istanbul 2025"
    finally:
        session.close()
    assert session.external == []


def test_the_keyboard_reaches_the_content_through_the_skip_link(session: Session, demo: Any):
    page = session.page
    page.goto(session.base_url + "/negotiations/russia-ukraine-istanbul-2025/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # visible when focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused
