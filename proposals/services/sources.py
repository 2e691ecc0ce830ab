"""Writes of sources: the news reports, statements and documents that claims cite."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from django.db import transaction

from negotiations.core.versioning import create_validated, update_validated
from proposals.models import Source, SourceKind

DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
# Query parameters that say how a reader came to a page, not which page it is.
TRACKING_PREFIXES = ("utm_",)
TRACKING = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl",
}  # fmt: skip


def _is_tracking(pair: str) -> bool:
    name = unquote_plus(pair.partition("=")[0]).lower()
    return name in TRACKING or name.startswith(TRACKING_PREFIXES)


def normalised_url(url: str) -> str:
    """The one spelling of a URL that the unique constraint compares (and `?url=` looks
    up): scheme and host in lower case, no default port, no trailing slash ("/" for an
    empty path), no tracking parameters (utm_*, fbclid, gclid…). The rest of the path, the
    other parameters (in their order and encoding) and the fragment are kept as they are
    (servers may tell their case apart). A URL that does not parse is left for the URL
    validation to refuse."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url
    host = parts.hostname
    if not parts.scheme or not host:
        return url
    scheme = parts.scheme.lower()
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    path = parts.path.rstrip("/") or "/"
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    return urlunsplit((scheme, netloc, path, query, parts.fragment))


@transaction.atomic
def source_create(
    *,
    title: str,
    url: str = "",
    publisher: str = "",
    published_on: datetime.date | None = None,
    retrieved_on: datetime.date | None = None,
    kind: str = SourceKind.NEWS,
) -> Source:
    return create_validated(
        Source(
            title=title,
            url=normalised_url(url),
            publisher=publisher,
            published_on=published_on,
            retrieved_on=retrieved_on,
            kind=kind,
        )
    )


@transaction.atomic
def source_update(*, source: Source, expected_version: int | None = None, **changes: Any) -> Source:
    if "url" in changes:
        changes["url"] = normalised_url(changes["url"])
    return update_validated(source, changes=changes, expected_version=expected_version)
