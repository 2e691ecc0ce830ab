"""Recording a round: start it (negotiation, parties, round, delegations), then, on the
round's workspace, table its proposals with their terms and positions, record further
positions and the exchanges delivered. Each form is one submission and one transaction.

"Add a row" and "split the pasted list" post the form back without saving anything;
htmx swaps the re-rendered form in place, and without JavaScript the page reloads with
the same content.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from negotiations.core.numbers import parse_whole
from negotiations.editing.access import editor_required
from negotiations.editing.forms_base import add_row, quiet, share_choices, show_rows_error
from negotiations.editing.limits import rows_formset
from negotiations.editing.once import DRAFTS_TO_FORGET, saved_once, token
from negotiations.editing.round_forms import ParticipantForm, RoundStartForm, participant_initial
from negotiations.editing.workspace import (
    WorkspaceForms,
    save_deliveries,
    save_positions,
    save_proposal,
)
from negotiations.editing.writes import run_batch
from negotiations.models import Negotiation, Round
from proposals.models import Proposal, tablings_prefetch

PARTICIPANT_ROWS = 3
BLOCKS = {"proposal": save_proposal, "positions": save_positions, "deliveries": save_deliveries}


def clear_draft(request: HttpRequest, key: str) -> None:
    """Tell the page after the redirect to forget the browser's draft of this form."""
    request.session[DRAFTS_TO_FORGET] = [*request.session.get(DRAFTS_TO_FORGET, []), key]


@editor_required
def home(request: HttpRequest) -> HttpResponse:
    negotiations = Negotiation.objects.prefetch_related(
        Prefetch("rounds", queryset=Round.objects.order_by("-number"), to_attr="round_list")
    ).order_by("-started_on", "title")
    return render(request, "edit/home.html", {"negotiations": negotiations})


@editor_required
@saved_once
def round_start(request: HttpRequest) -> HttpResponse:
    pk = parse_whole(request.GET.get("negotiation"))
    fixed = Negotiation.objects.filter(pk=pk).first() if pk is not None else None
    initial = participant_initial(fixed)
    extra = PARTICIPANT_ROWS if not initial else 1
    data = request.POST.copy() if request.method == "POST" else None
    action = request.POST.get("action", "save") if data is not None else ""
    focus, full = None, None
    if data is not None and action == "add-participant":
        try:
            focus = f"id_participants-{add_row(data, 'participants', {})}-party"
        except ValidationError as error:
            full = error.messages[0]
    form = RoundStartForm(data, fixed=fixed)
    rows = rows_formset(ParticipantForm, "participants", extra=extra)(
        data, prefix="participants", initial=initial
    )
    share_choices(rows, ["party"])
    if data is not None and action == "save":
        round_ = _start_round(form, rows)
        if round_ is not None:
            clear_draft(request, f"round-start-{fixed.pk}" if fixed else "round-start")
            messages.success(
                request,
                f"Round {round_.number} of “{round_.negotiation}” is recorded. "
                "Now table its proposals, with their terms and the positions taken.",
            )
            return redirect("edit:workspace", pk=round_.pk)
    elif data is not None:
        quiet(form, rows)
        if full:
            show_rows_error(rows, full)
    return render(
        request,
        "edit/round_start.html",
        {
            "form": form,
            "rows": rows,
            "fixed": fixed,
            "focus": focus,
            "posted": data is not None,
            "once": token(request),
        },
    )


def _start_round(form: RoundStartForm, rows: Any) -> Round | None:
    if not (form.is_valid() & rows.is_valid()):
        return None
    filled = [row for row in rows if row.has_changed()]

    def writes(batch: Any) -> Round | None:
        negotiation = form.negotiation_for(batch)
        if negotiation is None:
            return None
        parties = [(row, row.party_for(batch)) for row in filled]
        for row, party in parties:
            if party is not None:
                row.write(batch, negotiation, party)
        hosts = [party for row, party in parties if party and row.cleaned_data.get("hosts_round")]
        round_ = form.create_round(batch, negotiation, hosts)
        if round_ is None:
            return None
        for row, party in parties:
            if party is not None:
                row.write_delegation(batch, round_, party)
        return round_

    round_, _batch = run_batch(writes)
    return round_


def _round(pk: int) -> Round:
    return get_object_or_404(Round.objects.select_related("negotiation"), pk=pk)


@editor_required
@saved_once
def workspace(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(pk)
    data = request.POST.copy() if request.method == "POST" else None
    block = request.POST.get("block", "") if data is not None else ""
    if block not in BLOCKS:
        block = ""
    action = request.POST.get("action", "save") if data is not None else ""
    forms = WorkspaceForms(round_, data if block else None, block, action)
    if block and action == "save":
        result = BLOCKS[block](round_, forms)
        if result is not None:
            clear_draft(request, f"round-{round_.pk}-{block}")
            messages.success(request, _saved_message(block, result))
            return redirect(reverse("edit:workspace", args=[round_.pk]) + "#recorded")
    elif block:
        quiet(*forms.bound())
        forms.show_refusal()
    context = _workspace_context(round_, forms)
    context["once"] = {name: token(request, posted=name == block) for name in BLOCKS}
    return render(request, "edit/workspace.html", context)


def _saved_message(block: str, result: Any) -> str:
    if block == "proposal":
        proposal = Proposal.objects.get(pk=result.pk)
        state = "recomputing" if proposal.status_stale else proposal.get_status_display().lower()
        return f"Saved “{proposal.title}”: {state}."
    noun = "position" if block == "positions" else "delivery"
    return f"Saved {result} {noun}{'' if result == 1 else 's'}."


def _workspace_context(round_: Round, forms: WorkspaceForms) -> dict[str, Any]:
    negotiation = round_.negotiation
    recorded = list(
        Proposal.objects.filter(Q(round=round_) | Q(positions__round=round_))
        .distinct()
        .prefetch_related(tablings_prefetch(), "terms")
        .order_by("tabled_on", "id")
    )
    return {
        "round": round_,
        "negotiation": negotiation,
        "recorded": recorded,
        # While a worker recomputes, the table reloads itself (htmx) until it is done.
        "recomputing": any(p.status_stale for p in recorded),
        "participations": negotiation.participations.select_related("party"),
        "delegations": round_.delegations.select_related("party", "head"),
        "forms": forms,
    }
