"""What the engine reads (one negotiation's snapshot) and what it answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

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
    # Set only on a position stated before its proposal's tabling day, which takes effect
    # on that day (`stated_on`): the day it was said, which still orders it among others.
    said_on: date | None = None

    @property
    def order(self) -> tuple[date, date]:
        """When it takes effect, then when it was said: later wins (rule 2 of §3)."""
        return self.stated_on, self.said_on or self.stated_on


@dataclass(frozen=True)
class CommitmentIn:
    """A party's share of a term: at least `quantity` (up to `quantity_high` for a range)."""

    party_id: int
    quantity: int
    quantity_high: int | None = None
    approximate: bool = False


@dataclass(frozen=True)
class TermIn:
    id: int
    proposal_id: int
    ordinal: int
    label: str = ""
    option_group: str = ""
    option: str = ""
    quantity: int | None = None
    deliverable: bool = True  # False for procedural terms (timing, scope, wording)
    commitments: tuple[CommitmentIn, ...] = ()  # by party id


@dataclass(frozen=True)
class EventIn:
    id: int
    term_id: int
    happened_on: date
    quantity: int | None = None
    completes: bool = False
    kind: str = "delivery"  # vocabulary.EventKind
    by_party_id: int | None = None  # who delivered (for a breach: who is said to violate)
    to_party_id: int | None = None  # who received
    reverses_id: int | None = None  # the delivery a reversal or dispute is about


@dataclass(frozen=True)
class StepIn:
    """A ratification step (engine/ratification.py); `decided_on` is set once decided."""

    id: int
    ordinal: int
    body_kind: str
    body_name: str
    outcome: str = "pending"
    decided_on: date | None = None
    due_on: date | None = None
    share_for: Decimal | None = None
    votes_for: int | None = None
    votes_against: int | None = None


@dataclass(frozen=True)
class ProposalIn:
    id: int
    tabling_party_ids: tuple[int, ...]  # in order; () for a mediators' text
    consent_party_ids: frozenset[int]
    superseded_on: date | None = None
    steps: tuple[StepIn, ...] = ()  # ratification steps, in ordinal order
    tabled_on: date | None = None  # before it: not yet tabled
    title: str = ""
    # Narrower proposals that realise part of this one ("realises part of" links to it):
    # (their id, the day from which the link counts, None for always), by id.
    realised_in_part_by: tuple[tuple[int, date | None], ...] = ()


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
        # By hand, not dataclasses.asdict (which deep-copies): a full recompute makes a
        # million of these.
        return {
            "party_id": self.party_id,
            "stance": self.stance,
            "counts_as": self.counts_as,
            "position_id": self.position_id,
            "stated_on": self.stated_on and self.stated_on.isoformat(),
            "level": self.level,
        }


def basis_as_json(basis: Iterable[StanceBasis]) -> list[dict[str, Any]]:
    return [entry.to_dict() for entry in basis]


@dataclass(frozen=True)
class PartyProgress:
    """What one committed party delivered of its share of a term, as of a day."""

    party_id: int
    committed: int
    committed_high: int | None
    approximate: bool
    delivered: int


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
    ratification: str | None = None  # None (no steps), "pending", "approved", "rejected"


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    status: str
    reason: str
    term_id: int | None
    previous_status: str | None
