"""Renderers of the API: fast JSON (orjson) and CSV, and ?format= content negotiation."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import orjson
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.functional import Promise
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from negotiations.core.exports import defuse


def _json_default(value: Any) -> Any:
    if isinstance(value, Promise):
        return force_str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(data: Any) -> bytes:
    return orjson.dumps(
        data, default=_json_default, option=orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS
    )


class FastJSONRenderer(BaseRenderer):
    """JSON with orjson: several times faster than the standard library on big lists."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None):
        if data is None:
            return b""
        return dumps(data)


def csv_cell(value: Any) -> str:
    """One CSV cell; text that a spreadsheet would run as a formula is quoted with '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(csv_cell(v) for v in value)
    if isinstance(value, dict):
        return dumps(value).decode()
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value)
    return defuse(text) if isinstance(value, str) else text


class CSVRenderer(BaseRenderer):
    """Lists as CSV (`?format=csv`): one row per item (of `results`, or of a history's
    `events`), lists joined with "; ", objects as JSON."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None):
        if data is None:
            return b""
        view = (renderer_context or {}).get("view")
        if isinstance(data, Mapping) and ("results" in data or "events" in data):
            rows: Sequence[Mapping[str, Any]] = data.get("results", data.get("events"))
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        columns = list(getattr(view, "csv_columns", None) or (rows[0].keys() if rows else []))
        if rows and any(c not in rows[0] for c in columns):
            columns = list(rows[0].keys())
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_cell(row.get(c)) for c in columns])
        return out.getvalue().encode("utf-8")


class JSONErrors:
    """Errors are JSON whatever format was asked for (CSV, the schema's YAML, the docs'
    HTML): one error shape for clients."""

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]  # an APIView's, after this in the MRO
        if isinstance(response, Response) and response.status_code >= 400:
            response.accepted_renderer = FastJSONRenderer()
            response.accepted_media_type = FastJSONRenderer.media_type
        return response


class FormatNegotiation(DefaultContentNegotiation):
    """An unknown ?format= is a 400 naming the parameter (DRF answers 404)."""

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            formats = ", ".join(r.format for r in renderers)
            raise exceptions.ValidationError(
                {"format": [f"Unknown format; this endpoint gives {formats}."]}
            ) from None
