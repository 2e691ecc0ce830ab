"""The engine's answers kept for reading: status timelines and the audit's findings; and
the pipeline's pending marker per negotiation."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from negotiations.models import Negotiation
from proposals.engine.vocabulary import Status

from .proposals import Proposal
from .terms import Term


class StatusChange(models.Model):
    """One step of a proposal's (or term's) status timeline, rebuilt by replaying the engine."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="status_changes")
    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, null=True, blank=True, related_name="status_changes"
    )
    changed_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices)
    previous_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "changed_on", "seq"]
        indexes = [
            models.Index(fields=["changed_on"], name="status_change_date_idx"),
            # A proposal's timeline, in order or latest first (the proposal page, history):
            # without it the planner walks the date index over every proposal's changes.
            models.Index(
                fields=["proposal", "changed_on", "seq"], name="status_change_timeline_idx"
            ),
            # Home's latest changes of whole proposals.
            models.Index(
                fields=["-changed_on", "-id"],
                condition=Q(term__isnull=True),
                name="status_change_latest_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} → {self.status} on {self.changed_on}"


class StatusAudit(models.Model):
    """What the last sampled status audit found (proposals/audit.py): one row, id 1,
    reported by /healthz."""

    checked = models.PositiveIntegerField(default=0)
    divergent = models.PositiveIntegerField(default=0)
    last_run = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="status_audit_one_row")]

    def __str__(self) -> str:
        return f"{self.checked} checked, {self.divergent} divergent, at {self.last_run}"


class RecomputeRequest(models.Model):
    """A negotiation whose stale proposals a worker has been asked to recompute: the
    pipeline's pending marker (proposals/staleness.py sets it in the writer's transaction,
    proposals/negotiation_recompute.py deletes it once nothing of the negotiation is stale).
    While it exists, writes publish no further task; the sweep takes it up once it is old."""

    negotiation = models.OneToOneField(
        Negotiation, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"recompute of negotiation {self.negotiation_id} requested at {self.requested_at}"
