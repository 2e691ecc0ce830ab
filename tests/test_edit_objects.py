"""Editing what was recorded: every edit form carries a version and shows a conflict
instead of overwriting; withdraw, link, correct and delete; the audit history as a diff."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict

from negotiations.models import Delegation, Participation
from parties.models import Party, Person
from proposals import services as proposal_services
from proposals.models import ImplementationEvent, Position, Proposal, ProposalLink, Source, Term
from tests.edit_support import EDITOR, client_as, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_once")]


@pytest.fixture
def editor(db):
    return client_as(make_user("eddie", EDITOR))


@pytest.fixture
def memorandum(demo) -> Proposal:
    return demo.proposals.get(title="Russian memorandum on a settlement")


def form_data(form_html_owner, obj, **changes):
    """What the edit form of `obj` posts when the editor changes `changes`."""
    data = {}
    for name, value in model_to_dict(obj).items():
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif value is None:
            data[name] = ""
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    data["expected_version"] = obj.version
    data.update(changes)
    return data


def test_an_edit_saves_through_the_service_and_lands_on_the_proposal(editor, memorandum):
    data = form_data(None, memorandum, summary="Published by TASS after the talks.")
    response = editor.post(f"/edit/proposal/{memorandum.pk}/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/edit/proposals/{memorandum.pk}/"
    memorandum.refresh_from_db()
    assert memorandum.summary == "Published by TASS after the talks." and memorandum.version == 2
    page = editor.get(response["Location"]).content.decode()
    assert "Saved proposal" in page and "Russian memorandum on a settlement" in page


def test_a_stale_version_shows_the_conflict_and_keeps_the_editors_input(editor, memorandum):
    loaded = form_data(None, memorandum, summary="My summary.")
    other = make_user("olga", EDITOR)
    other_client = client_as(other)
    theirs = form_data(None, memorandum, title="Russian memorandum (TASS text)")
    assert other_client.post(f"/edit/proposal/{memorandum.pk}/", theirs).status_code == 302

    response = editor.post(f"/edit/proposal/{memorandum.pk}/", loaded)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone saved this proposal while you were editing it" in page
    assert "by <strong>olga</strong>" in page
    assert "Russian memorandum (TASS text)" in page  # what they saved
    assert "My summary." in page  # what I typed, still in the form
    assert 'name="expected_version" value="2"' in page
    memorandum.refresh_from_db()
    assert memorandum.summary != "My summary." and memorandum.version == 2

    # Choosing to overwrite: the form now carries version 2.
    loaded["expected_version"] = 2
    assert editor.post(f"/edit/proposal/{memorandum.pk}/", loaded).status_code == 302
    memorandum.refresh_from_db()
    assert memorandum.summary == "My summary." and memorandum.version == 3


def test_the_conflict_names_the_fields_the_other_save_changed(editor, memorandum):
    loaded = form_data(None, memorandum, summary="Mine.")
    proposal_services.proposal_update(proposal=memorandum, text_status="leaked")
    page = editor.post(f"/edit/proposal/{memorandum.pk}/", loaded).content.decode()
    row = page[page.index("Text status") : page.index("Text status") + 300]
    assert "changed by them" in row and "leaked" in row


EDITS = [
    ("term", lambda d: d.proposals.get(title="Russian memorandum on a settlement").terms.first(),
     {"quantity": "5", "unit": ""}, "Say what the quantity counts"),
    ("round", lambda d: d.rounds.get(), {"ends_on": "2025-06-01"}, "cannot end before it starts"),
    ("negotiation", lambda d: d, {"title": ""}, "This field is required."),
    ("party", lambda d: Party.objects.get(slug="ukraine"), {"country_code": "ua"},
     "two capital letters"),
    ("source", lambda d: Source.objects.first(), {"url": "not a url"}, "Enter a valid URL."),
    ("participation", lambda d: Participation.objects.filter(negotiation=d).first(),
     {"roles": []}, "This field is required."),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "pick", "changes", "message"), EDITS)
def test_every_edit_form_refuses_bad_input_next_to_the_field(
    editor, demo, kind, pick, changes, message
):
    obj = pick(demo)
    before = obj.version
    page = editor.get(f"/edit/{kind}/{obj.pk}/").content.decode()
    assert f'name="expected_version" value="{before}"' in page
    response = editor.post(f"/edit/{kind}/{obj.pk}/", form_data(None, obj, **changes))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "field-error" in body or "form-errors" in body
    obj.refresh_from_db()
    assert obj.version == before


def test_a_delegation_and_an_event_are_edited_too(editor, demo):
    delegation = Delegation.objects.get(party__slug="ukraine")
    data = form_data(None, delegation, members_text="and two advisers")
    assert editor.post(f"/edit/delegation/{delegation.pk}/", data).status_code == 302
    delegation.refresh_from_db()
    assert delegation.members_text == "and two advisers"
    term = Term.objects.get(quantity=6000)
    event = proposal_services.implementation_event_record(
        term=term, happened_on=term.proposal.tabled_on, quantity=1000
    )
    data = form_data(None, event, quantity="-1")
    page = editor.post(f"/edit/event/{event.pk}/", data).content.decode()
    assert "A delivered quantity cannot be negative." in page
    data = form_data(None, event, quantity="1212")
    assert editor.post(f"/edit/event/{event.pk}/", data).status_code == 302
    assert ImplementationEvent.objects.get().quantity == 1212


def test_the_tabling_party_withdraws_a_proposal(
    editor, memorandum, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            f"/edit/proposals/{memorandum.pk}/withdraw/",
            {"stated_on": "2025-06-03", "source": Source.objects.first().pk},
        )
    assert response.status_code == 302
    assert Position.objects.filter(proposal=memorandum, stance="withdraws").count() == 1
    memorandum.refresh_from_db()
    assert memorandum.status == "withdrawn"


def test_a_withdrawal_needs_a_source_and_a_valid_date(editor, memorandum):
    page = editor.post(
        f"/edit/proposals/{memorandum.pk}/withdraw/", {"stated_on": "2099-01-01", "quote": "Gone."}
    ).content.decode()
    assert "Give a source" in page and ">\nGone.</textarea>" in page
    assert not Position.objects.filter(stance="withdraws").exists()


def test_a_proposal_is_superseded_by_a_link(editor, demo, django_capture_on_commit_callbacks):
    ceasefire = demo.proposals.get(title="Unconditional ceasefire")
    memorandum = demo.proposals.get(title="Russian memorandum on a settlement")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            f"/edit/proposals/{memorandum.pk}/link/",
            {"kind": "supersedes", "to_proposal": ceasefire.pk},
        )
    assert response.status_code == 302
    ceasefire.refresh_from_db()
    assert ceasefire.status == "superseded"
    again = editor.post(
        f"/edit/proposals/{memorandum.pk}/link/",
        {"kind": "supersedes", "to_proposal": ceasefire.pk},
    ).content.decode()
    assert "already linked this way" in again
    assert ProposalLink.objects.count() == 1


def test_a_position_is_corrected_by_a_new_one(
    editor, memorandum, django_capture_on_commit_callbacks
):
    old = Position.objects.get(proposal=memorandum, party__slug="ukraine")
    page = editor.get(f"/edit/positions/{old.pk}/correct/").content.decode()
    assert f'value="p:{memorandum.pk}" selected' in page
    data = {
        "target": f"p:{memorandum.pk}",
        "party": old.party_id,
        "stance": "undecided",
        "stated_on": "2025-06-03",
        "source": old.source_id,
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert editor.post(f"/edit/positions/{old.pk}/correct/", data).status_code == 302
    assert Position.objects.filter(pk=old.pk).exists()
    assert Position.objects.filter(proposal=memorandum, stance="undecided").count() == 1
    memorandum.refresh_from_db()
    assert memorandum.status == "open"


def test_a_mistaken_position_is_deleted_with_a_reason_kept_in_the_history(editor, memorandum):
    position = Position.objects.get(proposal=memorandum, party__slug="the-west")
    refused = editor.post(f"/edit/position/{position.pk}/delete/", {"reason": "  "})
    assert "This field is required." in refused.content.decode()
    assert Position.objects.filter(pk=position.pk).exists()
    response = editor.post(
        f"/edit/position/{position.pk}/delete/", {"reason": "Not in the report."}
    )
    assert response.status_code == 302
    assert not Position.objects.filter(pk=position.pk).exists()
    page = editor.get(f"/edit/proposals/{memorandum.pk}/").content.decode()
    assert "Deleted positions" in page and "Not in the report." in page
    history = editor.get(f"/edit/history/proposals.Position/{position.pk}/").content.decode()
    assert "deleted" in history and "Not in the report." in history and "eddie" in history


def test_the_history_shows_who_changed_what(editor, memorandum):
    data = form_data(None, memorandum, summary="New summary.")
    editor.post(f"/edit/proposal/{memorandum.pk}/", data)
    page = editor.get(f"/edit/history/proposals.Proposal/{memorandum.pk}/").content.decode()
    assert "<strong>eddie</strong> changed" in page
    assert "<ins>New summary.</ins>" in page
    assert "<strong>system</strong> created" in page  # the demo loader had no user
    changes = editor.get("/edit/changes/").content.decode()
    assert "eddie" in changes and "Russian memorandum on a settlement" in changes


def test_history_is_kept_only_for_tracked_models(editor, demo):
    assert editor.get("/edit/history/auth.User/1/").status_code == 404
    assert editor.get("/edit/history/proposals.Proposal/999999/").status_code == 404


def test_a_refused_edit_keeps_what_was_typed(editor, demo):
    round_ = demo.rounds.get()
    data = form_data(None, round_, ends_on="2025-06-01", venue_city="Ankara")
    page = editor.post(f"/edit/round/{round_.pk}/", data).content.decode()
    assert 'value="2025-06-01"' in page and 'value="Ankara"' in page
    round_.refresh_from_db()
    assert round_.venue_city == "Istanbul"


def test_a_correction_dated_in_the_future_is_refused_and_keeps_the_input(editor, memorandum):
    old = Position.objects.get(proposal=memorandum, party__slug="ukraine")
    data = {
        "target": f"p:{memorandum.pk}",
        "party": old.party_id,
        "stance": "accepts",
        "stated_on": "2099-01-01",
        "quote": "We might.",
        "source": old.source_id,
    }
    page = editor.post(f"/edit/positions/{old.pk}/correct/", data).content.decode()
    assert 'id="id_stated_on_error"' in page and "cannot be dated in the future" in page
    assert ">\nWe might.</textarea>" in page
    assert not Position.objects.filter(proposal=memorandum, stance="accepts").exists()


def test_a_delegation_head_must_be_of_its_party(editor, demo):
    delegation = Delegation.objects.get(party__slug="ukraine")
    leavitt = Person.objects.get(name="Karoline Leavitt")
    page = editor.post(
        f"/edit/delegation/{delegation.pk}/", form_data(None, delegation, head=leavitt.pk)
    ).content.decode()
    assert 'id="id_head_error"' in page
    delegation.refresh_from_db()
    assert delegation.head is None
