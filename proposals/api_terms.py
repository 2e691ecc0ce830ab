"""API resources of the proposals app, part one: sources, and terms with the stances of
the consent parties. Proposals are in api.py; positions, the ledger, links and the
status timeline in api_ledger.py."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, Q
from django.db.models.functions import Coalesce, Greatest
from rest_framework import serializers

from negotiations.api.filters import IdFilter, ParleyFilterSet, choice_filter
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
from proposals.models import Category, Source, SourceKind, Stage, Status, Term

STATUS_CHANGED_AT = Greatest("updated_at", Coalesce("status_computed_at", "updated_at"))
CHANGED_AT_HELP = (
    "The sync key: the later of updated_at and status_computed_at, so a recomputed status "
    "counts as a change."
)


def freshness(stale: bool) -> str:
    return "recomputing" if stale else "current"


# --------------------------------------------------------------------------- sources


class SourceSerializer(VersionedSerializer):
    class Meta(VersionedSerializer.Meta):
        model = Source
        fields = (
            "id",
            "url",
            "title",
            "publisher",
            "published_on",
            "retrieved_on",
            "kind",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class SourceBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    publisher = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)
    kind = serializers.CharField()


SOURCE_BRIEF = ("id", "title", "url", "publisher", "published_on", "kind")


class SourceFilter(ParleyFilterSet):
    kind = choice_filter(SourceKind.choices, "kind", "Kind of source; repeat for several.")
    publisher = django_filters.CharFilter(
        lookup_expr="icontains", help_text="Publisher contains this."
    )
    published_on = django_filters.DateFromToRangeFilter(
        help_text="Published between published_on_after and published_on_before."
    )
    search_fields = ("title", "publisher", "url")

    class Meta:
        model = Source
        fields: list[str] = []


SOURCE_EXAMPLE = {
    "id": 1,
    "url": "",
    "title": "Russia and Ukraine agree on prisoner exchange in Istanbul",
    "publisher": "News report with agency inputs",
    "published_on": "2025-06-02",
    "retrieved_on": None,
    "kind": "news",
    **TIMES,
}


@resource_docs(
    tag="sources",
    noun="source",
    example=SOURCE_EXAMPLE,
    request_example={
        "title": "Memorandum text as published",
        "publisher": "TASS",
        "published_on": "2025-06-02",
        "kind": "document",
    },
    patch_example={"url": "https://example.org/memorandum"},
    description="Where a claim comes from: news reports, official statements, documents.",
)
class SourceViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = Source
    columns = SourceSerializer.Meta.fields
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    csv_name = "sources"

    create_service = staticmethod(services.source_create)
    update_service = staticmethod(services.source_update)
    instance_arg = "source"


# --------------------------------------------------------------------------- stances


class StanceSerializer(serializers.Serializer):
    party = serializers.IntegerField()
    stance = serializers.CharField(
        allow_null=True, help_text="The party's effective stance; null: nothing said yet."
    )
    counts_as = serializers.CharField(
        allow_null=True,
        help_text="What it counts as (a conditional stance whose conditions are met counts "
        "as accepts).",
    )
    position = serializers.IntegerField(allow_null=True, help_text="The position it rests on.")
    stated_on = serializers.DateField(allow_null=True)
    level = serializers.CharField(
        allow_null=True, help_text="proposal or term: where the position was stated."
    )


def stances_from_basis(basis: Any) -> list[dict[str, Any]]:
    """The stored basis JSON, or the engine's StanceBasis tuples, as API stances."""
    stances = []
    for entry in basis or []:
        item = entry if isinstance(entry, dict) else entry.to_dict()
        stances.append(
            {
                "party": item["party_id"],
                "stance": item["stance"],
                "counts_as": item["counts_as"],
                "position": item["position_id"],
                "stated_on": item["stated_on"],
                "level": item["level"],
            }
        )
    return stances


# --------------------------------------------------------------------------- terms


class StatusFreshnessFields(serializers.Serializer):
    """The two read-only fields of a resource whose status the engine computes."""

    status_freshness = serializers.ChoiceField(
        ["current", "recomputing"],
        read_only=True,
        help_text="recomputing: a write is being taken into account; the status is the last one "
        "computed.",
    )
    changed_at = serializers.DateTimeField(read_only=True, help_text=CHANGED_AT_HELP)


