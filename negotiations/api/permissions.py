"""Who may call the API (roles, negotiations/core/roles.py) and how often (throttles, per
client address as negotiations/core/clients.py defines it, like the login lockout)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from negotiations.core.clients import client_address
from negotiations.core.roles import is_editor, may_export, may_read


class RolePermission(BasePermission):
    """Reads: anyone when PARLEY_PUBLIC_READ is on, else users with a role. CSV exports:
    analysts, editors, admins. Writes: editors and admins."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if request.method in SAFE_METHODS:
            renderer = getattr(request, "accepted_renderer", None)
            if renderer is not None and renderer.format == "csv":
                self.message = "Exports (CSV) need the analyst role: sign in with a token."
                return may_export(user)
            self.message = "Reading needs a role (analyst, editor or admin)."
            return may_read(user)
        self.message = "Writing needs the editor role; ask an admin to add you to the group."
        return is_editor(user)


class ClientThrottle(SimpleRateThrottle):
    def get_ident(self, request: Request) -> str:
        return client_address(request._request) or ""


class WriteThrottle(ClientThrottle):
    """Writes per user (reads are not throttled)."""

    scope = "writes"

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str:
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AuthThrottle(ClientThrottle):
    """Token creation per client address: slows down password guessing."""

    scope = "auth"

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
