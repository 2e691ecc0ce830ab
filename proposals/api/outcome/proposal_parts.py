"""What was tabled: proposals with their terms (and each party's commitments), their
ratification steps, the agenda items they answer and the links between them."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError

from negotiations.models import Negotiation, Round
from parties.models import Person
from proposals import services
from proposals.api.outcome.base import Writer, scalars
from proposals.api.outcome.round_parts import _person, dated
from proposals.models import Commitment, Proposal, ProposalLink, RatificationStep, Term


def declare_proposals(writer: Writer, parts: list[Any]) -> None:
    for i, part in enumerate(parts):
        writer.refs.declare(part.get("key"), "proposal", f"proposals[{i}]")
        for j, term in enumerate(part.get("terms", [])):
            writer.refs.declare(term.get("key"), "term", f"proposals[{i}].terms[{j}]")


def write_proposals(
    writer: Writer, negotiation: Negotiation, round_: Round, parts: list[Any]
) -> list[Proposal | None]:
    return [
        _proposal(writer, negotiation, round_, part, f"proposals[{i}]")
        for i, part in enumerate(parts)
    ]


def _proposal(
    writer: Writer, negotiation: Negotiation, round_: Round, part: dict[str, Any], path: str
) -> Proposal | None:
    refs = writer.refs
    tabling = refs.parties(part.get("tabling_parties", []), f"{path}.tabling_parties")
    mediators = refs.parties(part.get("mediators", []), f"{path}.mediators")
    required = refs.parties(part.get("required_parties", []), f"{path}.required_parties")
    sources = refs.sources(part.get("sources", []), f"{path}.sources")
    values = scalars(part, "quote")
    dated(values, "tabled_on")
    found = Proposal.objects.filter(
        negotiation=negotiation, round=round_, title=values["title"]
    ).first()
    speaker: Person | None = None
    if found is None and part.get("speaker") is not None:
        first = tabling[0] if tabling else None
        speaker = _person(writer, part["speaker"], f"{path}.speaker", first)
    ready = None not in (tabling, mediators, required, sources)
    proposal = writer.put(
        path,
        "proposal",
        key=part.get("key"),
        found=found,
        create=partial(
            services.proposal_create,
            negotiation=negotiation,
            round=round_,
            tabling_parties=tabling or [],
            mediators=mediators or [],
            required_parties=required or [],
            sources=sources or [],
            speaker=speaker,
            quote=part.get("quote", ""),
            **values,
        )
        if ready
        else _not_ready,
        stated=values,
    )
    if proposal is None:
        for term in part.get("terms", []):
            if term.get("key"):
                refs.refused.add(term["key"])
        return None
    refs.titles.setdefault(proposal.title, proposal)
    _agenda(writer, proposal, part.get("agenda_items", []), path)
    for j, term in enumerate(part.get("terms", [])):
        _term(writer, proposal, term, j, f"{path}.terms[{j}]")
    for j, step in enumerate(part.get("ratification_steps", [])):
        _step(writer, proposal, step, j, f"{path}.ratification_steps[{j}]")
    return proposal


def _not_ready() -> Any:
    """A part whose references failed is not written (their errors are reported)."""
    raise ValidationError([])


def _agenda(writer: Writer, proposal: Proposal, refs: list[Any], path: str) -> None:
    for j, ref in enumerate(refs):
        where = f"{path}.agenda_items[{j}]"
        item = writer.refs.agenda_item(ref, where)
        if item is None or item.proposals.filter(pk=proposal.pk).exists():
            continue
        try:
            services.agenda_item_update(item=item, proposals=[*item.proposals.all(), proposal])
        except ValidationError as error:
            writer.refused(where, error)


def _term(writer: Writer, proposal: Proposal, part: dict[str, Any], j: int, path: str) -> None:
    refs = writer.refs
    derived_from = refs.term(part.get("derived_from"), f"{path}.derived_from")
    sources = refs.sources(part.get("sources", []), f"{path}.sources")
    values = scalars(part)
    values.setdefault("ordinal", j + 1)
    if part.get("derived_from") is not None:
        values["derived_from"] = derived_from
    found = Term.objects.filter(proposal=proposal, ordinal=values["ordinal"]).first()
    term = writer.put(
        path,
        "term",
        key=part.get("key"),
        found=found,
        create=partial(services.term_create, proposal=proposal, sources=sources or [], **values)
        if sources is not None and (derived_from is not None or "derived_from" not in values)
        else _not_ready,
        stated=values,
    )
    if term is None:
        return
    for k, commitment in enumerate(part.get("commitments", [])):
        _commitment(writer, term, commitment, f"{path}.commitments[{k}]")


def _commitment(writer: Writer, term: Term, part: dict[str, Any], path: str) -> None:
    party = writer.refs.party(part["party"], f"{path}.party")
    if party is None:
        return
    values = scalars(part)
    writer.put(
        path,
        "commitment",
        found=Commitment.objects.filter(term=term, party=party).first(),
        create=partial(services.commitment_create, term=term, party=party, **values),
        stated=values,
    )


def _step(writer: Writer, proposal: Proposal, part: dict[str, Any], j: int, path: str) -> None:
    refs = writer.refs
    sources = refs.sources(part.get("sources", []), f"{path}.sources")
    values = scalars(part)
    values.setdefault("ordinal", j + 1)
    if part.get("body_party") is not None:
        values["body_party"] = refs.party(part["body_party"], f"{path}.body_party")
        if values["body_party"] is None:
            return
    if sources is None:
        return
    writer.put(
        path,
        "ratification-step",
        found=RatificationStep.objects.filter(proposal=proposal, ordinal=values["ordinal"]).first(),
        create=partial(
            services.ratification_step_create, proposal=proposal, sources=sources, **values
        ),
        stated=values,
    )


def write_links(
    writer: Writer, negotiation: Negotiation, parts: list[Any], written: list[Proposal | None]
) -> None:
    """After every proposal, so that a link may point to one further down."""
    for i, (part, proposal) in enumerate(zip(parts, written, strict=True)):
        if proposal is None:
            continue
        for j, link in enumerate(part.get("links", [])):
            path = f"proposals[{i}].links[{j}]"
            to = writer.refs.proposal(link["to"], f"{path}.to", negotiation)
            if to is None:
                continue
            values = scalars(link)
            writer.put(
                path,
                "proposal-link",
                found=ProposalLink.objects.filter(
                    from_proposal=proposal, to_proposal=to, kind=values["kind"]
                ).first(),
                create=partial(
                    services.proposal_link_create, from_proposal=proposal, to_proposal=to, **values
                ),
                stated={k: v for k, v in values.items() if k != "kind"},
            )
