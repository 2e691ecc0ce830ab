"""Per-party progress on terms, as the ledger (engine/ledger.py) counts it: for the
commitments resource and the proposal page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from proposals.engine.data import EventIn, PartyProgress
from proposals.engine.ledger import Ledger, progress
from proposals.engine.reasons import amount
from proposals.engine.vocabulary import BREACH
from proposals.models import ImplementationEvent, Term
from proposals.snapshot import term_ledger


@dataclass(frozen=True)
class ProgressLine:
    party: str
    committed: str  # "1,200", "about 1,200", "1,000–1,200"
    delivered: int
    done: bool


@dataclass(frozen=True)
class TermLedger:
    """What a page shows of one term's ledger."""

    progress: tuple[ProgressLine, ...]
    breaches: tuple[ImplementationEvent, ...]
    suspended_since: date | None
    disputed: int


def _terms(term_ids: Iterable[int]) -> list[Term]:
    return list(
        Term.objects.filter(pk__in=list(term_ids)).prefetch_related(
            "commitments__party",
            Prefetch(
                "implementation_events",
                ImplementationEvent.objects.select_related("by_party").order_by(
                    "happened_on", "id"
                ),
            ),
        )
    )


def _progress(term: Term, on: date) -> tuple[tuple[PartyProgress, ...], Ledger, list[EventIn]]:
    term_in, events = term_ledger(term)
    books = Ledger(term_in, events)
    return progress(term_in, books.at(on)), books, events


def delivered_by_party(
    term_ids: Iterable[int], on: date | None = None
) -> dict[int, dict[int, int]]:
    """Term id -> party id -> what the ledger counts that party as having delivered on the
    term, for all the terms at once (a fixed number of queries)."""
    day = on or timezone.localdate()
    result: dict[int, dict[int, int]] = {}
    for term in _terms(term_ids):
        term_in, events = term_ledger(term)
        result[term.pk] = dict(Ledger(term_in, events).at(day).by_party)
    return result


def term_ledgers(terms: Iterable[Term], on: date | None = None) -> dict[int, TermLedger]:
    """Term id -> its per-party progress, breaches and suspension as of a day, for the
    terms that have commitments or events. Prefetch `commitments__party` and
    `implementation_events` (with `by_party`) to keep it to the queries already made."""
    day = on or timezone.localdate()
    result: dict[int, TermLedger] = {}
    for term in terms:
        if not term.commitments.all() and not term.implementation_events.all():
            continue
        lines, books, _ = _progress(term, day)
        names = {c.party_id: c.party.display_name for c in term.commitments.all()}
        state = books.at(day)
        result[term.pk] = TermLedger(
            progress=tuple(
                ProgressLine(
                    names.get(p.party_id, str(p.party_id)),
                    amount(p.committed, p.committed_high, p.approximate),
                    p.delivered,
                    p.delivered >= p.committed,
                )
                for p in lines
            ),
            breaches=tuple(
                e
                for e in term.implementation_events.all()
                if e.kind == BREACH and e.happened_on <= day
            ),
            suspended_since=state.suspension.happened_on if state.suspension else None,
            disputed=state.disputed,
        )
    return result
