"""The round workspace's three forms and what saving each of them writes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict

from negotiations.core.numbers import parse_whole
from negotiations.editing.forms_base import (
    add_row,
    is_blank,
    person_named,
    row_values,
    set_rows,
    share_choices,
    show_rows_error,
)
from negotiations.editing.limits import paste_too_long, paste_too_many, rows_formset
from negotiations.editing.proposal_forms import (
    TERM_DEFAULTS,
    BlockSourceForm,
    DeliveryForm,
    PositionForm,
    ProposalForm,
    ProposalPositionForm,
    TermForm,
    position_targets,
    split_numbered_list,
)
from negotiations.editing.writes import Batch, run_batch
from negotiations.models import Round
from proposals import services as proposal_services
from proposals.models import EventKind, Proposal, Source, Term

ROW_ACTIONS = {
    "add-term": ("terms", "text"),
    "add-proposal-position": ("ppos", "party"),
    "add-position": ("positions", "target"),
    "add-delivery": ("deliveries", "term"),
}
NOTHING = "Nothing to save yet: fill in at least one row."
SOURCE_MISSING = "Give a source: pick one here, or give one for the whole block above."


class WorkspaceForms:
    """Every form of the workspace; only the block that was posted is bound."""

    def __init__(self, round_: Round, data: QueryDict | None, block: str, action: str) -> None:
        self.round = round_
        self.block = block
        self.focus = ""
        self.refusal: tuple[str, str] | None = None
        negotiation = round_.negotiation
        day = round_.starts_on
        self.defaults: dict[str, dict[str, Any]] = {
            "terms": dict(TERM_DEFAULTS),
            "ppos": {"stated_on": day.isoformat()},
            "positions": {"stated_on": day.isoformat()},
            "deliveries": {},
        }
        if data is not None and action in ROW_ACTIONS:
            prefix, first_field = ROW_ACTIONS[action]
            try:
                index = add_row(data, prefix, self.defaults[prefix])
                self.focus = f"id_{prefix}-{index}-{first_field}"
            except ValidationError as full:
                self.refusal = (prefix, full.messages[0])
        if data is not None and action == "split-terms":
            first = split_into_rows(data)
            if isinstance(first, int):
                self.focus = f"id_terms-{first}-text"
            else:
                self.refusal = ("paste", first)
                self.focus = "id_proposal-paste"

        def bound(name: str) -> QueryDict | None:
            return data if block == name else None

        common = {"negotiation": negotiation}
        self.proposal = ProposalForm(
            bound("proposal"),
            prefix="proposal",
            defaults={"tabled_on": day, "in_round": True},
            **common,
        )
        self.terms = rows_formset(TermForm, "terms")(
            bound("proposal"), prefix="terms", form_kwargs={"defaults": self.defaults["terms"]}
        )
        self.proposal_positions = rows_formset(ProposalPositionForm, "ppos", extra=2)(
            bound("proposal"),
            prefix="ppos",
            form_kwargs={"defaults": {"stated_on": day}, **common},
        )
        self.position_source = BlockSourceForm(bound("positions"), prefix="psrc")
        self.positions = rows_formset(PositionForm, "positions", extra=2)(
            bound("positions"),
            prefix="positions",
            form_kwargs={
                "defaults": {"stated_on": day},
                "targets": position_targets(negotiation),
                **common,
            },
        )
        self.delivery_source = BlockSourceForm(bound("deliveries"), prefix="dsrc")
        self.deliveries = rows_formset(DeliveryForm, "deliveries")(
            bound("deliveries"), prefix="deliveries", form_kwargs=common
        )

        row_selects = ["party", "target", "stance", "conditional_on", "source"]
        share_choices(self.proposal_positions, row_selects)
        share_choices(self.positions, row_selects)
        share_choices(self.deliveries, ["term", "by_party", "to_party", "source"])

    def bound(self) -> list[Any]:
        return {
            "proposal": [self.proposal, self.terms, self.proposal_positions],
            "positions": [self.position_source, self.positions],
            "deliveries": [self.delivery_source, self.deliveries],
        }.get(self.block, [])

    def show_refusal(self) -> None:
        """Why a row was not added or a paste not split, on a form that was quieted."""
        if self.refusal is None:
            return
        target, message = self.refusal
        if target == "paste":
            self.proposal.add_error("paste", message)
        else:
            formsets = {
                "terms": self.terms,
                "ppos": self.proposal_positions,
                "positions": self.positions,
                "deliveries": self.deliveries,
            }
            show_rows_error(formsets[target], message)


def split_into_rows(data: QueryDict) -> int | str:
    """Turn the pasted list into term rows after the filled ones (the paste box empties);
    returns the index of the first new row, or why the list was not split (then nothing
    changes: the paste stays as it was)."""
    paste = data.get("proposal-paste", "")
    refusal = paste_too_long(paste)
    if refusal:
        return refusal
    items = split_numbered_list(paste)
    rows = [r for r in row_values(data, "terms") if not is_blank(r, TERM_DEFAULTS)]
    refusal = paste_too_many(len(items), len(rows))
    if refusal:
        return refusal
    first = len(rows)
    for label, text in items:
        rows.append(
            {"label": [label], "text": [text], **{k: [v] for k, v in TERM_DEFAULTS.items()}}
        )
    set_rows(data, "terms", rows)
    data["proposal-paste"] = ""
    return first


def _changed(formset: Any) -> list[Any]:
    return [form for form in formset if form.has_changed()]


def save_proposal(round_: Round, forms: WorkspaceForms) -> Proposal | None:
    form, terms, positions = forms.proposal, forms.terms, forms.proposal_positions
    if not (form.is_valid() & terms.is_valid() & positions.is_valid()):
        return None
    data = form.cleaned_data

    def writes(batch: Batch) -> Proposal | None:
        source = form.resolve_source(batch)
        tabled_by = data.get("tabled_by")
        co_sponsors = [p for p in data.get("co_sponsors") or [] if p != tabled_by]
        speaker = person_named(batch, form, "speaker", tabled_by)
        proposal = batch.call(
            form,
            proposal_services.proposal_create,
            negotiation=round_.negotiation,
            title=data["title"],
            kind=data["kind"],
            round=round_ if data.get("in_round") else None,
            tabling_parties=[*([tabled_by] if tabled_by else []), *co_sponsors],
            mediators=data.get("mediators") or [],
            tabled_on=data.get("tabled_on") or round_.starts_on,
            tabled_on_precision=data["tabled_on_precision"]
            if data.get("tabled_on")
            else round_.starts_on_precision,
            summary=data.get("summary") or "",
            text=data.get("text") or "",
            text_status=data["text_status"],
            required_parties=data.get("required_parties") or [],
            sources=[source] if source else [],
            speaker=speaker,
            quote=data.get("quote") or "",
        )
        if proposal is None:
            return None
        by_label: dict[str, Term] = {}
        for ordinal, term_form in enumerate(_changed(terms), start=1):
            term = batch.call(
                term_form,
                proposal_services.term_create,
                proposal=proposal,
                ordinal=ordinal,
                sources=[source] if source else [],
                **term_form.cleaned_data,
            )
            if term is not None:
                by_label[str(ordinal)] = term
                if term.label:
                    by_label[term.label.lower()] = term
        for row in _changed(positions):
            applies_to = (row.cleaned_data.get("applies_to") or "").strip().rstrip(".").lower()
            term = by_label.get(applies_to) if applies_to else None
            if applies_to and term is None:
                row.add_error("applies_to", f"This proposal has no term “{applies_to}”.")
                batch.refused = True
                continue
            record_position(batch, row, round_, proposal, term, row_source(row, source))
        return proposal

    proposal, _batch = run_batch(writes)
    return proposal


def row_source(row: Any, block_source: Source | None) -> Source | None:
    return row.cleaned_data.get("source") or block_source


def record_position(
    batch: Batch,
    row: Any,
    round_: Round | None,
    proposal: Proposal,
    term: Term | None,
    source: Any,
) -> None:
    if source is None:
        row.add_error("source", SOURCE_MISSING)
        batch.refused = True
        return
    data = row.cleaned_data
    party = data["party"]
    batch.call(
        row,
        proposal_services.position_record,
        proposal=proposal,
        party=party,
        stance=data["stance"],
        stated_on=data["stated_on"],
        stated_on_precision=data["stated_on_precision"],
        term=term,
        round=round_,
        speaker=person_named(batch, row, "speaker", party),
        quote=data.get("quote") or "",
        conditions=data.get("conditions") or "",
        reservations=data.get("reservations") or "",
        conditional_on=data.get("conditional_on") or [],
        source=source,
        note=data.get("note") or "",
    )


def resolve_target(negotiation_id: int, raw: str) -> tuple[Proposal | None, Term | None]:
    """A target choice ("p:<id>" for a whole proposal, "t:<id>" for a term), checked to
    belong to the negotiation."""
    kind, _, pk_text = (raw or "").partition(":")
    pk = parse_whole(pk_text)
    if kind == "t" and pk is not None:
        term = (
            Term.objects.select_related("proposal__negotiation")
            .filter(pk=pk, proposal__negotiation_id=negotiation_id)
            .first()
        )
        return (term.proposal, term) if term else (None, None)
    if kind == "p" and pk is not None:
        proposal = Proposal.objects.filter(pk=pk, negotiation_id=negotiation_id).first()
        return proposal, None
    return None, None


def save_positions(round_: Round, forms: WorkspaceForms) -> int | None:
    header, rows = forms.position_source, forms.positions
    if not (header.is_valid() & rows.is_valid()):
        return None
    filled = _changed(rows)
    if not filled:
        header.add_error(None, NOTHING)
        return None

    def writes(batch: Batch) -> int:
        source = header.resolve_source(batch)
        for row in filled:
            proposal, term = resolve_target(round_.negotiation_id, row.cleaned_data["target"])
            if proposal is None:
                row.add_error("target", "Pick a proposal or term of this negotiation.")
                batch.refused = True
                continue
            record_position(batch, row, round_, proposal, term, row_source(row, source))
        return len(filled)

    count, _batch = run_batch(writes)
    return count


def save_deliveries(round_: Round, forms: WorkspaceForms) -> int | None:
    header, rows = forms.delivery_source, forms.deliveries
    if not (header.is_valid() & rows.is_valid()):
        return None
    filled = _changed(rows)
    if not filled:
        header.add_error(None, NOTHING)
        return None

    def writes(batch: Batch) -> int:
        source = header.resolve_source(batch)
        for row in filled:
            data = row.cleaned_data
            row_src = row_source(row, source)
            if row_src is None:
                row.add_error("source", SOURCE_MISSING)
                batch.refused = True
                continue
            batch.call(
                row,
                proposal_services.implementation_event_record,
                term=data["term"],
                happened_on=data["happened_on"],
                happened_on_precision=data["happened_on_precision"],
                by_party=data.get("by_party"),
                quantity=data.get("quantity"),
                completes=bool(data.get("completes")),
                kind=data.get("kind") or EventKind.DELIVERY,
                to_party=data.get("to_party"),
                location=data.get("location") or "",
                note=data.get("note") or "",
                source=row_src,
            )
        return len(filled)

    count, _batch = run_batch(writes)
    return count
