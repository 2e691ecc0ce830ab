"""Helpers for the editor-page tests: users with roles, logged-in clients, and the POST
data of the round workspace's forms."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, User
from django.test import Client

from negotiations.core.roles import ANALYST, EDITOR

__all__ = ["ANALYST", "EDITOR", "PASSWORD", "client_as", "make_user", "management", "proposal_post"]

PASSWORD = "a-long-test-password"


def make_user(username: str, *roles: str, password: str = PASSWORD) -> User:
    user = User.objects.create_user(username=username, password=password)
    for role in roles:
        # get_or_create: a transactional test's flush also empties the migration's groups.
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def client_as(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial)}


def rows(prefix: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = management(prefix, len(items))
    for index, item in enumerate(items):
        for name, value in item.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def proposal_post(
    proposal: dict[str, Any],
    terms: list[dict[str, Any]] = (),  # type: ignore[assignment]
    positions: list[dict[str, Any]] = (),  # type: ignore[assignment]
    action: str = "save",
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "block": "proposal",
        "action": action,
        "proposal-text_status": "reported",
    }
    data["proposal-in_round"] = "on"
    for name, value in proposal.items():
        data[f"proposal-{name}"] = value
    data.update(rows("terms", [{"category": "other", "stage": "settlement", **t} for t in terms]))
    data.update(rows("ppos", list(positions)))
    return data
