"""No lost work, in Chromium: two editors saving the same proposal, refused input kept on
the page, a draft that survives a reload, the flow without JavaScript; and an analyst
who sees no edit control and is refused at an edit URL."""

from __future__ import annotations

from typing import Any

import pytest

from negotiations.core.roles import ANALYST, EDITOR
from proposals.models import Position, Proposal
from tests.browser.conftest import Session, check_axe, screenshot
from tests.browser.test_editor_round import log_in
from tests.edit_support import make_user
from tests.tools import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


def shot(locator: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_two_editors_save_the_same_proposal_and_the_second_loses_nothing(
    browser: Any, live_server: Any, demo: Any
) -> None:
    make_user("anna", EDITOR)
    make_user("boris", EDITOR)
    memorandum = Proposal.objects.get(title="Russian memorandum on a settlement")
    url = f"{live_server.url}/edit/proposal/{memorandum.pk}/"
    first, second = Session(browser, live_server.url), Session(browser, live_server.url)
    try:
        log_in(first.page, live_server.url, "anna")
        log_in(second.page, live_server.url, "boris")
        first.page.goto(url)
        second.page.goto(url)

        first.page.get_by_label("Summary").fill("Anna's summary, from the TASS text.")
        with first.page.expect_navigation():
            first.page.get_by_role("button", name="Save", exact=True).click()
        assert "Saved proposal" in first.page.locator(".messages").inner_text()

        page = second.page
        page.get_by_label("Title").fill("Russian memorandum (Boris's title)")
        page.get_by_label("Text", exact=True).fill("Boris typed the full text here.")
        with page.expect_navigation():
            page.get_by_role("button", name="Save", exact=True).click()
        conflict = page.locator(".conflict")
        assert "Someone saved this proposal while you were editing it" in conflict.inner_text()
        assert "anna" in conflict.inner_text()
        assert "Anna's summary, from the TASS text." in conflict.inner_text()
        # Boris's input is still in the form, nothing of his was saved yet.
        assert page.get_by_label("Title").input_value() == "Russian memorandum (Boris's title)"
        assert page.get_by_label("Text", exact=True).input_value() == (
            "Boris typed the full text here."
        )
        memorandum.refresh_from_db()
        assert memorandum.title == "Russian memorandum on a settlement"
        assert check_axe(page) == [], "axe on the conflict page"
        screenshot(page, "24-editor-conflict")
        shot(conflict, "24-editor-conflict-panel")

        # Boris keeps Anna's summary by copying it in, then saves his version over hers.
        page.get_by_label("Summary").fill("Anna's summary, from the TASS text.")
        with page.expect_navigation():
            page.get_by_role("button", name="Save yours over theirs").click()
        memorandum.refresh_from_db()
        assert memorandum.title == "Russian memorandum (Boris's title)"
        assert memorandum.text == "Boris typed the full text here."
        assert memorandum.summary == "Anna's summary, from the TASS text."
        assert memorandum.version == 3

        page.goto(f"{live_server.url}/edit/history/proposals.Proposal/{memorandum.pk}/")
        history = page.locator("main").inner_text()
        assert "boris changed" in history and "anna changed" in history
        assert check_axe(page) == [], "axe on the history page"
        screenshot(page, "25-editor-history")
        for name, path in [
            ("30-editor-proposal", f"/edit/proposals/{memorandum.pk}/"),
            ("31-editor-recent-changes", "/edit/changes/"),
            ("32-editor-home", "/edit/"),
        ]:
            page.goto(live_server.url + path)
            assert check_axe(page) == [], f"axe on {path}"
            screenshot(page, name)
    finally:
        first.close()
        second.close()
    assert first.console_errors == [] and second.console_errors == []


def test_a_missing_source_and_a_bad_date_show_errors_and_keep_the_input(
    session: Session, demo: Any
) -> None:
    make_user("eddie", EDITOR)
    page = session.page
    log_in(page, session.base_url, "eddie")
    round_id = demo.rounds.get().pk
    page.goto(f"{session.base_url}/edit/rounds/{round_id}/")
    positions = Position.objects.count()

    page.fill("#id_proposal-title", "Exchange of civilians")
    page.select_option("#id_proposal-kind", "humanitarian")
    page.fill("#id_terms-0-text", "Civilians held by each side are released.")
    page.select_option("#id_ppos-0-party", label="Ukraine")
    page.select_option("#id_ppos-0-stance", "accepts")
    page.fill("#id_ppos-0-stated_on", "2099-06-02")
    page.fill("#id_ppos-0-quote", "We are ready.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the proposal").click()

    source_error = page.locator("#id_proposal-source_error")
    assert "Give a source" in source_error.inner_text()
    assert page.locator("#id_proposal-source").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "id_proposal-source"
    assert page.input_value("#id_proposal-title") == "Exchange of civilians"
    assert page.input_value("#id_terms-0-text") == "Civilians held by each side are released."
    assert page.input_value("#id_ppos-0-quote") == "We are ready."
    assert check_axe(page) == [], "axe on the workspace with errors"
    shot(page.locator("#proposal-form .source-pick"), "26-editor-missing-source")
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the workspace is wider than a phone ({width}px)"
    screenshot(page, "26-editor-workspace-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.fill("#id_proposal-source_title", "Ministry statement")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the proposal").click()
    date_error = page.locator("#id_ppos-0-stated_on_error")
    assert "cannot be dated in the future" in date_error.inner_text()
    assert page.input_value("#id_ppos-0-stated_on") == "2099-06-02"
    assert page.input_value("#id_proposal-source_title") == "Ministry statement"
    shot(page.locator("#proposal-form .position-row").first, "27-editor-bad-date")
    assert not Proposal.objects.filter(title="Exchange of civilians").exists()
    assert Position.objects.count() == positions

    page.fill("#id_ppos-0-stated_on", "2025-06-02")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the proposal").click()
    assert "Saved “Exchange of civilians”" in page.locator(".messages").inner_text()
    assert Proposal.objects.get(title="Exchange of civilians").terms.count() == 1


def test_a_draft_of_the_round_flow_survives_a_reload(session: Session, demo: Any) -> None:
    make_user("eddie", EDITOR)
    page = session.page
    log_in(page, session.base_url, "eddie")
    url = f"{session.base_url}/edit/rounds/{demo.rounds.get().pk}/"
    page.goto(url)
    page.fill("#id_proposal-title", "Prisoner exchange, second stage")
    page.get_by_role("button", name="Add a term").click()
    page.locator("#id_terms-1-text").wait_for()
    assert page.evaluate("document.activeElement.id") == "id_terms-1-text"
    page.fill("#id_terms-0-text", "First group released.")
    page.fill("#id_terms-1-text", "Second group released.")
    page.wait_for_timeout(400)  # the draft is written a moment after typing stops

    page.reload()
    page.locator(".draft-note").wait_for()
    assert page.input_value("#id_proposal-title") == "Prisoner exchange, second stage"
    assert page.input_value("#id_terms-1-text") == "Second group released."
    assert not Proposal.objects.filter(title="Prisoner exchange, second stage").exists()
    screenshot(page, "28-editor-draft-restored")

    page.get_by_role("button", name="Discard this draft").click()
    page.wait_for_load_state("load")
    page.locator("#id_proposal-title").wait_for()
    page.wait_for_timeout(200)
    assert page.input_value("#id_proposal-title") == ""
    assert page.locator(".draft-note").count() == 0


def test_rows_are_added_and_saved_without_javascript(
    browser: Any, live_server: Any, demo: Any
) -> None:
    make_user("eddie", EDITOR)
    session = Session(browser, live_server.url, java_script_enabled=False)
    try:
        page = session.page
        log_in(page, live_server.url, "eddie")
        page.goto(f"{live_server.url}/edit/rounds/{demo.rounds.get().pk}/")
        page.fill("#id_proposal-title", "Exchange of lists")
        page.select_option("#id_proposal-kind", "exchange")
        page.fill(
            "#id_proposal-paste", "1. Lists of prisoners are exchanged.\n2. Lists are checked."
        )
        with page.expect_navigation():
            page.get_by_role("button", name="Split into term rows").click()
        assert page.input_value("#id_terms-1-text") == "Lists are checked."
        with page.expect_navigation():
            page.locator("#proposal-form").get_by_role("button", name="Add a position").click()
        assert page.locator("#id_ppos-2-party").count() == 1
        page.select_option(
            "#id_proposal-source",
            page.locator("#id_proposal-source option").nth(1).get_attribute("value"),
        )
        with page.expect_navigation():
            page.get_by_role("button", name="Save the proposal").click()
        assert "Saved “Exchange of lists”" in page.locator(".messages").inner_text()
        assert Proposal.objects.get(title="Exchange of lists").terms.count() == 2
    finally:
        session.close()
    assert session.external == []


def test_an_analyst_sees_no_edit_control_and_is_refused_at_an_edit_url(
    session: Session, demo: Any
) -> None:
    make_user("ana", ANALYST)
    page = session.page
    log_in(page, session.base_url, "ana")
    memorandum = Proposal.objects.get(title="Russian memorandum on a settlement")
    page.goto(f"{session.base_url}/proposals/{memorandum.pk}/")
    assert page.locator("a[href^='/edit/']").count() == 0
    assert page.get_by_role("button", name="Log out ana").is_visible()
    response = page.goto(f"{session.base_url}/edit/proposal/{memorandum.pk}/")
    assert response.status == 403
    assert "Editors only" in page.locator("h1").inner_text()
    assert check_axe(page) == [], "axe on the 403 page"
    screenshot(page, "29-analyst-refused")
