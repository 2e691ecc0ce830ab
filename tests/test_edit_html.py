"""The editor and account pages are valid HTML (the Nu HTML checker), errors included."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.test import Client

from proposals.models import Position, Proposal
from tests.edit_support import EDITOR, client_as, make_user, proposal_post
from tests.tools import VNU, java, require

pytestmark = pytest.mark.django_db


def test_every_editor_page_is_valid_html(demo, tmp_path):
    require(VNU.exists(), "The Nu HTML checker (npm install vnu-jar)")
    require(java() is not None, "Java (to run the Nu HTML checker)")
    client = client_as(make_user("eddie", EDITOR))
    memorandum = Proposal.objects.get(title="Russian memorandum on a settlement")
    round_id = demo.rounds.get().pk
    position = Position.objects.filter(proposal=memorandum).last()
    pages = {
        "/edit/": client.get("/edit/"),
        "/edit/rounds/new/": client.get("/edit/rounds/new/"),
        "next round": client.get(f"/edit/rounds/new/?negotiation={demo.pk}"),
        "round start with errors": client.post("/edit/rounds/new/", {"action": "save"}),
        "workspace": client.get(f"/edit/rounds/{round_id}/"),
        "workspace with errors": client.post(
            f"/edit/rounds/{round_id}/",
            proposal_post({"title": "X"}, terms=[{"text": "T"}], positions=[{"stance": "x"}]),
        ),
        "proposal": client.get(f"/edit/proposals/{memorandum.pk}/"),
        "proposal form": client.get(f"/edit/proposal/{memorandum.pk}/"),
        "conflict": client.post(
            f"/edit/proposal/{memorandum.pk}/",
            {"title": "T", "kind": "memorandum", "text_status": "official", "expected_version": 0},
        ),
        "term": client.get(f"/edit/term/{memorandum.terms.first().pk}/"),
        "round": client.get(f"/edit/round/{round_id}/"),
        "withdraw": client.get(f"/edit/proposals/{memorandum.pk}/withdraw/"),
        "link": client.get(f"/edit/proposals/{memorandum.pk}/link/"),
        "correct": client.get(f"/edit/positions/{position.pk}/correct/"),
        "delete": client.get(f"/edit/position/{position.pk}/delete/"),
        "history": client.get(f"/edit/history/proposals.Proposal/{memorandum.pk}/"),
        "changes": client.get("/edit/changes/"),
        "login": Client().get("/accounts/login/"),
        "login failed": Client().post("/accounts/login/", {"username": "x", "password": "y"}),
        "password change": client.get("/accounts/password/change/"),
        "password reset": Client().get("/accounts/password/reset/"),
        "403": Client().get("/edit/"),
    }
    files = {}
    for i, (name, response) in enumerate(pages.items()):
        assert response.status_code in (200, 403), name
        path = tmp_path / f"page{i}.html"
        path.write_bytes(response.content)
        files[str(path)] = name
    assert "Someone saved this proposal" in pages["conflict"].content.decode()
    result = subprocess.run(
        [java(), "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    problems = [
        f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))} "
        f"line {m.get('lastLine')}: {m.get('message')}"
        for m in messages
    ]
    assert problems == []
