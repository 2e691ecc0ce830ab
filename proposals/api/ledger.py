"""API resource of the exchange ledger: implementation events, what each party delivered
on a term, when."""

from __future__ import annotations

from negotiations.api.filters import DayRangeFilter, IdFilter, ParleyFilterSet
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
from proposals.models import ImplementationEvent


class ImplementationEventSerializer(VersionedSerializer):
    class Meta(VersionedSerializer.Meta):
        model = ImplementationEvent
        fields = (
            "id",
            "term",
            "happened_on",
            "happened_on_precision",
            "by_party",
            "quantity",
            "completes",
            "note",
            "source",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class ImplementationEventFilter(ParleyFilterSet):
    term = IdFilter(field_name="term_id", help_text="Only deliveries on this term.")
    proposal = IdFilter(field_name="term__proposal_id", help_text="Only this proposal's terms.")
    negotiation = IdFilter(
        field_name="term__proposal__negotiation_id", help_text="Only this negotiation."
    )
    by_party = IdFilter(field_name="by_party_id", help_text="Only what this party delivered.")
    happened_on = DayRangeFilter(
        help_text="Between happened_on_after and happened_on_before (inclusive)."
    )
    search_fields = ("note",)

    class Meta:
        model = ImplementationEvent
        fields: list[str] = []


@resource_docs(
    tag="implementation-events",
    noun="implementation event",
    example={
        "id": 1,
        "term": 7,
        "happened_on": "2025-06-11",
        "happened_on_precision": "day",
        "by_party": 1,
        "quantity": 1212,
        "completes": False,
        "note": "First bodies returned",
        "source": 1,
        **TIMES,
    },
    request_example={
        "term": 7,
        "happened_on": "2025-06-11",
        "by_party": 1,
        "quantity": 1212,
        "source": 1,
    },
    patch_example={"quantity": 1245},
    description="The exchange ledger: what each party delivered on a term, when.",
)
class ImplementationEventViewSet(CreateMixin, UpdateMixin, DeleteMixin, ResourceViewSet):
    model = ImplementationEvent
    columns = output_columns(ImplementationEventSerializer)
    serializer_class = ImplementationEventSerializer
    filterset_class = ImplementationEventFilter
    csv_name = "implementation-events"

    create_service = staticmethod(services.implementation_event_record)
    update_service = staticmethod(services.implementation_event_update)
    delete_service = staticmethod(services.implementation_event_delete)
    instance_arg = "event"
