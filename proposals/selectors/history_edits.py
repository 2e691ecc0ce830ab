"""The `edited` events of a proposal's history: its audit trail (django-pghistory keeps a
snapshot of a row at every insert, update and delete), each as what changed: for a change
the changed fields with their old (`before`) and new (`after`) values, for a creation what
was entered (`after`), for a deletion what was lost (`before`) and the reason given."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q
from pghistory.models import Events

from proposals.models import (
    Commitment,
    Figure,
    ImplementationEvent,
    Position,
    Proposal,
    ProposalLink,
    RatificationStep,
    Tabling,
    Term,
)

NOISE = {"id", "version", "updated_at", "created_at"}
SUBJECTS = {
    "proposals.ProposalEvent": "proposal",
    "proposals.TermEvent": "term",
    "proposals.ProposalLinkEvent": "link",
    "proposals.PositionEvent": "position",
    "proposals.RatificationStepEvent": "ratification_step",
    "proposals.TablingEvent": "tabling",
    "proposals.CommitmentEvent": "commitment",
    "proposals.ImplementationEventEvent": "implementation",
    "proposals.FigureEvent": "figure",
}
# Rows whose creation is an event of its own (`position`, `implementation`): only their
# changes and deletions are `edited` events.
RECORDED = {"position", "implementation"}
# Rows hanging on a term: on the same instant, listed after the term they hang on.
AFTER_TERMS = {"proposals.CommitmentEvent", "proposals.ImplementationEventEvent"}
ACTIONS = {"insert": "created", "update": "changed", "delete": "deleted"}
COLUMNS = ("pgh_model", "pgh_obj_id", "pgh_label", "pgh_created_at", "pgh_diff", "pgh_context")


@cache
def field_names(event_model_label: str) -> dict[str, str]:
    """Column -> field name of the tracked model (`party_id` -> `party`): the snapshot is
    keyed by column, the API by field."""
    tracked = apps.get_model(event_model_label).pgh_tracked_model
    return {f.column: f.name for f in tracked._meta.concrete_fields}


def _named(label: str, values: dict[str, Any]) -> dict[str, Any]:
    names = field_names(label)
    return {names.get(k, k): v for k, v in values.items() if names.get(k, k) not in NOISE}


def before_after(row: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """What an audit row says was there before and after it: the changed fields only for
    a change, the whole entered row for a creation (after) or a deletion (before)."""
    label, data = row["pgh_model"], row["pgh_data"] or {}
    if row["pgh_label"] == "insert":
        return None, _named(label, data)
    if row["pgh_label"] == "delete":
        return _named(label, data), None
    diff = _named(label, row["pgh_diff"] or {})
    return {k: old for k, (old, _) in diff.items()}, {k: new for k, (_, new) in diff.items()}


def proposal_edits(proposal_id: int, term_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The audit trail of the proposal, its terms, links, positions, ratification steps,
    tabling parties, commitments, implementation events and figures, as `edited` events,
    in three or four queries."""
    audit = list(
        Events.objects.across(
            Proposal.pgh_event_model,
            Term.pgh_event_model,
            ProposalLink.pgh_event_model,
            Position.pgh_event_model,
            RatificationStep.pgh_event_model,
            Tabling.pgh_event_model,
        )
        .references(Proposal(pk=proposal_id))
        .order_by("pgh_created_at", "pgh_id")
        .values(*COLUMNS, "pgh_data")
    )
    # Commitments and implementation events hang on terms, not on the proposal: their
    # trail is read by term, the deleted terms' too (their trail is in the rows above).
    deleted_terms = {
        int(row["pgh_obj_id"]) for row in audit if row["pgh_model"] == "proposals.TermEvent"
    }
    terms = [Term(pk=pk) for pk in sorted({*term_ids, *deleted_terms})]
    if terms:
        audit += list(
            Events.objects.across(Commitment.pgh_event_model, ImplementationEvent.pgh_event_model)
            .references(terms)
            .values(*COLUMNS, "pgh_data")
        )
    owners = {
        label: {int(row["pgh_obj_id"]) for row in audit if row["pgh_model"] == label}
        for label in AFTER_TERMS
    }
    audit += _figure_trail(
        term_ids=[term.pk for term in terms],
        event_ids=owners["proposals.ImplementationEventEvent"],
        commitment_ids=owners["proposals.CommitmentEvent"],
    )
    audit.sort(key=lambda row: (row["pgh_created_at"], row["pgh_model"] in AFTER_TERMS))
    user_ids = {(row["pgh_context"] or {}).get("user") for row in audit if row["pgh_context"]}
    users = dict(
        get_user_model().objects.filter(pk__in=user_ids - {None}).values_list("pk", "username")
    )
    return [
        _edit(row, users)
        for row in audit
        if not (SUBJECTS[row["pgh_model"]] in RECORDED and row["pgh_label"] == "insert")
    ]


def _edit(row: dict[str, Any], users: dict[Any, str]) -> dict[str, Any]:
    subject = SUBJECTS[row["pgh_model"]]
    context = row["pgh_context"] or {}
    data = row["pgh_data"] or {}
    before, after = before_after(row)
    changes = None
    if row["pgh_label"] == "update":
        changes = {k: v for k, v in (row["pgh_diff"] or {}).items() if k not in NOISE}
    subject_id = int(row["pgh_obj_id"]) if row["pgh_obj_id"] else None
    event = {
        "type": "edited",
        "date": row["pgh_created_at"].date(),
        "at": row["pgh_created_at"],
        "term": subject_id if subject == "term" else data.get("term_id"),
        "subject": subject,
        "subject_id": subject_id,
        "action": ACTIONS.get(row["pgh_label"], row["pgh_label"]),
        "changes": changes,
        "before": before,
        "after": after,
        "user": users.get(user) if (user := context.get("user")) is not None else None,
        "reason": context.get("reason"),
    }
    if subject in ("tabling", "commitment", "position"):
        event["party"] = data.get("party_id")  # whose tabling, share or statement
    if subject == "implementation":
        event["party"] = data.get("by_party_id")
    if subject == "commitment":
        # A party's share of a term, as it stands after this edit (before, if deleted).
        event.update(
            quantity=data.get("quantity"),
            quantity_high=data.get("quantity_high"),
            approximate=data.get("approximate"),
            unit=data.get("unit"),
        )
    return event


def _figure_trail(
    *, term_ids: Iterable[int], event_ids: Iterable[int], commitment_ids: Iterable[int]
) -> list[dict[str, Any]]:
    """The trail of the figures on the proposal's terms, events and commitments, deleted
    ones included (one query; a figure's trail goes with its owner's)."""
    term_ids, event_ids, commitment_ids = list(term_ids), list(event_ids), list(commitment_ids)
    if not (term_ids or event_ids or commitment_ids):
        return []
    tracked = Figure.pgh_event_model.objects.filter(
        Q(term_id__in=term_ids) | Q(event_id__in=event_ids) | Q(commitment_id__in=commitment_ids)
    ).values("pgh_id")
    return list(
        Events.objects.across(Figure.pgh_event_model)
        .filter(pgh_id__in=tracked)
        .values(*COLUMNS, "pgh_data")
    )
