"""The first step of recording a round: the negotiation (picked or new), the parties that
take part (picked or new), the round itself, its hosts and delegations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Max

from negotiations import services as negotiation_services
from negotiations.core.precision import PrecisionFormField
from negotiations.editing.forms_base import (
    EditForm,
    date_field,
    person_named,
    split_names,
    text_area,
)
from negotiations.editing.writes import Batch
from negotiations.models import Negotiation, Participation, Role, Round, RoundStatus
from parties import services as party_services
from parties.models import Party, PartyKind


class RoundStartForm(EditForm):
    negotiation = forms.ModelChoiceField(
        Negotiation.objects.order_by("title"),
        required=False,
        label="Negotiation",
        empty_label="— a new negotiation, described below —",
    )
    negotiation_title = forms.CharField(
        label="New negotiation: title", required=False, max_length=300
    )
    negotiation_slug = forms.SlugField(
        label="Web address (slug)",
        required=False,
        max_length=120,
        help_text="Optional; made from the title when left blank.",
    )
    negotiation_started_on = date_field("Started on")
    negotiation_summary = forms.CharField(label="Summary", required=False, widget=text_area(2))
    number = forms.IntegerField(label="Round number", min_value=1)
    title = forms.CharField(label="Round title", required=False, max_length=300)
    starts_on = date_field("Starts on", required=True)
    starts_on_precision = PrecisionFormField()
    ends_on = date_field("Ends on")
    venue_city = forms.CharField(label="City", required=False, max_length=120)
    venue_country = forms.CharField(label="Country", required=False, max_length=120)
    status = forms.ChoiceField(label="Round status", choices=RoundStatus.choices)
    summary = forms.CharField(label="What happened, in brief", required=False, widget=text_area(3))

    def __init__(self, *args: Any, fixed: Negotiation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed = fixed
        self.fields["status"].initial = RoundStatus.HELD
        if fixed is not None:
            self.fields["negotiation"].initial = fixed.pk
            last = fixed.rounds.aggregate(last=Max("number"))["last"] or 0
            self.fields["number"].initial = last + 1
        else:
            self.fields["number"].initial = 1

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns the cleaned data
        if cleaned.get("negotiation") is None and not cleaned.get("negotiation_title"):
            self.add_error(
                "negotiation_title",
                "Pick the negotiation above, or give the new one a title.",
            )
        return cleaned

    def negotiation_for(self, batch: Batch) -> Negotiation | None:
        data = self.cleaned_data
        if data.get("negotiation") is not None:
            return data["negotiation"]
        return batch.call(
            self,
            negotiation_services.negotiation_create,
            prefix="negotiation_",
            title=data["negotiation_title"],
            slug=data.get("negotiation_slug") or "",
            summary=data.get("negotiation_summary") or "",
            started_on=data.get("negotiation_started_on"),
        )

    def create_round(self, batch: Batch, negotiation: Negotiation, hosts: list[Party]) -> Any:
        data = self.cleaned_data
        return batch.call(
            self,
            negotiation_services.round_create,
            negotiation=negotiation,
            number=data["number"],
            title=data.get("title") or "",
            starts_on=data["starts_on"],
            starts_on_precision=data["starts_on_precision"],
            ends_on=data.get("ends_on"),
            venue_city=data.get("venue_city") or "",
            venue_country=data.get("venue_country") or "",
            status=data["status"],
            summary=data.get("summary") or "",
            hosts=hosts,
        )


class ParticipantForm(EditForm):
    party = forms.ModelChoiceField(
        Party.objects.order_by("name"),
        required=False,
        label="Party",
        empty_label="— a new party, named here —",
    )
    new_name = forms.CharField(label="New party: full name", required=False, max_length=200)
    new_short_name = forms.CharField(label="Short name", required=False, max_length=60)
    new_country_code = forms.CharField(
        label="Country code",
        required=False,
        max_length=2,
        help_text="Two letters (ISO), for states.",
    )
    new_kind = forms.ChoiceField(
        label="Kind", choices=PartyKind.choices, initial=PartyKind.STATE, required=False
    )
    roles = forms.MultipleChoiceField(
        label="Roles in the negotiation",
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hosts_round = forms.BooleanField(label="Hosts this round", required=False)
    delegation = forms.BooleanField(label="Sent a delegation", required=False)
    head = forms.CharField(label="Head of delegation", required=False, max_length=200)
    members = forms.CharField(
        label="Delegation members",
        required=False,
        help_text="Names, separated by commas.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns the cleaned data
        if cleaned.get("party") is None and not cleaned.get("new_name"):
            self.add_error("party", "Pick the party, or name the new one.")
        elif cleaned.get("party") is not None and cleaned.get("new_name"):
            self.add_error("new_name", "Pick a party or name a new one, not both.")
        return cleaned

    def party_for(self, batch: Batch) -> Party | None:
        data = self.cleaned_data
        if data.get("party") is not None:
            return data["party"]
        name = data["new_name"].strip()
        known = Party.objects.filter(name__iexact=name).first()
        if known is not None:
            return known
        return batch.call(
            self,
            party_services.party_create,
            prefix="new_",
            name=name,
            short_name=data.get("new_short_name") or "",
            country_code=data.get("new_country_code") or "",
            kind=data.get("new_kind") or PartyKind.STATE,
        )

    def write(self, batch: Batch, negotiation: Negotiation, party: Party) -> None:
        """The participation (unless the party takes part already)."""
        data = self.cleaned_data
        if not Participation.objects.filter(negotiation=negotiation, party=party).exists():
            batch.call(
                self,
                negotiation_services.participation_create,
                negotiation=negotiation,
                party=party,
                roles=data.get("roles") or [],
            )

    def write_delegation(self, batch: Batch, round_: Round, party: Party) -> None:
        data = self.cleaned_data
        if not (data.get("delegation") or data.get("head") or data.get("members")):
            return
        head = person_named(batch, self, "head", party)
        members = []
        for name in split_names(data.get("members") or ""):
            member = person_named(batch, self, "members", party, name=name)
            if member is not None:
                members.append(member)
        batch.call(
            self,
            negotiation_services.delegation_create,
            round=round_,
            party=party,
            head=head,
            members=members,
        )


def participant_initial(negotiation: Negotiation | None) -> list[dict[str, Any]]:
    if negotiation is None:
        return []
    return [
        {"party": p.party_id, "roles": list(p.roles)}
        for p in negotiation.participations.select_related("party").order_by("party__name")
    ]
