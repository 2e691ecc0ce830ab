"""Rules several services share: deletions carry a reason. (Which proposals a write
affects is the dependency map, proposals/dependencies.py.)"""

from __future__ import annotations

from django.core.exceptions import ValidationError


def require_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why this is deleted; the reason is kept."})
