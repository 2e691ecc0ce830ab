"""Helpers for the API tests: users with roles, clients signed in with a token."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

from negotiations.core.roles import ADMIN, ANALYST, EDITOR

__all__ = [
    "ADMIN",
    "ANALYST",
    "EDITOR",
    "api_env",
    "client_for",
    "etag_of",
    "make_user",
    "rows",
]


def make_user(username: str, *roles: str, password: str = "a-long-test-password") -> User:
    user = User.objects.create_user(username=username, password=password)
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return user


def client_for(user: User | None = None) -> APIClient:
    """An API client sending `Authorization: Token ...` for the user (anonymous if None)."""
    client = APIClient()
    if user is not None:
        _, token = AuthToken.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def etag_of(response: Any) -> str:
    return response.headers["ETag"]


def rows(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def api_env():
    """Fresh throttle counters, and status recomputes run in-process even where CI
    configures a broker (these tests read the statuses the recompute writes)."""
    from negotiations.celery import app

    cache.clear()
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved
