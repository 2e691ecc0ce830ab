"""The round-outcome document's shape: one serializer per part, each field's type, length
and vocabulary taken from its model (so the rules are the single POSTs'), plus references.

A reference names a row three ways (README "Round outcome in one request"):
- `{"key": "p1"}`: a part of this document, by the local key the client gave it;
- `{"id": 3}`: an existing row, by id;
- a string: an existing row by its natural key (parties: slug, name, short name, alias,
  Wikidata id, UCDP actor id or ACLED name, accents and case ignored; sources: URL,
  normalised; people: name or alias within the party; proposals: exact title within the
  negotiation).

Unknown fields are refused (a misspelt `tabled_om` would otherwise vanish silently), and
every error is reported with its JSON path (`flatten`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from negotiations.api.fields import DayField
from negotiations.api.messages import PlainErrors
from negotiations.models import (
    Delegation,
    DelegationMember,
    Negotiation,
    Participation,
    Role,
    Round,
)
from proposals.api.outcome.fields import RefField, key_field, refs, rows
from proposals.models import (
    AgendaItem,
    Commitment,
    ImplementationEvent,
    Position,
    Proposal,
    ProposalLink,
    RatificationStep,
    Source,
    Term,
)
from proposals.models.ratification import STEP_FIELDS


class Strict(PlainErrors):
    """Refuses fields it does not know, naming them and the ones it takes; speaks plainly
    (PlainErrors)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                known = ", ".join(self.fields)
                raise serializers.ValidationError(
                    {name: [f"Unknown field; this part takes: {known}."] for name in unknown}
                )
        return super().to_internal_value(data)


