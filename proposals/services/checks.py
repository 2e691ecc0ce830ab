"""Rules several services share: deletions carry a reason; which proposals depend on others."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Q

from proposals.models import Position


def require_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why this is deleted; the reason is kept."})


def proposals_conditional_on(
    *, proposal_ids: Iterable[int] = (), term_ids: Iterable[int] = ()
) -> list[int]:
    return list(
        Position.objects.filter(
            Q(conditional_on__proposal_id__in=list(proposal_ids))
            | Q(conditional_on__in=list(term_ids))
        )
        .values_list("proposal_id", flat=True)
        .distinct()
    )
