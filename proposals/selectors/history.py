"""A proposal's history: positions, implementation events, decided ratification steps, the
status timeline and the audit trail (history_edits.py), merged into one chronological list
in which every event carries what was entered for it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.db.models.functions import JSONObject

from proposals.models import (
    Figure,
    ImplementationEvent,
    Position,
    RatificationStep,
    Source,
    StatusChange,
    Term,
)
from proposals.selectors.history_edits import proposal_edits
from proposals.selectors.ratification import STEP_FIELDS

EVENT_TYPES = ("position", "implementation", "ratification", "status_changed", "edited")
EARLIEST = datetime.datetime.min.replace(tzinfo=datetime.UTC)


def proposal_history(
    proposal_id: int, *, source_fields: Iterable[str], figure_fields: Iterable[str] = ("id",)
) -> list[dict[str, Any]]:
    """Every event of the proposal, in order, in a fixed number of queries whatever the
    length of the history. Each event is a dict with its `type` (EVENT_TYPES), its `date`
    and the keys its type has (the API's HistoryEventSerializer lists them): what was
    entered (a position's party, speaker, stance, quote, conditions, reservations, note;
    an implementation event's kind, parties, quantity and figures; a ratification step),
    the status timeline, and the edits with their `before` and `after`. `sources` lists
    every source of the event, read with `source_fields`; `source` is the first (None
    when there is none); an implementation event's `figures` have `figure_fields`."""
    terms = dict(
        Term.objects.filter(proposal_id=proposal_id).values_list("id", "label")
    )  # labels of current terms; deleted ones keep their id only
    events = [*_positions(proposal_id), *_implementation(proposal_id, tuple(figure_fields))]
    events += _ratification(proposal_id)
    events += _status_changes(proposal_id, events)
    events += proposal_edits(proposal_id, terms)
    _resolve_sources(events, source_fields)
    order = {kind: i for i, kind in enumerate(EVENT_TYPES)}
    for event in events:
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


def _ids(*ids: int | None) -> list[int]:
    return [i for i in ids if i is not None]


def _positions(proposal_id: int) -> list[dict[str, Any]]:
    conditional_on = Position.conditional_on.through.objects.filter(
        position_id=OuterRef("pk")
    ).order_by("term_id")
    rows = Position.objects.filter(proposal_id=proposal_id).values(
        "id",
        "term_id",
        "party_id",
        "stance",
        "stated_on",
        "stated_on_precision",
        "round_id",
        "speaker_id",
        "speaker__name",
        "quote",
        "conditions",
        "reservations",
        "note",
        "source_id",
        conditional_on_ids=ArraySubquery(conditional_on.values("term_id")),
    )
    return [
        {
            "type": "position",
            "date": p["stated_on"],
            "date_precision": p["stated_on_precision"],
            "term": p["term_id"],
            "party": p["party_id"],
            "speaker": p["speaker_id"],
            "speaker_name": p["speaker__name"],
            "round": p["round_id"],
            "stance": p["stance"],
            "quote": p["quote"],
            "conditions": p["conditions"],
            "conditional_on": p["conditional_on_ids"],
            "reservations": p["reservations"],
            "note": p["note"],
            "position": p["id"],
            "sources": _ids(p["source_id"]),
        }
        for p in rows
    ]


def _implementation(proposal_id: int, figure_fields: tuple[str, ...]) -> list[dict[str, Any]]:
    figures = Figure.objects.filter(event=OuterRef("pk")).order_by("id")
    figure = JSONObject(**{name: name for name in {*figure_fields, "source"}})
    rows = ImplementationEvent.objects.filter(term__proposal_id=proposal_id).values(
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
        figure_rows=ArraySubquery(figures.values(json=figure)),
    )
    return [
        {
            "type": "implementation",
            "date": e["happened_on"],
            "date_precision": e["happened_on_precision"],
            "term": e["term_id"],
            "event": e["id"],
            "party": e["by_party_id"],
            "kind": e["kind"],
            "to_party": e["to_party_id"],
            "location": e["location"],
            "reverses": e["reverses_id"],
            "quantity": e["quantity"],
            "completes": e["completes"],
            "note": e["note"],
            "figures": [{name: f[name] for name in figure_fields} for f in e["figure_rows"]],
            # The event's own source, then those of its figures.
            "sources": list(
                dict.fromkeys(_ids(e["source_id"], *(f["source"] for f in e["figure_rows"])))
            ),
        }
        for e in rows
    ]


def _ratification(proposal_id: int) -> list[dict[str, Any]]:
    sources = RatificationStep.sources.through.objects.filter(
        ratificationstep_id=OuterRef("pk")
    ).order_by("source_id")
    rows = RatificationStep.objects.filter(
        proposal_id=proposal_id, decided_on__isnull=False
    ).values(*STEP_FIELDS, source_ids=ArraySubquery(sources.values("source_id")))
    events = []
    for row in rows:
        source_ids = row.pop("source_ids")
        events.append(
            {
                "type": "ratification",
                "date": row["decided_on"],
                "party": row["body_party"],
                "status": row["outcome"],
                "note": row["body_name"],
                "step": row,
                "sources": source_ids,
            }
        )
    return events


def _status_changes(proposal_id: int, recorded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The timeline; the evidence of a change is every source recorded that day on that
    subject (on that day at all, when none is on the subject itself)."""
    evidence: dict[tuple[datetime.date, int | None], list[int]] = {}
    for event in recorded:
        for key in ((event["date"], event.get("term")), (event["date"], None)):
            known = evidence.setdefault(key, [])
            known.extend(s for s in event["sources"] if s not in known)
    changes = (
        StatusChange.objects.filter(proposal_id=proposal_id)
        .order_by("changed_on", "seq")
        .values("term_id", "changed_on", "status", "previous_status", "reason")
    )
    return [
        {
            "type": "status_changed",
            "date": change["changed_on"],
            "term": change["term_id"],
            "status": change["status"],
            "previous_status": change["previous_status"] or None,
            "reason": change["reason"],
            "sources": evidence.get((change["changed_on"], change["term_id"]))
            or evidence.get((change["changed_on"], None), []),
        }
        for change in changes
    ]


def _resolve_sources(events: list[dict[str, Any]], source_fields: Iterable[str]) -> None:
    """Source ids -> source rows (one query for the whole history); `source` is the
    first. Figures keep their source's id."""
    wanted = {s for event in events for s in event.get("sources", ())}
    sources = {s["id"]: s for s in Source.objects.filter(pk__in=wanted).values(*source_fields)}
    for event in events:
        found = [sources[s] for s in event.get("sources", ()) if s in sources]
        event["sources"] = found
        event["source"] = found[0] if found else None