class Part(Strict, serializers.ModelSerializer):
    """A part of the document: the model's own field rules, no uniqueness validator (the
    writer matches existing rows instead), unknown fields refused."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        **{
            model_field: DayField
            for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
            if field is serializers.DateField
        },
    }

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type, dict]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        validators = [v for v in kwargs.get("validators", []) if not isinstance(v, UniqueValidator)]
        kwargs["validators"] = validators
        return field_class, kwargs

    class Meta:
        model: type[Any]
        fields: tuple[str, ...]
        validators: list[Any] = []


class ParticipantPart(Part):
    party = RefField()
    roles = serializers.ListField(
        child=serializers.ChoiceField(Role.choices), min_length=1, max_length=len(Role.choices)
    )

    class Meta(Part.Meta):
        model = Participation
        fields = ("party", "roles", "note")


class NegotiationPart(Part):
    id = serializers.IntegerField(
        required=False, min_value=1, help_text="An existing negotiation, by id."
    )
    participants = rows(ParticipantPart)

    class Meta(Part.Meta):
        model = Negotiation
        fields = (
            "id",
            "slug",
            "title",
            "summary",
            "status",
            "started_on",
            "ended_on",
            "participants",
        )
        extra_kwargs = {"title": {"required": False}, "slug": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not {"id", "slug", "title"} & attrs.keys():
            raise serializers.ValidationError(
                "Name the negotiation: its id or slug if it exists, else its title."
            )
        return attrs


class SourcePart(Part):
    key = key_field()

    class Meta(Part.Meta):
        model = Source
        fields = ("key", "url", "title", "publisher", "published_on", "retrieved_on", "kind")


class RoundPart(Part):
    hosts = refs(help_text="The host parties.")
    sources = refs(help_text="Reports of the round.")

    class Meta(Part.Meta):
        model = Round
        fields = (
            "number",
            "title",
            "venue_city",
            "venue_country",
            "starts_on",
            "starts_on_precision",
            "ends_on",
            "status",
            "summary",
            "hosts",
            "sources",
        )
        extra_kwargs = {"starts_on": {"required": False}}


class MemberPart(Part):
    person = RefField(
        help_text="A person of the delegation's party by name or alias (created if not found), "
        'or {"id": n}.'
    )

    class Meta(Part.Meta):
        model = DelegationMember
        fields = ("person", "title", "role")


class DelegationPart(Part):
    party = RefField()
    members = rows(MemberPart)

    class Meta(Part.Meta):
        model = Delegation
        fields = ("party", "members", "members_text")


class AgendaPart(Part):
    key = key_field()
    sources = refs()

    class Meta(Part.Meta):
        model = AgendaItem
        fields = ("key", "number", "title", "description", "sources")
        extra_kwargs = {"title": {"required": False}}


class CommitmentPart(Part):
    party = RefField()

    class Meta(Part.Meta):
        model = Commitment
        fields = ("party", "quantity", "quantity_high", "approximate", "unit", "note")


class TermPart(Part):
    key = key_field()
    derived_from = RefField(required=False, help_text="A term defined earlier, or by id.")
    sources = refs()
    commitments = rows(CommitmentPart)

    class Meta(Part.Meta):
        model = Term
        fields = (
            "key",
            "ordinal",
            "label",
            "text",
            "category",
            "stage",
            "option_group",
            "option",
            "derived_from",
            "quantity",
            "unit",
            "deliverable",
            "due_on",
            "note",
            "sources",
            "commitments",
        )
        extra_kwargs = {"ordinal": {"required": False}}


class LinkPart(Part):
    to = RefField(help_text="The other proposal.")

    class Meta(Part.Meta):
        model = ProposalLink
        fields = ("kind", "to", "linked_on", "note")


class StepPart(Part):
    body_party = RefField(required=False)
    sources = refs()

    class Meta(Part.Meta):
        model = RatificationStep
        fields = (*STEP_FIELDS, "sources")
        extra_kwargs = {"ordinal": {"required": False}}


class ProposalPart(Part):
    key = key_field()
    tabling_parties = refs(help_text="In order; several for a joint proposal.")
    mediators = refs()
    required_parties = refs()
    sources = refs()
    agenda_items = refs(help_text="Agenda items (keys of `agenda`, or ids).")
    speaker = RefField(required=False, help_text="Who tabled it, for the first sponsor.")
    quote = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    terms = rows(TermPart)
    links = rows(LinkPart)
    ratification_steps = rows(StepPart)

    class Meta(Part.Meta):
        model = Proposal
        fields = (
            "key",
            "title",
            "kind",
            "summary",
            "text",
            "text_status",
            "tabled_on",
            "tabled_on_precision",
            "tabling_parties",
            "mediators",
            "required_parties",
            "sources",
            "agenda_items",
            "speaker",
            "quote",
            "terms",
            "links",
            "ratification_steps",
        )


class PositionPart(Part):
    key = key_field()
    party = RefField()
    proposal = RefField(required=False)
    term = RefField(required=False)
    speaker = RefField(required=False)
    source = RefField(required=False)  # type: ignore[assignment] # a field, not Field.source
    conditional_on = refs(help_text="Terms whose agreement the conditions require.")

    class Meta(Part.Meta):
        model = Position
        fields = (
            "key",
            "party",
            "proposal",
            "term",
            "stance",
            "stated_on",
            "stated_on_precision",
            "speaker",
            "quote",
            "conditions",
            "reservations",
            "conditional_on",
            "source",
            "note",
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "proposal" not in attrs and "term" not in attrs:
            raise serializers.ValidationError(
                {"proposal": ["Say what it is about: a proposal or a term."]}
            )
        return attrs


class EventPart(Part):
    key = key_field()
    term = RefField()
    by_party = RefField(required=False)
    to_party = RefField(required=False)
    reverses = RefField(required=False, help_text="The delivery a reversal or dispute is about.")
    source = RefField(required=False)  # type: ignore[assignment] # a field, not Field.source

    class Meta(Part.Meta):
        model = ImplementationEvent
        fields = (
            "key",
            "term",
            "kind",
            "happened_on",
            "happened_on_precision",
            "by_party",
            "to_party",
            "quantity",
            "completes",
            "location",
            "reverses",
            "note",
            "source",
        )


class OutcomeDocumentSerializer(Strict):
    """A round's outcome: the round, who came, what was tabled, said and carried out."""

    negotiation = NegotiationPart()
    round = RoundPart()
    sources = rows(SourcePart)
    delegations = rows(DelegationPart)
    agenda = rows(AgendaPart)
    proposals = rows(ProposalPart)
    positions = rows(PositionPart)
    events = rows(EventPart, help_text="Implementation events: the exchange ledger.")
