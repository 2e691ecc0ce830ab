"""Limits in Chromium: a form too large to send is refused in the page before anything is
sent, and the draft survives both that and a save the server refused."""

from __future__ import annotations

from typing import Any

import pytest

from negotiations.core.roles import EDITOR
from negotiations.editing.limits import TEXT_CHARS
from proposals.models import Proposal
from tests.browser.conftest import Session, check_axe
from tests.browser.test_editor_round import log_in
from tests.edit_support import make_user

pytestmark = pytest.mark.django_db(transaction=True)
HUGE = 3_200_000  # characters: more than the 2.5 MiB a request may carry


def paste(page: Any, text_length: int) -> None:
    """A paste of `text_length` characters, as the browser's paste would put it in."""
    page.evaluate(
        """(n) => {
          const box = document.getElementById("id_proposal-paste");
          box.value = "1. " + "x".repeat(n - 3);
          box.dispatchEvent(new Event("input", { bubbles: true }));
        }""",
        text_length,
    )


def test_a_paste_too_large_to_send_is_refused_in_the_page_and_its_draft_survives(
    session: Session, demo: Any
) -> None:
    make_user("eddie", EDITOR)
    page = session.page
    log_in(page, session.base_url, "eddie")
    page.goto(f"{session.base_url}/edit/rounds/{demo.rounds.get().pk}/")
    page.fill("#id_proposal-title", "The whole annex")
    paste(page, HUGE)
    page.wait_for_timeout(400)  # the draft is written a moment after typing stops

    sent: list[str] = []
    page.on("request", lambda r: r.method == "POST" and sent.append(r.url))
    page.get_by_role("button", name="Split into term rows").click()
    note = page.locator("#proposal-form .limit-note")
    note.wait_for()
    assert "too large to send" in note.inner_text()
    page.get_by_role("button", name="Save the proposal").click()
    page.wait_for_timeout(300)
    assert "what you typed is kept in this browser" in note.inner_text()
    assert sent == [], "nothing was sent"
    assert check_axe(page) == [], "axe with the limit note"

    page.reload()
    page.locator("#proposal-form .draft-note").wait_for()
    assert page.input_value("#id_proposal-title") == "The whole annex"
    length = page.evaluate("document.getElementById('id_proposal-paste').value.length")
    assert length == HUGE
    assert "too large to send" in page.locator("#proposal-form .limit-note").inner_text()
    assert not Proposal.objects.filter(title="The whole annex").exists()


def test_a_save_the_server_refused_keeps_the_draft(session: Session, demo: Any) -> None:
    make_user("eddie", EDITOR)
    page = session.page
    log_in(page, session.base_url, "eddie")
    url = f"{session.base_url}/edit/rounds/{demo.rounds.get().pk}/"
    page.goto(url)
    page.fill("#id_proposal-title", "Exchange of the wounded")
    page.select_option("#id_proposal-kind", "humanitarian")
    page.fill("#id_terms-0-text", "The seriously wounded are exchanged first.")
    page.fill("#id_proposal-summary", "s" * (TEXT_CHARS + 1))
    page.select_option(
        "#id_proposal-source",
        page.locator("#id_proposal-source option").nth(1).get_attribute("value"),
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save the proposal").click()
    assert "at most 20,000 fit here" in page.locator("#id_proposal-summary_error").inner_text()

    page.goto(url)
    page.locator("#proposal-form .draft-note").wait_for()
    assert page.input_value("#id_proposal-title") == "Exchange of the wounded"
    assert page.input_value("#id_terms-0-text") == "The seriously wounded are exchanged first."
    assert len(page.input_value("#id_proposal-summary")) == TEXT_CHARS + 1
    assert not Proposal.objects.filter(title="Exchange of the wounded").exists()