class TermSerializer(StatusFreshnessFields, VersionedSerializer):
    ordinal = serializers.IntegerField(
        required=False, min_value=0, max_value=2147483647, help_text="Next free one if left out."
    )
    sources = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Source.objects.all(), required=False
    )
    stances = StanceSerializer(
        many=True,
        read_only=True,
        help_text="The current effective stance of every consent party (and the tabling party).",
    )

    class Meta(VersionedSerializer.Meta):
        model = Term
        fields = (
            "id",
            "proposal",
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
            "due_on",
            "sources",
            "delivered",
            "status",
            "status_reason",
            "status_since",
            "status_stale",
            "status_freshness",
            "status_computed_at",
            "stances",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )
        read_only_fields = (
            *VersionedSerializer.Meta.read_only_fields,
            "delivered",
            "status",
            "status_reason",
            "status_since",
            "status_stale",
            "status_computed_at",
        )


class TermFilter(ParleyFilterSet):
    proposal = IdFilter(field_name="proposal_id", help_text="Only this proposal's terms.")
    negotiation = IdFilter(
        field_name="proposal__negotiation_id", help_text="Only this negotiation."
    )
    category = choice_filter(Category.choices, "category", "Category; repeat for several.")
    stage = choice_filter(Stage.choices, "stage", "Stage; repeat for several.")
    status = choice_filter(Status.choices, "status", "Stored status; repeat for several.")
    option_group = django_filters.CharFilter(help_text="Only the alternatives of this group.")
    due_on = django_filters.DateFromToRangeFilter(
        help_text="Due between due_on_after and due_on_before."
    )
    search_fields = ("text", "label")

    class Meta:
        model = Term
        fields: list[str] = []


TERM_EXAMPLE = {
    "id": 7,
    "proposal": 3,
    "ordinal": 1,
    "label": "",
    "text": "Return of the bodies of 6,000 soldiers",
    "category": "exchange",
    "stage": "ceasefire",
    "option_group": "",
    "option": "",
    "derived_from": None,
    "quantity": 6000,
    "unit": "bodies",
    "due_on": None,
    "sources": [1],
    "delivered": 0,
    "status": "agreed",
    "status_reason": "accepted by Russia and Ukraine",
    "status_since": "2025-06-02",
    "status_stale": False,
    "status_freshness": "current",
    "status_computed_at": "2025-06-02T18:00:01Z",
    "stances": [
        {
            "party": 1,
            "stance": "accepts",
            "counts_as": "accepts",
            "position": 5,
            "stated_on": "2025-06-02",
            "level": "proposal",
        }
    ],
    **TIMES,
}
TERM_COLUMNS = tuple(
    f for f in TermSerializer.Meta.fields if f not in ("sources", "stances", "status_freshness")
)


def shape_term(row: dict[str, Any]) -> dict[str, Any]:
    row["stances"] = stances_from_basis(row.pop("status_basis"))
    row["status_freshness"] = freshness(row["status_stale"])
    return row


@resource_docs(
    tag="terms",
    noun="term",
    example=TERM_EXAMPLE,
    request_example={
        "proposal": 3,
        "text": "Return of the bodies of 6,000 soldiers",
        "category": "exchange",
        "quantity": 6000,
        "unit": "bodies",
    },
    patch_example={"quantity": 6060},
    description="The points of a proposal, each with its computed status, delivered quantity "
    "and the current stance of every consent party.",
)
class TermViewSet(CreateMixin, UpdateMixin, DeleteMixin, ResourceViewSet):
    model = Term
    columns = (*TERM_COLUMNS, "status_basis")
    arrays = {"sources": (Term.sources.through, "term_id", "source_id")}
    changed_at = STATUS_CHANGED_AT
    list_fingerprint = {"stale": Count("pk", filter=Q(status_stale=True))}
    serializer_class = TermSerializer
    filterset_class = TermFilter
    csv_name = "terms"

    def shape(self, row: dict[str, Any]) -> dict[str, Any]:
        return super().shape(shape_term(row))

    create_service = staticmethod(services.term_create)
    update_service = staticmethod(services.term_update)
    delete_service = staticmethod(services.term_delete)
    instance_arg = "term"
