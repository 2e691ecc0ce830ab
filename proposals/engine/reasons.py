"""The human wording of reasons: "rejected by Ukraine on 2025-06-02", "3 of 12 items
agreed". The statuses themselves are decided in rules.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from .data import PositionIn, ProposalIn, StanceBasis, TermIn
from .rules import Item, Progress
from .vocabulary import (
    ACCEPTS,
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

_VERBS = {PROPOSES: "proposed", SUPPORTS: "supported", ACCEPTS: "accepted"}
_ORDER = (IMPLEMENTED, IN_IMPLEMENTATION, SUSPENDED, AGREED, CONDITIONAL, OPEN, REJECTED, WITHDRAWN)


def words(status: str) -> str:
    return status.replace("_", " ")


def _items(n: int) -> str:
    return f"{n} item" if n == 1 else f"{n} items"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _breakdown(statuses: list[str]) -> str:
    return ", ".join(f"{statuses.count(s)} {words(s)}" for s in _ORDER if s in statuses)


def superseded(proposal: ProposalIn) -> str:
    return f"superseded on {proposal.superseded_on}"


def breaches(count: int) -> str:
    return "1 breach reported" if count == 1 else f"{count:,} breaches reported"


def amount(low: int, high: int | None, approximate: bool) -> str:
    """A committed share in words: "1,200", "about 1,200", "1,000–1,200"."""
    words = f"{low:,}" if high is None or high == low else f"{low:,}–{high:,}"
    return f"about {words}" if approximate else words


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
        if status == WITHDRAWN:
            tabler = next(b for b in basis if b.party_id == proposal.tabled_by_id)
            return f"withdrawn by {self._on(tabler)}"
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
        tabler: PositionIn | None,
        reason_of: Callable[[int], str],
    ) -> str:
        """Why a proposal with terms has the status its items give it; `reason_of(i)` is
        asked for the reason of its i-th term only when that term is its single item."""
        statuses = [entry.status for entry in entries]
        live = [s for s in statuses if s != WITHDRAWN]
        if not live:
            if tabler is not None and tabler.stance == WITHDRAWS:
                return f"withdrawn by {self.name(tabler.party_id)} on {tabler.stated_on}"
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
