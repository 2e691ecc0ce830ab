"""When each term's status changes (before the implementation overlay), found by walking
the days of the negotiation once.

On each day some position was stated, the rules are applied to the terms (and proposals
without terms) whose stances changed, and the one least fixed point of conditions.py is
redone over the items whose status still hangs on conditions; the rest are settled by
their stances alone. Walking once shares that work among all the proposals whose
conditions reach the same terms. A status on a day is then a look-up (`status_on`).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from itertools import groupby
from operator import attrgetter
from typing import NamedTuple

from .conditions import least_fixed_point, waits_for
from .data import PositionIn, ProposalIn
from .index import Index
from .rules import decide
from .stances import Stances
from .vocabulary import AGREED, CONDITIONAL, OPEN

# The days on which a status changed, and the status from each of them on.
Changes = tuple[list[date], list[str]]
NO_CHANGES: Changes = ([], [])
_NONE_ACCEPTED: frozenset[int] = frozenset()


class Histories(NamedTuple):
    terms: dict[int, Changes]
    proposals: dict[int, Changes]  # of the proposals without terms


def status_on(changes: Changes | None, day: date) -> str:
    """Before its first change every item is open: no one has said anything yet."""
    if changes is None:
        return OPEN
    i = bisect_right(changes[0], day)
    return changes[1][i - 1] if i else OPEN


def _record(changes: dict[int, Changes], key: int, day: date, status: str) -> None:
    history = changes.get(key)
    if history is None:
        if status != OPEN:
            changes[key] = ([day], [status])
    elif history[1][-1] != status:
        history[0].append(day)
        history[1].append(status)


def _stated(index: Index) -> list[PositionIn]:
    """The positions that count (by a consent party or the tabler of a proposal in the
    snapshot), in the order they take effect: by day (then, for those said before the
    tabling day and taking effect on it, by the day they were said); on a day those on
    whole proposals first, as one on a term wins over one on the whole proposal stated the
    same day (stances.effective); then as recorded, so that of a party's the last one wins."""
    terms, parties = index.terms, index.parties
    stated: list[PositionIn] = []
    for p in index.positions:
        if p.term_id is None:
            counted = parties.get(p.proposal_id)
        else:
            term = terms.get(p.term_id)
            counted = None if term is None else parties[term.proposal_id]
        if counted is not None and p.party_id in counted:
            stated.append(p)
    stated.sort(key=lambda p: (*p.order, p.term_id is not None, p.id))
    return stated


def walk(index: Index) -> Histories:
    """Every term's status history, and every proposal's without terms."""
    terms, proposals = index.terms, index.proposals
    term_ids = {pid: [t.id for t in terms_of] for pid, terms_of in index.terms_of.items()}
    general: dict[int, Stances] = {
        pid: dict.fromkeys(parties) for pid, parties in index.parties.items()
    }
    stances: dict[int, Stances] = {
        term_id: dict.fromkeys(index.parties[term.proposal_id]) for term_id, term in terms.items()
    }
    termless = {pid for pid in proposals if not index.terms_of[pid]}
    base: dict[int, str] = {}  # status with no condition met
    base_agreed: set[int] = set()
    needs: dict[int, frozenset[int]] = {}  # conditional terms: they agree once these all have
    proposal_base: dict[int, str] = {}
    proposal_needs: dict[int, frozenset[int]] = {}
    changes: dict[int, Changes] = {}
    proposal_changes: dict[int, Changes] = {}

    for day, stated_that_day in groupby(_stated(index), key=attrgetter("stated_on")):
        # A position stated on a day is later than all before it, so it becomes its party's
        # stance on its subject.
        dirty: set[int] = set()
        touched: set[int] = set()
        for p in stated_that_day:
            if p.term_id is None:
                general[p.proposal_id][p.party_id] = p
                touched.add(p.proposal_id)
                for term_id in term_ids[p.proposal_id]:
                    stances[term_id][p.party_id] = p
                    dirty.add(term_id)
            else:
                stances[p.term_id][p.party_id] = p
                dirty.add(p.term_id)
        for term_id in dirty:
            proposal = proposals[terms[term_id].proposal_id]
            status = base[term_id] = decide(proposal, stances[term_id], _NONE_ACCEPTED)
            if status == AGREED:
                base_agreed.add(term_id)
            else:
                base_agreed.discard(term_id)
            _set_needs(needs, term_id, status, proposal, stances[term_id], index)
        touched &= termless
        for pid in touched:
            status = proposal_base[pid] = decide(proposals[pid], general[pid], _NONE_ACCEPTED)
            _set_needs(proposal_needs, pid, status, proposals[pid], general[pid], index)
        if not dirty and not touched:
            continue

        agreed = least_fixed_point(needs, base_agreed)
        for term_id in dirty | needs.keys():
            _record(changes, term_id, day, AGREED if term_id in agreed else base[term_id])
        for pid in touched | proposal_needs.keys():
            refs = proposal_needs.get(pid)
            status = AGREED if refs is not None and refs <= agreed else proposal_base[pid]
            _record(proposal_changes, pid, day, status)
    return Histories(changes, proposal_changes)


def _set_needs(
    needs: dict[int, frozenset[int]],
    key: int,
    status: str,
    proposal: ProposalIn,
    stances: Stances,
    index: Index,
) -> None:
    """Note the terms a conditional item waits for, if their agreement can ever settle it."""
    needs.pop(key, None)
    if status == CONDITIONAL:
        refs = waits_for(proposal, stances, index.terms)
        if refs is not None:
            needs[key] = refs
