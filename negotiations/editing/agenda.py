"""The editor's page of a negotiation's agenda: its items with their proposals and
derived statuses, and a form to add one; items are then changed and deleted through the
generic object pages (object_forms.EDITABLE, actions.DELETABLE)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from negotiations.editing.access import editor_required
from negotiations.editing.forms_base import EditForm, model_choice_field, text_area
from negotiations.editing.once import saved_once, token
from negotiations.editing.writes import Batch, run_batch
from negotiations.models import Negotiation
from proposals import services as proposal_services
from proposals.models import Proposal
from proposals.selectors.agenda import agenda


class AgendaItemForm(EditForm):
    number = forms.IntegerField(
        label="Number", required=False, min_value=1, help_text="Blank: the next one."
    )
    title = forms.CharField(label="Title", max_length=300)
    description = forms.CharField(label="Description", required=False, widget=text_area(2))
    proposals = forms.ModelMultipleChoiceField(
        Proposal.objects.none(),
        label="Proposals on it",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


@editor_required
@saved_once
def agenda_page(request: HttpRequest, pk: int) -> HttpResponse:
    negotiation = get_object_or_404(Negotiation, pk=pk)
    form = AgendaItemForm(request.POST or None)
    field = model_choice_field(form, "proposals")
    field.queryset = Proposal.objects.filter(negotiation=negotiation).order_by("tabled_on", "id")
    if request.method == "POST" and form.is_valid():

        def write(batch: Batch) -> Any:
            data = form.cleaned_data
            return batch.call(
                form,
                proposal_services.agenda_item_create,
                negotiation=negotiation,
                number=data.get("number"),
                title=data["title"],
                description=data.get("description") or "",
                proposals=list(data.get("proposals") or []),
            )

        result, _batch = run_batch(write)
        if result is not None:
            messages.success(request, f"Agenda item {result.number} recorded.")
            return redirect("edit:agenda", pk=pk)
    return render(
        request,
        "edit/agenda.html",
        {
            "negotiation": negotiation,
            "agenda": agenda(negotiation.pk),
            "form": form,
            "once": token(request),
        },
    )
