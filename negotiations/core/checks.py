"""Parley's system checks (manage.py check, and every start of the server)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

TOKEN_REVOKER = "negotiations.core.accounts.RevokeTokensOnNewPassword"


@register(Tags.security)
def tokens_are_revoked_on_a_new_password(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """The revocation rides on a password validator's hook; a validator list rewritten
    without it would silently keep an old password's tokens working."""
    if any(v.get("NAME") == TOKEN_REVOKER for v in settings.AUTH_PASSWORD_VALIDATORS):
        return []
    return [
        Error(
            "A new password would not revoke the user's API tokens: "
            f"{TOKEN_REVOKER} is missing from AUTH_PASSWORD_VALIDATORS.",
            hint=f'Add {{"NAME": "{TOKEN_REVOKER}"}} to AUTH_PASSWORD_VALIDATORS '
            "(negotiations/security_settings.py).",
            id="parley.E001",
        )
    ]
