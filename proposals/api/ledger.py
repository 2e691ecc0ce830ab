"""API resources of the exchange ledger: implementation events (what each party delivered
on a term, when, and suspensions, breaches, reversals...) and commitments (each party's
share of a term, with what it delivered so far)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework import serializers

from negotiations.api.filters import (
    DayRangeFilter,
    IdFilter,
    NegotiationKeyFilter,
    ParleyFilterSet,
    choice_filter,
)
from negotiations.api.params import output_columns
from negotiations.api.schema import EXAMPLE_TIMES as TIMES
from negotiations.api.schema import resource_docs
from negotiations.api.viewsets import (
    CreateMixin,
    DeleteMixin,
    ResourceViewSet,
    Rows,
    UpdateMixin,
    VersionedSerializer,
)
from proposals import services
from proposals.models import Commitment, EventKind, ImplementationEvent
from proposals.selectors.ledger import delivered_by_party


class ImplementationEventSerializer(VersionedSerializer):
    class Meta(VersionedSerializer.Meta):
        model = ImplementationEvent
        fields = (
            "id",
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
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class ImplementationEventFilter(ParleyFilterSet):
    term = IdFilter(field_name="term_id", help_text="Only deliveries on this term.")
    proposal = IdFilter(field_name="term__proposal_id", help_text="Only this proposal's terms.")
    negotiation = NegotiationKeyFilter(field_name="term__proposal__negotiation_id")
    by_party = IdFilter(field_name="by_party_id", help_text="Only what this party delivered.")
    kind = choice_filter(EventKind.choices, "kind", "Kind of event; repeat for several.")
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
        "kind": "delivery",
        "happened_on": "2025-06-11",
        "happened_on_precision": "day",
        "by_party": 1,
        "to_party": 2,
        "quantity": 1212,
        "completes": False,
        "location": "",
        "reverses": None,
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
    description="The exchange ledger: what each party delivered on a term, when; and "
    "suspensions, halts, resumptions, breaches, reversals and disputes.",
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


class CommitmentSerializer(VersionedSerializer):
    delivered = serializers.IntegerField(
        read_only=True,
        help_text="What the party delivered of this term so far (deliveries less reversals), "
        "as the ledger counts it today.",
    )

    class Meta(VersionedSerializer.Meta):
        model = Commitment
        fields = (
            "id",
            "term",
            "party",
            "quantity",
            "quantity_high",
            "approximate",
            "unit",
            "note",
            "delivered",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )
        read_only_fields = (*VersionedSerializer.Meta.read_only_fields, "delivered")


class CommitmentFilter(ParleyFilterSet):
    term = IdFilter(field_name="term_id", help_text="Only commitments on this term.")
    proposal = IdFilter(field_name="term__proposal_id", help_text="Only this proposal's terms.")
    negotiation = NegotiationKeyFilter(field_name="term__proposal__negotiation_id")
    party = IdFilter(field_name="party_id", help_text="Only this party's commitments.")
    search_fields = ("note",)

    class Meta:
        model = Commitment
        fields: list[str] = []


@resource_docs(
    tag="commitments",
    noun="commitment",
    example={
        "id": 1,
        "term": 7,
        "party": 1,
        "quantity": 1200,
        "quantity_high": None,
        "approximate": False,
        "unit": "prisoners",
        "note": "",
        "delivered": 900,
        **TIMES,
    },
    request_example={"term": 7, "party": 1, "quantity": 1200},
    patch_example={"quantity": 1250},
    description='Each party\'s share of a term ("1,200 by each side" is two commitments), '
    "with what it delivered so far. A term with commitments is implemented once every "
    "committed party delivered its share.",
)
class CommitmentViewSet(CreateMixin, UpdateMixin, DeleteMixin, ResourceViewSet):
    model = Commitment
    columns = output_columns(CommitmentSerializer, computed=("delivered",))
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter
    csv_name = "commitments"

    create_service = staticmethod(services.commitment_create)
    update_service = staticmethod(services.commitment_update)
    delete_service = staticmethod(services.commitment_delete)
    instance_arg = "commitment"
    _delivered: dict[int, dict[int, int]] | None = None

    def shape_rows(self, rows: Iterable[dict[str, Any]]) -> Rows:
        rows = list(rows)
        self._delivered = delivered_by_party({row["term"] for row in rows})
        return super().shape_rows(rows)

    def shape(self, row: dict[str, Any]) -> dict[str, Any]:
        """`delivered` is what the ledger counts today: read for a whole page at once
        (shape_rows), or for the one term of a detail."""
        delivered = self._delivered
        if delivered is None or row["term"] not in delivered:
            delivered = delivered_by_party([row["term"]])
        row["delivered"] = delivered.get(row["term"], {}).get(row["party"], 0)
        return super().shape(row)
