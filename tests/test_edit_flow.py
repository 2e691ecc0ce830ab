"""Recording a round through the editor pages: start it, table proposals with terms
(pasted) and positions, record positions and deliveries; errors keep what was typed and
write nothing."""

from __future__ import annotations

import datetime

import pytest

from negotiations.editing.proposal_forms import split_numbered_list
from negotiations.models import Delegation, Negotiation, Participation, Round
from parties.models import Party, Person
from proposals.models import ImplementationEvent, Position, Proposal, Source, Term
from proposals.services import source_create
from tests.edit_support import EDITOR, client_as, make_user, proposal_post, rows

pytestmark = pytest.mark.django_db
DAY = "2025-06-02"


@pytest.fixture
def editor(db):
    return client_as(make_user("eddie", EDITOR))


def start_data(**overrides):
    data = {
        "action": "save",
        "negotiation": "",
        "negotiation_title": "Russia–Ukraine direct talks, Istanbul 2025",
        "negotiation_started_on": "2025-05-16",
        "number": "2",
        "title": "Second round, Istanbul",
        "starts_on": DAY,
        "ends_on": DAY,
        "venue_city": "Istanbul",
        "venue_country": "Türkiye",
        "status": "held",
        "summary": "Prisoner exchange agreed; no ceasefire.",
        **rows(
            "participants",
            [
                {
                    "new_name": "Russian Federation",
                    "new_short_name": "Russia",
                    "new_country_code": "RU",
                    "new_kind": "state",
                    "roles": "principal",
                    "delegation": "on",
                },
                {
                    "new_name": "Ukraine",
                    "new_short_name": "Ukraine",
                    "new_country_code": "UA",
                    "new_kind": "state",
                    "roles": "principal",
                    "delegation": "on",
                    "members": "Sergiy Kyslytsya",
                },
                {
                    "new_name": "Republic of Türkiye",
                    "new_short_name": "Turkey",
                    "new_country_code": "TR",
                    "new_kind": "state",
                    "roles": ["host", "mediator"],
                    "hosts_round": "on",
                },
            ],
        ),
    }
    data.update(overrides)
    return data


