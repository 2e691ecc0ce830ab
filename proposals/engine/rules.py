"""The status rules of DESIGN §3: a term's decision, option groups, a proposal's
aggregate and the implementation overlay. Reasons are worded in reasons.py."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from datetime import date
from typing import NamedTuple

from .conditions import counts_as
from .data import EventIn, ProposalIn, TermIn
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


class Ledger(NamedTuple):
    """A term's implementation events in date order."""

    dates: list[date]
    delivered: list[int]  # running total; delivered[i] = sum of the first i events
    completed_on: date | None


def ledger(events: Iterable[EventIn]) -> Ledger:
    rows = sorted(events, key=lambda e: (e.happened_on, e.id))
    running = [0]
    for e in rows:
        running.append(running[-1] + (e.quantity or 0))
    completed_on = min((e.happened_on for e in rows if e.completes), default=None)
    return Ledger([e.happened_on for e in rows], running, completed_on)


class Progress(NamedTuple):
    """Units delivered as of a day, and what an agreed term becomes: None before the
    first event, else `in_implementation` or `implemented`."""

    delivered: int
    status: str | None


NOT_STARTED = Progress(0, None)


def implementation(term: TermIn, events: Ledger | None, day: date) -> Progress:
    count = bisect_right(events.dates, day) if events else 0
    if events is None or not count:
        return NOT_STARTED
    delivered = events.delivered[count]
    if (term.quantity is not None and delivered >= term.quantity) or (
        events.completed_on is not None and events.completed_on <= day
    ):
        return Progress(delivered, IMPLEMENTED)
    return Progress(delivered, IN_IMPLEMENTATION)


# ---------------------------------------------------------------- a proposal


class Item(NamedTuple):
    """One item of a proposal: a term outside option groups, or a whole option group."""

    status: str
    term: int | None  # the term's position among the proposal's terms, if a term
    group: str = ""
    option: str | None = None  # the option that carries an agreed group


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
    for i, (term, status) in enumerate(zip(terms, statuses, strict=True)):
        if term.option_group:
            options = groups.setdefault(term.option_group, {})
            options.setdefault(term.option, []).append(status)
        else:
            result.append(Item(status, i))
    for group, options in groups.items():
        status, best = group_status(options)
        result.append(Item(status, None, group, best))
    return result


def aggregate(statuses: Sequence[str]) -> str:
    """A proposal's status from its items' statuses (§3, a proposal with terms)."""
    live = [s for s in statuses if s != WITHDRAWN]
    if not live:
        return WITHDRAWN
    if all(s in ADVANCEMENT for s in live):
        return min(live, key=ADVANCEMENT.__getitem__)
    if all(s == REJECTED for s in live):
        return REJECTED
    if any(s in ADVANCEMENT for s in live):
        return PARTIALLY_AGREED
    return CONDITIONAL if all(s in (CONDITIONAL, REJECTED) for s in live) else OPEN
