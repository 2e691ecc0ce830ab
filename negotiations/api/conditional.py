"""Conditional requests: ETags, Last-Modified, 304 on reads, If-Match versions on writes."""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.http import HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe
from rest_framework import exceptions
from rest_framework.request import Request

from negotiations.api.errors import PreconditionFailed, PreconditionRequired

T = TypeVar("T")
logger = logging.getLogger(__name__)


def cached(key: str, seconds: int, compute: Callable[[], T]) -> T:
    """The value kept under `key` (an ETag's: a write changes the key), else computed and
    kept. A cache that is down slows reads, never fails them."""
    try:
        value = cache.get(key)
    except Exception:  # Redis down or unreachable: read through
        logger.warning("API cache unavailable; reading %s without it", key, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, seconds)
        except Exception:
            logger.warning("API cache unavailable; %s not kept", key, exc_info=True)
    return value


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


# Our ETags are strong: "v3-…" (a detail's), or just the version, "v3" or "3". ASCII
# digits only (\d would take "３").
IF_MATCH = re.compile(r'^"v?([0-9]{1,18})(?:-[^"]*)?"$')


def if_match_versions(request: Request) -> list[int]:
    """The versions named by If-Match; 428 when it is missing, 400 when unreadable, 412 for
    a weak ETag (If-Match compares strongly, RFC 9110 §13.1.1: a weak tag never matches)."""
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        raise PreconditionRequired()
    if raw == "*":
        raise PreconditionRequired(
            "If-Match: * matches any version, so it cannot keep your change from overwriting "
            'someone else\'s; send the ETag of the version you edited, e.g. If-Match: "v3".'
        )
    versions, weak = [], []
    for part in raw.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            weak.append(tag)
            continue
        match = IF_MATCH.match(tag)
        if match is None:
            raise exceptions.ValidationError(
                {"If-Match": [f'{tag[:40]!r} is not an ETag of this API; send e.g. "v3".']}
            )
        versions.append(int(match.group(1)))
    if not versions:
        raise PreconditionFailed(
            f"{weak[0][:40]} is a weak ETag, and a weak ETag never matches a write (If-Match "
            'compares strongly); send the ETag without W/, e.g. If-Match: "v3".'
        )
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


def latest(values: Iterable[datetime.datetime | None]) -> datetime.datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None
