"""API resources of a negotiation's structure: participations and rounds (with their
delegations and stored summary; proposals/api/rounds.py adds the statuses of what was
tabled, as of a day, and its subclass is the one the router serves). Delegations are in
delegations.py."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.apps import apps
from django.db.models import Count, Max
from rest_framework import serializers

from negotiations import services
from negotiations.api.conditional import latest, make_etag
from negotiations.api.fields import IdField
from negotiations.api.filters import (
    DayRangeFilter,
    IdFilter,
    NegotiationKeyFilter,
    ParleyFilterSet,
    WholeNumberFilter,
    choice_filter,
)
from negotiations.api.params import aggregate_of, id_lists, output_columns, output_fields
from negotiations.api.schema import EXAMPLE_TIMES as TIMES
from negotiations.api.schema import resource_docs
from negotiations.api.viewsets import (
    CreateMixin,
    DeleteMixin,
    ResourceViewSet,
    UpdateMixin,
    VersionedSerializer,
)
from negotiations.models import Delegation, Participation, Role, Round, RoundStatus
from negotiations.resources.delegations import DelegationBriefSerializer, delegations_of
from parties.models import Party

# --------------------------------------------------------------------------- participations


class ParticipationSerializer(VersionedSerializer):
    class Meta(VersionedSerializer.Meta):
        model = Participation
        fields = (
            "id",
            "negotiation",
            "party",
            "roles",
            "note",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class ParticipationFilter(ParleyFilterSet):
    negotiation = NegotiationKeyFilter(field_name="negotiation_id")
    party = IdFilter(field_name="party_id", help_text="Only this party.")
    role = django_filters.ChoiceFilter(
        choices=Role.choices, method="with_role", help_text="Only parties holding this role."
    )
    search_fields = ("note", "party__name", "party__short_name")

    def with_role(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(roles__contains=[value])

    class Meta:
        model = Participation
        fields: list[str] = []


@resource_docs(
    tag="participations",
    noun="participation",
    example={"id": 1, "negotiation": 1, "party": 1, "roles": ["principal"], "note": "", **TIMES},
    request_example={"negotiation": 1, "party": 4, "roles": ["host", "mediator"]},
    patch_example={"roles": ["host", "mediator", "guarantor"]},
    description="A party's place in a negotiation: its roles (principals are the parties "
    "whose consent makes something agreed).",
    delete_reason_required=False,
)
class ParticipationViewSet(CreateMixin, UpdateMixin, DeleteMixin, ResourceViewSet):
    model = Participation
    columns = output_columns(ParticipationSerializer)
    serializer_class = ParticipationSerializer
    filterset_class = ParticipationFilter
    csv_name = "participations"
    reason_required = False

    create_service = staticmethod(services.participation_create)
    update_service = staticmethod(services.participation_update)
    delete_service = staticmethod(services.participation_delete)
    instance_arg = "participation"


# --------------------------------------------------------------------------- rounds


class RoundSerializer(VersionedSerializer):
    hosts = IdField(
        many=True, queryset=Party.objects.all(), required=False, help_text="Host parties' ids."
    )
    sources = IdField(
        many=True,
        # Sources belong to the proposals app, above this one: reached through the field.
        queryset=apps.get_model("proposals", "Source")._default_manager.all(),
        required=False,
        help_text="Ids of the sources that report the round.",
    )

    class Meta(VersionedSerializer.Meta):
        model = Round
        fields: tuple[str, ...] = (
            "id",
            "negotiation",
            "number",
            "title",
            "venue_city",
            "venue_country",
            "starts_on",
            "starts_on_precision",
            "ends_on",
            "status",
            "hosts",
            "summary",
            "sources",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class RoundDetailSerializer(RoundSerializer):
    delegations = DelegationBriefSerializer(many=True, read_only=True)
    status_summary = serializers.JSONField(read_only=True)
    status_summary_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta(RoundSerializer.Meta):
        fields: tuple[str, ...] = (
            *RoundSerializer.Meta.fields,
            "delegations",
            "status_summary",
            "status_summary_at",
        )


ROUND_DETAIL = tuple(output_fields(RoundDetailSerializer))


class RoundFilter(ParleyFilterSet):
    negotiation = NegotiationKeyFilter(field_name="negotiation_id")
    number = WholeNumberFilter(
        help_text="The round of this number; with negotiation, one round: "
        "negotiation=istanbul-2025&number=2."
    )
    status = choice_filter(RoundStatus.choices, "status", "Status; repeat for several.")
    host = IdFilter(field_name="hosts", help_text="Only rounds hosted by this party.")
    starts_on = DayRangeFilter(
        help_text="Started between starts_on_after and starts_on_before (inclusive)."
    )
    search_fields = ("title", "summary", "venue_city", "venue_country")

    class Meta:
        model = Round
        fields: list[str] = []


ROUND_EXAMPLE = {
    "id": 1,
    "negotiation": 1,
    "number": 2,
    "title": "Second round, Istanbul",
    "venue_city": "Istanbul",
    "venue_country": "Türkiye",
    "starts_on": "2025-06-02",
    "starts_on_precision": "day",
    "ends_on": "2025-06-02",
    "status": "held",
    "hosts": [4],
    "summary": "",
    "sources": [1],
    **TIMES,
}


# Rounds of talks, with their delegations and stored summary (no docstring: see
# NegotiationViewSet).
class RoundViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = Round
    columns = output_columns(RoundSerializer)
    arrays = id_lists(RoundSerializer)
    serializer_class = RoundSerializer
    filterset_class = RoundFilter
    csv_name = "rounds"

    detail_columns = ("status_summary", "status_summary_at")

    def detail_annotations(self) -> dict[str, Any]:
        delegations = Delegation.objects.all()
        return {
            "delegations_count": aggregate_of(delegations, "round", Count("pk")),
            "delegations_changed": aggregate_of(delegations, "round", Max("updated_at")),
        }

    def detail_validators(self, row: dict[str, Any]) -> tuple[str, datetime.datetime | None]:
        etag = make_etag(self.request.get_full_path(), row, version=row["version"])
        return etag, latest([row["changed_at"], row["delegations_changed"]])

    def detail_data(self, row: dict[str, Any]) -> dict[str, Any]:
        values = {**row, "delegations": delegations_of(row["id"])}
        return {name: values[name] for name in ROUND_DETAIL}

    create_service = staticmethod(services.round_create)
    update_service = staticmethod(services.round_update)
    instance_arg = "round"
