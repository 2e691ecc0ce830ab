"""One log line per request: method, path, status, duration and query count.

Plain text by default; JSON lines with LOG_FORMAT=json (for a log shipper in production).
Queries are counted with a connection execute wrapper, so the count is right with
DEBUG off too.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("parley.requests")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update(getattr(record, "fields", {}))
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "queries": queries,
        }
        logger.info(
            "%s %s %s %.1fms %sq",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            queries,
            extra={"fields": fields},
        )
        return response
