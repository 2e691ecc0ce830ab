import datetime

import pytest

from proposals.models import Proposal, Term
from proposals.selectors import stance_matrix, statuses_as_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_once")]


def proposal_count(negotiation) -> int:
    count = negotiation.proposals.count()
    assert count > 0, "the demo has no proposals: every check below would pass on nothing"
    return count


def column_count(negotiation) -> int:
    """The matrix has a column per proposal and one per term."""
    return (
        proposal_count(negotiation) + Term.objects.filter(proposal__negotiation=negotiation).count()
    )


def test_statuses_as_of_a_day_before_the_round_are_not_yet_tabled(demo):
    # Issue 12 point 10: before its tabling day a proposal is `not_tabled`, never "open".
    before = statuses_as_of(demo.pk, datetime.date(2025, 6, 1))
    assert len(before) == proposal_count(demo)
    assert {s.status for s in before.values()} == {"not_tabled"}
    on_the_day = statuses_as_of(demo.pk, datetime.date(2025, 6, 2))
    assert len(on_the_day) == proposal_count(demo)
    memorandum = Proposal.objects.get(kind="memorandum")
    assert on_the_day[memorandum.pk].status == "rejected"


def test_the_matrix_shows_every_participant_including_non_consent_parties(demo):
    matrix = stance_matrix(demo.pk)
    assert len(matrix.parties) == demo.participations.count() > 0
    assert len(matrix.columns) == column_count(demo)
    names = [p.party.short_name for p in matrix.parties]
    assert names[:2] == ["Russia", "Ukraine"]  # principals first
    memorandum = Proposal.objects.get(kind="memorandum")
    column = next(c for c in matrix.columns if c.proposal_id == memorandum.pk and c.term_id is None)
    west = next(p for p in matrix.parties if p.party.slug == "the-west")
    cell = matrix.cell(west.party_id, column)
    assert (cell.stance, cell.consent) == ("rejects", False)
    ukraine = next(p for p in matrix.parties if p.party.slug == "ukraine")
    term_column = next(c for c in matrix.columns if c.proposal_id == memorandum.pk and c.term_id)
    term_cell = matrix.cell(ukraine.party_id, term_column)
    assert (term_cell.stance, term_cell.consent) == ("rejects", True)


def test_the_matrix_as_of_an_earlier_day_shows_no_stances(demo):
    matrix = stance_matrix(demo.pk, as_of=datetime.date(2025, 5, 20))
    assert len(matrix.parties) == demo.participations.count() > 0
    assert len(matrix.columns) == column_count(demo)
    assert len(matrix.cells) == len(matrix.parties) * len(matrix.columns)
    assert all(cell.stance is None for cell in matrix.cells.values())


def test_a_second_as_of_read_reuses_the_engine(demo, django_assert_num_queries):
    day = datetime.date(2025, 6, 2)
    first = statuses_as_of(demo.pk, day)
    assert len(first) == proposal_count(demo)
    with django_assert_num_queries(1):  # only the inputs' fingerprint
        assert statuses_as_of(demo.pk, day) == first


def test_a_write_makes_the_next_as_of_read_replay_again(demo, django_capture_on_commit_callbacks):
    from parties.models import Party
    from proposals.services import position_record

    day = datetime.date(2025, 6, 2)
    summit = Proposal.objects.get(kind="meeting")
    before = statuses_as_of(demo.pk, day)
    assert len(before) == proposal_count(demo)
    assert before[summit.pk].status == "open"
    with django_capture_on_commit_callbacks(execute=True):
        position_record(
            proposal=summit,
            party=Party.objects.get(slug="russia"),
            stance="rejects",
            stated_on=day,
        )
    after = statuses_as_of(demo.pk, day)
    assert len(after) == proposal_count(demo)
    assert after[summit.pk].status == "rejected"
    matrix = stance_matrix(demo.pk, as_of=day)
    assert len(matrix.columns) == column_count(demo)
    russia = next(p for p in matrix.parties if p.party.slug == "russia")
    column = next(c for c in matrix.columns if c.proposal_id == summit.pk)
    assert matrix.cell(russia.party_id, column).stance == "rejects"
