"""API resource of conflicting figures: several sourced numbers for one event's,
commitment's or term's quantity, one of them counted by the ledger."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from negotiations.api.filters import IdFilter, ParleyFilterSet
from negotiations.api.params import output_columns
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
from proposals.models import Figure


class FigureSerializer(VersionedSerializer):
    class Meta(VersionedSerializer.Meta):
        model = Figure
        fields = (
            "id",
            "event",
            "commitment",
            "term",
            "value",
            "value_high",
            "approximate",
            "source",
            "attributed_to",
            "note",
            "counted",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


def _of_proposal(queryset: QuerySet[Figure], name: str, value: int) -> QuerySet[Figure]:
    return queryset.filter(
        Q(term__proposal_id=value)
        | Q(event__term__proposal_id=value)
        | Q(commitment__term__proposal_id=value)
    )


class FigureFilter(ParleyFilterSet):
    event = IdFilter(field_name="event_id", help_text="Only figures of this event.")
    commitment = IdFilter(field_name="commitment_id", help_text="Only this commitment's.")
    term = IdFilter(field_name="term_id", help_text="Only figures of this term's total.")
    proposal = IdFilter(
        method=_of_proposal,
        help_text="Every figure on this proposal's terms, events and commitments.",
    )
    attributed_to = IdFilter(field_name="attributed_to_id", help_text="Only this party's.")
    search_fields = ("note",)

    class Meta:
        model = Figure
        fields: list[str] = []


@resource_docs(
    tag="figures",
    noun="figure",
    example={
        "id": 1,
        "event": 3,
        "commitment": None,
        "term": None,
        "value": 6057,
        "value_high": None,
        "approximate": False,
        "source": 1,
        "attributed_to": 2,
        "note": "Ukraine's ministry",
        "counted": True,
        **TIMES,
    },
    request_example={"event": 3, "value": 6060, "attributed_to": 1, "source": 2},
    patch_example={"counted": True},
    description="Conflicting figures: several sourced numbers for one implementation "
    "event's, commitment's or term's quantity. Exactly one owner; at most one counted figure "
    "per owner, whose value becomes the owner's quantity (through the owner's own rules).",
)
class FigureViewSet(CreateMixin, UpdateMixin, DeleteMixin, ResourceViewSet):
    model = Figure
    columns = output_columns(FigureSerializer)
    serializer_class = FigureSerializer
    filterset_class = FigureFilter
    csv_name = "figures"

    create_service = staticmethod(services.figure_create)
    update_service = staticmethod(services.figure_update)
    delete_service = staticmethod(services.figure_delete)
    instance_arg = "figure"
