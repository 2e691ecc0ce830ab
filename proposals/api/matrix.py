"""The party × proposal/term stance matrix of a negotiation (`/negotiations/{id}/matrix/`),
today or as of a day."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max
from django.http import HttpResponseNotModified
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from negotiations.api.conditional import latest, make_etag, not_modified, set_validators
from negotiations.api.params import aggregate_of, output_fields, parse_as_of, parse_flag
from negotiations.api.schema import AS_OF
from negotiations.api.viewsets import ResourceViewSet
from negotiations.models import Negotiation, Participation, Role
from negotiations.resources.negotiations import PARTY_BRIEF, PartyBriefSerializer
from proposals.api.statuses import statuses_fingerprint
from proposals.selectors import StanceMatrix, stance_matrix

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
    party = serializers.IntegerField(source="party_id")
    proposal = serializers.IntegerField(source="proposal_id")
    term = serializers.IntegerField(source="term_id", allow_null=True)
    stance = serializers.CharField(allow_null=True, help_text="What the party said; null: nothing.")
    counts_as = serializers.CharField(
        allow_null=True, help_text="For consent parties: the stance after conditions resolve."
    )
    position = serializers.IntegerField(source="position_id", allow_null=True)
    stated_on = serializers.DateField(allow_null=True)
    consent = serializers.BooleanField(help_text="Whether this party's consent is required.")


class MatrixColumnSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(source="proposal_id")
    term = serializers.IntegerField(
        source="term_id", allow_null=True, help_text="null: the whole proposal."
    )
    title = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    status = serializers.CharField()


class MatrixPartySerializer(PartyBriefSerializer):
    roles = serializers.ListField(child=serializers.ChoiceField(Role.choices))


class MatrixSerializer(serializers.Serializer):
    negotiation = serializers.IntegerField()
    as_of = serializers.DateField()
    parties = MatrixPartySerializer(many=True)
    columns = MatrixColumnSerializer(many=True)
    cells = MatrixCellSerializer(many=True)


CELL = output_fields(MatrixCellSerializer)
COLUMN = output_fields(MatrixColumnSerializer)
MATRIX_PARTY = tuple(output_fields(MatrixPartySerializer))


def matrix_output(negotiation_id: int, matrix: StanceMatrix) -> dict[str, Any]:
    """The matrix as the API gives it: keys and their sources from the serializers above."""
    columns = [
        {name: getattr(c, source) for name, source in COLUMN.items()} for c in matrix.columns
    ]
    parties = []
    cells = []
    for p in matrix.parties:
        party = {**{name: getattr(p.party, name) for name in PARTY_BRIEF}, "roles": p.roles}
        parties.append({name: party[name] for name in MATRIX_PARTY})
        for column in matrix.columns:
            cell = matrix.cell(p.party_id, column)
            if cell is None:
                continue
            values = {
                "party_id": p.party_id,
                "proposal_id": column.proposal_id,
                "term_id": column.term_id,
                **vars(cell),
            }
            cells.append({name: values[source] for name, source in CELL.items()})
    return {
        "negotiation": negotiation_id,
        "as_of": matrix.as_of,
        "parties": parties,
        "columns": columns,
        "cells": cells,
    }


# The `matrix` action of the negotiation resource (no docstring: see history.HistoryAction).
class StanceMatrixAction(ResourceViewSet):
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
    @action(
        detail=True,
        methods=["get"],
        extra_parameters=tuple(parameter.name for parameter in MATRIX_PARAMETERS),
    )
    def matrix(self, request: Request, pk: Any = None) -> Response | HttpResponseNotModified:
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
        with_terms = parse_flag(request, "terms", default=True)
        today = timezone.localdate()
        etag = make_etag(request.get_full_path(), row, today)
        last_modified = latest([row["updated_at"], row["proposals_computed"]])
        if unchanged := not_modified(request, etag, last_modified):
            return unchanged
        matrix = stance_matrix(row["id"], as_of=as_of, with_terms=with_terms)
        response = Response(matrix_output(row["id"], matrix))
        set_validators(response, etag, last_modified)
        return response
