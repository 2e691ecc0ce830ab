"""One negotiation's snapshot, indexed once so that each question about it is cheap."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from .data import EventIn, PositionIn, ProposalIn, Snapshot, TermIn
from .rules import Ledger, ledger
from .stances import StanceIndex


class Index:
    def __init__(self, snapshot: Snapshot) -> None:
        self.names = snapshot.party_names
        self.proposals = {p.id: p for p in snapshot.proposals}
        self.terms = {t.id: t for t in snapshot.terms if t.proposal_id in self.proposals}
        by_proposal: dict[int, list[TermIn]] = defaultdict(list)
        for term in self.terms.values():
            by_proposal[term.proposal_id].append(term)
        self.terms_of = {
            pid: sorted(by_proposal[pid], key=lambda t: (t.ordinal, t.id)) for pid in self.proposals
        }
        self.parties = {p.id: _parties(p) for p in self.proposals.values()}
        # A position stated before its proposal was tabled takes effect on the tabling day;
        # the engine works on that day, the basis shows the day it was stated (as_stated).
        self.stated: dict[int, PositionIn] = {}
        self.positions = tuple(self._in_effect(p) for p in snapshot.positions)
        self.stances = StanceIndex(self.positions)
        events: dict[int, list[EventIn]] = defaultdict(list)
        for event in snapshot.events:
            events[event.term_id].append(event)
        self.ledgers: dict[int, Ledger] = {
            term_id: ledger(self.terms[term_id], rows)
            for term_id, rows in events.items()
            if term_id in self.terms
        }

    def _in_effect(self, position: PositionIn) -> PositionIn:
        proposal = self.proposals.get(position.proposal_id)
        tabled_on = proposal.tabled_on if proposal is not None else None
        if tabled_on is None or position.stated_on >= tabled_on:
            return position
        self.stated[position.id] = position
        return replace(position, stated_on=tabled_on, said_on=position.stated_on)

    def as_stated(self, position: PositionIn | None) -> PositionIn | None:
        """The position as it was stated (not as it took effect)."""
        return None if position is None else self.stated.get(position.id, position)

    def proposal(self, proposal_id: int) -> ProposalIn:
        if proposal_id not in self.proposals:
            raise LookupError(f"proposal {proposal_id} is not in this snapshot")
        return self.proposals[proposal_id]

    def term(self, term_id: int) -> TermIn:
        if term_id not in self.terms:
            raise LookupError(f"term {term_id} is not in this snapshot")
        return self.terms[term_id]


def _parties(proposal: ProposalIn) -> tuple[int, ...]:
    """Whose positions count: the consent parties, then the tabling parties not among them
    (their withdrawal counts), in tabling order."""
    consent = tuple(sorted(proposal.consent_party_ids))
    others = (p for p in proposal.tabling_party_ids if p not in proposal.consent_party_ids)
    return (*consent, *dict.fromkeys(others))
