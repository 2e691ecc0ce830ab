"""The human wording of reasons: "rejected by Ukraine on 2025-06-02", "3 of 12 items
agreed". The statuses themselves are decided in rules.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from .data import PositionIn, ProposalIn, StanceBasis, StepIn, TermIn
from .ratification import BodyKind
from .rules import Item, Progress
from .vocabulary import (
    ACCEPTS,
    ACCEPTS_WITH_RESERVATIONS,
    ADVANCEMENT,
    AGREED,
    CONDITIONAL,
    CONDITIONAL_STANCE,
    IMPLEMENTED,
    IN_IMPLEMENTATION,
    OPEN,
    PARTIALLY_AGREED,
    PROPOSES,
    REJECTED,
    REJECTS,
    SUPPORTS,
    SUSPENDED,
    UNDECIDED,
    WITHDRAWN,
    WITHDRAWS,
)

_VERBS = {
    PROPOSES: "proposed",
    SUPPORTS: "supported",
    ACCEPTS: "accepted",
    ACCEPTS_WITH_RESERVATIONS: "accepted with reservations",
}
_ORDER = (IMPLEMENTED, IN_IMPLEMENTATION, SUSPENDED, AGREED, CONDITIONAL, OPEN, REJECTED, WITHDRAWN)


def words(status: str) -> str:
    return status.replace("_", " ")


def _items(n: int) -> str:
    return f"{n} item" if n == 1 else f"{n} items"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _breakdown(statuses: list[str]) -> str:
    return ", ".join(f"{statuses.count(s)} {words(s)}" for s in _ORDER if s in statuses)


def not_tabled(proposal: ProposalIn) -> str:
    return f"not yet tabled (tabled on {proposal.tabled_on})"


def superseded(proposal: ProposalIn) -> str:
    return f"superseded on {proposal.superseded_on}"


def breaches(count: int) -> str:
    return "1 breach reported" if count == 1 else f"{count:,} breaches reported"


def amount(low: int, high: int | None, approximate: bool) -> str:
    """A committed share in words: "1,200", "about 1,200", "1,000–1,200"."""
    words = f"{low:,}" if high is None or high == low else f"{low:,}–{high:,}"
    return f"about {words}" if approximate else words


def _decision(step: StepIn) -> str:
    if step.body_kind == BodyKind.ELECTORATE:
        return "referendum"
    if step.body_kind == BodyKind.OTHER:
        return "decision"
    return f"{BodyKind(step.body_kind).label.lower()}'s decision"


def _percent(value: Decimal) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def ratification_rejected(step: StepIn) -> str:
    """ "rejected in the referendum of 2004-04-24 (Greek Cypriot electorate, 75.83 % against)"."""
    figures = [step.body_name]
    if step.share_for is not None:
        figures.append(f"{_percent(Decimal(100) - step.share_for)} % against")
    elif step.votes_for is not None and step.votes_against is not None:
        figures.append(f"{step.votes_for:,} for, {step.votes_against:,} against")
    return f"rejected in the {_decision(step)} of {step.decided_on} ({', '.join(figures)})"


def ratification_pending(steps: Sequence[StepIn]) -> str:
    """ "agreed; ratification pending: Parliament of Cyprus, due 2004-05-01"."""
    names = "; ".join(
        step.body_name + (f", due {step.due_on}" if step.due_on is not None else "")
        for step in steps
    )
    return f"agreed; ratification pending: {names}"


def item(entry: Item) -> str:
    """An option group's part of a proposal's reason."""
    if entry.option is None:
        return f"group '{entry.group}' {words(entry.status)}"
    return f"option {entry.option} of group '{entry.group}' {words(entry.status)}"


class Wording:
    """Reasons that name parties."""

    def __init__(self, names: Mapping[int, str]) -> None:
        self._names = names

    def name(self, party_id: int) -> str:
        return self._names.get(party_id, f"party {party_id}")

    def implementation(self, term: TermIn, progress: Progress) -> str:
        """Why an agreed term is suspended, in implementation or implemented
        (`progress.status` set): per-party progress, then breaches and disputes."""
        state = progress.state
        if term.commitments:
            done = ", ".join(
                f"{self.name(c.party_id)} {state.by_party.get(c.party_id, 0):,} of "
                + amount(c.quantity, c.quantity_high, c.approximate)
                for c in sorted(term.commitments, key=lambda c: c.party_id)
            )
        elif term.quantity is not None:
            done = f"{state.delivered:,} of {term.quantity:,} delivered"
        elif state.delivered:
            done = f"{state.delivered:,} delivered"
        else:
            done = f"first event {state.started_on}" if state.started_on else "nothing delivered"
        suspension = state.suspension
        if progress.status == SUSPENDED and suspension is not None:
            by = f" by {self.name(suspension.by_party_id)}" if suspension.by_party_id else ""
            head = f"suspended on {suspension.happened_on} ({suspension.kind}{by})"
            parts = [head, done]
        elif progress.status == IMPLEMENTED:
            reached = all(state.by_party.get(c.party_id, 0) >= c.quantity for c in term.commitments)
            if not term.commitments:
                reached = term.quantity is not None and state.delivered >= term.quantity
            if reached or state.completed_on is None:
                parts = [f"implemented: {done}"]
            else:
                parts = [f"implemented: marked complete on {state.completed_on}"]
                if term.commitments:
                    parts.append(done)
        else:
            parts = [f"in implementation: {done}"]
        if state.disputed:
            noun = "delivery" if state.disputed == 1 else "deliveries"
            parts.append(f"{state.disputed:,} {noun} disputed")
        if state.breaches:
            parts.append(breaches(state.breaches))
        return "; ".join(parts)

    def stances(self, status: str, basis: Sequence[StanceBasis], proposal: ProposalIn) -> str:
        """Why a term (or a proposal without terms) has the status its stances give it."""
        by_party = {b.party_id: b for b in basis}
        tablers = [by_party[party] for party in proposal.tabling_party_ids if party in by_party]
        if status == WITHDRAWN:
            return "withdrawn by " + self.withdrawers([(b.party_id, b.stated_on) for b in tablers])
        return self._stance_reason(status, basis, proposal) + self._cosponsors(tablers, proposal)

    def withdrawers(self, parties: Sequence[tuple[int, date | None]]) -> str:
        """Who withdrew, and when: "Russia and Türkiye on 2025-06-02", or each party with
        its own day when they differ."""
        days = {day for _, day in parties}
        if len(days) == 1:
            return f"{_join([self.name(party) for party, _ in parties])} on {days.pop()}"
        return _join([f"{self.name(party)} ({day})" for party, day in parties])

    def _cosponsors(self, tablers: Sequence[StanceBasis], proposal: ProposalIn) -> str:
        """A note on the co-sponsors outside the consent set who withdrew while others did
        not (a consent party's withdrawal is already in the reason)."""
        gone = [b for b in tablers if b.stance == WITHDRAWS]
        if not gone or len(gone) == len(tablers):
            return ""
        gone = [b for b in gone if b.party_id not in proposal.consent_party_ids]
        if not gone:
            return ""
        noun = "co-sponsor" if len(gone) == 1 else "co-sponsors"
        return (
            f"; withdrawal by {noun} {self.withdrawers([(b.party_id, b.stated_on) for b in gone])}"
        )

    def _stance_reason(
        self, status: str, basis: Sequence[StanceBasis], proposal: ProposalIn
    ) -> str:
        consent = [b for b in basis if b.party_id in proposal.consent_party_ids]
        if not consent:
            return "open: no consent parties are defined"
        if status == REJECTED:
            rejecters = [b for b in consent if b.counts_as == REJECTS]
            if len(rejecters) == 1:
                return f"rejected by {self._on(rejecters[0])}"
            return f"rejected by {self._dated(rejecters)}"
        parts = [
            f"{self.name(b.party_id)} conditional on {b.stated_on}"
            for b in consent
            if b.counts_as == CONDITIONAL_STANCE
        ]
        if status == OPEN:
            parts = [
                f"{self._names_of(consent, stance)} {label}"
                for stance, label in (
                    (UNDECIDED, "undecided"),
                    (WITHDRAWS, "withdrew"),
                    (None, "silent"),
                )
                if any(b.counts_as == stance for b in consent)
            ] + parts
        else:
            for stance, verb in _VERBS.items():
                agreeing = [b for b in consent if b.counts_as == stance]
                if agreeing:
                    parts.append(f"{verb} by {self._dated(agreeing)}")
        return f"{words(status)}: " + "; ".join(parts)

    def aggregate(
        self,
        status: str,
        entries: Sequence[Item],
        tablers: Sequence[PositionIn | None],
        reason_of: Callable[[int], str],
    ) -> str:
        """Why a proposal with terms has the status its items give it; `reason_of(i)` is
        asked for the reason of its i-th term only when that term is its single item."""
        statuses = [entry.status for entry in entries]
        live = [s for s in statuses if s != WITHDRAWN]
        if not live:
            withdrew = [p for p in tablers if p is not None and p.stance == WITHDRAWS]
            if tablers and len(withdrew) == len(tablers):
                return "withdrawn by " + self.withdrawers(
                    [(p.party_id, p.stated_on) for p in withdrew]
                )
            return f"all {_items(len(entries))} withdrawn"
        if len(entries) == 1:
            only = entries[0]
            return item(only) if only.term is None else reason_of(only.term)
        notes = [item(entry) for entry in entries if entry.option is not None]
        n, withdrawn = len(live), len(entries) - len(live)
        aside = f" ({withdrawn} withdrawn)" if withdrawn else ""
        if status in ADVANCEMENT:
            reason = "; ".join([f"all {_items(n)} agreed{aside}", *notes])
            if any(s != AGREED for s in live):
                reason = f"{words(status)}: {reason}; {_breakdown(live)}"
            return reason
        if status == REJECTED:
            return f"all {_items(n)} rejected{aside}"
        if status == PARTIALLY_AGREED:
            agreed = sum(s in ADVANCEMENT for s in live)
            return "; ".join([f"{agreed} of {_items(n)} agreed{aside}", *notes])
        rest = _breakdown([s for s in live if s != status])
        share = f"{live.count(status)} of {_items(n)} {words(status)}"
        return f"{words(status)}: {share}" + (f", {rest}" if rest else "") + aside

    def _on(self, entry: StanceBasis) -> str:
        return f"{self.name(entry.party_id)} on {entry.stated_on}"

    def _names_of(self, basis: list[StanceBasis], counts_as: str | None) -> str:
        return ", ".join(self.name(b.party_id) for b in basis if b.counts_as == counts_as)

    def _dated(self, basis: list[StanceBasis]) -> str:
        return _join(
            [
                f"{self.name(b.party_id)} ({b.stated_on}"
                + (", conditions met)" if b.stance == CONDITIONAL_STANCE else ")")
                for b in basis
            ]
        )
