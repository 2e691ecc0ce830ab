"""Django's error handlers (handler400/403/404/500 in negotiations/urls.py).

DRF answers the errors of its own views; these answer the rest: an unknown address, a
body over DATA_UPLOAD_MAX_MEMORY_SIZE read by a middleware or by the parser, an
exception no view caught. Under /api/ in the API's JSON shape (negotiations/api/errors.py),
elsewhere as a page of the site.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

from negotiations.api.errors import error_response, too_large_detail


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        if _is_api(request):
            return error_response(413, "too_large", too_large_detail())
        limit_mib = f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_048_576:.1f}"
        return render(request, "413.html", {"limit_mib": limit_mib}, status=413)
    if _is_api(request):
        return error_response(
            400,
            "bad_request",
            "The request could not be read: check the Host header, the encoding of the "
            "query string and the body.",
        )
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return error_response(
            403, "permission_denied", str(exception) or "Your role does not allow this."
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return error_response(
            404,
            "not_found",
            f"Nothing at {request.path}: the resources are listed at /api/v1/ and "
            "described at /api/schema/.",
        )
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django has logged the exception with its traceback; the answer shows none of it."""
    if _is_api(request):
        return error_response(
            500,
            "server_error",
            "Something went wrong on the server; it is logged. Try again later, and tell "
            "the maintainers if it persists.",
        )
    # A template of its own, rendered without the request: no context processor runs.
    return defaults.server_error(request)
