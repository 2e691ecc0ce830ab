"""Hostile input on the editor pages: a form sent twice is saved once, and rows, texts and
pastes beyond their limits are refused with a message on the page, nothing saved."""

from __future__ import annotations

import copy
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.db import connection

from negotiations.editing.limits import LONG_TEXT_CHARS, TEXT_CHARS
from negotiations.editing.workspace import resolve_target
from negotiations.models import Round
from parties.models import Party
from proposals.models import ImplementationEvent, Position, Proposal, ProposalLink, Source
from tests.edit_support import EDITOR, client_as, make_user, proposal_post, rows

pytestmark = pytest.mark.django_db
DAY = "2025-06-02"


@pytest.fixture
def editor(db):
    return client_as(make_user("eddie", EDITOR))


def _memorandum() -> Proposal:
    return Proposal.objects.get(title="Russian memorandum on a settlement")


def _party(slug: str) -> int:
    return Party.objects.get(slug=slug).pk


def _source() -> int:
    return Source.objects.order_by("id").first().pk  # type: ignore[union-attr]


def _round_start(demo) -> tuple[str, dict, object]:
    data = {
        "negotiation": "",
        "negotiation_title": "Black Sea grain talks",
        "number": "1",
        "starts_on": DAY,
        "status": "held",
        **rows("participants", [{"party": _party("ukraine"), "roles": "principal"}]),
    }
    return "/edit/rounds/new/", data, Round.objects


def _proposal(demo) -> tuple[str, dict, object]:
    data = proposal_post(
        {"title": "Exchange of civilians", "kind": "humanitarian", "source": _source()},
        terms=[{"text": "Civilians held by each side are released."}],
    )
    return f"/edit/rounds/{demo.rounds.get().pk}/", data, Proposal.objects


def _positions(demo) -> tuple[str, dict, object]:
    data = {
        "block": "positions",
        "psrc-source": _source(),
        **rows(
            "positions",
            [
                {
                    "target": f"p:{_memorandum().pk}",
                    "party": _party("turkey"),
                    "stance": "supports",
                    "stated_on": DAY,
                }
            ],
        ),
    }
    return f"/edit/rounds/{demo.rounds.get().pk}/", data, Position.objects


def _deliveries(demo) -> tuple[str, dict, object]:
    term = _memorandum().terms.order_by("ordinal").first()
    data = {
        "block": "deliveries",
        "dsrc-source": _source(),
        **rows("deliveries", [{"term": term.pk, "happened_on": "2025-06-10"}]),  # type: ignore[union-attr]
    }
    return f"/edit/rounds/{demo.rounds.get().pk}/", data, ImplementationEvent.objects


def _withdrawal(demo) -> tuple[str, dict, object]:
    data = {"stated_on": "2025-06-03", "source": _source()}
    return f"/edit/proposals/{_memorandum().pk}/withdraw/", data, Position.objects


def _link(demo) -> tuple[str, dict, object]:
    ceasefire = Proposal.objects.get(title="Unconditional ceasefire")
    data = {"kind": "supersedes", "to_proposal": ceasefire.pk}
    return f"/edit/proposals/{_memorandum().pk}/link/", data, ProposalLink.objects


def _correction(demo) -> tuple[str, dict, object]:
    old = Position.objects.get(proposal=_memorandum(), party__slug="ukraine")
    data = {
        "target": f"p:{old.proposal_id}",
        "party": old.party_id,
        "stance": "undecided",
        "stated_on": "2025-06-03",
        "source": old.source_id,
    }
    return f"/edit/positions/{old.pk}/correct/", data, Position.objects


CREATE_FORMS = [_round_start, _proposal, _positions, _deliveries, _withdrawal, _link, _correction]


@pytest.mark.parametrize("create", CREATE_FORMS, ids=lambda f: f.__name__.strip("_"))
def test_a_form_sent_twice_is_saved_once_and_the_second_lands_on_what_the_first_made(
    editor, demo, create, django_capture_on_commit_callbacks
):
    path, data, table = create(demo)
    token = re.search(r'name="once" value="([^"]+)"', editor.get(path).content.decode())
    assert token, "the form carries a one-time token"
    data = {**data, "action": "save", "once": token[1]}
    before = table.count()
    with django_capture_on_commit_callbacks(execute=True):
        first = editor.post(path, data)
        second = editor.post(path, data)
    assert first.status_code == 302, first.content.decode()[:3000]
    assert table.count() == before + 1
    assert second.status_code == 302 and second["Location"] == first["Location"]
    landing = editor.get(second["Location"]).content.decode()
    assert "This form had been sent already and was saved then" in landing