@pytest.fixture
def started(editor, django_capture_on_commit_callbacks) -> Round:
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post("/edit/rounds/new/", start_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    return Round.objects.get()


def test_starting_a_round_records_parties_negotiation_round_hosts_and_delegations(editor):
    response = editor.post("/edit/rounds/new/", start_data())
    round_ = Round.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/edit/rounds/{round_.pk}/"
    assert round_.negotiation.title == "Russia–Ukraine direct talks, Istanbul 2025"
    assert [p.slug for p in round_.hosts.all()] == ["turkey"]
    roles = {p.party.slug: p.roles for p in Participation.objects.select_related("party")}
    assert roles == {
        "russia": ["principal"],
        "ukraine": ["principal"],
        "turkey": ["host", "mediator"],
    }
    ukraine = Delegation.objects.get(party__slug="ukraine")
    assert [m.name for m in ukraine.members.all()] == ["Sergiy Kyslytsya"]
    assert Delegation.objects.count() == 2


def test_a_round_ending_before_it_starts_is_refused_keeps_the_input_and_writes_nothing(editor):
    response = editor.post("/edit/rounds/new/", start_data(ends_on="2025-06-01"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "A round cannot end before it starts." in page
    assert 'value="Russian Federation"' in page and 'value="Second round, Istanbul"' in page
    assert not Negotiation.objects.exists() and not Party.objects.exists()


def test_a_malformed_date_is_named_next_to_its_field(editor):
    response = editor.post("/edit/rounds/new/", start_data(starts_on="2025-02-30"))
    page = response.content.decode()
    assert 'id="id_starts_on_error"' in page and "Enter a valid date." in page
    assert 'aria-invalid="true"' in page
    assert not Party.objects.exists()


def test_a_new_negotiation_needs_a_title(editor):
    response = editor.post("/edit/rounds/new/", start_data(negotiation_title=""))
    assert "give the new one a title" in response.content.decode()
    assert not Round.objects.exists()


def test_another_party_row_is_added_without_saving_anything(editor):
    data = start_data(action="add-participant")
    response = editor.post("/edit/rounds/new/", data)
    page = response.content.decode()
    assert 'name="participants-TOTAL_FORMS" value="4"' in page
    assert 'data-focus="id_participants-3-party"' in page
    assert "Pick the party, or name the new one." not in page  # the new row is not judged
    assert not Party.objects.exists()


def test_the_next_round_of_a_negotiation_lists_its_parties(editor, started):
    page = editor.get(f"/edit/rounds/new/?negotiation={started.negotiation_id}").content.decode()
    assert 'name="number" value="3"' in page
    assert page.count('class="row participant-row"') == 4  # three parties and one blank row


def test_the_paste_helper_splits_a_numbered_list():
    pasted = """A. Ukraine withdraws from four regions.
    B.1 Ukraine halts mobilisation.
    2) Martial law ends
       and elections follow.
    4.1 Neutrality.
    - a bullet
    Ukraine gives up NATO."""
    assert split_numbered_list(pasted) == [
        ("A", "Ukraine withdraws from four regions."),
        ("B.1", "Ukraine halts mobilisation."),
        ("2", "Martial law ends and elections follow."),
        ("4.1", "Neutrality."),
        ("", "a bullet Ukraine gives up NATO."),
    ]


def test_splitting_a_pasted_list_makes_term_rows_to_review(editor, started):
    data = proposal_post(
        {"title": "Memorandum", "kind": "memorandum", "paste": "1. First.\n2. Second."},
        terms=[{"text": "Kept."}],
        action="split-terms",
    )
    page = editor.post(f"/edit/rounds/{started.pk}/", data).content.decode()
    assert 'name="terms-TOTAL_FORMS" value="3"' in page
    assert "Kept.</textarea>" in page and "First.</textarea>" in page
    assert 'name="terms-2-label" value="2"' in page
    assert not Proposal.objects.exists()


def _parties():
    return {p.slug: p.pk for p in Party.objects.all()}


def test_tabling_a_proposal_writes_it_with_terms_positions_and_source(
    editor, started, django_capture_on_commit_callbacks
):
    ids = _parties()
    data = proposal_post(
        {
            "title": "Unconditional ceasefire",
            "kind": "ceasefire",
            "tabled_by": ids["ukraine"],
            "tabled_on": DAY,
            "source_title": "Report of the day",
            "source_publisher": "Agency",
            "source_published_on": DAY,
            "source_kind": "news",
        },
        terms=[{"text": "An unconditional halt to hostilities.", "category": "ceasefire"}],
        positions=[
            {
                "party": ids["russia"],
                "stance": "rejects",
                "stated_on": DAY,
                "speaker": "Sergiy Kyslytsya",
                "quote": "The Russian side continued to reject",
            }
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(f"/edit/rounds/{started.pk}/", data)
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.status == "rejected" and not proposal.status_stale
    assert proposal.round == started
    assert [p.slug for p in proposal.tabling_party_list()] == ["ukraine"]
    assert [s.title for s in proposal.sources.all()] == ["Report of the day"]
    rejects = Position.objects.get(stance="rejects")
    assert rejects.source.title == "Report of the day" and rejects.round == started
    page = editor.get(response["Location"]).content.decode()
    # The recompute ran once the transaction committed (here: when the capture ended).
    assert "Saved “Unconditional ceasefire”" in page
    assert '<span class="status status-rejected">Rejected</span>' in page


def test_a_proposal_without_a_source_is_refused_next_to_the_source_and_keeps_the_input(
    editor, started
):
    data = proposal_post(
        {"title": "Large-scale prisoner exchange", "kind": "exchange"},
        terms=[{"text": "Exchange of prisoners."}],
    )
    response = editor.post(f"/edit/rounds/{started.pk}/", data)
    page = response.content.decode()
    assert 'id="id_proposal-source_error"' in page and "Give a source" in page
    assert (
        'value="Large-scale prisoner exchange"' in page
        and "Exchange of prisoners.</textarea>" in page
    )
    assert not Proposal.objects.exists() and not Term.objects.exists()


def test_a_position_dated_in_the_future_is_refused_and_nothing_is_written(editor, started):
    ids = _parties()
    data = proposal_post(
        {"title": "Exchange", "kind": "exchange", "source_title": "Report"},
        terms=[{"text": "Exchange of prisoners."}],
        positions=[{"party": ids["russia"], "stance": "accepts", "stated_on": "2099-01-01"}],
    )
    page = editor.post(f"/edit/rounds/{started.pk}/", data).content.decode()
    assert 'id="id_ppos-0-stated_on_error"' in page
    assert "A position cannot be dated in the future." in page
    assert 'value="2099-01-01"' in page
    assert not Proposal.objects.exists() and not Source.objects.exists()


def test_a_position_on_an_unknown_term_label_is_refused(editor, started):
    ids = _parties()
    data = proposal_post(
        {"title": "Memo", "kind": "memorandum", "source_title": "Report"},
        terms=[{"label": "A", "text": "One."}],
        positions=[
            {"party": ids["ukraine"], "applies_to": "Z", "stance": "rejects", "stated_on": DAY}
        ],
    )
    page = editor.post(f"/edit/rounds/{started.pk}/", data).content.decode()
    assert "This proposal has no term “z”." in page
    assert not Proposal.objects.exists()


def test_a_term_level_position_names_the_term_by_its_label(editor, started):
    ids = _parties()
    data = proposal_post(
        {"title": "Memo", "kind": "memorandum", "tabled_by": ids["russia"], "source_title": "R"},
        terms=[{"label": "A", "text": "One."}, {"label": "B", "text": "Two."}],
        positions=[
            {"party": ids["ukraine"], "applies_to": "b", "stance": "rejects", "stated_on": DAY}
        ],
    )
    assert editor.post(f"/edit/rounds/{started.pk}/", data).status_code == 302
    assert Position.objects.get(stance="rejects").term.label == "B"


@pytest.fixture
def exchange(editor, started, django_capture_on_commit_callbacks) -> Proposal:
    ids = _parties()
    data = proposal_post(
        {"title": "Bodies", "kind": "exchange", "source_title": "Report"},
        terms=[
            {"text": "6,000 bodies.", "category": "exchange", "quantity": "6000", "unit": "bodies"}
        ],
        positions=[
            {"party": ids["russia"], "stance": "accepts", "stated_on": DAY},
            {"party": ids["ukraine"], "stance": "accepts", "stated_on": DAY},
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert editor.post(f"/edit/rounds/{started.pk}/", data).status_code == 302
    return Proposal.objects.get(title="Bodies")


def test_positions_on_recorded_proposals_need_a_source(editor, started, exchange):
    ids = _parties()
    data = {
        "block": "positions",
        "action": "save",
        **rows(
            "positions",
            [
                {
                    "target": f"p:{exchange.pk}",
                    "party": ids["turkey"],
                    "stance": "supports",
                    "stated_on": DAY,
                }
            ],
        ),
    }
    page = editor.post(f"/edit/rounds/{started.pk}/", data).content.decode()
    assert 'id="id_positions-0-source_error"' in page
    assert Position.objects.filter(party_id=ids["turkey"]).count() == 0
    data["psrc-source"] = str(Source.objects.get().pk)
    assert editor.post(f"/edit/rounds/{started.pk}/", data).status_code == 302
    assert Position.objects.filter(party_id=ids["turkey"], stance="supports").count() == 1


def test_an_empty_positions_block_says_there_is_nothing_to_save(editor, started):
    data = {"block": "positions", "action": "save", **rows("positions", [])}
    page = editor.post(f"/edit/rounds/{started.pk}/", data).content.decode()
    assert "Nothing to save yet" in page


def test_a_delivery_moves_an_agreed_exchange_into_implementation(
    editor, started, exchange, django_capture_on_commit_callbacks
):
    term = exchange.terms.get()
    data = {
        "block": "deliveries",
        "action": "save",
        "dsrc-source_title": "Ministry statement",
        "dsrc-source_url": "https://example.org/bodies",
        **rows(
            "deliveries",
            [
                {
                    "term": term.pk,
                    "happened_on": "2025-06-11",
                    "by_party": _parties()["russia"],
                    "quantity": "1212",
                }
            ],
        ),
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert editor.post(f"/edit/rounds/{started.pk}/", data).status_code == 302
    event = ImplementationEvent.objects.get()
    assert event.quantity == 1212 and event.source.url == "https://example.org/bodies"
    term.refresh_from_db()
    assert term.status == "in_implementation"


def test_a_known_source_url_in_another_spelling_is_reused_not_refused(
    editor, started, exchange, django_capture_on_commit_callbacks
):
    known = source_create(title="Ministry statement", url="https://example.org/bodies")
    before = Source.objects.count()
    data = {
        "block": "deliveries",
        "action": "save",
        "dsrc-source_title": "The same report again",
        "dsrc-source_url": "HTTPS://Example.ORG:443/bodies",
        **rows(
            "deliveries",
            [{"term": exchange.terms.get().pk, "happened_on": "2025-06-11", "quantity": "5"}],
        ),
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert editor.post(f"/edit/rounds/{started.pk}/", data).status_code == 302
    assert Source.objects.count() == before
    assert ImplementationEvent.objects.get().source == known


def test_a_delivery_before_the_proposal_was_tabled_is_refused_next_to_its_date(
    editor, started, exchange
):
    term = exchange.terms.get()
    data = {
        "block": "deliveries",
        "action": "save",
        "dsrc-source": str(Source.objects.get().pk),
        **rows("deliveries", [{"term": term.pk, "happened_on": "2025-05-01", "quantity": "5"}]),
    }
    page = editor.post(f"/edit/rounds/{started.pk}/", data).content.decode()
    assert 'id="id_deliveries-0-happened_on_error"' in page and "only tabled on" in page
    assert 'value="2025-05-01"' in page
    assert not ImplementationEvent.objects.exists()


def test_the_workspace_restores_a_draft_without_saving(editor, started):
    data = proposal_post({"title": "Half typed", "kind": "meeting"}, action="restore")
    page = editor.post(f"/edit/rounds/{started.pk}/", data).content.decode()
    assert 'value="Half typed"' in page and "Give a source" not in page
    assert not Proposal.objects.exists()


def test_people_are_created_once_and_reused(editor, started, exchange):
    assert Person.objects.filter(name="Sergiy Kyslytsya").count() == 1
    assert datetime.date(2025, 6, 2) == started.starts_on


def test_while_statuses_are_recomputed_the_workspace_says_so_and_reloads_them(editor, started):
    data = proposal_post({"title": "Summit", "kind": "meeting", "source_title": "Report"})
    # Without a commit (this test's transaction never commits) no recompute runs: as
    # with a busy worker, the proposal stays stale.
    assert editor.post(f"/edit/rounds/{started.pk}/", data).status_code == 302
    page = editor.get(f"/edit/rounds/{started.pk}/").content.decode()
    assert "Saved “Summit”: recomputing." in page
    assert '<span class="status status-stale"' in page and "being recomputed" in page
    assert 'data-hx-trigger="every 2s"' in page
