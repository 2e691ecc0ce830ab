"""Keyset (cursor) pagination ordered by (changed_at, id), for clients that sync."""

from __future__ import annotations

import base64
import binascii
import datetime
from typing import Any

from django.db.models import Q, QuerySet
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from negotiations.core.numbers import parse_whole


def encode_cursor(changed_at: datetime.datetime, pk: int) -> str:
    raw = f"{changed_at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[datetime.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        stamp, pk_text = raw.split("|")
        when = datetime.datetime.fromisoformat(stamp)
        pk = parse_whole(pk_text)
        if when.tzinfo is None or pk is None:
            raise ValueError
        return when, pk
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise exceptions.ValidationError(
            {"cursor": ["This cursor is not one this API gave out; use the `next` link."]}
        ) from None


class ChangeCursorPagination(BasePagination):
    """Keyset pagination on (changed_at, id), oldest first: stable while rows change, and
    the last page's largest changed_at is where the next sync starts (updated_since)."""

    page_size = 100
    max_page_size = 500
    cursor_query_param = "cursor"
    page_size_query_param = "limit"

    def page_size_for(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        size = parse_whole(raw, most_digits=len(str(self.max_page_size)))
        if size is None or not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {"limit": [f"Give a whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def paginate(self, queryset: QuerySet, request: Request) -> tuple[list[dict], str | None]:
        """One query: the page's rows plus one, to know whether there is a next page."""
        size = self.page_size_for(request)
        token = request.query_params.get(self.cursor_query_param)
        if token:
            after, pk = decode_cursor(token)
            queryset = queryset.filter(Q(changed_at__gt=after) | Q(changed_at=after, pk__gt=pk))
        rows = list(queryset.order_by("changed_at", "pk")[: size + 1])
        next_url = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            next_url = replace_query_param(
                request.build_absolute_uri(),
                self.cursor_query_param,
                encode_cursor(last["changed_at"], last["id"]),
            )
        return rows, next_url

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from the `next` link of the previous page.",
                "schema": {"type": "string"},
                "example": "MjAyNS0wNi0wMlQxMDowMDowMCswMDowMHw0Mg",
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Items per page, 1 to {self.max_page_size} "
                f"(default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
                "example": self.page_size,
            },
        ]

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "next", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": "Items matching the filters, over all pages.",
                    "example": 42,
                },
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last one.",
                    "example": "http://127.0.0.1:8000/api/v1/proposals/?cursor=MjAyNS0wNi0wMnw0Mg",
                },
                "results": schema,
            },
        }


def page_response(rows: list[dict], count: int, next_url: str | None) -> Response:
    response = Response({"count": count, "next": next_url, "results": rows})
    if next_url:
        response["Link"] = f'<{next_url}>; rel="next"'
    return response
