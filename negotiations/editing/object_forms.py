"""Edit forms for what the round flow created, one per model, and the service each one
saves through. Every form carries the version the editor loaded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import models
from django.db.models import Q

from negotiations import services as negotiation_services
from negotiations.editing.forms_base import DateInput, model_choice_field
from negotiations.editing.limits import limit_texts
from negotiations.models import Delegation, Negotiation, Participation, Role, Round
from parties import services as party_services
from parties.forms import OrderedPartiesField
from parties.models import Party, Person
from proposals import services as proposal_services
from proposals.models import (
    AgendaItem,
    ImplementationEvent,
    Proposal,
    RatificationStep,
    Source,
    Term,
)


class VersionedForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = self.instance.version
        for bound in self.fields.values():
            if isinstance(bound, forms.DateField):
                bound.widget = DateInput()
            if isinstance(bound.widget, forms.Textarea):
                bound.widget.attrs.update(rows=3, cols=60)
            if isinstance(bound, forms.ModelMultipleChoiceField):
                use_widget(bound, forms.CheckboxSelectMultiple())
        limit_texts(self)

    def changes(self) -> dict[str, Any]:
        return {n: v for n, v in self.cleaned_data.items() if n != "expected_version"}


def _formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


def use_widget(model_field: Any, widget: forms.Widget) -> None:
    model_field.widget = widget
    model_field.queryset = model_field.queryset  # hands the choices to the new widget


def participants_of(negotiation_id: int) -> Any:
    return Party.objects.filter(participations__negotiation_id=negotiation_id).order_by("name")


@dataclass
class Editable:
    """One model the editor pages edit: its fields, its update service, the keyword the
    service takes the object by, and where the editor lands after saving."""

    model: type[models.Model]
    fields: list[str]
    update: Callable[..., Any]
    arg: str
    limit: Callable[[forms.ModelForm, Any], None] = lambda form, obj: None
    extra_fields: dict[str, forms.Field] = field(default_factory=dict)

    def form_class(self) -> type[VersionedForm]:
        meta = type(
            "Meta",
            (),
            {"model": self.model, "fields": self.fields, "formfield_callback": _formfield},
        )
        return type(
            f"{self.model.__name__}EditForm", (VersionedForm,), {"Meta": meta, **self.extra_fields}
        )


def _limit_proposal(form: forms.ModelForm, obj: Proposal) -> None:
    model_choice_field(form, "round").queryset = Round.objects.filter(
        negotiation_id=obj.negotiation_id
    )
    model_choice_field(form, "mediators").queryset = participants_of(obj.negotiation_id)
    model_choice_field(form, "required_parties").queryset = participants_of(obj.negotiation_id)
    form.initial.setdefault("tabling_parties", obj.tabling_party_list())
    use_widget(form.fields["sources"], forms.SelectMultiple(attrs={"size": 4}))


def _limit_term(form: forms.ModelForm, obj: Term) -> None:
    model_choice_field(form, "derived_from").queryset = (
        Term.objects.filter(proposal__negotiation_id=obj.proposal.negotiation_id)
        .exclude(proposal_id=obj.proposal_id)
        .select_related("proposal")
    )
    use_widget(form.fields["sources"], forms.SelectMultiple(attrs={"size": 4}))


def _limit_round(form: forms.ModelForm, obj: Round) -> None:
    model_choice_field(form, "hosts").queryset = participants_of(obj.negotiation_id)


def _limit_event(form: forms.ModelForm, obj: ImplementationEvent) -> None:
    for name in ("by_party", "to_party"):
        model_choice_field(form, name).queryset = participants_of(obj.term.proposal.negotiation_id)


def _limit_agenda_item(form: forms.ModelForm, obj: AgendaItem) -> None:
    model_choice_field(form, "proposals").queryset = Proposal.objects.filter(
        negotiation_id=obj.negotiation_id
    ).order_by("tabled_on", "id")
    use_widget(form.fields["sources"], forms.SelectMultiple(attrs={"size": 4}))


def _limit_delegation(form: forms.ModelForm, obj: Delegation) -> None:
    people = Person.objects.filter(Q(party_id=obj.party_id) | Q(party__isnull=True))
    people = people.order_by("name")
    model_choice_field(form, "head").queryset = people
    model_choice_field(form, "members").queryset = people


ROLES_FIELD = forms.MultipleChoiceField(
    choices=Role.choices, widget=forms.CheckboxSelectMultiple, label="Roles"
)

EDITABLE: dict[str, Editable] = {
    "negotiation": Editable(
        Negotiation,
        ["title", "slug", "summary", "status", "started_on", "ended_on"],
        negotiation_services.negotiation_update,
        "negotiation",
    ),
    "round": Editable(
        Round,
        ["number", "title", "starts_on", "starts_on_precision", "ends_on", "venue_city"]
        + ["venue_country", "status", "hosts", "summary", "sources"],
        negotiation_services.round_update,
        "round",
        _limit_round,
    ),
    "participation": Editable(
        Participation,
        ["roles", "note"],
        negotiation_services.participation_update,
        "participation",
        extra_fields={"roles": ROLES_FIELD},
    ),
    "delegation": Editable(
        Delegation,
        ["head", "members", "members_text"],
        negotiation_services.delegation_update,
        "delegation",
        _limit_delegation,
    ),
    "party": Editable(
        Party,
        ["name", "short_name", "slug", "kind", "country_code", "aliases", "description"]
        + ["wikidata_id", "ucdp_actor_id", "acled_actor"],
        party_services.party_update,
        "party",
    ),
    "source": Editable(
        Source,
        ["title", "url", "publisher", "published_on", "retrieved_on", "kind"],
        proposal_services.source_update,
        "source",
    ),
    "proposal": Editable(
        Proposal,
        ["title", "kind", "round", "tabled_on", "tabled_on_precision", "text_status"]
        + ["required_parties", "mediators"]
        + ["summary", "text", "sources"],
        proposal_services.proposal_update,
        "proposal",
        _limit_proposal,
        {
            "tabling_parties": OrderedPartiesField(
                required=False,
                label="Tabling parties",
                help_text="In order, by slug, comma-separated (e.g. “russia, turkiye”); "
                "empty for a mediators' text.",
            )
        },
    ),
    "term": Editable(
        Term,
        ["ordinal", "label", "text", "category", "stage", "option_group", "option"]
        + ["derived_from", "quantity", "unit", "deliverable", "due_on", "sources", "note"],
        proposal_services.term_update,
        "term",
        _limit_term,
    ),
    "event": Editable(
        ImplementationEvent,
        ["kind", "happened_on", "happened_on_precision", "by_party", "to_party", "quantity"]
        + ["completes", "location", "note", "source"],
        proposal_services.implementation_event_update,
        "event",
        _limit_event,
    ),
    "ratification": Editable(
        RatificationStep,
        ["ordinal", "body_kind", "body_name", "body_party", "due_on", "outcome", "decided_on"]
        + ["votes_for", "votes_against", "abstentions", "share_for", "turnout", "note"],
        proposal_services.ratification_step_update,
        "step",
    ),
    "agenda": Editable(
        AgendaItem,
        ["number", "title", "description", "proposals", "sources"],
        proposal_services.agenda_item_update,
        "item",
        _limit_agenda_item,
    ),
}
KIND_OF_MODEL = {spec.model: kind for kind, spec in EDITABLE.items()}
