"""The deleted-ids feed: how a syncing client learns what to drop from its copy.

Every tracked model's audit history (django-pghistory) keeps a `delete` event with the
deleted row's id, the moment and the context (user, reason); this endpoint reads them
all, oldest first, with the same keyset pagination as the lists.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, Value
from django.http import HttpResponseNotModified
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from negotiations.api.conditional import make_etag, not_modified, set_validators
from negotiations.api.filters import in_utc
from negotiations.api.messages import PlainErrors
from negotiations.api.pagination import ChangeCursorPagination, page_response
from negotiations.core.numbers import parse_whole
from negotiations.models import Delegation, Negotiation, Participation, Round
from parties.models import Party, Person
from proposals.models import (
    AgendaItem,
    Commitment,
    Figure,
    ImplementationEvent,
    Position,
    Proposal,
    ProposalLink,
    RatificationStep,
    Source,
    Term,
)

TRACKED = {
    "party": Party,
    "person": Person,
    "negotiation": Negotiation,
    "participation": Participation,
    "round": Round,
    "delegation": Delegation,
    "source": Source,
    "proposal": Proposal,
    "proposal-link": ProposalLink,
    "term": Term,
    "position": Position,
    "implementation-event": ImplementationEvent,
    "ratification-step": RatificationStep,
    "agenda-item": AgendaItem,
    "commitment": Commitment,
    "figure": Figure,
}


class DeletedQuerySerializer(PlainErrors):
    since = serializers.DateTimeField(required=False)
    type = serializers.MultipleChoiceField(choices=sorted(TRACKED), required=False)


class DeletedSerializer(serializers.Serializer):
    type = serializers.ChoiceField(sorted(TRACKED), help_text="The resource (its URL segment).")
    id = serializers.IntegerField(help_text="The id the deleted item had.")
    deleted_at = serializers.DateTimeField()
    reason = serializers.CharField(allow_null=True, help_text="Why, when the editor said.")


class DeletedPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Deletions matching, over all pages.")
    next = serializers.URLField(allow_null=True, help_text="The next page, or null.")
    results = DeletedSerializer(many=True)


def encode(deleted_at: datetime.datetime, kind: str, event_id: int) -> str:
    import base64

    raw = f"{deleted_at.isoformat()}|{kind}|{event_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str) -> tuple[datetime.datetime, str, int]:
    import base64
    import binascii

    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        stamp, kind, event_text = raw.split("|")
        when = datetime.datetime.fromisoformat(stamp)
        event_id = parse_whole(event_text)
        if when.tzinfo is None or event_id is None:
            raise ValueError
        return when, kind, event_id
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise serializers.ValidationError(
            {"cursor": ["This cursor is not one this API gave out; use the `next` link."]}
        ) from None


class DeletedView(APIView):
    """Deleted ids, oldest first."""

    pagination = ChangeCursorPagination()
    extra_parameters = (
        *DeletedQuerySerializer().fields,
        ChangeCursorPagination.cursor_query_param,
        ChangeCursorPagination.page_size_query_param,
    )

    def parts(self, kinds: list[str], since: datetime.datetime | None, after: Any) -> list[Any]:
        parts = []
        for kind in kinds:
            events = TRACKED[kind].pgh_event_model.objects.filter(pgh_label="delete")
            if since is not None:
                events = events.filter(pgh_created_at__gte=since)
            if after is not None:
                stamp, after_kind, event_id = after
                if kind > after_kind:
                    events = events.filter(pgh_created_at__gte=stamp)
                elif kind == after_kind:
                    events = events.filter(
                        Q(pgh_created_at__gt=stamp) | Q(pgh_created_at=stamp, pgh_id__gt=event_id)
                    )
                else:
                    events = events.filter(pgh_created_at__gt=stamp)
            parts.append(
                events.values("pgh_created_at", "pgh_id", "pgh_obj_id", "pgh_context__metadata")
                .annotate(kind=Value(kind))
                .order_by()
            )
        return parts

    @extend_schema(
        tags=["sync"],
        summary="Deleted ids (for syncing clients)",
        description="Every deletion of a party, person, negotiation, participation, round, "
        "delegation, source, proposal, proposal link, term, position or implementation "
        "event, oldest first, with the reason the editor gave. Deleting a proposal deletes "
        "its terms, positions and links too: each appears here. Keep the largest "
        "`deleted_at` you saw and pass it as `since` next time.",
        parameters=[
            OpenApiParameter(
                "since",
                datetime.datetime,
                description="Only deletions at or after this moment (ISO 8601).",
                examples=[OpenApiExample("since", value="2025-06-02T00:00:00Z")],
            ),
            OpenApiParameter(
                "type",
                str,
                many=True,
                enum=sorted(TRACKED),
                description="Only these kinds; repeat for several.",
                examples=[OpenApiExample("positions", value=["position"])],
            ),
            OpenApiParameter(
                "cursor",
                str,
                description="Opaque position from the `next` link of the previous page.",
                examples=[OpenApiExample("cursor", value="MjAyNS0wNi0wM3xwb3NpdGlvbnwz")],
            ),
            OpenApiParameter(
                "limit",
                int,
                description="Items per page, 1 to 500 (default 100).",
                examples=[OpenApiExample("limit", value=100)],
            ),
        ],
        responses={200: DeletedPageSerializer},
        examples=[
            OpenApiExample(
                "deleted",
                response_only=True,
                value={
                    "count": 1,
                    "next": None,
                    "results": [
                        {
                            "type": "position",
                            "id": 12,
                            "deleted_at": "2025-06-03T09:00:00Z",
                            "reason": "Recorded twice by mistake",
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request: Request) -> Response | HttpResponseNotModified:
        query = DeletedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        kinds = sorted(query.validated_data.get("type") or TRACKED)
        since = query.validated_data.get("since")
        if since is not None:
            since = in_utc(since, "since")
        size = self.pagination.page_size_for(request)
        token = request.query_params.get("cursor")
        after = decode(token) if token else None
        parts = self.parts(kinds, since, None)
        count_query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        count = count_query.count()
        page_parts = self.parts(kinds, since, after)
        union = page_parts[0].union(*page_parts[1:], all=True) if len(parts) > 1 else page_parts[0]
        rows = list(union.order_by("pgh_created_at", "kind", "pgh_id")[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        results = [
            {
                "type": row["kind"],
                "id": int(row["pgh_obj_id"]),
                "deleted_at": row["pgh_created_at"],
                "reason": (row["pgh_context__metadata"] or {}).get("reason"),
            }
            for row in rows
        ]
        etag = make_etag(request.get_full_path(), count, results)
        last_modified = results[-1]["deleted_at"] if results else None
        if unchanged := not_modified(request, etag, last_modified):
            return unchanged
        next_url = None
        if more:
            from rest_framework.utils.urls import replace_query_param

            last = rows[-1]
            next_url = replace_query_param(
                request.build_absolute_uri(),
                "cursor",
                encode(last["pgh_created_at"], last["kind"], last["pgh_id"]),
            )
        response = page_response(results, count, next_url)
        set_validators(response, etag, last_modified)
        return response
