"""Status as of a day: the one path by which every answer is computed, whether a term's,
a proposal's, all of a negotiation's, or a timeline's on each of its change dates.

Statuses before the implementation overlay are looked up in the histories of
changes.py; the stances, met conditions, overlay and reasons are then worked out for
just the proposal and terms asked about.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from datetime import date
from typing import NamedTuple

from . import ratification, reasons
from .changes import Histories, status_on, walk
from .conditions import counts_as, is_met
from .data import PositionIn, ProposalIn, ProposalStatus, StanceBasis, TermIn, TermStatus
from .index import Index
from .partial import PartialRealisation
from .rules import Progress, aggregate, implementation, is_not_tabled, is_superseded, items
from .stances import Stances
from .vocabulary import AGREED, CONDITIONAL_STANCE, NOT_TABLED, REJECTED, SUPERSEDED


class Day(NamedTuple):
    """A proposal and some of its terms as of a day, before the implementation overlay."""

    on: date
    proposal_id: int
    whole: Stances  # the stances on the whole proposal
    term_stances: dict[int, Stances]
    status: dict[int, str]
    accepted: set[int]  # ids of the conditional positions whose conditions are met


def _itself(position: PositionIn | None) -> PositionIn | None:
    return position


def basis_of(
    stances: Stances,
    accepted: AbstractSet[int],
    as_stated: Callable[[PositionIn | None], PositionIn | None] = _itself,
) -> tuple[StanceBasis, ...]:
    """The stances as a basis; `as_stated` gives back the day a position was stated when
    it took effect later (on its proposal's tabling day: Index.as_stated)."""
    stances = {party: as_stated(p) for party, p in stances.items()}
    return tuple(
        StanceBasis(party, None, None, None, None, None)
        if p is None
        else StanceBasis(
            party,
            p.stance,
            counts_as(p, accepted),
            p.id,
            p.stated_on,
            "proposal" if p.term_id is None else "term",
        )
        for party, p in stances.items()
    )


class Statuses:
    """The statuses of one snapshot's terms and proposals, as of any day."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.wording = reasons.Wording(index.names)
        self._histories: Histories | None = None
        self.partial = PartialRealisation(self)

    @property
    def histories(self) -> Histories:
        if self._histories is None:
            self._histories = walk(self.index)
        return self._histories

    # ------------------------------------------------------------ answers

    def term_status(self, term_id: int, on: date) -> TermStatus:
        term = self.index.term(term_id)
        return self.term_result(term_id, self.day(term.proposal_id, [term_id], on))

    def proposal_status(self, proposal_id: int, on: date) -> ProposalStatus:
        self.index.proposal(proposal_id)
        return self.proposal_result(self._whole_day(proposal_id, on))

    def all_statuses(self, on: date) -> dict[int, ProposalStatus]:
        return {
            pid: self.proposal_result(self._whole_day(pid, on))
            for pid in sorted(self.index.proposals)
        }

    def _whole_day(self, proposal_id: int, on: date) -> Day:
        return self.day(proposal_id, [t.id for t in self.index.terms_of[proposal_id]], on)

    # ------------------------------------------------------------ the one path

    def day(self, proposal_id: int, term_ids: Sequence[int], on: date) -> Day:
        """A proposal and the given terms of it as of a day: their stances (§3 rule 2), the
        conditions met and the terms' statuses before the overlay."""
        index, changes = self.index, self.histories.terms
        whole = index.stances.on_whole(proposal_id, index.parties[proposal_id], on)
        term_stances = {t: index.stances.on_one_term(t, whole, on) for t in term_ids}
        status = {t: status_on(changes.get(t), on) for t in term_ids}

        def agreed(term_id: int) -> bool:
            return status_on(changes.get(term_id), on) == AGREED

        accepted = {
            p.id
            for stances in (whole, *term_stances.values())
            for p in stances.values()
            if p is not None and p.stance == CONDITIONAL_STANCE and is_met(p, index.terms, agreed)
        }
        return Day(on, proposal_id, whole, term_stances, status, accepted)

    def overlay(self, term: TermIn, status: str, on: date) -> tuple[str, Progress]:
        """A term's status after the implementation overlay, and its progress."""
        progress = implementation(term, self.index.ledgers.get(term.id), on)
        if status == AGREED and progress.status is not None:
            return progress.status, progress
        return status, progress

    def statuses_only(self, proposal_id: int, on: date) -> tuple[str, ...]:
        """The statuses of a proposal's terms (or, without terms, its own before any
        superseding) on a day, without stances or reasons: what a timeline compares."""
        terms_of = self.index.terms_of[proposal_id]
        if is_not_tabled(self.index.proposals[proposal_id], on):
            return (NOT_TABLED,) * max(len(terms_of), 1)
        if not terms_of:
            return (status_on(self.histories.proposals.get(proposal_id), on),)
        changes = self.histories.terms
        statuses: list[str] = []
        for term in terms_of:
            status = status_on(changes.get(term.id), on)
            if status == AGREED:
                status = self.overlay(term, status, on)[0]
            statuses.append(status)
        return tuple(statuses)

    # ------------------------------------------------------------ results

    def term_result(self, term_id: int, day: Day) -> TermStatus:
        term = self.index.terms[term_id]
        basis = basis_of(day.term_stances[term_id], day.accepted, self.index.as_stated)
        proposal = self.index.proposals[term.proposal_id]
        if is_not_tabled(proposal, day.on):
            return TermStatus(term_id, NOT_TABLED, reasons.not_tabled(proposal), basis, 0)
        status, progress = self.overlay(term, day.status[term_id], day.on)
        if status != day.status[term_id]:
            reason = self.wording.implementation(term, progress)
        else:
            reason = self.wording.stances(status, basis, proposal)
            if progress.state.breaches:
                reason += "; " + reasons.breaches(progress.state.breaches)
        return TermStatus(term_id, status, reason, basis, progress.delivered)

    def proposal_result(self, day: Day) -> ProposalStatus:
        basis = basis_of(day.whole, day.accepted, self.index.as_stated)
        terms = tuple(self.term_result(t.id, day) for t in self.index.terms_of[day.proposal_id])
        statuses = [t.status for t in terms]
        status, reason = self.outcome(day, statuses, lambda i: terms[i].reason)
        steps = self.index.proposals[day.proposal_id].steps
        ratified = ratification.state(steps, day.on)
        return ProposalStatus(day.proposal_id, status, reason, basis, terms, ratified)

    def outcome(
        self, day: Day, statuses: list[str], reason_of: Callable[[int], str]
    ) -> tuple[str, str]:
        """The proposal's status and reason from its terms' statuses (in `terms_of` order);
        `reason_of(i)` is asked only for a term's reason that the proposal's reason repeats.
        The last step is partial realisation (partial.py)."""
        status, reason = self.own_outcome(day, statuses, reason_of)
        return self.partial.outcome(day.proposal_id, day.on, status, reason)

    def own_outcome(
        self, day: Day, statuses: list[str], reason_of: Callable[[int], str]
    ) -> tuple[str, str]:
        """The proposal's status and reason before partial realisation."""
        proposal = self.index.proposals[day.proposal_id]
        if is_not_tabled(proposal, day.on):
            return NOT_TABLED, reasons.not_tabled(proposal)
        if is_superseded(proposal, day.on):
            return SUPERSEDED, reasons.superseded(proposal)
        if not statuses:
            status = status_on(self.histories.proposals.get(proposal.id), day.on)
            basis = basis_of(day.whole, day.accepted, self.index.as_stated)
            return self.ratified(
                proposal, status, lambda: self.wording.stances(status, basis, proposal), day.on
            )
        entries = items(self.index.terms_of[proposal.id], statuses)
        status = aggregate([e.status for e in entries], [e.deliverable for e in entries])
        tablers = [self.index.as_stated(day.whole[p]) for p in proposal.tabling_party_ids]
        return self.ratified(
            proposal,
            status,
            lambda: self.wording.aggregate(status, entries, tablers, reason_of),
            day.on,
        )

    def ratified(
        self, proposal: ProposalIn, status: str, reason: Callable[[], str], on: date
    ) -> tuple[str, str]:
        """The ratification overlay (engine/ratification.py), right after the items'
        aggregate: a rejected step rejects an agreed proposal, a pending one holds it at
        agreed; `reason()` is the proposal's reason when ratification leaves it alone."""
        after, named = ratification.overlay(status, proposal.steps, on)
        if not named:
            return status, reason()
        if after == REJECTED:
            return after, reasons.ratification_rejected(named[0])
        return after, reasons.ratification_pending(named)