def test_each_fresh_page_gives_its_forms_new_tokens(editor, demo):
    path = f"/edit/rounds/{demo.rounds.get().pk}/"
    tokens = [
        re.findall(r'name="once" value="([^"]+)"', editor.get(path).content.decode())
        for _ in range(2)
    ]
    assert len(tokens[0]) == 3 and len(set(tokens[0] + tokens[1])) == 6


def test_the_same_form_sent_again_with_other_content_is_saved_again(editor, demo):
    path, data, table = _proposal(demo)
    data = {**data, "once": "a-token-of-the-page-0001"}
    assert editor.post(path, data).status_code == 302
    data["proposal-title"] = "Exchange of the wounded"
    assert editor.post(path, data).status_code == 302
    titles = ["Exchange of civilians", "Exchange of the wounded"]
    assert table.filter(title__in=titles).count() == 2


def test_a_refused_form_sent_again_is_checked_again(editor, demo):
    path, data, table = _proposal(demo)
    data = {**data, "once": "a-token-of-the-page-0002", "proposal-source": ""}
    for _ in range(2):
        page = editor.post(path, data).content.decode()
        assert "Give a source" in page
    data["proposal-source"] = _source()
    assert editor.post(path, data).status_code == 302
    assert table.filter(title="Exchange of civilians").count() == 1


# --- rows, texts and pastes beyond their limits ---------------------------------------


def _terms(count: int) -> dict:
    terms = [
        {"text": f"Term {n}.", "category": "other", "stage": "settlement"} for n in range(count)
    ]
    return rows("terms", terms)


def test_more_term_rows_than_a_proposal_takes_are_refused_and_nothing_is_saved(editor, demo):
    path, data, _table = _proposal(demo)
    data.update(_terms(201))
    response = editor.post(path, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "201 terms sent; at most 200 per proposal — split it." in page
    assert not Proposal.objects.filter(title="Exchange of civilians").exists()


@pytest.mark.parametrize("total", ["-5", "100000000"])
def test_a_tampered_row_count_is_an_error_and_nothing_is_saved(editor, demo, total):
    path, data, _table = _proposal(demo)
    data["terms-TOTAL_FORMS"] = total
    page = editor.post(path, data).content.decode()
    assert 'class="form-errors" role="alert"' in page
    assert "Nothing was saved" in page
    # The term that was typed is still on the page.
    assert "Civilians held by each side are released.</textarea>" in page
    assert not Proposal.objects.filter(title="Exchange of civilians").exists()


def test_a_positions_block_with_too_many_rows_is_refused(editor, demo):
    path, data, table = _positions(demo)
    row = {k.removeprefix("positions-0-"): v for k, v in data.items() if "-0-" in k}
    data.update(rows("positions", [row] * 101))
    before = table.count()
    page = editor.post(path, data).content.decode()
    assert "101 positions sent; at most 100 per save — split it." in page
    assert table.count() == before


def test_a_ten_thousand_item_paste_is_refused_at_once_and_nothing_is_saved(editor, demo):
    path, data, _table = _proposal(demo)
    data["action"] = "split-terms"
    data["proposal-paste"] = "\n".join(f"{n}. Item {n}." for n in range(1, 10_001))
    started = time.monotonic()
    page = editor.post(path, data).content.decode()
    assert time.monotonic() - started < 3
    assert "10,000 items pasted (with the 1 terms already here); at most 200 per proposal" in page
    assert page.count('class="row term-row"') == 1
    assert "1. Item 1." in page, "the paste stays in its box"
    assert not Proposal.objects.filter(title="Exchange of civilians").exists()


def test_a_paste_too_long_to_split_is_refused_before_it_is_read(editor, demo):
    path, data, _table = _proposal(demo)
    data["action"] = "split-terms"
    data["proposal-paste"] = "1. " + "x" * LONG_TEXT_CHARS["paste"]
    page = editor.post(path, data).content.decode()
    assert "characters) pasted; at most 200 terms per proposal and 200,000 characters" in page
    assert page.count('class="row term-row"') == 1


def test_no_row_is_added_beyond_the_maximum(editor, demo):
    path, data, _table = _proposal(demo)
    data["action"] = "add-term"
    data.update(_terms(200))
    page = editor.post(path, data).content.decode()
    assert "At most 200 terms per proposal; this one has them all." in page
    assert page.count('class="row term-row"') == 200


def test_a_text_above_its_limit_is_refused_with_its_size(editor, demo):
    path, data, _table = _proposal(demo)
    data["proposal-summary"] = "s" * (TEXT_CHARS + 1)
    page = editor.post(path, data).content.decode()
    assert "This text is 20,001 characters long; at most 20,000 fit here." in page
    assert 'id="id_proposal-summary_error"' in page
    assert not Proposal.objects.filter(title="Exchange of civilians").exists()


def test_an_edit_form_limits_its_texts_too(editor, demo):
    memorandum = _memorandum()
    page = editor.post(
        f"/edit/proposal/{memorandum.pk}/",
        {"summary": "s" * (TEXT_CHARS + 1), "expected_version": memorandum.version},
    ).content.decode()
    assert "This text is 20,001 characters long" in page


def test_the_editor_pages_name_the_request_limits_for_the_check_before_sending(
    editor, demo, settings
):
    templates = copy.deepcopy(settings.TEMPLATES)
    processors = templates[0]["OPTIONS"]["context_processors"]
    if "negotiations.editing.limits.page_limits" not in processors:
        processors.append("negotiations.editing.limits.page_limits")
    settings.TEMPLATES = templates
    page = editor.get(f"/edit/rounds/{demo.rounds.get().pk}/").content.decode()
    assert 'data-max-bytes="2621440"' in page and 'data-max-fields="' in page


@pytest.mark.django_db(transaction=True)
def test_two_posts_of_one_form_at_the_same_moment_save_it_once(demo):
    make_user("eddie", EDITOR)
    path, data, table = _proposal(demo)
    data = {**data, "action": "save", "once": "a-token-of-the-page-0003"}
    barrier = threading.Barrier(2)

    def post(_: int) -> Any:
        client = client_as(User.objects.get(username="eddie"))
        barrier.wait()
        try:
            return client.post(path, data)
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(post, range(2)))
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert table.filter(title="Exchange of civilians").count() == 1


