"""Shapes already-loaded rows for the analyst pages: terms grouped by stage and option,
the consent table, the exchange ledger, disagreeing reports and wording diffs.

Pure Python over prefetched objects: no query is made here, so a page's query count
is set by its view alone.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest

from proposals.models import ImplementationEvent, Position, Stage, Term
from proposals.snapshot import running_totals

STAGE_ORDER = {value: i for i, value in enumerate(Stage.values)}
STAGE_LABELS = dict(Stage.choices)


# ---------------------------------------------------------------- pages of long lists

MAX_PAGE = 10_000


def page_number(request: HttpRequest, name: str = "page") -> int:
    """The page asked for (1 when none); anything but a whole number from 1 is a 400."""
    raw = request.GET.get(name, "1").strip() or "1"
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or not 1 <= int(raw) <= MAX_PAGE:
        raise BadRequest(f"“{name}” must be a whole number from 1 to {MAX_PAGE:,}, not “{raw}”.")
    return int(raw)


def page_url(request: HttpRequest, page: int, name: str = "page") -> str:
    """This page's address with another page number (the other parameters kept)."""
    query = request.GET.copy()
    query[name] = str(page)
    return f"{request.path}?{query.urlencode()}"


# ---------------------------------------------------------------- terms by stage and option


@dataclass
class OptionBlock:
    option: str
    terms: list[Term] = field(default_factory=list)


@dataclass
class TermItem:
    """One term on its own, or one option group (its alternatives side by side)."""

    term: Term | None = None
    option_group: str = ""
    options: list[OptionBlock] = field(default_factory=list)


@dataclass
class StageSection:
    stage: str
    label: str
    items: list[TermItem] = field(default_factory=list)


def group_terms(terms: Iterable[Term]) -> list[StageSection]:
    sections: dict[str, StageSection] = {}
    groups: dict[tuple[str, str], TermItem] = {}
    for term in sorted(terms, key=lambda t: (STAGE_ORDER.get(t.stage, 99), t.ordinal, t.pk)):
        section = sections.setdefault(
            term.stage, StageSection(term.stage, STAGE_LABELS.get(term.stage, term.stage))
        )
        if not term.option_group:
            section.items.append(TermItem(term=term))
            continue
        key = (term.stage, term.option_group)
        if key not in groups:
            groups[key] = TermItem(option_group=term.option_group)
            section.items.append(groups[key])
        item = groups[key]
        block = next((b for b in item.options if b.option == term.option), None)
        if block is None:
            block = OptionBlock(term.option)
            item.options.append(block)
        block.terms.append(term)
    return list(sections.values())


# ---------------------------------------------------------------- who stands where


@dataclass
class ConsentCell:
    party: Any
    stance: str | None
    counts_as: str | None
    stated_on: str | None
    position: Position | None
    via_proposal: bool  # a term row whose stance comes from a whole-proposal position


@dataclass
class ConsentRow:
    term: Term | None
    cells: list[ConsentCell]


@dataclass
class CurrentPosition:
    position: Position
    covers: list[str]


@dataclass
class ConsentParty:
    party: Any
    current: list[CurrentPosition]
    silent_on: list[str]


def _basis_by_party(basis: Any) -> dict[int, dict[str, Any]]:
    return {entry["party_id"]: entry for entry in basis or [] if isinstance(entry, dict)}


def consent_table(
    *,
    proposal_basis: Any,
    terms: Sequence[Term],
    consent_parties: Sequence[Any],
    positions_by_id: dict[int, Position],
) -> tuple[list[ConsentRow], list[ConsentParty]]:
    """Each consent party's current stance on the whole proposal and on each term (from
    the stored status basis), and the distinct statements those stances rest on."""
    subjects: list[tuple[Term | None, Any]] = [(None, proposal_basis)]
    subjects += [(term, term.status_basis) for term in terms]
    rows = []
    covers: dict[int, dict[int, list[str]]] = defaultdict(dict)
    silent: dict[int, list[str]] = defaultdict(list)
    for term, basis in subjects:
        label = "whole proposal" if term is None else f"term {term.label or term.ordinal}"
        by_party = _basis_by_party(basis)
        cells = []
        for party in consent_parties:
            entry = by_party.get(party.pk, {})
            position = positions_by_id.get(entry.get("position_id") or 0)
            cells.append(
                ConsentCell(
                    party,
                    entry.get("stance"),
                    entry.get("counts_as"),
                    entry.get("stated_on"),
                    position,
                    term is not None and entry.get("level") == "proposal",
                )
            )
            if position is None:
                silent[party.pk].append(label)
            else:
                covers[party.pk].setdefault(position.pk, []).append(label)
        rows.append(ConsentRow(term, cells))
    parties = [
        ConsentParty(
            party,
            [
                CurrentPosition(positions_by_id[pid], labels)
                for pid, labels in covers[party.pk].items()
            ],
            silent[party.pk],
        )
        for party in consent_parties
    ]
    return rows, parties


