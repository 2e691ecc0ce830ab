"""An agenda item's status (issue 12, point 2), derived from the statuses of the proposals
tabled on it: a point stays on the table while rival proposals on it are rejected one
after the other, and is rejected only once nothing live is left on it.

Pure, like the rest of the engine: the same function serves live reads (the proposals'
stored statuses) and as-of reads (the engine's statuses for that day)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .vocabulary import (
    ADVANCEMENT,
    DEAD,
    NOT_TABLED,
    OPEN,
    PARTIALLY_AGREED,
    REJECTED,
    SUPERSEDED,
)


@dataclass(frozen=True)
class OnItem:
    """A proposal tabled on an agenda item, with its status (and since when, if known)."""

    id: int
    title: str
    status: str
    since: date | None = None


@dataclass(frozen=True)
class ItemStatus:
    status: str
    reason: str


def _named(p: OnItem) -> str:
    return f"«{p.title}»"


def _dead(p: OnItem) -> str:
    word = "rejected" if p.status == REJECTED else "withdrawn"
    return f"{_named(p)} {word}" + (f" on {p.since}" if p.since is not None else "")


def _live(p: OnItem) -> str:
    return f"{_named(p)} still {p.status.replace('_', ' ')}"


def item_status(proposals: Sequence[OnItem]) -> ItemStatus:
    """Agreed or beyond (the most advanced) when a proposal on it is; partially agreed when
    one is; open while one is open or conditional (however many rival ones were rejected);
    rejected once every proposal on it is rejected or withdrawn. Superseded proposals are
    not live: their successors count, if tabled on the item. No proposal: open."""
    # A proposal not yet tabled on the day asked is not on the table yet.
    on_table = (p for p in proposals if p.status != NOT_TABLED)
    ordered = sorted(on_table, key=lambda p: (p.since or date.min, p.id))
    if not ordered:
        return ItemStatus(OPEN, "open: nothing tabled yet")
    agreed = [p for p in ordered if p.status in ADVANCEMENT]
    if agreed:
        best = max(agreed, key=lambda p: (ADVANCEMENT[p.status], -p.id))
        status = best.status
        return ItemStatus(status, f"{status.replace('_', ' ')}: {_named(best)}")
    partial = [p for p in ordered if p.status == PARTIALLY_AGREED]
    if partial:
        names = ", ".join(_named(p) for p in partial)
        return ItemStatus(PARTIALLY_AGREED, f"partially agreed: {names}")
    dead = [p for p in ordered if p.status in DEAD]
    # Open or conditional; any status this module does not name counts as live too.
    live = [p for p in ordered if p.status not in DEAD and p.status != SUPERSEDED]
    if live:
        parts = [_dead(p) for p in dead]
        counter = "counter-proposal " if dead else ""
        parts += [f"{counter}{_live(p)}" for p in live]
        return ItemStatus(OPEN, "open: " + ", ".join(parts))
    if dead:
        return ItemStatus(REJECTED, "rejected: " + ", ".join(_dead(p) for p in dead))
    superseded = [p for p in ordered if p.status == SUPERSEDED]
    names = ", ".join(_named(p) for p in superseded)
    return ItemStatus(OPEN, f"open: nothing live on it ({names} superseded)")


# What an item's status can be: a proposal's, less those only a proposal has.
ITEM_STATUSES = (OPEN, PARTIALLY_AGREED, *ADVANCEMENT, REJECTED)
