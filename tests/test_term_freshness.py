"""A term's status says "recomputing" from the write that can change it until the
recompute has written it, on every recompute, not only the first (DESIGN §4)."""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from proposals.models import Proposal, Stance, Term
from proposals.refresh import proposal_status_refresh
from proposals.services import position_record, proposal_create, term_create
from proposals.staleness import mark_stale
from proposals.tasks import recompute_proposal
from tests.api_support import api_env, client_for

__all__ = ["api_env"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_env")]
DAY = datetime.date(2025, 6, 2)


def _freshness(term: Term) -> str:
    response = client_for(None).get(f"/api/v1/terms/{term.pk}/")
    assert response.status_code == 200, response.content
    return str(response.json()["status_freshness"])


def _page_says_recomputing(client, term: Term) -> bool:
    page = client.get(f"/terms/{term.pk}/").content.decode()
    return "recomputing" in page


def test_a_term_is_recomputing_after_each_write_until_its_recompute(
    client, negotiation, parties, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_create(
            negotiation=negotiation, title="Bodies", kind="exchange", tabled_on=DAY
        )
        term = term_create(proposal=proposal, text="Swap bodies", quantity=6000, unit="bodies")
    assert _freshness(term) == "current"  # the first recompute has run

    for party in ("ru", "ua"):
        with django_capture_on_commit_callbacks() as recomputes:
            position_record(
                proposal=proposal, party=parties[party], stance=Stance.ACCEPTS, stated_on=DAY
            )
        assert recomputes, "the write enqueues a recompute once it commits"
        assert _freshness(term) == "recomputing"
        assert _page_says_recomputing(client, term)

        for recompute in recomputes:
            recompute()
        assert _freshness(term) == "current"
        assert not _page_says_recomputing(client, term)
    assert Term.objects.get(pk=term.pk).status == "agreed"


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone() is not None


class TermWrite:
    """As term_update does, on a connection of its own: lock the term's row, hold it until
    released, then mark the proposal stale and commit."""

    def __init__(self, term: Term) -> None:
        self.term = term
        self.holding, self.release = threading.Event(), threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._main)
        self.thread.start()
        assert self.holding.wait(30)

    def _main(self) -> None:
        try:
            with transaction.atomic():
                Term.objects.filter(pk=self.term.pk).update(text="Swap all bodies")
                self.holding.set()
                assert self.release.wait(30)
                mark_stale(proposal_ids=[self.term.proposal_id])
        except BaseException as error:  # noqa: BLE001 - reported by finish()
            self.errors.append(error)
        finally:
            self.holding.set()
            connections.close_all()

    def finish(self) -> None:
        self.release.set()
        self.thread.join(30)
        assert not self.errors, self.errors


def _in_thread(run: Callable[[], object], errors: list[BaseException]) -> threading.Thread:
    def main() -> None:
        try:
            run()
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=main)
    thread.start()
    return thread


@pytest.fixture
def exchange(negotiation) -> tuple[Proposal, Term]:
    proposal = proposal_create(
        negotiation=negotiation, title="Bodies", kind="exchange", tabled_on=DAY
    )
    term = term_create(proposal=proposal, text="Swap bodies", quantity=6000, unit="bodies")
    assert not Term.objects.get(pk=term.pk).status_stale  # recomputed in-process
    return proposal, term


@pytest.mark.django_db(transaction=True)
def test_marking_skips_a_term_another_write_holds_and_that_write_marks_it(
    exchange, parties, monkeypatch
):
    proposal, term = exchange
    monkeypatch.setattr(recompute_proposal, "apply_async", lambda *args, **options: None)
    held = TermWrite(term)
    errors: list[BaseException] = []
    position = _in_thread(
        lambda: position_record(
            proposal=proposal, party=parties["ru"], stance=Stance.ACCEPTS, stated_on=DAY
        ),
        errors,
    )
    position.join(10)
    done_meanwhile = not position.is_alive()
    held.finish()
    position.join(30)
    assert not errors
    assert done_meanwhile, "the position waited for the term row another write held"
    assert Term.objects.get(pk=term.pk).status_stale  # marked by the term write itself


@pytest.mark.django_db(transaction=True)
def test_a_recompute_and_a_term_edit_of_the_same_proposal_do_not_deadlock(exchange, parties):
    proposal, term = exchange
    held = TermWrite(term)
    errors: list[BaseException] = []
    recompute = _in_thread(lambda: proposal_status_refresh(proposal_id=proposal.pk), errors)
    deadline = time.monotonic() + 30
    while not _waiting_for_a_lock():  # the recompute waits for the term's row
        assert time.monotonic() < deadline, "the recompute never reached the term's row"
        time.sleep(0.05)
    held.finish()
    recompute.join(30)
    assert not errors
    # The recompute read before the edit marked the proposal: it computed again.
    row = Proposal.objects.values_list("status_stale", flat=True).get(pk=proposal.pk)
    assert (row, Term.objects.get(pk=term.pk).status_stale) == (False, False)
