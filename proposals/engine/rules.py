"""The status rules of DESIGN §3: a term's decision, option groups, a proposal's
aggregate and the implementation overlay. Reasons are worded in reasons.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from datetime import date
from typing import NamedTuple

from .conditions import counts_as
from .data import EventIn, ProposalIn, TermIn
from .ledger import Ledger, State
from .stances import Stances
from .vocabulary import (
    ADVANCEMENT,
    AGREED,
    AGREEING,
    CONDITIONAL,
    CONDITIONAL_STANCE,
    DEAD,
    IMPLEMENTED,
    IN_IMPLEMENTATION,
    OPEN,
    PARTIALLY_AGREED,
    REJECTED,
    REJECTS,
    SUSPENDED,
    WITHDRAWN,
    WITHDRAWS,
)

# ---------------------------------------------------------------- a term


def decide(proposal: ProposalIn, stances: Stances, accepted: AbstractSet[int]) -> str:
    """Rule 3 of §3, first match wins, for a term (or a proposal without terms) given its
    parties' stances and the ids of the conditional positions whose conditions are met."""
    if withdrawn_by_all(proposal, stances):
        return WITHDRAWN
    if not proposal.consent_party_ids:
        return OPEN
    # One pass: a rejection settles it; otherwise the weakest stance does.
    status = AGREED
    for party in proposal.consent_party_ids:
        counts = counts_as(stances[party], accepted)
        if counts == REJECTS:
            return REJECTED
        if counts not in AGREEING:
            status = CONDITIONAL if counts == CONDITIONAL_STANCE and status != OPEN else OPEN
    return status


def withdrawn_by_all(proposal: ProposalIn, stances: Stances) -> bool:
    """Only the tabling parties can withdraw, and it is withdrawn once all of them have: a
    co-sponsor's withdrawal alone leaves the others' proposal standing."""
    return bool(proposal.tabling_party_ids) and all(
        (p := stances.get(party)) is not None and p.stance == WITHDRAWS
        for party in proposal.tabling_party_ids
    )


def is_not_tabled(proposal: ProposalIn, day: date) -> bool:
    return proposal.tabled_on is not None and day < proposal.tabled_on


def is_superseded(proposal: ProposalIn, day: date) -> bool:
    return proposal.superseded_on is not None and proposal.superseded_on <= day


# ---------------------------------------------------------------- implementation overlay


def ledger(term: TermIn, events: Iterable[EventIn]) -> Ledger:
    """A term's implementation events in date order (ledger.py keeps the books)."""
    return Ledger(term, events)


class Progress(NamedTuple):
    """Units delivered as of a day, and what an agreed term becomes: None before the
    first delivery or suspension, else `suspended`, `in_implementation` or
    `implemented`; and the ledger's state on that day."""

    delivered: int
    status: str | None
    state: State = State()


NOT_STARTED = Progress(0, None)


def implementation(term: TermIn, events: Ledger | None, day: date) -> Progress:
    if events is None:
        return NOT_STARTED
    state = events.at(day)
    if state.implemented:  # carried out in full, even if a suspension was still in force
        return Progress(state.delivered, IMPLEMENTED, state)
    if state.suspension is not None:
        return Progress(state.delivered, SUSPENDED, state)
    if state.deliveries:
        return Progress(state.delivered, IN_IMPLEMENTATION, state)
    return Progress(state.delivered, None, state)


# ---------------------------------------------------------------- a proposal


class Item(NamedTuple):
    """One item of a proposal: a term outside option groups, or a whole option group."""

    status: str
    term: int | None  # the term's position among the proposal's terms, if a term
    group: str = ""
    option: str | None = None  # the option that carries an agreed group
    deliverable: bool = True  # False when every term of it is procedural


def option_status(statuses: Sequence[str]) -> str:
    if all(s in ADVANCEMENT for s in statuses):
        return min(statuses, key=ADVANCEMENT.__getitem__)
    dead = [s for s in statuses if s in DEAD]
    if dead:
        return WITHDRAWN if all(s == WITHDRAWN for s in dead) else REJECTED
    if all(s == CONDITIONAL or s in ADVANCEMENT for s in statuses):
        return CONDITIONAL
    return OPEN


def group_status(options: dict[str, list[str]]) -> tuple[str, str | None]:
    """The group's status as one item, and the option that carries it when agreed."""
    statuses = {option: option_status(terms) for option, terms in options.items()}
    agreed = [(ADVANCEMENT[s], option) for option, s in statuses.items() if s in ADVANCEMENT]
    if agreed:
        # The most advanced option; among equals the first one tabled.
        best = max(agreed, key=lambda pair: pair[0])[1]
        return statuses[best], best
    live = [s for s in statuses.values() if s not in DEAD]
    if not live:
        return (WITHDRAWN if all(s == WITHDRAWN for s in statuses.values()) else REJECTED), None
    return (CONDITIONAL if CONDITIONAL in live else OPEN), None


def items(terms: Sequence[TermIn], statuses: Sequence[str]) -> list[Item]:
    """A proposal's items, from its terms and their statuses (in the same order): the
    terms outside option groups, then each group as one item."""
    result: list[Item] = []
    groups: dict[str, dict[str, list[str]]] = {}
    # Per group and option: whether any of its terms is deliverable. An agreed group is as
    # deliverable as the option that carries it; any other, as any of its options.
    deliverable: dict[str, dict[str, bool]] = {}
    for i, (term, status) in enumerate(zip(terms, statuses, strict=True)):
        if term.option_group:
            options = groups.setdefault(term.option_group, {})
            options.setdefault(term.option, []).append(status)
            flags = deliverable.setdefault(term.option_group, {})
            flags[term.option] = flags.get(term.option, False) or term.deliverable
        else:
            result.append(Item(status, i, deliverable=term.deliverable))
    for group, options in groups.items():
        status, best = group_status(options)
        flags = deliverable[group]
        flag = flags[best] if best is not None else any(flags.values())
        result.append(Item(status, None, group, best, flag))
    return result


def aggregate(statuses: Sequence[str], deliverable: Sequence[bool] | None = None) -> str:
    """A proposal's status from its items' statuses (§3, a proposal with terms). When
    every live item is agreed or beyond, the least advanced deliverable one sets it:
    procedural items (`deliverable` False) only count when nothing is deliverable."""
    flags = list(deliverable) if deliverable is not None else [True] * len(statuses)
    pairs = [(s, d) for s, d in zip(statuses, flags, strict=True) if s != WITHDRAWN]
    live = [s for s, _ in pairs]
    if not live:
        return WITHDRAWN
    if all(s in ADVANCEMENT for s in live):
        counted = [s for s, d in pairs if d] or live
        return min(counted, key=ADVANCEMENT.__getitem__)
    if all(s == REJECTED for s in live):
        return REJECTED
    if any(s in ADVANCEMENT for s in live):
        return PARTIALLY_AGREED
    return CONDITIONAL if all(s in (CONDITIONAL, REJECTED) for s in live) else OPEN
