"""A proposal's history for the API: positions, deliveries, the status timeline and the
audit trail (who edited what), merged into one chronological list."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Max
from pghistory.models import Events
from rest_framework import exceptions, serializers

from proposals.models import (
    ImplementationEvent,
    Position,
    Proposal,
    ProposalLink,
    Source,
    StatusChange,
    Term,
)

EVENT_TYPES = ("position", "implementation", "status_changed", "edited")
NOISE = {"version", "updated_at", "created_at"}
SUBJECTS = {
    "proposals.ProposalEvent": "proposal",
    "proposals.TermEvent": "term",
    "proposals.ProposalLinkEvent": "link",
    "proposals.PositionEvent": "position",
}
ACTIONS = {"insert": "created", "update": "changed", "delete": "deleted"}


class SourceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    publisher = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)
    kind = serializers.CharField()


class HistoryEventSerializer(serializers.Serializer):
    """One event. Every key is always present; those of other types are null."""

    type = serializers.ChoiceField(EVENT_TYPES)
    date = serializers.DateField(help_text="When it happened (for edited: the day it was saved).")
    at = serializers.DateTimeField(allow_null=True, help_text="edited: the moment it was saved.")
    term = serializers.IntegerField(allow_null=True, help_text="The term concerned, if one.")
    term_label = serializers.CharField(allow_null=True)
    party = serializers.IntegerField(
        allow_null=True, help_text="position: who said it; implementation: who delivered."
    )
    stance = serializers.CharField(allow_null=True)
    quote = serializers.CharField(allow_null=True)
    conditions = serializers.CharField(allow_null=True)
    position = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    previous_status = serializers.CharField(allow_null=True)
    reason = serializers.CharField(
        allow_null=True,
        help_text="status_changed: why, in words; edited: the reason given for a deletion.",
    )
    quantity = serializers.IntegerField(allow_null=True)
    completes = serializers.BooleanField(allow_null=True)
    note = serializers.CharField(allow_null=True)
    subject = serializers.CharField(
        allow_null=True, help_text="edited: proposal, term, link or position."
    )
    subject_id = serializers.IntegerField(allow_null=True)
    action = serializers.CharField(allow_null=True, help_text="edited: created, changed, deleted.")
    changes = serializers.JSONField(
        allow_null=True, help_text="edited (changed): field -> [before, after]."
    )
    user = serializers.CharField(allow_null=True, help_text="edited: who saved it, when known.")
    source = SourceRefSerializer(allow_null=True)


class HistorySerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    title = serializers.CharField()
    count = serializers.IntegerField()
    events = HistoryEventSerializer(many=True)


BLANK = dict.fromkeys(HistoryEventSerializer().fields)


def history_fingerprint(pk: Any) -> dict[str, Any]:
    """One query: what the history depends on, for its ETag."""
    from negotiations.resources.negotiations import aggregate_of

    row = (
        Proposal.objects.filter(pk=pk)
        .values("id", "title", "version", "updated_at", "status_computed_at", "status_stale")
        .annotate(
            terms=aggregate_of(Term.objects.all(), "proposal", Count("pk")),
            terms_changed=aggregate_of(Term.objects.all(), "proposal", Max("updated_at")),
            positions=aggregate_of(Position.objects.all(), "proposal", Count("pk")),
            last=aggregate_of(Position.objects.all(), "proposal", Max("updated_at")),
            deliveries=aggregate_of(
                ImplementationEvent.objects.all(), "term__proposal", Count("pk")
            ),
            deliveries_changed=aggregate_of(
                ImplementationEvent.objects.all(), "term__proposal", Max("updated_at")
            ),
            links=aggregate_of(ProposalLink.objects.all(), "from_proposal", Count("pk")),
            links_in=aggregate_of(ProposalLink.objects.all(), "to_proposal", Count("pk")),
        )
        .first()
    )
    if row is None:
        raise exceptions.NotFound(f"There is no proposal {pk}.")
    return row


def _event(kind: str, date: datetime.date, **values: Any) -> dict[str, Any]:
    return {**BLANK, "type": kind, "date": date, **values}


def proposal_history(proposal_id: int) -> list[dict[str, Any]]:
    """Seven queries whatever the length of the history."""
    terms = dict(
        Term.objects.filter(proposal_id=proposal_id).values_list("id", "label")
    )  # labels of current terms; deleted ones keep their id only
    events: list[dict[str, Any]] = []
    source_ids: set[int] = set()

    for p in Position.objects.filter(proposal_id=proposal_id).values(
        "id", "term_id", "party_id", "stance", "stated_on", "quote", "conditions", "source_id"
    ):
        source_ids.add(p["source_id"])
        events.append(
            _event(
                "position",
                p["stated_on"],
                term=p["term_id"],
                party=p["party_id"],
                stance=p["stance"],
                quote=p["quote"],
                conditions=p["conditions"],
                position=p["id"],
                source=p["source_id"],
            )
        )

    deliveries = list(
        ImplementationEvent.objects.filter(term__proposal_id=proposal_id).values(
            "id",
            "term_id",
            "happened_on",
            "by_party_id",
            "quantity",
            "completes",
            "note",
            "source_id",
        )
    )
    for e in deliveries:
        source_ids.add(e["source_id"])
        events.append(
            _event(
                "implementation",
                e["happened_on"],
                term=e["term_id"],
                party=e["by_party_id"],
                quantity=e["quantity"],
                completes=e["completes"],
                note=e["note"],
                source=e["source_id"],
            )
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
            _event(
                "status_changed",
                change["changed_on"],
                term=change["term_id"],
                status=change["status"],
                previous_status=change["previous_status"] or None,
                reason=change["reason"],
                source=evidence.get((change["changed_on"], change["term_id"]))
                or evidence.get((change["changed_on"], None)),
            )
        )

    audit = list(
        Events.objects.across(
            Proposal.pgh_event_model,
            Term.pgh_event_model,
            ProposalLink.pgh_event_model,
            Position.pgh_event_model,
        )
        .references(Proposal(pk=proposal_id))
        .order_by("pgh_created_at", "pgh_id")
        .values("pgh_model", "pgh_obj_id", "pgh_label", "pgh_created_at", "pgh_diff", "pgh_context")
    )
    user_ids = {(row["pgh_context"] or {}).get("user") for row in audit if row["pgh_context"]} - {
        None
    }
    users = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username"))
    for row in audit:
        subject = SUBJECTS[row["pgh_model"]]
        if subject == "position" and row["pgh_label"] != "delete":
            continue  # recorded positions are `position` events already
        context = row["pgh_context"] or {}
        changes = None
        if row["pgh_label"] == "update":
            changes = {k: v for k, v in (row["pgh_diff"] or {}).items() if k not in NOISE}
        subject_id = int(row["pgh_obj_id"]) if row["pgh_obj_id"] else None
        events.append(
            _event(
                "edited",
                row["pgh_created_at"].date(),
                at=row["pgh_created_at"],
                term=subject_id if subject == "term" else None,
                subject=subject,
                subject_id=subject_id,
                action=ACTIONS.get(row["pgh_label"], row["pgh_label"]),
                changes=changes,
                user=users.get(context.get("user")),
                reason=context.get("reason"),
            )
        )

    sources = {
        s["id"]: s
        for s in Source.objects.filter(pk__in=source_ids - {None}).values(
            "id", "title", "url", "publisher", "published_on", "kind"
        )
    }
    order = {kind: i for i, kind in enumerate(EVENT_TYPES)}
    for event in events:
        event["source"] = sources.get(event["source"])
        if event["term"] is not None:
            event["term_label"] = terms.get(event["term"])
    events.sort(
        key=lambda e: (
            e["date"],
            order[e["type"]],
            e["at"] or datetime.datetime.min.replace(tzinfo=datetime.UTC),
            e["position"] or 0,
        )
    )
    return events
