"""What was said and done: positions on the proposals and terms, and the implementation
events of the exchange ledger."""

from __future__ import annotations

from functools import partial
from typing import Any

from negotiations.models import Negotiation, Round
from proposals import services
from proposals.api.outcome.base import Writer, scalars
from proposals.api.outcome.round_parts import _person, dated
from proposals.models import ImplementationEvent, Position


def declare_statements(writer: Writer, positions: list[Any], events: list[Any]) -> None:
    for i, part in enumerate(positions):
        writer.refs.declare(part.get("key"), "position", f"positions[{i}]")
    for i, part in enumerate(events):
        writer.refs.declare(part.get("key"), "event", f"events[{i}]")


def write_positions(
    writer: Writer, negotiation: Negotiation, round_: Round, parts: list[Any]
) -> None:
    refs = writer.refs
    for i, part in enumerate(parts):
        path = f"positions[{i}]"
        party = refs.party(part["party"], f"{path}.party")
        term = refs.term(part.get("term"), f"{path}.term")
        proposal = (
            refs.proposal(part["proposal"], f"{path}.proposal", negotiation)
            if part.get("proposal") is not None
            else getattr(term, "proposal", None)
        )
        conditions = [
            refs.term(ref, f"{path}.conditional_on[{j}]")
            for j, ref in enumerate(part.get("conditional_on", []))
        ]
        source = refs.source(part.get("source"), f"{path}.source")
        if party is None or proposal is None or None in conditions:
            continue
        if proposal.negotiation_id != negotiation.pk:
            writer.report(path, f"“{proposal}” belongs to another negotiation.")
            continue
        if (part.get("term") is not None and term is None) or (
            part.get("source") is not None and source is None
        ):
            continue
        speaker = None
        if part.get("speaker") is not None:
            speaker = _person(writer, part["speaker"], f"{path}.speaker", party)
            if speaker is None:
                continue
        values = scalars(part)
        dated(values, "stated_on")
        identity = {
            "stance": values.pop("stance"),
            "stated_on": values.pop("stated_on"),
            "quote": values.pop("quote", ""),
        }
        if speaker is not None:
            values["speaker"] = speaker
        if source is not None:
            values["source"] = source
        _put_position(
            writer,
            path,
            part.get("key"),
            values,
            identity,
            conditions,
            round_,
            party=party,
            proposal=proposal,
            term=term,
        )


def _put_position(
    writer: Writer,
    path: str,
    key: str | None,
    values: dict[str, Any],
    identity: dict[str, Any],
    conditions: list[Any],
    round_: Round,
    **target: Any,
) -> None:
    writer.put(
        path,
        "position",
        key=key,
        found=Position.objects.filter(**target, **identity).order_by("pk").first(),
        create=partial(
            services.position_record,
            **target,
            round=round_,
            conditional_on=conditions,
            **identity,
            **values,
        ),
        stated=values,
    )


def write_events(writer: Writer, negotiation: Negotiation, parts: list[Any]) -> None:
    refs = writer.refs
    for i, part in enumerate(parts):
        path = f"events[{i}]"
        term = refs.term(part["term"], f"{path}.term")
        if term is not None and term.proposal.negotiation_id != negotiation.pk:
            writer.report(f"{path}.term", f"“{term}” is a term of another negotiation.")
            term = None
        found: dict[str, Any] = {}
        for field in ("by_party", "to_party"):
            if part.get(field) is not None:
                found[field] = refs.party(part[field], f"{path}.{field}")
        if part.get("reverses") is not None:
            found["reverses"] = refs.event(part["reverses"], f"{path}.reverses")
        if part.get("source") is not None:
            found["source"] = refs.source(part["source"], f"{path}.source")
        if term is None or None in found.values():
            if part.get("key"):
                refs.refused.add(part["key"])
            continue
        values = {**scalars(part), **found}
        dated(values, "happened_on")
        identity = {
            "kind": values.get("kind", "delivery"),
            "happened_on": values.get("happened_on"),
            "by_party": values.get("by_party"),
            "quantity": values.get("quantity"),
        }
        writer.put(
            path,
            "implementation-event",
            key=part.get("key"),
            found=ImplementationEvent.objects.filter(term=term, **identity).order_by("pk").first(),
            create=partial(services.implementation_event_record, term=term, **values),
            stated={k: v for k, v in values.items() if k not in identity},
        )
