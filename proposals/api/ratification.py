"""API resource of ratification steps: the parliaments, courts and referendums an agreed
proposal must still pass, with their outcomes."""

from __future__ import annotations

from rest_framework import serializers

from negotiations.api.fields import IdField
from negotiations.api.filters import IdFilter, NegotiationKeyFilter, ParleyFilterSet, choice_filter
from negotiations.api.params import id_lists, output_columns
from negotiations.api.schema import EXAMPLE_TIMES as TIMES
from negotiations.api.schema import resource_docs
from negotiations.api.viewsets import (
    CreateMixin,
    DeleteMixin,
    ResourceViewSet,
    UpdateMixin,
    VersionedSerializer,
)
from proposals import services
from proposals.models import BodyKind, RatificationStep, Source, StepOutcome
from proposals.models.ratification import STEP_FIELDS


class RatificationStepSerializer(VersionedSerializer):
    sources = IdField(many=True, queryset=Source.objects.all(), required=False)

    class Meta(VersionedSerializer.Meta):
        model = RatificationStep
        fields = (
            "id",
            "proposal",
            *STEP_FIELDS,
            "sources",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )
        extra_kwargs = {"ordinal": {"required": False}}


class RatificationStepBriefSerializer(serializers.Serializer):
    """A step as its proposal's detail nests it."""

    id = serializers.IntegerField()
    ordinal = serializers.IntegerField()
    body_kind = serializers.ChoiceField(BodyKind.choices)
    body_name = serializers.CharField()
    body_party = serializers.IntegerField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    outcome = serializers.ChoiceField(StepOutcome.choices)
    decided_on = serializers.DateField(allow_null=True)
    votes_for = serializers.IntegerField(allow_null=True)
    votes_against = serializers.IntegerField(allow_null=True)
    abstentions = serializers.IntegerField(allow_null=True)
    share_for = serializers.DecimalField(5, 2, allow_null=True)
    turnout = serializers.DecimalField(5, 2, allow_null=True)
    note = serializers.CharField()


class RatificationStepFilter(ParleyFilterSet):
    proposal = IdFilter(field_name="proposal_id", help_text="Only this proposal's steps.")
    negotiation = NegotiationKeyFilter(field_name="proposal__negotiation_id")
    outcome = choice_filter(StepOutcome.choices, "outcome", "Outcome; repeat for several.")
    search_fields = ("body_name", "note")

    class Meta:
        model = RatificationStep
        fields: list[str] = []


@resource_docs(
    tag="ratification-steps",
    noun="ratification step",
    example={
        "id": 1,
        "proposal": 5,
        "ordinal": 2,
        "body_kind": "electorate",
        "body_name": "Greek Cypriot electorate",
        "body_party": None,
        "due_on": "2004-04-24",
        "outcome": "rejected",
        "decided_on": "2004-04-24",
        "votes_for": None,
        "votes_against": None,
        "abstentions": None,
        "share_for": "24.17",
        "turnout": "88.00",
        "note": "",
        "sources": [1],
        **TIMES,
    },
    request_example={
        "proposal": 5,
        "body_kind": "electorate",
        "body_name": "Greek Cypriot electorate",
        "due_on": "2004-04-24",
    },
    patch_example={"outcome": "rejected", "decided_on": "2004-04-24", "share_for": "24.17"},
    description="Ratification: a body (parliament, court, electorate, head of state) that "
    "must approve a proposal the principals agreed. While a step is pending the proposal "
    "stays agreed; a rejected step rejects it.",
)
class RatificationStepViewSet(CreateMixin, UpdateMixin, DeleteMixin, ResourceViewSet):
    model = RatificationStep
    columns = output_columns(RatificationStepSerializer)
    arrays = id_lists(RatificationStepSerializer)
    serializer_class = RatificationStepSerializer
    filterset_class = RatificationStepFilter
    csv_name = "ratification-steps"

    create_service = staticmethod(services.ratification_step_create)
    update_service = staticmethod(services.ratification_step_update)
    delete_service = staticmethod(services.ratification_step_delete)
    instance_arg = "step"
