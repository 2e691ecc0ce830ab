"""A proposal's editing page and what is done to a proposal rather than typed into it:
withdraw it, link it (supersede, amend, answer...), correct a position by recording a
new one, delete a mistaken row with a reason that stays in the audit history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from negotiations.core.precision import PrecisionFormField
from negotiations.editing.access import editor_required
from negotiations.editing.forms_base import (
    EditForm,
    SourcePickMixin,
    date_field,
    model_choice_field,
    person_named,
    text_area,
)
from negotiations.editing.once import saved_once, token
from negotiations.editing.proposal_forms import PositionForm, position_targets
from negotiations.editing.workspace import record_position, resolve_target
from negotiations.editing.writes import Batch, run_batch
from parties.models import Party
from proposals import services as proposal_services
from proposals.models import (
    AgendaItem,
    ImplementationEvent,
    LinkKind,
    Position,
    Proposal,
    ProposalLink,
    RatificationStep,
    Stance,
    Term,
    tablings_prefetch,
)


class ReasonForm(EditForm):
    reason = forms.CharField(
        label="Why is this deleted?",
        widget=text_area(2),
        help_text="Kept in the audit history with your name.",
    )


class WithdrawForm(SourcePickMixin, EditForm):
    party = forms.ModelChoiceField(
        Party.objects.none(),
        label="Withdrawn by",
        required=False,
        empty_label=None,
        help_text="Blank: the first tabling party. A co-sponsor's withdrawal alone leaves a "
        "joint proposal standing.",
    )
    stated_on = date_field("Withdrawn on", required=True)
    stated_on_precision = PrecisionFormField()
    speaker = forms.CharField(label="Speaker", required=False, max_length=200)
    quote = forms.CharField(label="Quote", required=False, widget=text_area(2))
    note = forms.CharField(label="Note", required=False, widget=text_area(1))


class LinkForm(EditForm):
    kind = forms.ChoiceField(label="This proposal…", choices=LinkKind.choices)
    to_proposal = forms.ModelChoiceField(Proposal.objects.none(), label="…the proposal")
    linked_on = date_field("Since", help_text="Blank: the newer proposal's date.")
    note = forms.CharField(label="Note", required=False, widget=text_area(1))


class CorrectionSourceForm(SourcePickMixin, EditForm):
    source_required = False


def _proposal(pk: int) -> Proposal:
    return get_object_or_404(
        Proposal.objects.select_related("negotiation", "round").prefetch_related(
            tablings_prefetch()
        ),
        pk=pk,
    )


@editor_required
def proposal_page(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    terms = proposal.terms.order_by("ordinal").prefetch_related(
        Prefetch("implementation_events", queryset=ImplementationEvent.objects.all())
    )
    positions = proposal.positions.select_related("party", "term", "source", "speaker").order_by(
        "stated_on", "id"
    )
    deleted = (
        Position.pgh_event_model.objects.filter(proposal_id=pk, pgh_label="delete")
        .select_related("pgh_context", "party")
        .order_by("-pgh_id")
    )
    links = ProposalLink.objects.filter(
        Q(from_proposal=proposal) | Q(to_proposal=proposal)
    ).select_related("from_proposal", "to_proposal")
    return render(
        request,
        "edit/proposal.html",
        {
            "proposal": proposal,
            "negotiation": proposal.negotiation,
            "terms": terms,
            "positions": positions,
            "deleted": deleted,
            "links": links,
            "ratification_steps": proposal.ratification_steps.order_by("ordinal", "id"),
            "can_withdraw": bool(proposal.tabling_party_list()),
        },
    )


def _run(form: Any, write: Callable[[Batch], Any]) -> Any:
    if not form.is_valid():
        return None
    result, _batch = run_batch(write)
    return result


@editor_required
@saved_once
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    tabling = proposal.tabling_party_list()
    if not tabling:
        raise Http404("Only a proposal tabled by a party can be withdrawn (by that party).")
    day = proposal.round.starts_on if proposal.round else proposal.tabled_on
    form = WithdrawForm(request.POST or None, defaults={"stated_on": day, "party": tabling[0]})
    model_choice_field(form, "party").queryset = Party.objects.filter(
        pk__in=[party.pk for party in tabling]
    )
    if request.method == "POST":

        def write(batch: Batch) -> Any:
            source = form.resolve_source(batch)
            data = form.cleaned_data
            party = data.get("party") or tabling[0]
            return batch.call(
                form,
                proposal_services.position_record,
                proposal=proposal,
                party=party,
                stance=Stance.WITHDRAWS,
                stated_on=data["stated_on"],
                stated_on_precision=data["stated_on_precision"],
                round=proposal.round,
                speaker=person_named(batch, form, "speaker", party),
                quote=data.get("quote") or "",
                note=data.get("note") or "",
                source=source,
            )

        if _run(form, write) is not None:
            party = form.cleaned_data.get("party") or tabling[0]
            messages.success(request, f"Recorded: {party} withdraws “{proposal}”.")
            return redirect("edit:proposal", pk=pk)
    return render(
        request,
        "edit/action_form.html",
        {
            "proposal": proposal,
            "form": form,
            "heading": f"{proposal.tabling_names()} withdraw(s) “{proposal.title}”",
            "help": "Recorded as a position of the tabling party; the status follows (a joint "
            "proposal is withdrawn once every co-sponsor has withdrawn).",
            "button": "Record the withdrawal",
            "once": token(request),
        },
    )


@editor_required
@saved_once
def proposal_link(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    form = LinkForm(request.POST or None, initial={"kind": request.GET.get("kind")})
    model_choice_field(form, "to_proposal").queryset = proposal.negotiation.proposals.exclude(pk=pk)
    if request.method == "POST":

        def write(batch: Batch) -> Any:
            data = form.cleaned_data
            return batch.call(
                form,
                proposal_services.proposal_link_create,
                from_proposal=proposal,
                to_proposal=data["to_proposal"],
                kind=data["kind"],
                linked_on=data.get("linked_on"),
                note=data.get("note") or "",
            )

        if _run(form, write) is not None:
            messages.success(request, "Link recorded.")
            return redirect("edit:proposal", pk=pk)
    return render(
        request,
        "edit/action_form.html",
        {
            "proposal": proposal,
            "form": form,
            "heading": f"Link “{proposal.title}” to another proposal",
            "help": "“Supersedes” takes the other proposal off the table.",
            "button": "Record the link",
            "once": token(request),
        },
    )


@editor_required
@saved_once
def position_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """A correction is a new position, prefilled from the one it corrects."""
    old = get_object_or_404(
        Position.objects.select_related("proposal__negotiation", "round", "speaker"), pk=pk
    )
    proposal = old.proposal
    negotiation = proposal.negotiation
    target = f"t:{old.term_id}" if old.term_id else f"p:{proposal.pk}"
    initial = {
        "target": target,
        "party": old.party_id,
        "stance": old.stance,
        "stated_on": old.stated_on,
        "stated_on_precision": old.stated_on_precision,
        "speaker": old.speaker.name if old.speaker else "",
        "quote": old.quote,
        "conditions": old.conditions,
        "reservations": old.reservations,
        "conditional_on": list(old.conditional_on.all()),
        "note": old.note,
        "source": old.source_id,
    }
    form = PositionForm(
        request.POST or None,
        initial=initial,
        negotiation=negotiation,
        targets=position_targets(negotiation),
    )
    source_form = CorrectionSourceForm(request.POST or None, prefix="src")
    if request.method == "POST" and source_form.is_valid():
        round_ = old.round

        def write(batch: Batch) -> Any:
            block_source = source_form.resolve_source(batch)
            target_proposal, term = resolve_target(negotiation.pk, form.cleaned_data["target"])
            if target_proposal is None:
                form.add_error("target", "Pick a proposal or term of this negotiation.")
                batch.refused = True
                return None
            source = form.cleaned_data.get("source") or block_source
            record_position(batch, form, round_, target_proposal, term, source)
            return target_proposal

        if _run(form, write) is not None:
            messages.success(request, "Correction recorded as a new position; the old one stays.")
            return redirect("edit:proposal", pk=proposal.pk)
    return render(
        request,
        "edit/position_correct.html",
        {
            "old": old,
            "proposal": proposal,
            "form": form,
            "source_form": source_form,
            "once": token(request),
        },
    )


DELETABLE: dict[str, tuple[Any, Callable[..., None], str]] = {
    "position": (Position, proposal_services.position_delete, "position"),
    "term": (Term, proposal_services.term_delete, "term"),
    "event": (ImplementationEvent, proposal_services.implementation_event_delete, "event"),
    "link": (ProposalLink, proposal_services.proposal_link_delete, "link"),
    "proposal": (Proposal, proposal_services.proposal_delete, "proposal"),
    "ratification": (RatificationStep, proposal_services.ratification_step_delete, "step"),
    "agenda": (AgendaItem, proposal_services.agenda_item_delete, "item"),
}


def _proposal_of(kind: str, obj: Any) -> int:
    return {
        "position": lambda: obj.proposal_id,
        "term": lambda: obj.proposal_id,
        "event": lambda: obj.term.proposal_id,
        "link": lambda: obj.from_proposal_id,
        "proposal": lambda: obj.pk,
        "ratification": lambda: obj.proposal_id,
    }[kind]()


@editor_required
@saved_once
def delete_object(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in DELETABLE:
        raise Http404("Nothing of that kind is deleted here.")
    model, service, arg = DELETABLE[kind]
    obj = get_object_or_404(model, pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":

        def write(batch: Batch) -> bool:
            batch.call(form, service, **{arg: obj, "reason": form.cleaned_data["reason"]})
            return True

        if _run(form, write):
            name = model._meta.verbose_name
            messages.success(request, f"Deleted the {name}; the reason is kept.")
            if kind == "proposal":
                return redirect("edit:home")
            if kind == "agenda":
                return redirect("edit:agenda", pk=obj.negotiation_id)
            return redirect("edit:proposal", pk=_proposal_of(kind, obj))
    return render(
        request,
        "edit/delete.html",
        {
            "obj": obj,
            "form": form,
            "verbose_name": model._meta.verbose_name,
            "back": reverse("edit:agenda", args=[obj.negotiation_id])
            if kind == "agenda"
            else reverse("edit:proposal", args=[_proposal_of(kind, obj)]),
            "once": token(request),
        },
    )
