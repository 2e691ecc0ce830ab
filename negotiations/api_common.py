"""HTTP machinery shared by every API endpoint: renderers, errors, permissions, throttles,
conditional requests (ETag, Last-Modified, If-Match) and keyset pagination.

Resources themselves live in each app's api.py and build their rows with values(); this
module never touches domain rules.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime
import hashlib
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import orjson
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponseNotModified
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.http import http_date, parse_http_date_safe
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import BasePagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils.urls import replace_query_param

from negotiations.exports import defuse
from negotiations.roles import is_editor, may_export, may_read
from negotiations.versioning import VersionConflict

# --------------------------------------------------------------------------- renderers


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


# --------------------------------------------------------------------------- errors


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_code = "precondition_required"
    default_detail = (
        'Send the ETag you read in an If-Match header (for example If-Match: "v3"), so that '
        "your change cannot overwrite someone else's."
    )


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "version_conflict"
    default_detail = (
        "Someone changed this after you read it. Read it again and reapply your change."
    )

    def __init__(self, detail: str | None = None, current_version: int | None = None):
        super().__init__(detail)
        self.current_version = current_version


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "This conflicts with data saved at the same time; read it again and retry."


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        errors = {
            ("non_field_errors" if key == "__all__" else key): [str(m) for m in messages]
            for key, messages in exc.message_dict.items()
        }
    else:
        errors = {"non_field_errors": [str(m) for m in exc.messages]}
    return errors


def _errors_of(detail: Any) -> dict[str, Any]:
    if isinstance(detail, Mapping):
        return {str(k): v if isinstance(v, list | dict) else [v] for k, v in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": detail}
    return {"non_field_errors": [detail]}


INVALID_DETAIL = "The request is not valid: `errors` names each field and what is wrong with it."


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """Every error as one JSON shape: {status, code, detail[, errors][, current_version]}."""
    # Imported here: DRF loads this module's permission and renderer while defining its views.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_errors(exc))
    elif isinstance(exc, VersionConflict):
        if exc.current is None:
            exc = exceptions.NotFound(str(exc))
        else:
            exc = PreconditionFailed(str(exc), current_version=exc.current)
    elif isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, IntegrityError):
        exc = Conflict()
    elif isinstance(exc, DataError):
        # A value the database refuses (out of range, malformed): the input's fault.
        exc = exceptions.ValidationError({"non_field_errors": [str(exc).splitlines()[0]]})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body: dict[str, Any] = {"status": response.status_code}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        body["detail"] = INVALID_DETAIL
        body["errors"] = _errors_of(exc.detail)
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body["code"] = codes if isinstance(codes, str) else "error"
        body["detail"] = str(exc.detail) if isinstance(exc, exceptions.APIException) else ""
    if isinstance(exc, PreconditionFailed) and exc.current_version is not None:
        body["current_version"] = exc.current_version
    response.data = body
    return response


# --------------------------------------------------------------------------- permissions


class RolePermission(BasePermission):
    """Reads: anyone when PARLEY_PUBLIC_READ is on, else users with a role. CSV exports:
    analysts, editors, admins. Writes: editors and admins."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if request.method in SAFE_METHODS:
            renderer = getattr(request, "accepted_renderer", None)
            if renderer is not None and renderer.format == "csv":
                self.message = "Exports (CSV) need the analyst role: sign in with a token."
                return may_export(user)
            self.message = "Reading needs a role (analyst, editor or admin)."
            return may_read(user)
        self.message = "Writing needs the editor role; ask an admin to add you to the group."
        return is_editor(user)


class WriteThrottle(SimpleRateThrottle):
    """Writes per user (reads are not throttled)."""

    scope = "writes"

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str:
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AuthThrottle(SimpleRateThrottle):
    """Token creation per client address: slows down password guessing."""

    scope = "auth"

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


# --------------------------------------------------------------------------- conditional


def make_etag(*parts: Any, version: int | None = None) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=10).hexdigest()
    return f'"v{version}-{digest}"' if version is not None else f'"{digest}"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def not_modified(
    request: Request, etag: str, last_modified: datetime.datetime | None
) -> HttpResponseNotModified | None:
    """The 304 answer when the client's copy is current (If-None-Match wins over
    If-Modified-Since, as RFC 9110 says)."""
    if request.method not in ("GET", "HEAD"):
        return None
    if_none_match = request.headers.get("If-None-Match")
    fresh = False
    if if_none_match:
        tags = {_opaque(t) for t in if_none_match.split(",")}
        fresh = "*" in tags or _opaque(etag) in tags
    elif last_modified is not None:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        fresh = since is not None and int(last_modified.timestamp()) <= since
    if not fresh:
        return None
    response = HttpResponseNotModified()
    set_validators(response, etag, last_modified)
    return response


def set_validators(response: Any, etag: str, last_modified: datetime.datetime | None) -> None:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = "no-cache"


IF_MATCH = re.compile(r'^(?:W/)?"v?(\d{1,18})(?:-[^"]*)?"$')


def if_match_versions(request: Request) -> list[int]:
    """The versions named by If-Match; 428 when it is missing, 400 when unreadable."""
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        raise PreconditionRequired()
    if raw == "*":
        raise PreconditionRequired(
            'If-Match: * does not say which version you edited; send its ETag, e.g. "v3".'
        )
    versions = []
    for part in raw.split(","):
        match = IF_MATCH.match(part.strip())
        if match is None:
            raise exceptions.ValidationError(
                {"If-Match": [f'{part.strip()!r} is not an ETag of this API; send e.g. "v3".']}
            )
        versions.append(int(match.group(1)))
    return versions


def expected_version(request: Request, current: int) -> int:
    """The version the client edited; 412 at once when it is not the current one (the
    service's conditional UPDATE checks again at write time)."""
    versions = if_match_versions(request)
    if current in versions:
        return current
    raise PreconditionFailed(
        f"You edited version {versions[0]}, but this is now at version {current}: someone "
        "changed it after you read it. Read it again and reapply your change.",
        current_version=current,
    )


# --------------------------------------------------------------------------- pagination


def encode_cursor(changed_at: datetime.datetime, pk: int) -> str:
    raw = f"{changed_at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[datetime.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        stamp, pk = raw.split("|")
        when = datetime.datetime.fromisoformat(stamp)
        if when.tzinfo is None:
            raise ValueError
        return when, int(pk)
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
        if raw in (None, ""):
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {"limit": [f"Give a whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

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


def latest(values: Iterable[datetime.datetime | None]) -> datetime.datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None
