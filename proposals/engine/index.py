"""One negotiation's snapshot, indexed once so that each question about it is cheap."""

from __future__ import annotations

from collections import defaultdict

from .data import EventIn, ProposalIn, Snapshot, TermIn
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
        self.positions = snapshot.positions
        self.stances = StanceIndex(snapshot.positions)
        events: dict[int, list[EventIn]] = defaultdict(list)
        for event in snapshot.events:
            events[event.term_id].append(event)
        self.ledgers: dict[int, Ledger] = {
            term_id: ledger(self.terms[term_id], rows)
            for term_id, rows in events.items()
            if term_id in self.terms
        }

    def proposal(self, proposal_id: int) -> ProposalIn:
        if proposal_id not in self.proposals:
            raise LookupError(f"proposal {proposal_id} is not in this snapshot")
        return self.proposals[proposal_id]

    def term(self, term_id: int) -> TermIn:
        if term_id not in self.terms:
            raise LookupError(f"term {term_id} is not in this snapshot")
        return self.terms[term_id]


def _parties(proposal: ProposalIn) -> tuple[int, ...]:
    """Whose positions count: the consent parties, then the tabler if not one of them."""
    consent = tuple(sorted(proposal.consent_party_ids))
    tabler = proposal.tabled_by_id
    return consent if tabler is None or tabler in proposal.consent_party_ids else (*consent, tabler)
