"""Writes of terms: the numbered points of a proposal."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from negotiations.core.versioning import create_validated, update_validated
from proposals.dependencies import affected_proposal_ids
from proposals.models import Proposal, Source, Term
from proposals.services.checks import require_reason
from proposals.staleness import mark_stale


def _check_derived_from(*, term: Term, derived_from: Term | None) -> None:
    if derived_from is None:
        return
    if derived_from.proposal_id == term.proposal_id:
        raise ValidationError(
            {"derived_from": "A term derives from a term of another (earlier or rival) proposal."}
        )


@transaction.atomic
def term_create(
    *,
    proposal: Proposal,
    text: str,
    ordinal: int | None = None,
    label: str = "",
    category: str = "other",
    stage: str = "settlement",
    option_group: str = "",
    option: str = "",
    derived_from: Term | None = None,
    quantity: int | None = None,
    unit: str = "",
    due_on: datetime.date | None = None,
    sources: Iterable[Source] = (),
    note: str = "",
    deliverable: bool = True,
) -> Term:
    if ordinal is None:
        last = proposal.terms.order_by("-ordinal").values_list("ordinal", flat=True).first()
        ordinal = (last or 0) + 1
    term = Term(
        proposal=proposal,
        ordinal=ordinal,
        label=label,
        text=text,
        category=category,
        stage=stage,
        option_group=option_group.strip(),
        option=option.strip(),
        derived_from=derived_from,
        quantity=quantity,
        unit=unit,
        due_on=due_on,
        note=note,
        deliverable=deliverable,
    )
    _check_derived_from(term=term, derived_from=derived_from)
    create_validated(term)
    term.sources.set(list(sources))
    mark_stale(proposal_ids=[proposal.pk])
    return term


@transaction.atomic
def term_update(
    *,
    term: Term,
    expected_version: int | None = None,
    sources: Iterable[Source] | None = None,
    **changes: Any,
) -> Term:
    if "proposal" in changes and changes["proposal"] != term.proposal:
        raise ValidationError({"proposal": "A term cannot move to another proposal."})
    _check_derived_from(term=term, derived_from=changes.get("derived_from", term.derived_from))
    term = update_validated(term, changes=changes, expected_version=expected_version)
    if sources is not None:
        term.sources.set(list(sources))
    mark_stale(proposal_ids=[term.proposal_id])
    return term


@transaction.atomic
def term_delete(*, term: Term, reason: str) -> None:
    require_reason(reason)
    # Asked before the delete: the conditions leading to the dependants go with the term.
    ids = affected_proposal_ids(term_ids=[term.pk])
    with pghistory.context(reason=reason):
        term.delete()
    mark_stale(proposal_ids=ids)
