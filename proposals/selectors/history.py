"""A proposal's history: positions, deliveries, the status timeline and the audit trail
(who edited what), merged into one chronological list."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

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
    Source,
    StatusChange,
    Tabling,
    Term,
)

EVENT_TYPES = ("position", "implementation", "ratification", "status_changed", "edited")
NOISE = {"version", "updated_at", "created_at"}
SUBJECTS = {
    "proposals.ProposalEvent": "proposal",
    "proposals.TermEvent": "term",
    "proposals.ProposalLinkEvent": "link",
    "proposals.PositionEvent": "position",
    "proposals.RatificationStepEvent": "ratification_step",
    "proposals.TablingEvent": "tabling",
    "proposals.CommitmentEvent": "commitment",
    "proposals.FigureEvent": "figure",
}
SUBJECT_LAST = "proposals.CommitmentEvent"
ACTIONS = {"insert": "created", "update": "changed", "delete": "deleted"}
EARLIEST = datetime.datetime.min.replace(tzinfo=datetime.UTC)


def proposal_history(proposal_id: int, *, source_fields: Iterable[str]) -> list[dict[str, Any]]:
    """Every event of the proposal, in order, in eight queries whatever the length of the
    history. Each event is a dict with its `type` (EVENT_TYPES), its `date` and the keys
    its type has: term and term_label; party, stance, quote, conditions, reservations, position
    (positions); quantity, completes, note (deliveries); status (the outcome) and note (the
    body) of a decided ratification step; status, previous_status, reason
    (status changes); at, subject, subject_id, action, changes, user, reason (edits); and
    `source`, read with `source_fields` (None when there is none)."""
    terms = dict(
        Term.objects.filter(proposal_id=proposal_id).values_list("id", "label")
    )  # labels of current terms; deleted ones keep their id only
    events: list[dict[str, Any]] = []

    for p in Position.objects.filter(proposal_id=proposal_id).values(
        "id",
        "term_id",
        "party_id",
        "stance",
        "stated_on",
        "quote",
        "conditions",
        "reservations",
        "source_id",
        "stated_on_precision",
    ):
        events.append(
            {
                "type": "position",
                "date": p["stated_on"],
                "date_precision": p["stated_on_precision"],
                "term": p["term_id"],
                "party": p["party_id"],
                "stance": p["stance"],
                "quote": p["quote"],
                "conditions": p["conditions"],
                "reservations": p["reservations"],
                "position": p["id"],
                "source": p["source_id"],
            }
        )

    for e in ImplementationEvent.objects.filter(term__proposal_id=proposal_id).values(
        "id",
        "term_id",
        "kind",
        "happened_on",
        "happened_on_precision",
        "by_party_id",
        "to_party_id",
        "quantity",
        "completes",
        "location",
        "reverses_id",
        "note",
        "source_id",
    ):
        events.append(
            {
                "type": "implementation",
                "date": e["happened_on"],
                "date_precision": e["happened_on_precision"],
                "term": e["term_id"],
                "party": e["by_party_id"],
                "kind": e["kind"],
                "to_party": e["to_party_id"],
                "location": e["location"],
                "reverses": e["reverses_id"],
                "quantity": e["quantity"],
                "completes": e["completes"],
                "note": e["note"],
                "source": e["source_id"],
            }
        )

    for step in RatificationStep.objects.filter(
        proposal_id=proposal_id, decided_on__isnull=False
    ).values("decided_on", "outcome", "body_name", "body_party_id"):
        events.append(
            {
                "type": "ratification",
                "date": step["decided_on"],
                "term": None,
                "party": step["body_party_id"],
                "status": step["outcome"],
                "note": step["body_name"],
                "source": None,
            }
        )

    # The evidence of a status change is what was recorded that day on that subject.
    evidence: dict[tuple[datetime.date, int | None], int] = {}
    for event in events:
        if event["source"] is not None:
            evidence.setdefault((event["date"], event["term"]), event["source"])
            evidence.setdefault((event["date"], None), event["source"])
    for change in (
        StatusChange.objects.filter(proposal_id=proposal_id)
        .order_by("changed_on", "seq")
        .values("term_id", "changed_on", "status", "previous_status", "reason")
    ):
        events.append(
            {
                "type": "status_changed",
                "date": change["changed_on"],
                "term": change["term_id"],
                "status": change["status"],
                "previous_status": change["previous_status"] or None,
                "reason": change["reason"],
                "source": evidence.get((change["changed_on"], change["term_id"]))
                or evidence.get((change["changed_on"], None)),
            }
        )

    events.extend(_edits(proposal_id, terms))

    source_ids = {event.get("source") for event in events} - {None}
    sources = {s["id"]: s for s in Source.objects.filter(pk__in=source_ids).values(*source_fields)}
    order = {kind: i for i, kind in enumerate(EVENT_TYPES)}
    for event in events:
        event["source"] = sources.get(event.get("source"))
        if event.get("term") is not None:
            event["term_label"] = terms.get(event["term"])
    events.sort(
        key=lambda e: (
            e["date"],
            order[e["type"]],
            e.get("at") or EARLIEST,
            e.get("position") or 0,
        )
    )
    return events


def _edits(proposal_id: int, term_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """The audit trail of the proposal, its terms, links, commitments, ratification steps
    and tabling parties, and its deleted positions."""
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
        .values(
            "pgh_model",
            "pgh_obj_id",
            "pgh_label",
            "pgh_created_at",
            "pgh_diff",
            "pgh_context",
            "pgh_data",
        )
    )
    # Commitments hang on terms, not on the proposal: their trail is read by term.
    term_ids = list(
        Term.objects.filter(proposal_id=proposal_id).values_list("pk", flat=True)
        if term_ids is None
        else term_ids
    )
    if term_ids:
        audit += list(
            Events.objects.across(Commitment.pgh_event_model)
            .references([Term(pk=pk) for pk in term_ids])
            .values(
                "pgh_model", "pgh_obj_id", "pgh_label", "pgh_created_at", "pgh_diff", "pgh_context"
            )
        )
    audit += _figure_edits(proposal_id)
    audit.sort(key=lambda row: (row["pgh_created_at"], row["pgh_model"] == SUBJECT_LAST))
    user_ids = {(row["pgh_context"] or {}).get("user") for row in audit if row["pgh_context"]}
    users = dict(
        get_user_model().objects.filter(pk__in=user_ids - {None}).values_list("pk", "username")
    )
    edits = []
    for row in audit:
        subject = SUBJECTS[row["pgh_model"]]
        if subject == "position" and row["pgh_label"] != "delete":
            continue  # recorded positions are `position` events already
        context = row["pgh_context"] or {}
        changes = None
        if row["pgh_label"] == "update":
            changes = {k: v for k, v in (row["pgh_diff"] or {}).items() if k not in NOISE}
        subject_id = int(row["pgh_obj_id"]) if row["pgh_obj_id"] else None
        edits.append(
            {
                "type": "edited",
                "date": row["pgh_created_at"].date(),
                "at": row["pgh_created_at"],
                "term": subject_id if subject == "term" else None,
                # A tabling party added or removed: which one.
                "party": (row["pgh_data"] or {}).get("party_id") if subject == "tabling" else None,
                "subject": subject,
                "subject_id": subject_id,
                "action": ACTIONS.get(row["pgh_label"], row["pgh_label"]),
                "changes": changes,
                "user": users.get(user) if (user := context.get("user")) is not None else None,
                "reason": context.get("reason"),
            }
        )
    return edits


def _figure_edits(proposal_id: int) -> list[dict[str, Any]]:
    """The trail of the figures on the proposal's terms, events and commitments (one
    query; a figure's trail goes with its owner's)."""
    tracked = Figure.pgh_event_model.objects.filter(
        Q(term__proposal_id=proposal_id)
        | Q(event__term__proposal_id=proposal_id)
        | Q(commitment__term__proposal_id=proposal_id)
    ).values("pgh_id")
    return list(
        Events.objects.across(Figure.pgh_event_model)
        .filter(pgh_id__in=tracked)
        .values("pgh_model", "pgh_obj_id", "pgh_label", "pgh_created_at", "pgh_diff", "pgh_context")
    )
