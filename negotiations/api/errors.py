"""One JSON error shape for every API error, and the HTTP errors of conditional writes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from negotiations.api.renderers import dumps
from negotiations.core.versioning import VersionConflict


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


class LocatedConflict(Conflict):
    """A 409 whose `errors` locate each conflicting value (JSON path -> messages)."""

    def __init__(self, detail: str, errors: dict[str, list[str]]) -> None:
        super().__init__(detail)
        self.errors = errors


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self) -> None:
        super().__init__(too_large_detail())


def too_large_detail() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return (
        f"The body is larger than this server takes ({limit / 1_048_576:.1f} MiB, "
        f"{limit:,} bytes); send less, or split it into several requests."
    )


def error_response(status_code: int, code: str, detail: str) -> HttpResponse:
    """The API's error shape for answers given outside DRF (Django's error handlers)."""
    body = {"status": status_code, "code": code, "detail": detail}
    return HttpResponse(dumps(body), status=status_code, content_type="application/json")


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


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
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
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
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
    if isinstance(exc, LocatedConflict):
        body["errors"] = exc.errors
    if isinstance(exc, PreconditionFailed) and exc.current_version is not None:
        body["current_version"] = exc.current_version
    response.data = body
    return response
