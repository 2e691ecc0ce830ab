"""API resource of terms, the points of a proposal, each with its computed status and the
stances of the consent parties; and the term as a proposal's detail nests it."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, Q
from rest_framework import serializers

from negotiations.api.fields import IdField
from negotiations.api.filters import (
    DayRangeFilter,
    IdFilter,
    NegotiationKeyFilter,
    ParleyFilterSet,
    choice_filter,
)
from negotiations.api.params import id_lists, output_columns, output_fields
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
from proposals.api.statuses import (
    STATUS_CHANGED_AT,
    StanceSerializer,
    StatusFreshnessFields,
    freshness,
    stances_from_basis,
)
from proposals.models import Category, Source, Stage, Status, Term


class TermSerializer(StatusFreshnessFields, VersionedSerializer):
    ordinal = serializers.IntegerField(
        required=False, min_value=0, max_value=2147483647, help_text="Next free one if left out."
    )
    sources = IdField(many=True, queryset=Source.objects.all(), required=False)
    stances = StanceSerializer(
        many=True,
        read_only=True,
        help_text="The current effective stance of every consent party (and the tabling party).",
    )

    class Meta(VersionedSerializer.Meta):
        model = Term
        fields: tuple[str, ...] = (
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
            "deliverable",
            "due_on",
            "sources",
            "note",
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


class NestedTermSerializer(TermSerializer):
    """A term as its proposal's detail carries it: the term's own fields (declared once,
    on TermSerializer), fewer of them."""

    class Meta(TermSerializer.Meta):
        fields = (
            "id",
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
            "delivered",
            "due_on",
            "sources",
            "note",
            "status",
            "status_reason",
            "status_since",
            "status_stale",
            "version",
            "stances",
        )


NESTED_TERM = tuple(output_fields(NestedTermSerializer))
# What the proposal detail reads of each term; its sources and stances come with the read.
NESTED_TERM_COLUMNS = tuple(name for name in NESTED_TERM if name not in ("sources", "stances"))


def nested_term(term: dict[str, Any]) -> dict[str, Any]:
    """A term of proposals.selectors.proposal_detail as the detail nests it."""
    values = {**term, "stances": stances_from_basis(term["status_basis"])}
    return {name: values[name] for name in NESTED_TERM}


class TermFilter(ParleyFilterSet):
    proposal = IdFilter(field_name="proposal_id", help_text="Only this proposal's terms.")
    negotiation = NegotiationKeyFilter(field_name="proposal__negotiation_id")
    category = choice_filter(Category.choices, "category", "Category; repeat for several.")
    stage = choice_filter(Stage.choices, "stage", "Stage; repeat for several.")
    status = choice_filter(Status.choices, "status", "Stored status; repeat for several.")
    option_group = django_filters.CharFilter(help_text="Only the alternatives of this group.")
    due_on = DayRangeFilter(help_text="Due between due_on_after and due_on_before.")
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
    "deliverable": True,
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
    columns = (*output_columns(TermSerializer, computed=("status_freshness",)), "status_basis")
    arrays = id_lists(TermSerializer)
    changed_at = STATUS_CHANGED_AT
    list_fingerprint = {"stale": Count("pk", filter=Q(status_stale=True))}
    serializer_class = TermSerializer
    filterset_class = TermFilter
    csv_name = "terms"

    def shape(self, row: dict[str, Any]) -> dict[str, Any]:
        row["stances"] = stances_from_basis(row.pop("status_basis"))
        row["status_freshness"] = freshness(row["status_stale"])
        return super().shape(row)

    create_service = staticmethod(services.term_create)
    update_service = staticmethod(services.term_update)
    delete_service = staticmethod(services.term_delete)
    instance_arg = "term"
