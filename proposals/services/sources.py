"""Writes of sources: the news reports, statements and documents that claims cite."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from negotiations.core.versioning import create_validated, update_validated
from proposals.models import Source, SourceKind


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
            url=url,
            publisher=publisher,
            published_on=published_on,
            retrieved_on=retrieved_on,
            kind=kind,
        )
    )


@transaction.atomic
def source_update(*, source: Source, expected_version: int | None = None, **changes: Any) -> Source:
    return update_validated(source, changes=changes, expected_version=expected_version)
