"""?as_of=YYYY-MM-DD means one thing everywhere: the API and the pages parse it with the
same function (negotiations/core/dates.py), and only an ISO day in ASCII digits is a day."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from negotiations.core.dates import NotADay, parse_as_of

NOT_DAYS = ["20250601", "2025-6-1", "2025-06-1", "２０２５-０６-０１", "2025-02-30", "last week"]


def test_an_iso_day_is_a_day_and_nothing_is_none():
    assert parse_as_of("2025-06-02") == datetime.date(2025, 6, 2)
    assert parse_as_of(None) is None
    assert parse_as_of("") is None


@pytest.mark.parametrize("raw", NOT_DAYS)
def test_anything_else_is_refused_with_what_to_send(raw):
    with pytest.raises(NotADay, match="use YYYY-MM-DD"):
        parse_as_of(raw)


@pytest.mark.parametrize("raw", NOT_DAYS)
def test_the_api_answers_400_naming_the_parameter(demo, raw):
    response = APIClient().get(f"/api/v1/negotiations/{demo.pk}/", {"as_of": raw})
    assert response.status_code == 400
    assert response.json()["errors"] == {"as_of": [f"“{raw}” is not a date; use YYYY-MM-DD."]}


def test_the_api_and_the_page_agree_on_a_good_day(client, demo):
    api = APIClient().get(f"/api/v1/negotiations/{demo.pk}/", {"as_of": "2025-06-01"})
    page = client.get(f"/negotiations/{demo.slug}/", {"as_of": "2025-06-01"})
    assert api.status_code == page.status_code == 200
    assert api.json()["status_summary"]["proposals"]["total"] == 0  # tabled on 2 June
    today = APIClient().get(f"/api/v1/negotiations/{demo.pk}/").json()
    assert today["status_summary"]["proposals"]["total"] > 0
    assert "Showing stances as of <strong>1 June 2025</strong>" in page.content.decode()


@pytest.mark.parametrize("raw", NOT_DAYS)
def test_the_page_shows_today_and_says_why(client, demo, raw):
    page = client.get(f"/negotiations/{demo.slug}/", {"as_of": raw})
    assert page.status_code == 200
    assert "is not a date; use YYYY-MM-DD. Showing today instead." in page.content.decode()
