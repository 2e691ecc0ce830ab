"""`Idempotency-Key` on every POST of the API (issue 14, item 1), as the IETF draft "The
Idempotency-Key HTTP Header Field" and Stripe describe it.

The first POST with a key runs; its response is stored under (the authenticated user,
the key) together with a fingerprint of the request (method, path, body). A repeat of
the same request replays the stored response (`Idempotent-Replayed: true`) and writes
nothing; the same key with another request is refused (422); a repeat while the first
still runs gets 409 with Retry-After.

Write and stored response commit together or not at all:
1. the key's row is reserved in its own short transaction (an upsert on the unique
   (identity, key) pair), so a concurrent request finds it at once;
2. one transaction then locks that row (NOWAIT: a second request does not queue behind
   the first, it is told to retry), runs the view, and stores the response in the same
   commit. A crash in between rolls back the write with the transaction and releases the
   lock; the row is left without a response, and the next attempt runs the request anew.

What is stored: 2xx, 3xx and the 4xx that are a final answer about the request (400,
404, 413, ...). Not stored, so a retry with the same key runs again: 5xx (the write is
rolled back too) and the answers that depend on the moment (401, 403, 409, 412, 428,
429, ...). A response marked `Cache-Control: no-store` (a new API token: its secret is
shown once) is never kept: a repeat gets 409 `idempotency_not_replayable`, and no second
token is minted.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from celery import shared_task
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.crypto import salted_hmac
from psycopg.errors import LockNotAvailable
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.views import APIView

from negotiations.api.errors import error_response
from negotiations.models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEY_FORMAT = re.compile(r"[\x20-\x7e]{1,255}")
# Answers that depend on the moment, not on the request: a retry must run again.
NOT_STORED = frozenset({401, 403, 408, 409, 412, 423, 425, 428, 429})
KEPT_HEADERS = (
    "Content-Type",
    "Location",
    "ETag",
    "Last-Modified",
    "Content-Disposition",
    "Content-Language",
)


def keep_for() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.PARLEY_IDEMPOTENCY_HOURS)


def applies_to(request: HttpRequest) -> bool:
    return (
        request.method == "POST" and request.path.startswith("/api/") and HEADER in request.headers
    )


def identity_of(request: HttpRequest) -> str | None:
    """Who the key belongs to, authenticated as the API views will (token or session).
    None when the credentials fail: the view will refuse the request anyway."""
    drf_request = Request(request, authenticators=APIView().get_authenticators())
    try:
        user = drf_request.user
    except APIException:
        return None
    return f"user:{user.pk}" if user.is_authenticated else "anonymous"


def fingerprint_of(request: HttpRequest) -> str:
    """An HMAC, not a plain hash: a token request's body holds a password."""
    method = request.method or "POST"
    message = b"\n".join([method.encode(), request.get_full_path().encode(), request.body])
    return salted_hmac("parley.idempotency", message, algorithm="sha256").hexdigest()


def reserve(identity: str, key: str, fingerprint: str) -> int:
    """The id of the row of (identity, key), created if new in its own transaction. An
    existing row is only read: its lock belongs to the request running with it."""
    table = IdempotentRequest._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (identity, key, fingerprint, created_at, headers)
            VALUES (%s, %s, %s, %s, '{{}}')
            ON CONFLICT (identity, key) DO NOTHING
            RETURNING id
            """,
            [identity, key, fingerprint, timezone.now()],
        )
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                f"SELECT id FROM {table} WHERE identity = %s AND key = %s", [identity, key]
            )
            row = cursor.fetchone()
    return row[0]


class Busy(Exception):
    """Another request holds the key."""


def lock(pk: int) -> IdempotentRequest | None:
    try:
        return IdempotentRequest.objects.select_for_update(nowait=True).filter(pk=pk).first()
    except OperationalError as error:
        if isinstance(error.__cause__, LockNotAvailable):
            raise Busy from None
        raise


def replay(record: IdempotentRequest) -> HttpResponse:
    if record.body is None:
        return error_response(
            409,
            "idempotency_not_replayable",
            "The request with this Idempotency-Key has already run, and its answer held a "
            "secret that is shown only once, so it was not kept. Send the request again "
            "with a new key (for an API token: revoke the one you did not receive first).",
        )
    response = HttpResponse(bytes(record.body), status=record.status_code)
    for name, value in record.headers.items():
        response[name] = value
    response[REPLAYED] = "true"
    return response


def store(record: IdempotentRequest, response: HttpResponseBase) -> None:
    secret = "no-store" in response.get("Cache-Control", "")
    record.status_code = response.status_code
    record.headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    record.body = None if secret else getattr(response, "content", b"")
    record.save(update_fields=["status_code", "headers", "body"])


def storable(response: HttpResponseBase) -> bool:
    return (
        response.status_code < 500
        and response.status_code not in NOT_STORED
        and not response.streaming
    )


def mismatch() -> HttpResponse:
    return error_response(
        422,
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request (method, path or "
        "body). Use a new key for a new request.",
    )


def busy() -> HttpResponse:
    response = error_response(
        409,
        "idempotency_key_in_use",
        "A request with this Idempotency-Key is still being processed; retry in a moment.",
    )
    response["Retry-After"] = "1"
    return response


class IdempotencyMiddleware:
    """Honours `Idempotency-Key` on every POST under /api/, whatever the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not applies_to(request):
            return self.get_response(request)
        key = request.headers[HEADER]
        if not KEY_FORMAT.fullmatch(key):
            return error_response(
                400,
                "invalid_idempotency_key",
                f"{HEADER} must be 1 to 255 printable ASCII characters, for example a "
                "UUID; send a new one for each new request.",
            )
        try:
            fingerprint = fingerprint_of(request)
        except RequestDataTooBig:
            return self.get_response(request)  # answered 413; nothing to keep
        identity = identity_of(request)
        if identity is None:
            return self.get_response(request)  # answered 401/403; nothing written
        pk = reserve(identity, key, fingerprint)
        try:
            with transaction.atomic():
                return self.run_once(request, lock(pk), fingerprint)
        except Busy:
            return busy()

    def run_once(
        self, request: HttpRequest, record: IdempotentRequest | None, fingerprint: str
    ) -> HttpResponseBase:
        """Inside the transaction that holds the key's lock."""
        if record is None:  # deleted as expired since the reservation: rare, retry
            return busy()
        if record.created_at < timezone.now() - keep_for():
            record.status_code, record.created_at = None, timezone.now()  # expired: new
        if record.status_code is not None:
            return replay(record) if record.fingerprint == fingerprint else mismatch()
        # No response stored: the key is new, or expired, or an earlier attempt failed or
        # crashed (and its write rolled back with it): this request runs.
        record.fingerprint = fingerprint
        record.headers, record.body = {}, None
        record.save(update_fields=["fingerprint", "created_at", "status_code", "headers", "body"])
        response = self.get_response(request)
        if response.status_code >= 500:
            transaction.set_rollback(True)  # no write without its stored response
        elif storable(response):
            store(record, response)
        return response


@shared_task
def idempotency_keys_expire() -> int:
    """Delete the keys older than the keep time (they are ignored already); returns how
    many. Run by celery beat (CELERY_BEAT_SCHEDULE)."""
    cutoff = timezone.now() - keep_for()
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
