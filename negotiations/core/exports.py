"""CSV exports of the list pages: what the page shows, with the same filters.

Cells that a spreadsheet would read as a formula are defused with a leading quote
(OWASP "CSV injection"): the quotes we store come from news reports, not from us.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return defuse(str(value))


def defuse(text: str) -> str:
    """The one place that decides what a spreadsheet would run as a formula (pages and
    API exports alike)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that spreadsheets read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response


def csv_url(request: HttpRequest) -> str:
    """The current page's address with format=csv added to its filters."""
    query = request.GET.copy()
    query["format"] = "csv"
    return f"{request.path}?{query.urlencode()}"
