"""A proposal's status timeline: status as of a day (as_of.py), replayed on each date on
which anything it hangs on changed, so it is right even when old positions come late."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from functools import partial
from operator import itemgetter

from .as_of import Statuses
from .changes import NO_CHANGES
from .data import ProposalIn, TermStatus, TimelineEntry
from .index import Index
from .ratification import outcome_on
from .rules import is_superseded
from .stances import History
from .vocabulary import CONDITIONAL_STANCE

_Subject = tuple[str, int]  # ("term", term id) or ("proposal", proposal id)


class Timelines:
    """The timelines of one snapshot's proposals."""

    def __init__(self, statuses: Statuses) -> None:
        self._statuses = statuses
        self._first_said: dict[_Subject, date] | None = None

    def timeline(self, proposal_id: int, until: date) -> list[TimelineEntry]:
        statuses = self._statuses
        proposal = statuses.index.proposal(proposal_id)
        own = [t.id for t in statuses.index.terms_of[proposal_id]]
        entries: list[TimelineEntry] = []
        previous: dict[int | None, str] = {}
        last_state: (
            tuple[bool, tuple[str, ...], tuple[str, ...], tuple[int, date] | None] | None
        ) = None
        for day in self.change_dates(proposal, own, until):
            # Statuses follow from this state; building reasons only on a change, and only
            # for what changed, keeps a replay over hundreds of dates cheap.
            state = (
                is_superseded(proposal, day),
                statuses.statuses_only(proposal_id, day),
                tuple(outcome_on(step, day) for step in proposal.steps),
                statuses.partial.realised_by(proposal_id, day),
            )
            if state == last_state:
                continue
            last_state = state
            term_statuses = list(state[1]) if own else []
            changed = [i for i, s in enumerate(term_statuses) if s != previous.get(own[i])]
            on_day = statuses.day(proposal_id, [own[i] for i in changed], day)
            results = {i: statuses.term_result(own[i], on_day) for i in changed}
            reason_of = partial(self._reason_of, proposal_id, own, day, results)
            status, reason = statuses.outcome(on_day, term_statuses, reason_of)
            if status != previous.get(None):
                entries.append(TimelineEntry(day, status, reason, None, previous.get(None)))
                previous[None] = status
            for i in changed:
                result = results[i]
                entries.append(
                    TimelineEntry(day, result.status, result.reason, own[i], previous.get(own[i]))
                )
                previous[own[i]] = result.status
        return entries

    def _reason_of(
        self, proposal_id: int, own: list[int], day: date, results: dict[int, TermStatus], i: int
    ) -> str:
        if i not in results:
            on_day = self._statuses.day(proposal_id, [own[i]], day)
            results[i] = self._statuses.term_result(own[i], on_day)
        return results[i].reason

    def change_dates(self, proposal: ProposalIn, own: list[int], until: date) -> list[date]:
        """The dates up to `until` on which the proposal's state can change: the first day
        anything it hangs on was said (or its tabling day, if known), and each day one of its
        terms' statuses (before the overlay; its own if it has none) changed, an event
        happened, a ratification step was decided or it was superseded.
        Replaying any other date would only repeat the state of the one before it."""
        histories, ledgers = self._statuses.histories, self._statuses.index.ledgers
        moments: set[date] = set()
        for term_id in own:
            moments.update(histories.terms.get(term_id, NO_CHANGES)[0])
            if term_id in ledgers:
                moments.update(ledgers[term_id].dates)
        if not own:
            moments.update(histories.proposals.get(proposal.id, NO_CHANGES)[0])
        if proposal.superseded_on is not None:
            moments.add(proposal.superseded_on)
        # A ratification step's decision changes an agreed proposal's status that day.
        moments.update(step.decided_on for step in proposal.steps if step.decided_on is not None)
        # Partial realisation: the days the narrower proposals' statuses change.
        moments.update(self._statuses.partial.linked_moments(proposal.id))
        if self._first_said is None:
            self._first_said = first_said(self._statuses.index)
        subjects = [("proposal", proposal.id), *(("term", term_id) for term_id in own)]
        said = [self._first_said[s] for s in subjects if s in self._first_said]
        if proposal.tabled_on is not None:
            # Before its tabling day it is not yet tabled, whatever was said or done: its
            # timeline starts on that day.
            moments = {day for day in moments if day > proposal.tabled_on}
            moments.add(proposal.tabled_on)
            said = []
        start = min((*said, *moments), default=None)
        if start is None or start > until:
            return []
        return sorted({start, *(day for day in moments if day <= until)})


def first_said(index: Index) -> dict[_Subject, date]:
    """For every term and whole proposal, the first day anything it hangs on was said.

    A subject hangs on the positions on it (by the parties whose positions count for it)
    and on every subject it reaches: a term reaches its whole proposal, and any subject
    reaches the terms its conditional positions name, whatever their date, since each of
    them could bear on its status. Subjects are taken in the order of their own first
    position; from each, every subject that reaches it and has no day yet gets its day, so
    each subject is visited once, even where conditions form cycles.
    """
    own: dict[_Subject, date] = {}
    readers: dict[_Subject, list[_Subject]] = defaultdict(list)  # who reaches a subject

    def note(subject: _Subject, histories: Mapping[int, History], proposal_id: int) -> None:
        for party in index.parties[proposal_id]:
            history = histories.get(party)
            if history is None:
                continue
            if subject not in own or history.dates[0] < own[subject]:
                own[subject] = history.dates[0]
            for p in history.positions:
                if p.stance == CONDITIONAL_STANCE:
                    for ref in p.conditional_on:
                        if ref in index.terms:
                            readers[("term", ref)].append(subject)

    for proposal_id in index.proposals:
        note(("proposal", proposal_id), index.stances.on_proposal.get(proposal_id, {}), proposal_id)
    for term_id, term in index.terms.items():
        note(("term", term_id), index.stances.on_term.get(term_id, {}), term.proposal_id)
        readers[("proposal", term.proposal_id)].append(("term", term_id))

    result: dict[_Subject, date] = {}
    for subject, day in sorted(own.items(), key=itemgetter(1)):
        if subject in result:
            continue
        result[subject] = day
        stack = [subject]
        while stack:
            for reader in readers.get(stack.pop(), ()):
                if reader not in result:
                    result[reader] = day
                    stack.append(reader)
    return result
