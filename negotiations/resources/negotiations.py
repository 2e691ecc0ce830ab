"""API resource of negotiations: the list, the detail with the participations and the
stored status summary, and the writes. What needs the proposals' statuses (the summary as
of a day, the stance matrix) is added by proposals/api/negotiations.py, whose subclass the
router serves."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import Count, Max
from rest_framework import serializers

from negotiations import services
from negotiations.api.conditional import latest, make_etag
from negotiations.api.filters import DayRangeFilter, IdFilter, ParleyFilterSet, choice_filter
from negotiations.api.params import aggregate_of, output_columns, output_fields
from negotiations.api.schema import EXAMPLE_TIMES as TIMES
from negotiations.api.viewsets import CreateMixin, ResourceViewSet, UpdateMixin, VersionedSerializer
from negotiations.models import Negotiation, NegotiationStatus, Participation, Role


# A party as other resources name it.
class PartyBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    slug = serializers.CharField()


PARTY_BRIEF = tuple(output_fields(PartyBriefSerializer))


def party_brief(row: dict[str, Any], prefix: str = "party__") -> dict[str, Any]:
    """The brief of the party whose fields `row` holds as `prefix` + field (a values() row
    that followed a foreign key: see party_brief_columns)."""
    return {name: row[f"{prefix}{name}"] for name in PARTY_BRIEF}


def party_brief_columns(prefix: str = "party__") -> tuple[str, ...]:
    return tuple(f"{prefix}{name}" for name in PARTY_BRIEF)


class NegotiationSerializer(VersionedSerializer):
    slug = serializers.SlugField(
        max_length=120, required=False, help_text="Made from the title when left out."
    )

    class Meta(VersionedSerializer.Meta):
        model = Negotiation
        fields: tuple[str, ...] = (
            "id",
            "title",
            "slug",
            "summary",
            "status",
            "started_on",
            "ended_on",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class ParticipationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    party = PartyBriefSerializer()
    roles = serializers.ListField(child=serializers.ChoiceField(Role.choices))
    note = serializers.CharField()


PARTICIPATION_BRIEF = tuple(output_fields(ParticipationBriefSerializer))


class NegotiationDetailSerializer(NegotiationSerializer):
    participations = ParticipationBriefSerializer(many=True, read_only=True)
    status_summary = serializers.JSONField(
        read_only=True,
        help_text="Counts of proposals and terms per status, the share of live terms agreed "
        "and (stored summary only) the convergence series over the rounds.",
    )
    status_summary_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta(NegotiationSerializer.Meta):
        fields: tuple[str, ...] = (
            *NegotiationSerializer.Meta.fields,
            "participations",
            "status_summary",
            "status_summary_at",
        )


NEGOTIATION_DETAIL = tuple(output_fields(NegotiationDetailSerializer))


class NegotiationFilter(ParleyFilterSet):
    status = choice_filter(NegotiationStatus.choices, "status", "Status; repeat for several.")
    slug = django_filters.CharFilter(
        help_text="The negotiation with this slug (the one its page uses), e.g. "
        "slug=istanbul-2025. Other lists take the slug in place of an id: "
        "negotiation=istanbul-2025."
    )
    party = IdFilter(
        field_name="participations__party_id", help_text="Only negotiations this party is in."
    )
    started_on = DayRangeFilter(
        help_text="Started between started_on_after and started_on_before (inclusive)."
    )
    search_fields = ("title", "summary")

    class Meta:
        model = Negotiation
        fields: list[str] = []


NEGOTIATION_EXAMPLE = {
    "id": 1,
    "title": "Russia–Ukraine direct talks, Istanbul 2025",
    "slug": "russia-ukraine-istanbul-2025",
    "summary": "Direct talks between Russian and Ukrainian delegations hosted by Türkiye.",
    "status": "active",
    "started_on": "2025-05-16",
    "ended_on": None,
    **TIMES,
}
SUMMARY_EXAMPLE = {
    "proposals": {"total": 6, "by_status": {"agreed": 3, "open": 1, "rejected": 2}, "stale": 0},
    "terms": {
        "total": 16,
        "live": 16,
        "agreed": 3,
        "share_agreed": 0.1875,
        "by_status": {"agreed": 3, "rejected": 13},
    },
}


def participations_of(negotiation_id: int) -> list[dict[str, Any]]:
    """The negotiation's participations as its detail nests them, by party name."""
    own = [name for name in PARTICIPATION_BRIEF if name != "party"]
    rows = (
        Participation.objects.filter(negotiation_id=negotiation_id)
        .order_by("party__name")
        .values(*own, *party_brief_columns())
    )
    return [
        {name: row[name] for name in PARTICIPATION_BRIEF}
        for row in ({**p, "party": party_brief(p)} for p in rows)
    ]


# Negotiation processes or tracks, with their participations and stored summary (no
# docstring: the served subclass would show it as the description of `create`).
class NegotiationViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = Negotiation
    columns = output_columns(NegotiationSerializer)
    serializer_class = NegotiationSerializer
    filterset_class = NegotiationFilter
    csv_name = "negotiations"

    detail_columns = ("status_summary", "status_summary_at")

    def detail_annotations(self) -> dict[str, Any]:
        participations = Participation.objects.all()
        return {
            "participations_count": aggregate_of(participations, "negotiation", Count("pk")),
            "participations_changed": aggregate_of(
                participations, "negotiation", Max("updated_at")
            ),
            "parties_changed": aggregate_of(
                participations, "negotiation", Max("party__updated_at")
            ),
        }

    def detail_validators(self, row: dict[str, Any]) -> tuple[str, datetime.datetime | None]:
        etag = make_etag(self.request.get_full_path(), row, version=row["version"])
        return etag, latest(
            [row["changed_at"], row["status_summary_at"], row["participations_changed"]]
        )

    def detail_data(self, row: dict[str, Any]) -> dict[str, Any]:
        values = {**row, "participations": participations_of(row["id"])}
        return {name: values[name] for name in NEGOTIATION_DETAIL}

    create_service = staticmethod(services.negotiation_create)
    update_service = staticmethod(services.negotiation_update)
    instance_arg = "negotiation"