# --- numbers that are not a few ASCII digits ------------------------------------------

NOT_A_COUNT = ["²", "9" * 5000]


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _number_box(page: str) -> str:
    return re.search(r'<input[^>]*name="number"[^>]*>', page)[0]  # type: ignore[index]


@pytest.mark.parametrize("negotiation", [*NOT_A_COUNT, "fullwidth"])
def test_a_new_round_for_a_negotiation_named_in_other_digits_starts_blank(
    editor, demo, negotiation
):
    blank = _number_box(editor.get("/edit/rounds/new/").content.decode())
    if negotiation == "fullwidth":
        next_round = _number_box(
            editor.get(f"/edit/rounds/new/?negotiation={demo.pk}").content.decode()
        )
        assert next_round != blank
        negotiation = str(demo.pk).translate(FULLWIDTH)
    response = editor.get("/edit/rounds/new/", {"negotiation": negotiation})
    assert response.status_code == 200
    assert _number_box(response.content.decode()) == blank


@pytest.mark.parametrize("total", NOT_A_COUNT)
def test_a_row_count_in_other_digits_adding_a_row_is_an_error_not_a_crash(editor, demo, total):
    path, data, table = _round_start(demo)
    data.update({"action": "add-participant", "participants-TOTAL_FORMS": total})
    before = table.count()
    response = editor.post(path, data)
    assert response.status_code == 200
    assert table.count() == before


@pytest.mark.parametrize("index", NOT_A_COUNT)
def test_a_row_numbered_in_other_digits_beside_a_tampered_count_is_an_error(editor, demo, index):
    path, data, _table = _proposal(demo)
    data.update({"terms-TOTAL_FORMS": "-5", f"terms-{index}-text": "A stray term."})
    # URL-encoded: multipart would refuse a 5,000-character field name before the form.
    body = urlencode(data, doseq=True)
    page = editor.post(path, body, content_type="application/x-www-form-urlencoded")
    page = page.content.decode()
    assert "Nothing was saved" in page
    assert not Proposal.objects.filter(title="Exchange of civilians").exists()


def test_a_position_target_in_other_digits_is_no_target(demo):
    memorandum = _memorandum()
    term = memorandum.terms.order_by("ordinal").first()
    for raw in (f"p:{memorandum.pk}", f"t:{term.pk}"):  # type: ignore[union-attr]
        assert resolve_target(memorandum.negotiation_id, raw) != (None, None)
        assert resolve_target(memorandum.negotiation_id, raw.translate(FULLWIDTH)) == (None, None)
