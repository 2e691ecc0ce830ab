"""API resources of the negotiations app: negotiations (with their status summary, as of
a day, and the stance matrix). Participations, rounds and delegations: api_rounds.py."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.contrib.postgres.aggregates import BoolOr
from django.db.models import Count, Max, OuterRef, Subquery
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from negotiations import services
from negotiations.api.conditional import latest, make_etag, not_modified, set_validators
from negotiations.api.filters import IdFilter, ParleyFilterSet, choice_filter
from negotiations.api.schema import AS_OF, resource_docs
from negotiations.api.schema import EXAMPLE_TIMES as TIMES
from negotiations.api.viewsets import CreateMixin, ResourceViewSet, UpdateMixin, VersionedSerializer
from negotiations.core import dates
from negotiations.models import (
    Negotiation,
    NegotiationStatus,
    Participation,
    Role,
)
from proposals.models import Proposal
from proposals.selectors import stance_matrix, statuses_as_of

PARTY_FIELDS = ("id", "name", "short_name", "slug")


def aggregate_of(queryset: Any, link: str, expression: Any) -> Subquery:
    """One aggregate over the rows of `queryset` that point at the outer row."""
    return Subquery(
        queryset.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(value=expression)
        .values("value")[:1]
    )


def parse_as_of(request: Request) -> datetime.date | None:
    try:
        return dates.parse_as_of(request.query_params.get("as_of"))
    except dates.NotADay as error:
        raise serializers.ValidationError({"as_of": [str(error)]}) from None


def statuses_fingerprint(link: str) -> dict[str, Any]:
    """What as-of and matrix reads depend on: every write that can change a status marks
    the proposals stale and recomputes them, so these move whenever an input moves."""
    proposals = Proposal.objects.all()
    return {
        "proposals_count": aggregate_of(proposals, link, Count("pk")),
        "proposals_changed": aggregate_of(proposals, link, Max("updated_at")),
        "proposals_computed": aggregate_of(proposals, link, Max("status_computed_at")),
        "proposals_stale": aggregate_of(proposals, link, BoolOr("status_stale")),
    }


class PartyBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    slug = serializers.CharField()


# --------------------------------------------------------------------------- negotiations


class NegotiationSerializer(VersionedSerializer):
    slug = serializers.SlugField(
        max_length=120, required=False, help_text="Made from the title when left out."
    )

    class Meta(VersionedSerializer.Meta):
        model = Negotiation
        fields = (
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


class NegotiationDetailSerializer(NegotiationSerializer):
    participations = ParticipationBriefSerializer(many=True, read_only=True)
    status_summary = serializers.JSONField(
        read_only=True,
        help_text="Counts of proposals and terms per status, the share of live terms agreed "
        "and (stored summary only) the convergence series over the rounds.",
    )
    status_summary_at = serializers.DateTimeField(read_only=True, allow_null=True)
    as_of = serializers.DateField(
        read_only=True, allow_null=True, help_text="The day asked for with ?as_of, else null."
    )

    class Meta(NegotiationSerializer.Meta):
        fields = (
            *NegotiationSerializer.Meta.fields,
            "participations",
            "status_summary",
            "status_summary_at",
            "as_of",
        )


class NegotiationFilter(ParleyFilterSet):
    status = choice_filter(NegotiationStatus.choices, "status", "Status; repeat for several.")
    slug = django_filters.CharFilter(help_text="The slug the pages use.")
    party = IdFilter(
        field_name="participations__party_id", help_text="Only negotiations this party is in."
    )
    started_on = django_filters.DateFromToRangeFilter(
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
MATRIX_PARAMETERS = [
    AS_OF,
    OpenApiParameter(
        "terms",
        bool,
        description="Include a column per term (default true); false: proposals only.",
        examples=[OpenApiExample("proposals only", value=False)],
    ),
]


class MatrixCellSerializer(serializers.Serializer):
    party = serializers.IntegerField()
    proposal = serializers.IntegerField()
    term = serializers.IntegerField(allow_null=True)
    stance = serializers.CharField(allow_null=True, help_text="What the party said; null: nothing.")
    counts_as = serializers.CharField(
        allow_null=True, help_text="For consent parties: the stance after conditions resolve."
    )
    position = serializers.IntegerField(allow_null=True)
    stated_on = serializers.DateField(allow_null=True)
    consent = serializers.BooleanField(help_text="Whether this party's consent is required.")


class MatrixColumnSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    term = serializers.IntegerField(allow_null=True, help_text="null: the whole proposal.")
    title = serializers.CharField()
    label = serializers.CharField()
    status = serializers.CharField()


class MatrixPartySerializer(PartyBriefSerializer):
    roles = serializers.ListField(child=serializers.ChoiceField(Role.choices))


class MatrixSerializer(serializers.Serializer):
    negotiation = serializers.IntegerField()
    as_of = serializers.DateField()
    parties = MatrixPartySerializer(many=True)
    columns = MatrixColumnSerializer(many=True)
    cells = MatrixCellSerializer(many=True)


@resource_docs(
    tag="negotiations",
    noun="negotiation",
    example=NEGOTIATION_EXAMPLE,
    request_example={"title": "Russia–Ukraine direct talks, Istanbul 2025", "status": "active"},
    patch_example={"status": "suspended"},
    description="Negotiation processes or tracks. The detail carries the participations and "
    "the status summary; with ?as_of the summary is computed for that day.",
    detail_response=NegotiationDetailSerializer,
    detail_parameters=[AS_OF],
    detail_example={
        **NEGOTIATION_EXAMPLE,
        "participations": [
            {
                "id": 1,
                "party": {
                    "id": 1,
                    "name": "Russian Federation",
                    "short_name": "Russia",
                    "slug": "russia",
                },
                "roles": ["principal"],
                "note": "",
            }
        ],
        "status_summary": SUMMARY_EXAMPLE,
        "status_summary_at": "2025-06-02T18:00:00Z",
        "as_of": None,
    },
)
class NegotiationViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = Negotiation
    columns = NegotiationSerializer.Meta.fields
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
            **(statuses_fingerprint("negotiation") if self.as_of else {}),
        }

    @property
    def as_of(self) -> datetime.date | None:
        if not hasattr(self, "_as_of"):
            self._as_of = parse_as_of(self.request)
        return self._as_of

    def detail_validators(self, row: dict[str, Any]) -> tuple[str, datetime.datetime | None]:
        etag = make_etag(self.request.get_full_path(), row, version=row["version"])
        return etag, latest(
            [row["changed_at"], row["status_summary_at"], row["participations_changed"]]
        )

    def detail_data(self, row: dict[str, Any]) -> dict[str, Any]:
        participations = [
            {
                "id": p["id"],
                "party": {k: p[f"party__{k}"] for k in PARTY_FIELDS},
                "roles": p["roles"],
                "note": p["note"],
            }
            for p in Participation.objects.filter(negotiation_id=row["id"])
            .order_by("party__name")
            .values("id", "roles", "note", *(f"party__{k}" for k in PARTY_FIELDS))
        ]
        summary = row["status_summary"]
        if self.as_of:
            summary = summary_as_of(row["id"], self.as_of, proposal_filter={})
            stored = row["status_summary"].get("convergence", [])
            summary["convergence"] = [p for p in stored if p["on"] <= self.as_of.isoformat()]
        data = {k: row[k] for k in self.columns}
        data.update(
            participations=participations,
            status_summary=summary,
            status_summary_at=None if self.as_of else row["status_summary_at"],
            as_of=self.as_of,
        )
        return data

    create_service = staticmethod(services.negotiation_create)
    update_service = staticmethod(services.negotiation_update)
    instance_arg = "negotiation"

    @extend_schema(
        tags=["negotiations"],
        summary="Party × proposal/term stance matrix",
        description="Every participant × every proposal (and each of its terms): the effective "
        "stance, what it counts as for consent parties, and the column's status; computed by "
        "the engine, today or ?as_of a day.",
        parameters=MATRIX_PARAMETERS,
        responses={200: MatrixSerializer},
        examples=[
            OpenApiExample(
                "matrix",
                response_only=True,
                value={
                    "negotiation": 1,
                    "as_of": "2025-06-02",
                    "parties": [
                        {
                            "id": 2,
                            "name": "Ukraine",
                            "short_name": "Ukraine",
                            "slug": "ukraine",
                            "roles": ["principal"],
                        }
                    ],
                    "columns": [
                        {
                            "proposal": 5,
                            "term": None,
                            "title": "Russian memorandum",
                            "label": "",
                            "status": "rejected",
                        }
                    ],
                    "cells": [
                        {
                            "party": 2,
                            "proposal": 5,
                            "term": None,
                            "stance": "rejects",
                            "counts_as": "rejects",
                            "position": 10,
                            "stated_on": "2025-06-02",
                            "consent": True,
                        }
                    ],
                },
            )
        ],
    )
    @action(detail=True, methods=["get"])
    def matrix(self, request: Request, pk: Any = None) -> Response:
        row = (
            Negotiation.objects.filter(pk=pk)
            .values("id", "version", "updated_at")
            .annotate(
                participations_changed=aggregate_of(
                    Participation.objects.all(), "negotiation", Max("updated_at")
                ),
                participations_count=aggregate_of(
                    Participation.objects.all(), "negotiation", Count("pk")
                ),
                **statuses_fingerprint("negotiation"),
            )
            .first()
        )
        if row is None:
            raise exceptions.NotFound(f"There is no negotiation {pk}.")
        as_of = parse_as_of(request)
        with_terms = request.query_params.get("terms", "true").lower() not in ("false", "0", "no")
        today = timezone.localdate()
        etag = make_etag(request.get_full_path(), row, today)
        last_modified = latest([row["updated_at"], row["proposals_computed"]])
        if unchanged := not_modified(request, etag, last_modified):
            return unchanged
        matrix = stance_matrix(row["id"], as_of=as_of, with_terms=with_terms)
        columns = matrix.columns
        data = {
            "negotiation": row["id"],
            "as_of": matrix.as_of,
            "parties": [
                {
                    "id": p.party_id,
                    "name": p.party.name,
                    "short_name": p.party.short_name,
                    "slug": p.party.slug,
                    "roles": p.roles,
                }
                for p in matrix.parties
            ],
            "columns": [
                {
                    "proposal": c.proposal_id,
                    "term": c.term_id,
                    "title": c.title,
                    "label": c.label,
                    "status": c.status,
                }
                for c in columns
            ],
            "cells": [
                {
                    "party": p.party_id,
                    "proposal": c.proposal_id,
                    "term": c.term_id,
                    "stance": cell.stance,
                    "counts_as": cell.counts_as,
                    "position": cell.position_id,
                    "stated_on": cell.stated_on,
                    "consent": cell.consent,
                }
                for p in matrix.parties
                for c in columns
                if (cell := matrix.cell(p.party_id, c)) is not None
            ],
        }
        response = Response(data)
        set_validators(response, etag, last_modified)
        return response


def summary_as_of(
    negotiation_id: int,
    as_of: datetime.date,
    *,
    proposal_filter: dict[str, Any],
    computed: dict[int, Any] | None = None,
) -> dict[str, Any]:
    """Counts per status as the engine says they stood on `as_of`, over the proposals
    tabled by then (all of the negotiation's, or those of `proposal_filter`)."""
    from proposals.summaries import _summary

    if computed is None:
        computed = statuses_as_of(negotiation_id, as_of)
    proposals = []
    terms = []
    for proposal in Proposal.objects.filter(
        negotiation_id=negotiation_id, **proposal_filter
    ).values("id", "tabled_on"):
        if proposal["tabled_on"] and proposal["tabled_on"] > as_of:
            continue
        result = computed.get(proposal["id"])
        if result is None:  # created after the snapshot was read
            continue
        proposals.append({"id": proposal["id"], "status": result.status, "status_stale": False})
        terms.extend(
            {"proposal_id": proposal["id"], "status": term.status} for term in result.terms
        )
    return _summary(proposals, terms)
