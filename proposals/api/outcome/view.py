"""POST /api/v1/rounds/outcome/: a round's whole outcome in one request (README "Round
outcome in one request"). The document serializers check the shape, the writer matches or
creates every row through the services, in one transaction."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from negotiations.api.errors import LocatedConflict
from negotiations.api.params import parse_flag
from negotiations.api.permissions import WriteThrottle
from proposals.api.outcome.document import OutcomeDocumentSerializer
from proposals.api.outcome.examples import EXAMPLE_ANSWER, EXAMPLE_DOCUMENT
from proposals.api.outcome.fields import flatten
from proposals.api.outcome.writer import answer, round_outcome_record


class WrittenRowSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="Where the part is in the document.")
    type = serializers.CharField(help_text="The resource, as /api/v1/deleted/ names it.")
    key = serializers.CharField(allow_null=True, help_text="Your local key, if you gave one.")
    id = serializers.IntegerField(allow_null=True, help_text="Null for a dry run's new rows.")
    result = serializers.ChoiceField(choices=["created", "existing"])


class KeyedRowSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)
    result = serializers.ChoiceField(choices=["created", "existing"])


class OutcomeAnswerSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    negotiation = serializers.IntegerField(allow_null=True)
    round = serializers.IntegerField(allow_null=True)
    created = serializers.IntegerField(help_text="Rows created (or, dry run, to create).")
    existing = serializers.IntegerField(help_text="Rows the document matched.")
    keys = serializers.DictField(child=KeyedRowSerializer(), help_text="Per local key.")
    rows = WrittenRowSerializer(many=True, help_text="Every row, in the order written.")


def dry_run_of(request: Request) -> bool:
    return parse_flag(request, "dry_run", default=False)  # every flag's rule: true/false, 1/0


class RoundOutcomeView(APIView):
    throttle_classes = [WriteThrottle]
    # The query parameters this view reads (the strict-parameter check accepts these).
    extra_parameters: ClassVar[tuple[str, ...]] = ("dry_run",)

    @extend_schema(
        tags=["rounds"],
        operation_id="rounds_outcome_create",
        summary="Record a round's outcome in one request (editors)",
        description="One JSON document: the round (and its negotiation, new or existing), "
        "delegations, sources, agenda items, proposals with terms, commitments, links and "
        "ratification steps, positions and implementation events. Parts refer to each other "
        'by local keys ({"key": "p1"}) and to stored rows by id ({"id": 3}) or natural key '
        "(a string: party slug, name, alias or external id; source URL; person name; "
        "proposal title). All or nothing, in one transaction; every error is answered at "
        "once, located by JSON path. Posting the same document again creates nothing: rows "
        "are matched by their natural identity, and a matched row that differs is a 409. "
        "Statuses are recomputed once for the whole document, after the commit.",
        parameters=[
            OpenApiParameter(
                "dry_run",
                bool,
                OpenApiParameter.QUERY,
                description="true: check everything and answer what would be created, "
                "writing nothing.",
                examples=[OpenApiExample("check only", value=True)],
            )
        ],
        request=OutcomeDocumentSerializer,
        responses={200: OutcomeAnswerSerializer, 201: OutcomeAnswerSerializer},
        examples=[
            OpenApiExample("a round", value=EXAMPLE_DOCUMENT, request_only=True),
            OpenApiExample("written", value=EXAMPLE_ANSWER, response_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        dry_run = dry_run_of(request)
        document = OutcomeDocumentSerializer(data=request.data)
        if not document.is_valid():
            raise exceptions.ValidationError(flatten(document.errors))
        writer = round_outcome_record(document=document.validated_data, dry_run=dry_run)
        if writer.only_conflicts:
            raise LocatedConflict(
                "Rows this document names are stored with other values; nothing was written. "
                "`errors` locates each difference.",
                dict(sorted(writer.errors.items())),
            )
        if writer.errors:
            raise exceptions.ValidationError(dict(sorted(writer.errors.items())))
        body: dict[str, Any] = answer(writer, dry_run=dry_run)
        code = status.HTTP_201_CREATED if body["created"] and not dry_run else status.HTTP_200_OK
        return Response(body, status=code)
