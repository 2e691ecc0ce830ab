"""The agreement engine: status of terms and proposals as of a date (DESIGN §3).

Pure functions over plain frozen data; no Django, no I/O. Build an `Engine` once per
snapshot for repeated queries; the module-level functions accept either.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass
from datetime import date
from functools import partial
from itertools import compress
from typing import Any, NamedTuple

PROPOSES, SUPPORTS, ACCEPTS, UNDECIDED = "proposes", "supports", "accepts", "undecided"
CONDITIONAL_STANCE, REJECTS, WITHDRAWS = "conditional", "rejects", "withdraws"

OPEN, CONDITIONAL, AGREED = "open", "conditional", "agreed"
IN_IMPLEMENTATION, IMPLEMENTED = "in_implementation", "implemented"
REJECTED, WITHDRAWN, SUPERSEDED, PARTIALLY_AGREED = (
    "rejected",
    "withdrawn",
    "superseded",
    "partially_agreed",
)

AGREEING = frozenset({PROPOSES, SUPPORTS, ACCEPTS})
ADVANCEMENT = {AGREED: 0, IN_IMPLEMENTATION: 1, IMPLEMENTED: 2}  # "agreed or beyond"
DEAD = frozenset({REJECTED, WITHDRAWN})
_VERBS = {PROPOSES: "proposed", SUPPORTS: "supported", ACCEPTS: "accepted"}
_ORDER = (IMPLEMENTED, IN_IMPLEMENTATION, AGREED, CONDITIONAL, OPEN, REJECTED, WITHDRAWN)


# ---------------------------------------------------------------- input


@dataclass(frozen=True)
class PositionIn:
    id: int
    party_id: int
    proposal_id: int
    term_id: int | None
    stance: str
    stated_on: date
    conditional_on: tuple[int, ...] = ()


@dataclass(frozen=True)
class TermIn:
    id: int
    proposal_id: int
    ordinal: int
    label: str = ""
    option_group: str = ""
    option: str = ""
    quantity: int | None = None


@dataclass(frozen=True)
class EventIn:
    id: int
    term_id: int
    happened_on: date
    quantity: int | None = None
    completes: bool = False


@dataclass(frozen=True)
class ProposalIn:
    id: int
    tabled_by_id: int | None
    consent_party_ids: frozenset[int]
    superseded_on: date | None = None


@dataclass(frozen=True)
class Snapshot:
    proposals: tuple[ProposalIn, ...]
    terms: tuple[TermIn, ...]
    positions: tuple[PositionIn, ...]
    events: tuple[EventIn, ...]
    party_names: Mapping[int, str]


# ---------------------------------------------------------------- output


@dataclass(frozen=True)
class StanceBasis:
    party_id: int
    stance: str | None
    counts_as: str | None
    position_id: int | None
    stated_on: date | None
    level: str | None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "stated_on": self.stated_on and self.stated_on.isoformat()}


def basis_as_json(basis: Iterable[StanceBasis]) -> list[dict[str, Any]]:
    return [entry.to_dict() for entry in basis]


@dataclass(frozen=True)
class TermStatus:
    term_id: int
    status: str
    reason: str
    basis: tuple[StanceBasis, ...]
    delivered: int


@dataclass(frozen=True)
class ProposalStatus:
    proposal_id: int
    status: str
    reason: str
    basis: tuple[StanceBasis, ...]
    terms: tuple[TermStatus, ...]


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    status: str
    reason: str
    term_id: int | None
    previous_status: str | None


# ---------------------------------------------------------------- index


class _History(NamedTuple):
    """One party's positions on one subject, sorted so the last one <= D is effective."""

    dates: list[date]
    positions: list[PositionIn]

    def as_of(self, day: date) -> PositionIn | None:
        i = bisect_right(self.dates, day)
        return self.positions[i - 1] if i else None


class _Ledger(NamedTuple):
    dates: list[date]
    delivered: list[int]  # running total; delivered[i] = sum of the first i events
    completed_on: date | None


def _ledger(rows: list[EventIn]) -> _Ledger:
    rows.sort(key=lambda e: (e.happened_on, e.id))
    running = [0]
    for e in rows:
        running.append(running[-1] + (e.quantity or 0))
    completed_on = min((e.happened_on for e in rows if e.completes), default=None)
    return _Ledger([e.happened_on for e in rows], running, completed_on)


_Stances = dict[int, PositionIn | None]