def positions_by_party(
    positions: Iterable[Position], latest: int | None = None
) -> list[tuple[Any, list[Position], int]]:
    """Per party (by name): its positions in date order, only the `latest` ones when
    given, and how many there are in all."""
    grouped: dict[int, list[Position]] = defaultdict(list)
    parties = {}
    for position in positions:
        grouped[position.party_id].append(position)
        parties[position.party_id] = position.party
    ordered = sorted(grouped, key=lambda pid: parties[pid].name)
    result = []
    for pid in ordered:
        said = sorted(grouped[pid], key=lambda p: (p.stated_on, p.pk))
        result.append((parties[pid], said[-latest:] if latest else said, len(said)))
    return result


# ---------------------------------------------------------------- disagreeing reports


def disputed_positions(positions: Iterable[Position]) -> list[list[Position]]:
    """Statements by one party on one subject on one day that say different things
    (typically two reports of the same statement)."""
    groups: dict[tuple[int, int, int | None, Any], list[Position]] = defaultdict(list)
    for p in positions:
        groups[(p.party_id, p.proposal_id, p.term_id, p.stated_on)].append(p)
    return [
        sorted(rows, key=lambda p: p.pk)
        for rows in groups.values()
        if len({(p.stance, p.conditions) for p in rows}) > 1
    ]


def disputed_events(events: Iterable[ImplementationEvent]) -> list[list[ImplementationEvent]]:
    """Ledger entries for the same delivery (term, party, day) with different figures."""
    groups: dict[tuple[int, int | None, Any], list[ImplementationEvent]] = defaultdict(list)
    for e in events:
        groups[(e.term_id, e.by_party_id, e.happened_on)].append(e)
    return [
        sorted(rows, key=lambda e: e.pk)
        for rows in groups.values()
        if len({e.quantity for e in rows}) > 1
    ]


@dataclass
class LedgerLine:
    event: ImplementationEvent
    running: int
    disputed: bool


def ledger(events: Collection[ImplementationEvent]) -> list[LedgerLine]:
    """The ledger's lines with the running total as the engine counts it (deliveries add,
    reversals take back)."""
    disputed = {e.pk for group in disputed_events(events) for e in group}
    rows = sorted(events, key=lambda e: (e.happened_on, e.pk))
    running = running_totals(rows)
    return [
        LedgerLine(event, total, event.pk in disputed)
        for event, total in zip(rows, running, strict=True)
    ]


# ---------------------------------------------------------------- comparing wordings

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The two wordings as segments ("same", "del" or "ins", text) to mark up."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    left: list[tuple[str, str]] = []
    right: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(("same", "".join(a[i1:i2])))
            right.append(("same", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            left.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            right.append(("ins", "".join(b[j1:j2])))
    return left, right


@dataclass
class AlignedPair:
    left: Term | None
    right: Term | None
    left_segments: list[tuple[str, str]]
    right_segments: list[tuple[str, str]]

    @property
    def aligned(self) -> bool:
        return self.left is not None and self.right is not None

    @property
    def changed(self) -> bool:
        segments = self.left_segments + self.right_segments
        return self.aligned and any(kind != "same" for kind, _ in segments)


def align_terms(left_terms: Sequence[Term], right_terms: Sequence[Term]) -> list[AlignedPair]:
    """Pair the terms of two proposals through derived_from (either way round); terms
    without a counterpart stand alone."""
    left_ids = {t.pk for t in left_terms}
    matched: dict[int, list[Term]] = defaultdict(list)
    used: set[int] = set()
    for right in right_terms:
        if right.derived_from_id in left_ids:
            matched[right.derived_from_id].append(right)
            used.add(right.pk)
    by_id = {t.pk: t for t in right_terms}
    for left in left_terms:
        if left.derived_from_id in by_id and left.derived_from_id not in used:
            matched[left.pk].append(by_id[left.derived_from_id])
            used.add(left.derived_from_id)
    pairs = []
    for left in left_terms:
        partners: Sequence[Term | None] = matched.get(left.pk) or [None]
        for partner in partners:
            if partner is None:
                pairs.append(AlignedPair(left, None, [("same", left.text)], []))
            else:
                old, new = word_diff(left.text, partner.text)
                pairs.append(AlignedPair(left, partner, old, new))
    pairs += [AlignedPair(None, r, [], [("same", r.text)]) for r in right_terms if r.pk not in used]
    return pairs
