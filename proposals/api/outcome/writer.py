"""Writing a round's outcome: every part in dependency order, in one transaction, with one
stale marking (and so one recompute enqueue) for the whole document."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Any

from django.db import transaction

from proposals.api.outcome.base import Writer
from proposals.api.outcome.proposal_parts import declare_proposals, write_links, write_proposals
from proposals.api.outcome.round_parts import (
    write_agenda,
    write_delegations,
    write_negotiation,
    write_participants,
    write_round,
    write_sources,
)
from proposals.api.outcome.statement_parts import (
    declare_statements,
    write_events,
    write_positions,
)
from proposals.staleness import one_marking


def _write(writer: Writer, document: dict[str, Any]) -> None:
    refs_of = document.get
    declare_proposals(writer, refs_of("proposals", []))
    declare_statements(writer, refs_of("positions", []), refs_of("events", []))
    negotiation = write_negotiation(writer, document["negotiation"])
    write_sources(writer, refs_of("sources", []))
    if negotiation is None:
        return
    write_participants(writer, negotiation, document["negotiation"].get("participants", []))
    round_ = write_round(writer, negotiation, document["round"])
    if round_ is None:
        return
    write_delegations(writer, round_, refs_of("delegations", []))
    write_agenda(writer, negotiation, refs_of("agenda", []))
    proposals = write_proposals(writer, negotiation, round_, refs_of("proposals", []))
    write_links(writer, negotiation, refs_of("proposals", []), proposals)
    write_positions(writer, negotiation, round_, refs_of("positions", []))
    write_events(writer, negotiation, refs_of("events", []))


def round_outcome_record(*, document: dict[str, Any], dry_run: bool = False) -> Writer:
    """Write the (validated) document, or only try to: with dry_run, or if any part is
    refused, the transaction is rolled back and nothing stays. The writer holds what was
    written or matched, and the errors by JSON path."""
    writer = Writer()
    with transaction.atomic():
        with one_marking() as marked:
            _write(writer, document)
            if writer.errors or dry_run:
                marked.clear()  # rolled back below: nothing to recompute
        if writer.errors or dry_run:
            transaction.set_rollback(True)
    return writer


def answer(writer: Writer, *, dry_run: bool) -> dict[str, Any]:
    """The response body: per path (and per local key) the row's id and whether it was
    created or existing; a dry run's new rows have no id."""
    rows = []
    for row in writer.written:
        shown = asdict(row)
        if dry_run and row.result == "created":
            shown["id"] = None
        rows.append(shown)
    counts: Counter[str] = Counter(row["result"] for row in rows)
    keys = {
        row["key"]: {"type": row["type"], "id": row["id"], "result": row["result"]}
        for row in rows
        if row["key"]
    }
    top = {row["type"]: row["id"] for row in rows if row["path"] in ("negotiation", "round")}
    return {
        "dry_run": dry_run,
        "negotiation": top.get("negotiation"),
        "round": top.get("round"),
        "created": counts["created"],
        "existing": counts["existing"],
        "keys": keys,
        "rows": rows,
    }
