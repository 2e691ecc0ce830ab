"""API resource of the status timelines of proposals and terms, replayed by the engine
(read only: rebuilt whole when a proposal is recomputed)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import F, Value
from rest_framework import serializers

from negotiations.api.filters import (
    DayRangeFilter,
    IdFilter,
    NegotiationKeyFilter,
    ParleyFilterSet,
    choice_filter,
)
from negotiations.api.params import output_columns
from negotiations.api.schema import resource_docs
from negotiations.api.viewsets import ResourceViewSet
from proposals.api.positions import LEVELS, by_level
from proposals.models import Status, StatusChange


class StatusChangeSerializer(serializers.ModelSerializer):
    previous_status = serializers.ChoiceField(
        Status.choices, allow_null=True, help_text="null: the first step of the timeline."
    )
    changed_at = serializers.DateTimeField(
        read_only=True, help_text="The sync key (when this step was computed)."
    )

    class Meta:
        model = StatusChange
        fields = (
            "id",
            "proposal",
            "term",
            "changed_on",
            "status",
            "previous_status",
            "reason",
            "seq",
            "created_at",
            "changed_at",
        )
        read_only_fields = fields


class StatusChangeFilter(ParleyFilterSet):
    negotiation = NegotiationKeyFilter(field_name="proposal__negotiation_id")
    proposal = IdFilter(field_name="proposal_id", help_text="Only this proposal's timeline.")
    term = IdFilter(field_name="term_id", help_text="Only this term's timeline.")
    status = choice_filter(Status.choices, "status", "The status reached; repeat for several.")
    level = django_filters.ChoiceFilter(
        choices=LEVELS, method=by_level, help_text="proposal: whole proposals; term: terms."
    )
    changed_on = DayRangeFilter(
        help_text="Changed between changed_on_after and changed_on_before (inclusive)."
    )
    search_fields = ("reason",)

    class Meta:
        model = StatusChange
        fields: list[str] = []


@resource_docs(
    tag="status-changes",
    noun="status change",
    example={
        "id": 1,
        "proposal": 5,
        "term": None,
        "changed_on": "2025-06-02",
        "status": "rejected",
        "previous_status": None,
        "reason": "rejected by Ukraine on 2025-06-02",
        "seq": 0,
        "created_at": "2025-06-02T18:00:01Z",
        "changed_at": "2025-06-02T18:00:01Z",
    },
    description="The status timelines of proposals and terms, replayed by the engine. They are "
    "rebuilt whole when a proposal is recomputed, so their ids are not stable: to sync them, "
    "fetch a proposal's timeline again when its changed_at moves.",
)
class StatusChangeViewSet(ResourceViewSet):
    model = StatusChange
    columns = output_columns(StatusChangeSerializer)
    changed_at = F("created_at")
    serializer_class = StatusChangeSerializer
    filterset_class = StatusChangeFilter
    csv_name = "status-changes"
    http_method_names = ["get", "head", "options"]

    def shape(self, row: dict[str, Any]) -> dict[str, Any]:
        row["previous_status"] = row["previous_status"] or None
        return row

    def version_expression(self) -> Any:
        return Value(0)

    def last_deleted(self) -> None:
        return None