def _histories(rows: Iterable[PositionIn], subject: str) -> dict[int, dict[int, _History]]:
    grouped: dict[int, dict[int, list[PositionIn]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        grouped[getattr(row, subject)][row.party_id].append(row)
    result: dict[int, dict[int, _History]] = {}
    for key, by_party in grouped.items():
        result[key] = {}
        for party_id, items in by_party.items():
            items.sort(key=lambda p: (p.stated_on, p.id))
            result[key][party_id] = _History([p.stated_on for p in items], items)
    return result


_Subject = tuple[str, int]  # ("term", term id) or ("proposal", proposal id)

# When the status of a term (or of a proposal without terms) changed, before the overlay.
_Changes = tuple[list[date], list[str]]
_NO_CHANGES: _Changes = ([], [])
_NONE_ACCEPTED: frozenset[int] = frozenset()


def _status_on(changes: _Changes | None, day: date) -> str:
    """Before its first change every term is open: no one has said anything yet."""
    if changes is None:
        return OPEN
    i = bisect_right(changes[0], day)
    return changes[1][i - 1] if i else OPEN


class _Resolved(NamedTuple):
    """Term statuses before the implementation overlay, closed under conditional_on."""

    as_of: date
    term_stances: dict[int, _Stances]
    proposal_stances: dict[int, _Stances]
    status: dict[int, str]
    accepted: set[int]  # ids of conditional positions whose conditions are all met


class Engine:
    """One negotiation's snapshot, indexed once so that each question is cheap."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._names = snapshot.party_names
        self._proposals = {p.id: p for p in snapshot.proposals}
        self._terms = {t.id: t for t in snapshot.terms if t.proposal_id in self._proposals}
        by_proposal: dict[int, list[TermIn]] = defaultdict(list)
        for term in self._terms.values():
            by_proposal[term.proposal_id].append(term)
        self._terms_of = {
            pid: sorted(by_proposal[pid], key=lambda t: (t.ordinal, t.id))
            for pid in self._proposals
        }
        self._parties = {
            p.id: tuple(sorted(p.consent_party_ids))
            + ((p.tabled_by_id,) if p.tabled_by_id not in (None, *p.consent_party_ids) else ())
            for p in self._proposals.values()
        }
        positions = snapshot.positions
        self._on_term = _histories((p for p in positions if p.term_id is not None), "term_id")
        self._on_proposal = _histories((p for p in positions if p.term_id is None), "proposal_id")
        events: dict[int, list[EventIn]] = defaultdict(list)
        for event in snapshot.events:
            events[event.term_id].append(event)
        self._ledgers = {term_id: _ledger(rows) for term_id, rows in events.items()}
        # Days as bits, so that the days of a whole chain of conditions union cheaply.
        self._days = sorted({p.stated_on for p in positions})
        self._bits = {day: 1 << i for i, day in enumerate(self._days)}
        self._inputs_of: dict[_Subject, tuple[int, frozenset[int]]] = {}
        self._reach_of: dict[_Subject, int] | None = None
        self._replayed: tuple[dict[int, _Changes], dict[int, _Changes]] | None = None

    # ------------------------------------------------------------ queries

    def consent_parties(self, proposal_id: int) -> frozenset[int]:
        return self._proposals[proposal_id].consent_party_ids

    def stance_of(
        self, party_id: int, proposal_id: int, term_id: int | None, as_of: date
    ) -> PositionIn | None:
        """Any party's effective position (consent party or not), by rule 2 of §3."""
        general_history = self._on_proposal.get(proposal_id, {}).get(party_id)
        general = general_history.as_of(as_of) if general_history else None
        if term_id is None:
            return general
        specific_history = self._on_term.get(term_id, {}).get(party_id)
        specific = specific_history.as_of(as_of) if specific_history else None
        if specific is None or (general is not None and general.stated_on > specific.stated_on):
            return general
        return specific

    def term_status(self, term_id: int, as_of: date) -> TermStatus:
        if term_id not in self._terms:
            raise LookupError(f"term {term_id} is not in this snapshot")
        return self._term_result(term_id, self._resolve(as_of, [term_id], []))

    def proposal_status(self, proposal_id: int, as_of: date) -> ProposalStatus:
        return self._statuses([proposal_id], as_of)[proposal_id]

    def all_statuses(self, as_of: date) -> dict[int, ProposalStatus]:
        return self._statuses(sorted(self._proposals), as_of)

    def timeline(self, proposal_id: int, until: date) -> list[TimelineEntry]:
        days = self._change_dates(proposal_id, until)
        proposal = self._proposals[proposal_id]
        own = [t.id for t in self._terms_of[proposal_id]]
        entries: list[TimelineEntry] = []
        previous: dict[int | None, str] = {}
        last_state: tuple[bool, tuple[str, ...]] | None = None
        for day in self._replay_days(proposal_id, own, days):
            # Statuses follow from this state; building reasons only on a change, and only
            # for what changed, keeps a replay over hundreds of dates cheap.
            state = self._state(proposal_id, own, day)
            if state == last_state:
                continue
            last_state = state
            statuses = list(state[1]) if own else []
            changed = [i for i, s in enumerate(statuses) if s != previous.get(own[i])]
            resolved = self._resolved_on(proposal_id, [own[i] for i in changed], day)
            results = {i: self._term_result(own[i], resolved) for i in changed}
            reason_of = partial(self._reason_of, proposal_id, own, day, results)
            status, reason = self._outcome(proposal, resolved, statuses, reason_of)
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
            resolved = self._resolved_on(proposal_id, [own[i]], day)
            results[i] = self._term_result(own[i], resolved)
        return results[i].reason

    def _replay_days(self, proposal_id: int, own: list[int], days: list[date]) -> list[date]:
        """The change dates on which the state can differ from the one replayed before.

        The state only moves where a term's status (before the overlay) changes, an event
        happens or the proposal is superseded. Each such moment is replayed on the first
        change date at or after it, exactly where a replay of every change date sees it.
        """
        if not days:
            return []
        changes = self._changes()
        moments: list[date] = []
        for term_id in own:
            moments += changes.get(term_id, _NO_CHANGES)[0]
            if term_id in self._ledgers:
                moments += self._ledgers[term_id].dates
        if not own:
            moments += self._proposal_changes().get(proposal_id, _NO_CHANGES)[0]
        superseded_on = self._proposals[proposal_id].superseded_on
        if superseded_on is not None:
            moments.append(superseded_on)
        replay = {days[0]}
        for moment in moments:
            i = bisect_left(days, moment)
            if i < len(days):
                replay.add(days[i])
        return sorted(replay)

    def _state(self, proposal_id: int, own: list[int], day: date) -> tuple[bool, tuple[str, ...]]:
        """Whether the proposal is superseded, and its terms' statuses (or its own if none)."""
        proposal = self._proposals[proposal_id]
        superseded = proposal.superseded_on is not None and proposal.superseded_on <= day
        if not own:
            return superseded, (_status_on(self._proposal_changes().get(proposal_id), day),)
        changes = self._changes()
        statuses: list[str] = []
        for term_id in own:
            status = _status_on(changes.get(term_id), day)
            if status == AGREED:
                overlay = self._implementation(self._terms[term_id], day)[1]
                if overlay:
                    status = overlay[0]
            statuses.append(status)
        return superseded, tuple(statuses)

    def _resolved_on(self, proposal_id: int, term_ids: list[int], day: date) -> _Resolved:
        """What `_resolve` gives for a proposal and some of its terms, from the replay."""
        changes = self._changes()
        whole = self._proposal_stances(proposal_id, day)
        term_stances = {t: self._term_stances(self._terms[t], whole, day) for t in term_ids}
        status = {t: _status_on(changes.get(t), day) for t in term_ids}
        # As in `_resolve`: a condition is met once it names terms, all known and agreed.
        accepted = {
            p.id
            for stances in (whole, *term_stances.values())
            for p in stances.values()
            if p is not None
            and p.stance == CONDITIONAL_STANCE
            and p.conditional_on
            and all(
                ref in self._terms and _status_on(changes.get(ref), day) == AGREED
                for ref in p.conditional_on
            )
        }
        return _Resolved(day, term_stances, {proposal_id: whole}, status, accepted)

    # ------------------------------------------------------------ stances

    def _proposal_stances(self, proposal_id: int, as_of: date) -> _Stances:
        histories = self._on_proposal.get(proposal_id, {})
        return {
            party: (h.as_of(as_of) if (h := histories.get(party)) else None)
            for party in self._parties[proposal_id]
        }

    def _term_stances(self, term: TermIn, whole: _Stances, as_of: date) -> _Stances:
        histories = self._on_term.get(term.id, {})
        stances: _Stances = {}
        for party, general in whole.items():
            h = histories.get(party)
            specific = h.as_of(as_of) if h else None
            # Latest day wins; on the same day the term-level position is the more specific.
            use_general = specific is None or (
                general is not None and general.stated_on > specific.stated_on
            )
            stances[party] = general if use_general else specific
        return stances

    def _resolve(
        self, as_of: date, term_ids: Iterable[int], proposal_ids: Iterable[int]
    ) -> _Resolved:
        proposal_stances: dict[int, _Stances] = {}
        term_stances: dict[int, _Stances] = {}
        conditionals: dict[int, PositionIn] = {}
        readers: dict[int, list[int]] = defaultdict(list)
        todo = list(term_ids)

        def whole(proposal_id: int) -> _Stances:
            if proposal_id not in proposal_stances:
                proposal_stances[proposal_id] = stances = self._proposal_stances(proposal_id, as_of)
                note(stances, None)
            return proposal_stances[proposal_id]

        def note(stances: _Stances, term_id: int | None) -> None:
            for p in stances.values():
                if p is not None and p.stance == CONDITIONAL_STANCE:
                    if term_id is not None:
                        readers[p.id].append(term_id)
                    if p.id not in conditionals:
                        conditionals[p.id] = p
                        todo.extend(p.conditional_on)

        for proposal_id in proposal_ids:
            whole(proposal_id)
        while todo:
            term_id = todo.pop()
            if term_id in term_stances or term_id not in self._terms:
                continue
            term = self._terms[term_id]
            stances = self._term_stances(term, whole(term.proposal_id), as_of)
            term_stances[term_id] = stances
            note(stances, term_id)

        # Least fixed point: a conditional counts as accepted only once every term it
        # names is agreed; each term turns agreed at most once, so this is linear.
        waiting: dict[int, list[int]] = defaultdict(list)
        missing: dict[int, int] = {}
        for p in conditionals.values():
            refs = set(p.conditional_on)
            if refs and refs <= term_stances.keys():
                missing[p.id] = len(refs)
                for ref in refs:
                    waiting[ref].append(p.id)
        accepted: set[int] = set()

        def decide(term_id: int) -> str:
            proposal = self._proposals[self._terms[term_id].proposal_id]
            return self._decide(proposal, term_stances[term_id], accepted)

        status = {term_id: decide(term_id) for term_id in term_stances}
        agreed = [tid for tid, s in status.items() if s == AGREED]
        while agreed:
            for position_id in waiting.get(agreed.pop(), ()):
                missing[position_id] -= 1
                if missing[position_id]:
                    continue
                accepted.add(position_id)
                for reader in readers.get(position_id, ()):
                    if status[reader] != AGREED:
                        status[reader] = decide(reader)
                        if status[reader] == AGREED:
                            agreed.append(reader)
        return _Resolved(as_of, term_stances, proposal_stances, status, accepted)

    @staticmethod
    def _decide(proposal: ProposalIn, stances: _Stances, accepted: AbstractSet[int]) -> str:
        if proposal.tabled_by_id is not None:
            tabler = stances.get(proposal.tabled_by_id)
            if tabler is not None and tabler.stance == WITHDRAWS:
                return WITHDRAWN
        if not proposal.consent_party_ids:
            return OPEN
        # One pass: a rejection settles it; otherwise the weakest stance does.
        status = AGREED
        for party in proposal.consent_party_ids:
            counts = _counts_as(stances[party], accepted)
            if counts == REJECTS:
                return REJECTED
            if counts not in AGREEING:
                status = CONDITIONAL if counts == CONDITIONAL_STANCE and status != OPEN else OPEN
        return status

    # ------------------------------------------------------------ results

    def _statuses(self, proposal_ids: Sequence[int], as_of: date) -> dict[int, ProposalStatus]:
        for proposal_id in proposal_ids:
            if proposal_id not in self._proposals:
                raise LookupError(f"proposal {proposal_id} is not in this snapshot")
        term_ids = [t.id for pid in proposal_ids for t in self._terms_of[pid]]
        resolved = self._resolve(as_of, term_ids, proposal_ids)
        return {pid: self._proposal_result(pid, resolved) for pid in proposal_ids}

    def _basis(self, stances: _Stances, accepted: set[int]) -> tuple[StanceBasis, ...]:
        return tuple(
            StanceBasis(party, None, None, None, None, None)
            if p is None
            else StanceBasis(
                party,
                p.stance,
                _counts_as(p, accepted),
                p.id,
                p.stated_on,
                "proposal" if p.term_id is None else "term",
            )
            for party, p in stances.items()
        )

    def _term_result(self, term_id: int, resolved: _Resolved) -> TermStatus:
        term = self._terms[term_id]
        basis = self._basis(resolved.term_stances[term_id], resolved.accepted)
        status = resolved.status[term_id]
        delivered, overlay = self._implementation(term, resolved.as_of)
        if status == AGREED and overlay is not None:
            status, reason = overlay
        else:
            reason = self._stance_reason(status, basis, self._proposals[term.proposal_id])
        return TermStatus(term_id, status, reason, basis, delivered)

    def _implementation(self, term: TermIn, as_of: date) -> tuple[int, tuple[str, str] | None]:
        """Units delivered as of the date, and what an agreed term becomes once events exist."""
        ledger = self._ledgers.get(term.id)
        count = bisect_right(ledger.dates, as_of) if ledger else 0
        if ledger is None or not count:
            return 0, None
        delivered = ledger.delivered[count]
        if term.quantity is not None:
            progress = f"{delivered:,} of {term.quantity:,} delivered"
            if delivered >= term.quantity:
                return delivered, (IMPLEMENTED, f"implemented: {progress}")
        else:
            progress = f"{delivered:,} delivered" if delivered else f"first event {ledger.dates[0]}"
        completed_on = ledger.completed_on
        if completed_on is not None and completed_on <= as_of:
            return delivered, (IMPLEMENTED, f"implemented: marked complete on {completed_on}")
        return delivered, (IN_IMPLEMENTATION, f"in implementation: {progress}")

    def _proposal_result(self, proposal_id: int, resolved: _Resolved) -> ProposalStatus:
        proposal = self._proposals[proposal_id]
        basis = self._basis(resolved.proposal_stances[proposal_id], resolved.accepted)
        terms = tuple(self._term_result(t.id, resolved) for t in self._terms_of[proposal_id])
        statuses = [t.status for t in terms]
        status, reason = self._outcome(proposal, resolved, statuses, lambda i: terms[i].reason)
        return ProposalStatus(proposal_id, status, reason, basis, terms)

    def _outcome(
        self,
        proposal: ProposalIn,
        resolved: _Resolved,
        statuses: list[str],
        reason_of: Callable[[int], str],
    ) -> tuple[str, str]:
        """The proposal's status and reason from its terms' statuses (in `_terms_of` order);
        `reason_of(i)` is asked only for a term's reason that the proposal's reason repeats."""
        if proposal.superseded_on is not None and proposal.superseded_on <= resolved.as_of:
            return SUPERSEDED, f"superseded on {proposal.superseded_on}"
        stances = resolved.proposal_stances[proposal.id]
        if not statuses:
            status = self._decide(proposal, stances, resolved.accepted)
            basis = self._basis(stances, resolved.accepted)
            return status, self._stance_reason(status, basis, proposal)
        return self._aggregate(proposal, stances, statuses, reason_of)

    def _aggregate(
        self,
        proposal: ProposalIn,
        stances: _Stances,
        term_statuses: list[str],
        reason_of: Callable[[int], str],
    ) -> tuple[str, str]:
        # A term's reason is only needed when it is the single item, so it is fetched late.
        items: list[tuple[str, str | int]] = []
        groups: dict[str, dict[str, list[str]]] = {}
        for i, (term, term_status) in enumerate(
            zip(self._terms_of[proposal.id], term_statuses, strict=True)
        ):
            if term.option_group:
                options = groups.setdefault(term.option_group, {})
                options.setdefault(term.option, []).append(term_status)
            else:
                items.append((term_status, i))
        notes: list[str] = []
        for group, options in groups.items():
            status, best = _group_status(options)
            if best is None:
                items.append((status, f"group '{group}' {_words(status)}"))
            else:
                notes.append(f"option {best} of group '{group}' {_words(status)}")
                items.append((status, notes[-1]))

        statuses = [status for status, _ in items]
        live = [s for s in statuses if s != WITHDRAWN]
        if not live:
            tabler = None if proposal.tabled_by_id is None else stances[proposal.tabled_by_id]
            if tabler is not None and tabler.stance == WITHDRAWS:
                return (
                    WITHDRAWN,
                    f"withdrawn by {self._name(tabler.party_id)} on {tabler.stated_on}",
                )
            return WITHDRAWN, f"all {_items(len(items))} withdrawn"
        if len(items) == 1:
            status, why = items[0]
            return status, why if isinstance(why, str) else reason_of(why)
        n, withdrawn = len(live), len(items) - len(live)
        aside = f" ({withdrawn} withdrawn)" if withdrawn else ""
        if all(s in ADVANCEMENT for s in live):
            least = min(live, key=ADVANCEMENT.__getitem__)
            reason = "; ".join([f"all {_items(n)} agreed{aside}", *notes])
            if any(s != AGREED for s in live):
                reason = f"{_words(least)}: {reason}; {_breakdown(live)}"
            return least, reason
        if all(s == REJECTED for s in live):
            return REJECTED, f"all {_items(n)} rejected{aside}"
        agreed = sum(s in ADVANCEMENT for s in live)
        if agreed:
            return PARTIALLY_AGREED, "; ".join([f"{agreed} of {_items(n)} agreed{aside}", *notes])
        status = CONDITIONAL if all(s in (CONDITIONAL, REJECTED) for s in live) else OPEN
        rest = _breakdown([s for s in live if s != status])
        share = f"{live.count(status)} of {_items(n)} {_words(status)}"
        return status, f"{_words(status)}: {share}" + (f", {rest}" if rest else "") + aside

    # ------------------------------------------------------------ reasons

    def _name(self, party_id: int) -> str:
        return self._names.get(party_id, f"party {party_id}")

    def _stance_reason(
        self, status: str, basis: tuple[StanceBasis, ...], proposal: ProposalIn
    ) -> str:
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
            f"{self._name(b.party_id)} conditional on {b.stated_on}"
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
        return f"{_words(status)}: " + "; ".join(parts)

    def _on(self, entry: StanceBasis) -> str:
        return f"{self._name(entry.party_id)} on {entry.stated_on}"

    def _names_of(self, basis: list[StanceBasis], counts_as: str | None) -> str:
        return ", ".join(self._name(b.party_id) for b in basis if b.counts_as == counts_as)

    def _dated(self, basis: list[StanceBasis]) -> str:
        return _join(
            [
                f"{self._name(b.party_id)} ({b.stated_on}"
                + (", conditions met)" if b.stance == CONDITIONAL_STANCE else ")")
                for b in basis
            ]
        )

    # ------------------------------------------------------------ replay

    def _changes(self) -> dict[int, _Changes]:
        if self._replayed is None:
            self._replayed = self._replay()
        return self._replayed[0]

    def _proposal_changes(self) -> dict[int, _Changes]:
        if self._replayed is None:
            self._replayed = self._replay()
        return self._replayed[1]

    def _replay(self) -> tuple[dict[int, _Changes], dict[int, _Changes]]:
        """Every term's status history, walking the days of the negotiation once.

        Replaying `_resolve` day by day for each proposal redoes the same work for every
        proposal whose conditions reach the same terms; here each day only touches the
        stances stated that day, and the least fixed point is redone over the terms whose
        status still hangs on conditions (the rest are settled by their stances alone).
        The result is the one `_resolve` gives on any day: a term's status only depends
        on the terms its conditions reach, and these are all resolved together here.
        """
        terms, proposals = self._terms, self._proposals
        # A position stated on a day is later than all before it, so it becomes the stance
        # of its party on its subject; one on a term overrides one on the whole proposal
        # stated the same day, so those come first. Histories are in (stated_on, id) order:
        # of a party's positions on a subject on one day, the last one is effective.
        on_whole: dict[date, list[PositionIn]] = defaultdict(list)
        on_term: dict[date, list[PositionIn]] = defaultdict(list)
        for term_id, by_party in self._on_term.items():
            if term_id in terms:
                parties = self._parties[terms[term_id].proposal_id]
                for party, history in by_party.items():
                    if party in parties:
                        for p in history.positions:
                            on_term[p.stated_on].append(p)
        for proposal_id, by_party in self._on_proposal.items():
            if proposal_id in proposals:
                parties = self._parties[proposal_id]
                for party, history in by_party.items():
                    if party in parties:
                        for p in history.positions:
                            on_whole[p.stated_on].append(p)

        term_ids = {pid: [t.id for t in terms_of] for pid, terms_of in self._terms_of.items()}
        general: dict[int, _Stances] = {
            pid: dict.fromkeys(parties) for pid, parties in self._parties.items()
        }
        stances: dict[int, _Stances] = {
            term_id: dict.fromkeys(self._parties[term.proposal_id])
            for term_id, term in terms.items()
        }
        termless = {pid for pid in proposals if not self._terms_of[pid]}
        base: dict[int, str] = {}  # status with no condition met
        base_agreed: set[int] = set()
        needs: dict[int, frozenset[int]] = {}  # terms that agree once all of these have
        proposal_base: dict[int, str] = {}
        proposal_needs: dict[int, frozenset[int]] = {}
        changes: dict[int, _Changes] = {}
        proposal_changes: dict[int, _Changes] = {}

        for day in sorted(on_whole.keys() | on_term.keys()):
            dirty: set[int] = set()
            touched_proposals: set[int] = set()
            for p in on_whole.get(day, ()):
                general[p.proposal_id][p.party_id] = p
                touched_proposals.add(p.proposal_id)
                for term_id in term_ids[p.proposal_id]:
                    stances[term_id][p.party_id] = p
                    dirty.add(term_id)
            for p in on_term.get(day, ()):
                stances[p.term_id][p.party_id] = p
                dirty.add(p.term_id)
            for term_id in dirty:
                proposal = proposals[terms[term_id].proposal_id]
                status = base[term_id] = self._decide(proposal, stances[term_id], _NONE_ACCEPTED)
                if status == AGREED:
                    base_agreed.add(term_id)
                else:
                    base_agreed.discard(term_id)
                _set_needs(needs, term_id, proposal, stances[term_id], status, terms)
            touched_proposals &= termless
            for pid in touched_proposals:
                status = proposal_base[pid] = self._decide(
                    proposals[pid], general[pid], _NONE_ACCEPTED
                )
                _set_needs(proposal_needs, pid, proposals[pid], general[pid], status, terms)
            if not dirty and not touched_proposals:
                continue

            agreed = _least_fixed_point(needs, base_agreed)
            for term_id in dirty | needs.keys():
                status = AGREED if term_id in agreed else base[term_id]
                _record(changes, term_id, day, status)
            for pid in touched_proposals | proposal_needs.keys():
                refs = proposal_needs.get(pid)
                status = AGREED if refs is not None and refs <= agreed else proposal_base[pid]
                _record(proposal_changes, pid, day, status)
        return changes, proposal_changes

    # ------------------------------------------------------------ timeline

    def _change_dates(self, proposal_id: int, until: date) -> list[date]:
        if proposal_id not in self._proposals:
            raise LookupError(f"proposal {proposal_id} is not in this snapshot")
        days: set[date] = set()
        own = [t.id for t in self._terms_of[proposal_id]]
        for term_id in own:
            if term_id in self._ledgers:
                days.update(self._ledgers[term_id].dates)
        superseded_on = self._proposals[proposal_id].superseded_on
        if superseded_on is not None:
            days.add(superseded_on)
        # Every position that could ever bear on the answer, whatever its date: those on the
        # proposal and on every term reachable through conditions.
        reach = self._reach()
        mask = reach[("proposal", proposal_id)]
        for term_id in own:
            mask |= reach[("term", term_id)]
        # Bit i of the mask is character i of its binary digits read backwards.
        days.update(compress(self._days, map(int, bin(mask)[:1:-1])))
        return sorted(day for day in days if day <= until)

    def _reach(self) -> dict[_Subject, int]:
        """For every term and proposal, the days (as bits) of all the positions it hangs on.

        Conditions can form cycles, so the subjects are taken a strongly connected component
        at a time (Tarjan's algorithm, without recursion): every subject of a component
        reaches the same positions, and components come out after all those they lead to.
        """
        if self._reach_of is not None:
            return self._reach_of
        reach: dict[_Subject, int] = {}
        index: dict[_Subject, int] = {}
        low: dict[_Subject, int] = {}
        stack: list[_Subject] = []
        on_stack: set[_Subject] = set()

        def enter(subject: _Subject) -> tuple[_Subject, Iterator[_Subject]]:
            index[subject] = low[subject] = len(index)
            stack.append(subject)
            on_stack.add(subject)
            return subject, iter(self._leads_to(subject))

        subjects = [
            *(("proposal", p) for p in self._proposals),
            *(("term", t) for t in self._terms),
        ]
        for root in subjects:
            if root in index:
                continue
            work = [enter(root)]
            while work:
                subject, successors = work[-1]
                for successor in successors:
                    if successor not in index:
                        work.append(enter(successor))
                        break
                    if successor in on_stack:
                        low[subject] = min(low[subject], index[successor])
                else:
                    work.pop()
                    if work:
                        parent = work[-1][0]
                        low[parent] = min(low[parent], low[subject])
                    if low[subject] == index[subject]:
                        at = stack.index(subject)
                        component = stack[at:]
                        del stack[at:]
                        on_stack.difference_update(component)
                        mask = 0
                        for member in component:
                            mask |= self._inputs(*member)[0]
                            for successor in self._leads_to(member):
                                mask |= reach.get(successor, 0)
                        reach.update(dict.fromkeys(component, mask))
        self._reach_of = reach
        return reach

    def _leads_to(self, subject: _Subject) -> list[_Subject]:
        """The subjects whose positions can change this one's status: the terms its
        conditions name, and for a term its proposal (positions on the whole of it)."""
        kind, key = subject
        leads: list[_Subject] = [
            ("term", ref) for ref in self._inputs(kind, key)[1] if ref in self._terms
        ]
        if kind == "term":
            leads.append(("proposal", self._terms[key].proposal_id))
        return leads

    def _inputs(self, kind: str, key: int) -> tuple[int, frozenset[int]]:
        """The days (as bits) positions on a term or whole proposal were stated; their refs."""
        if (kind, key) not in self._inputs_of:
            if kind == "term":
                histories, proposal_id = self._on_term.get(key, {}), self._terms[key].proposal_id
            else:
                histories, proposal_id = self._on_proposal.get(key, {}), key
            bits = 0
            refs: set[int] = set()
            for party in self._parties[proposal_id]:
                if (history := histories.get(party)) is not None:
                    for p in history.positions:
                        bits |= self._bits[p.stated_on]
                        if p.stance == CONDITIONAL_STANCE:
                            refs.update(p.conditional_on)
            self._inputs_of[(kind, key)] = (bits, frozenset(refs))
        return self._inputs_of[(kind, key)]


def _set_needs(
    needs: dict[int, frozenset[int]],
    key: int,
    proposal: ProposalIn,
    stances: _Stances,
    status: str,
    terms: Mapping[int, TermIn],
) -> None:
    """Note the terms a conditional item waits for, if their agreement can ever settle it.

    Only a conditional consent stance stands between a `conditional` item and `agreed`; a
    condition naming no term or an unknown one is never met, so such an item stays as is.
    """
    needs.pop(key, None)
    if status != CONDITIONAL:
        return
    refs: set[int] = set()
    for party in proposal.consent_party_ids:
        p = stances[party]
        if p is not None and p.stance == CONDITIONAL_STANCE:
            if not p.conditional_on or any(ref not in terms for ref in p.conditional_on):
                return
            refs.update(p.conditional_on)
    needs[key] = frozenset(refs)


def _least_fixed_point(needs: Mapping[int, frozenset[int]], agreed: set[int]) -> set[int]:
    """The terms agreed once every condition that can be met is: `agreed` plus those of
    `needs` whose named terms all end up agreed (a term waiting on itself never does)."""
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


def _record(changes: dict[int, _Changes], key: int, day: date, status: str) -> None:
    history = changes.get(key)
    if history is None:
        if status != OPEN:
            changes[key] = ([day], [status])
    elif history[1][-1] != status:
        history[0].append(day)
        history[1].append(status)


def _counts_as(position: PositionIn | None, accepted: AbstractSet[int]) -> str | None:
    if position is None:
        return None
    if position.stance == CONDITIONAL_STANCE and position.id in accepted:
        return ACCEPTS
    return position.stance


def _option_status(statuses: list[str]) -> str:
    if all(s in ADVANCEMENT for s in statuses):
        return min(statuses, key=ADVANCEMENT.__getitem__)
    dead = [s for s in statuses if s in DEAD]
    if dead:
        return WITHDRAWN if all(s == WITHDRAWN for s in dead) else REJECTED
    if all(s == CONDITIONAL or s in ADVANCEMENT for s in statuses):
        return CONDITIONAL
    return OPEN


def _group_status(options: dict[str, list[str]]) -> tuple[str, str | None]:
    """The group's status as one item, and the option that carries it when agreed."""
    statuses = {option: _option_status(terms) for option, terms in options.items()}
    agreed = [(ADVANCEMENT[s], option) for option, s in statuses.items() if s in ADVANCEMENT]
    if agreed:
        # The most advanced option; among equals the first one tabled.
        best = max(agreed, key=lambda pair: pair[0])[1]
        return statuses[best], best
    live = [s for s in statuses.values() if s not in DEAD]
    if not live:
        return (WITHDRAWN if all(s == WITHDRAWN for s in statuses.values()) else REJECTED), None
    return (CONDITIONAL if CONDITIONAL in live else OPEN), None


def _words(status: str) -> str:
    return status.replace("_", " ")


def _items(n: int) -> str:
    return f"{n} item" if n == 1 else f"{n} items"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _breakdown(statuses: list[str]) -> str:
    return ", ".join(f"{statuses.count(s)} {_words(s)}" for s in _ORDER if s in statuses)


# ---------------------------------------------------------------- module functions

# A Snapshot holds a dict, so it cannot key a cache; keep one Engine per live snapshot by
# identity and forget it when the snapshot is collected (the Engine never refers back to it).
_engines: dict[int, Engine] = {}


def _engine(source: Snapshot | Engine) -> Engine:
    if isinstance(source, Engine):
        return source
    key = id(source)
    if key not in _engines:
        _engines[key] = Engine(source)
        weakref.finalize(source, _engines.pop, key, None)
    return _engines[key]


def proposal_status(source: Snapshot | Engine, proposal_id: int, as_of: date) -> ProposalStatus:
    return _engine(source).proposal_status(proposal_id, as_of)


def term_status(source: Snapshot | Engine, term_id: int, as_of: date) -> TermStatus:
    return _engine(source).term_status(term_id, as_of)


def timeline(source: Snapshot | Engine, proposal_id: int, until: date) -> list[TimelineEntry]:
    return _engine(source).timeline(proposal_id, until)


def all_statuses(source: Snapshot | Engine, as_of: date) -> dict[int, ProposalStatus]:
    return _engine(source).all_statuses(as_of)
