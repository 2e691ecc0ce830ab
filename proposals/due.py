"""Statuses that change with the calendar, not with a write (issue 12): a proposal stored
as `not_tabled` (its tabling day, or its round's first day, was still to come when it was
computed) must be recomputed once that day arrives. No write marks it, so a periodic
task does (CELERY_BEAT_SCHEDULE, every PARLEY_DUE_SECONDS)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from proposals.models import Proposal, Status
from proposals.staleness import mark_stale


def tabled_since_computed() -> list[int]:
    """The proposals stored as not yet tabled whose tabling day has come."""
    today = timezone.localdate()
    return list(
        Proposal.objects.filter(status=Status.NOT_TABLED, status_stale=False)
        .filter(Q(tabled_on__lte=today) | Q(tabled_on__isnull=True, round__starts_on__lte=today))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@shared_task
def mark_tabling_days() -> int:
    """Mark stale (with what depends on them) the proposals whose tabling day has come;
    the pipeline recomputes them. Returns how many were marked."""
    with transaction.atomic():
        return len(mark_stale(proposal_ids=tabled_since_computed()))
