"""A user's API tokens (django-rest-knox): which are live, and minting a new one."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings


def live_tokens() -> QuerySet[AuthToken]:
    """Tokens that still sign in: knox deletes an expired one only when it is next sent."""
    return AuthToken.objects.filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))


@transaction.atomic
def token_create(*, user: Any, days: int | None = None) -> tuple[AuthToken, str]:
    """A new API token for the user, and its secret (shown once: knox keeps only a digest)."""
    # Two requests at once would each count the other's token as not there yet and both
    # pass the limit; the user's row lock makes the second count after the first commits.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit is not None and live_tokens().filter(user=user).count() >= limit:
        raise ValidationError(
            f"{user.get_username()} already has {limit} tokens; revoke one first."
        )
    expiry = datetime.timedelta(days=days) if days else knox_settings.TOKEN_TTL
    return AuthToken.objects.create(user=user, expiry=expiry)
