"""A proposal's ratification as read: its steps, and the state they give it (none,
pending, approved, rejected), computed with the engine's own rule (engine/ratification.py)
whether live (today) or as of a day."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.db.models.fields import CharField
from django.utils import timezone

from proposals import engine
from proposals.engine.ratification import state
from proposals.models import RatificationStep, StepOutcome
from proposals.models.ratification import STEP_FIELDS as MODEL_STEP_FIELDS

STEP_FIELDS = ("id", *MODEL_STEP_FIELDS)


def ratification_steps(proposal_id: int) -> list[dict[str, Any]]:
    """The proposal's steps in order, as plain rows (STEP_FIELDS)."""
    return list(
        RatificationStep.objects.filter(proposal_id=proposal_id)
        .order_by("ordinal", "id")
        .values(*STEP_FIELDS)
    )


def ratification_of(steps: list[dict[str, Any]], on: datetime.date | None = None) -> str | None:
    """The state the steps (rows of ratification_steps) give on a day (today if None)."""
    return state(
        [
            engine.StepIn(
                row["id"],
                row["ordinal"],
                row["body_kind"],
                row["body_name"],
                row["outcome"],
                row["decided_on"],
            )
            for row in steps
        ],
        on or timezone.localdate(),
    )


def ratification_expression() -> Case:
    """The same state for each proposal of a queryset, in SQL (lists). Decisions are never
    dated in the future (the model refuses it), so every recorded decision counts today."""
    steps = RatificationStep.objects.filter(proposal_id=OuterRef("pk"))
    return Case(
        When(~Exists(steps), then=Value(None)),
        When(Exists(steps.filter(outcome=StepOutcome.REJECTED)), then=Value("rejected")),
        When(~Exists(steps.filter(~Q(outcome=StepOutcome.APPROVED))), then=Value("approved")),
        default=Value("pending"),
        output_field=CharField(),
    )
