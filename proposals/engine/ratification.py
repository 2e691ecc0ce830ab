"""Ratification (issue 12, point 4): after the principals agree, a proposal may still have
to pass a parliament, a court or a referendum. A rejection kills it; while a step is
pending it stays `agreed` (implementation does not advance it); once every step approved,
the usual agreed/implementation path applies.

`BodyKind` and `StepOutcome` are the models' choices too (proposals/models/ratification.py),
defined here as vocabulary.py defines statuses, so the engine stays plain Python."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models.enums import TextChoices

from .data import StepIn
from .vocabulary import ADVANCEMENT, AGREED, REJECTED


class BodyKind(TextChoices):
    PARLIAMENT = "parliament", "Parliament"
    COURT = "court", "Court"
    ELECTORATE = "electorate", "Electorate (referendum)"
    HEAD_OF_STATE = "head_of_state", "Head of state"
    OTHER = "other", "Other"


class StepOutcome(TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


PENDING, APPROVED = StepOutcome.PENDING.value, StepOutcome.APPROVED.value
STEP_REJECTED = StepOutcome.REJECTED.value


def outcome_on(step: StepIn, on: date) -> str:
    """A step's outcome as known on a day: a decision counts from its date."""
    if step.outcome != PENDING and step.decided_on is not None and step.decided_on <= on:
        return step.outcome
    return PENDING


def state(steps: Sequence[StepIn], on: date) -> str | None:
    """The proposal's ratification on a day: None without steps, else "rejected" once a
    step was rejected, "approved" once all were approved, "pending" otherwise."""
    if not steps:
        return None
    outcomes = [outcome_on(step, on) for step in steps]
    if STEP_REJECTED in outcomes:
        return STEP_REJECTED
    if all(o == APPROVED for o in outcomes):
        return APPROVED
    return PENDING


def overlay(status: str, steps: Sequence[StepIn], on: date) -> tuple[str, tuple[StepIn, ...]]:
    """The proposal's status after ratification, and the steps its reason must name (none:
    the status is untouched). Only a proposal the principals agreed (or beyond) is touched:
    a rejected step (the earliest) makes it rejected; any step not yet approved keeps it
    at agreed."""
    if status not in ADVANCEMENT or not steps:
        return status, ()
    rejected = sorted(
        (s for s in steps if outcome_on(s, on) == STEP_REJECTED),
        key=lambda s: (s.decided_on or date.min, s.ordinal, s.id),
    )
    if rejected:
        return REJECTED, (rejected[0],)
    pending = tuple(
        sorted((s for s in steps if outcome_on(s, on) != APPROVED), key=lambda s: (s.ordinal, s.id))
    )
    if pending:
        return AGREED, pending
    return status, ()
