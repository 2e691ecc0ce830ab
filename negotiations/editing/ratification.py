"""The editor's form to add a ratification step to a proposal (a parliament's vote, a
court's ruling, a referendum); steps are then changed and deleted through the generic
object pages (object_forms.EDITABLE, actions.DELETABLE)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from negotiations.editing.access import editor_required
from negotiations.editing.forms_base import EditForm, date_field, text_area
from negotiations.editing.once import saved_once, token
from negotiations.editing.writes import Batch, run_batch
from parties.models import Party
from proposals import services as proposal_services
from proposals.models import BodyKind, Proposal, StepOutcome


class RatificationStepForm(EditForm):
    body_kind = forms.ChoiceField(label="Body", choices=BodyKind.choices)
    body_name = forms.CharField(label="Named", max_length=200)
    body_party = forms.ModelChoiceField(
        Party.objects.order_by("name"),
        label="Party",
        required=False,
        help_text="Only if the body is a recorded party (voters are not).",
    )
    due_on = date_field("Due on")
    outcome = forms.ChoiceField(label="Outcome", choices=StepOutcome.choices)
    decided_on = date_field("Decided on", help_text="Required once decided.")
    votes_for = forms.IntegerField(label="Votes for", required=False, min_value=0)
    votes_against = forms.IntegerField(label="Votes against", required=False, min_value=0)
    abstentions = forms.IntegerField(label="Abstentions", required=False, min_value=0)
    share_for = forms.DecimalField(
        label="Share for (%)", required=False, min_value=0, max_value=100, decimal_places=2
    )
    turnout = forms.DecimalField(
        label="Turnout (%)", required=False, min_value=0, max_value=100, decimal_places=2
    )
    note = forms.CharField(label="Note", required=False, widget=text_area(2))


@editor_required
@saved_once
def ratification_add(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal.objects.select_related("negotiation"), pk=pk)
    form = RatificationStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def write(batch: Batch) -> Any:
            data = dict(form.cleaned_data)
            data["note"] = data.get("note") or ""
            return batch.call(
                form, proposal_services.ratification_step_create, proposal=proposal, **data
            )

        result, _batch = run_batch(write)
        if result is not None:
            messages.success(request, "Ratification step recorded.")
            return redirect("edit:proposal", pk=pk)
    return render(
        request,
        "edit/action_form.html",
        {
            "proposal": proposal,
            "form": form,
            "heading": f"Ratification of “{proposal.title}”",
            "help": "A body that must still approve the proposal once the principals agreed: "
            "while a step is pending the proposal stays agreed; a rejection rejects it.",
            "button": "Record the step",
            "once": token(request),
        },
    )
