# ruff: noqa: F811  (pytest fixtures imported from tests/page_fixtures.py)
"""Every page is valid HTML, checked by the Nu HTML checker (the W3C validator)."""

import datetime
import json
import subprocess

import pytest

from negotiations.models import Negotiation
from parties.models import Party
from proposals.models import Position, Proposal
from tests.page_fixtures import aftermath  # noqa: F401
from tests.tools import VNU, java, require

pytestmark = pytest.mark.django_db


def test_every_page_is_valid_html(client, aftermath, tmp_path):
    require(VNU.exists(), "The Nu HTML checker (npm install vnu-jar)")
    require(java() is not None, "Java (to run the Nu HTML checker)")
    memorandum = Proposal.objects.get(title="Russian memorandum on a settlement")
    counter = aftermath["counter"]
    urls = [
        "/",
        "/negotiations/russia-ukraine-istanbul-2025/",
        "/negotiations/russia-ukraine-istanbul-2025/?as_of=nonsense",
        "/negotiations/russia-ukraine-istanbul-2025/rounds/2/",
        "/negotiations/russia-ukraine-istanbul-2025/rounds/3/",
        f"/proposals/{memorandum.pk}/",
        f"/proposals/{aftermath['bodies_term'].proposal_id}/",
        f"/proposals/{counter.pk}/",
        f"/proposals/{memorandum.pk}/compare/{counter.pk}/",
        f"/terms/{aftermath['bodies_term'].pk}/",
        f"/terms/{aftermath['neutral'].pk}/",
        "/parties/russia/",
        "/parties/united-states/",
        "/search/",
        "/search/?q=ceasefire",
        "/search/?q=memorandum&kind=memorandum&party=russia",
    ]
    assert _problems(client, urls, tmp_path) == []


def _problems(client, urls, tmp_path):
    files = {}
    for i, url in enumerate(urls):
        response = client.get(url)
        assert response.status_code == 200, url
        path = tmp_path / f"page{i}.html"
        path.write_bytes(response.content)
        files[str(path)] = url
    result = subprocess.run(
        [java(), "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [
        f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))} "
        f"line {m.get('lastLine')}: {m.get('message')}"
        for m in messages
    ]


def test_pages_of_long_lists_are_valid_html(client, aftermath, tmp_path):
    require(VNU.exists(), "The Nu HTML checker (npm install vnu-jar)")
    require(java() is not None, "Java (to run the Nu HTML checker)")
    memorandum = Proposal.objects.get(title="Russian memorandum on a settlement")
    russia = Party.objects.get(slug="russia")
    negotiation = memorandum.negotiation
    Position.objects.bulk_create(
        Position(
            party=russia,
            proposal=memorandum,
            stance="undecided",
            stated_on=datetime.date(2025, 7, 1) + datetime.timedelta(days=i),
            round=negotiation.rounds.get(number=2),
        )
        for i in range(60)
    )
    Proposal.objects.bulk_create(
        Proposal(negotiation=negotiation, title=f"Truce plan {i}", kind="other") for i in range(55)
    )
    Negotiation.objects.bulk_create(
        Negotiation(title=f"Talks number {i:02d}", slug=f"talks-{i:02d}") for i in range(12)
    )
    urls = [
        "/",
        "/?page=2",
        "/negotiations/russia-ukraine-istanbul-2025/",
        "/negotiations/russia-ukraine-istanbul-2025/?page=2",
        "/negotiations/russia-ukraine-istanbul-2025/rounds/2/?page=2",
        f"/proposals/{memorandum.pk}/",
        f"/proposals/{memorandum.pk}/positions/",
        f"/proposals/{memorandum.pk}/positions/?page=2",
        "/parties/russia/?page=2",
        "/search/?q=truce",
        "/search/?q=truce&page=2",
        "/search/?q=truce&page=nonsense",
    ]
    assert _problems(client, urls, tmp_path) == []
