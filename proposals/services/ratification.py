"""Writes of ratification steps: the bodies an agreed proposal must still pass. Each write
marks its proposal stale (a step's outcome changes the proposal's status)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from negotiations.core.versioning import create_validated, update_validated
from parties.models import Party
from proposals.models import Proposal, RatificationStep, Source, StepOutcome
from proposals.services.checks import require_reason
from proposals.staleness import mark_stale


@transaction.atomic
def ratification_step_create(
    *,
    proposal: Proposal,
    body_kind: str,
    body_name: str,
    ordinal: int | None = None,
    body_party: Party | None = None,
    due_on: datetime.date | None = None,
    outcome: str = StepOutcome.PENDING,
    decided_on: datetime.date | None = None,
    votes_for: int | None = None,
    votes_against: int | None = None,
    abstentions: int | None = None,
    share_for: Decimal | None = None,
    turnout: Decimal | None = None,
    note: str = "",
    sources: Iterable[Source] = (),
) -> RatificationStep:
    if ordinal is None:
        last = (
            proposal.ratification_steps.order_by("-ordinal")
            .values_list("ordinal", flat=True)
            .first()
        )
        ordinal = (last or 0) + 1
    step = create_validated(
        RatificationStep(
            proposal=proposal,
            ordinal=ordinal,
            body_kind=body_kind,
            body_name=body_name.strip(),
            body_party=body_party,
            due_on=due_on,
            outcome=outcome,
            decided_on=decided_on,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
            share_for=share_for,
            turnout=turnout,
            note=note,
        )
    )
    step.sources.set(list(sources))
    mark_stale(proposal_ids=[proposal.pk])
    return step


@transaction.atomic
def ratification_step_update(
    *,
    step: RatificationStep,
    expected_version: int | None = None,
    sources: Iterable[Source] | None = None,
    **changes: Any,
) -> RatificationStep:
    if "proposal" in changes and changes["proposal"] != step.proposal:
        raise ValidationError({"proposal": "A ratification step cannot move to another proposal."})
    step = update_validated(step, changes=changes, expected_version=expected_version)
    if sources is not None:
        step.sources.set(list(sources))
    mark_stale(proposal_ids=[step.proposal_id])
    return step


@transaction.atomic
def ratification_step_delete(*, step: RatificationStep, reason: str) -> None:
    require_reason(reason)
    proposal_id = step.proposal_id
    with pghistory.context(reason=reason):
        step.delete()
    mark_stale(proposal_ids=[proposal_id])
