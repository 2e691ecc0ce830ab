"""Conditional stances: when a condition is met, and the least fixed point that settles
which terms agree once every condition that can be met is (DESIGN §3).

A `conditional` stance counts as `accepts` once every term it names is agreed (or
beyond). A condition naming no term, or a term the snapshot does not hold, is never met;
conditions that lead back to themselves are cut, never looped: a term waiting on itself,
directly or through others, never agrees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Container, Mapping
from collections.abc import Set as AbstractSet

from .data import PositionIn, ProposalIn
from .stances import Stances
from .vocabulary import ACCEPTS, CONDITIONAL_STANCE


def can_be_met(position: PositionIn, terms: Container[int]) -> bool:
    return bool(position.conditional_on) and all(ref in terms for ref in position.conditional_on)


def is_met(position: PositionIn, terms: Container[int], agreed: Callable[[int], bool]) -> bool:
    """Whether a conditional position's terms are all known and, by `agreed`, agreed."""
    return can_be_met(position, terms) and all(agreed(ref) for ref in position.conditional_on)


def counts_as(position: PositionIn | None, accepted: AbstractSet[int]) -> str | None:
    """The stance a position counts as, given the ids of the conditional ones now met."""
    if position is None:
        return None
    if position.stance == CONDITIONAL_STANCE and position.id in accepted:
        return ACCEPTS
    return position.stance


def waits_for(
    proposal: ProposalIn, stances: Stances, terms: Container[int]
) -> frozenset[int] | None:
    """The terms a `conditional` item agrees with once they all have; None if never.

    Only a conditional consent stance stands between a `conditional` item and `agreed`.
    """
    refs: set[int] = set()
    for party in proposal.consent_party_ids:
        p = stances[party]
        if p is not None and p.stance == CONDITIONAL_STANCE:
            if not can_be_met(p, terms):
                return None
            refs.update(p.conditional_on)
    return frozenset(refs)


def least_fixed_point(needs: Mapping[int, AbstractSet[int]], agreed: AbstractSet[int]) -> set[int]:
    """The terms agreed once every condition that can be met is: `agreed` plus each key of
    `needs` whose named terms all end up agreed. Each term turns agreed at most once, so
    this is linear in the size of `needs`."""
    result = set(agreed)
    waiting: dict[int, list[int]] = defaultdict(list)
    missing: dict[int, int] = {}
    ready: list[int] = []
    for term_id, refs in needs.items():
        unmet = refs - agreed
        if unmet:
            missing[term_id] = len(unmet)
            for ref in unmet:
                waiting[ref].append(term_id)
        else:
            ready.append(term_id)
    while ready:
        term_id = ready.pop()
        result.add(term_id)
        for reader in waiting.get(term_id, ()):
            missing[reader] -= 1
            if not missing[reader]:
                ready.append(reader)
    return result
