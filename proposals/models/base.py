"""What every status-bearing row carries: the engine's cached answer and the pipeline's
bookkeeping."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models.functions import Coalesce, Greatest

from proposals.engine.vocabulary import Status

COMPUTED_STATUS_FIELDS = [
    "status",
    "status_reason",
    "status_basis",
    "status_since",
    "status_stale",
    "status_computed_at",
]


class StatusFields(models.Model):
    """The engine's answer, cached on the row; never edited by hand."""

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.OPEN, editable=False, db_index=True
    )
    status_reason = models.CharField(max_length=500, blank=True, editable=False)
    status_basis = models.JSONField(default=dict, blank=True, editable=False)
    status_since = models.DateField(null=True, blank=True, editable=False)
    status_stale = models.BooleanField(default=True, editable=False, db_index=True)
    status_computed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


# The sync key of a status-bearing row: the later of its edit and its last recompute, so a
# recomputed status counts as a change. Lists order and filter on it; its index is
# (CHANGED_AT, id) on each table.
CHANGED_AT = Greatest("updated_at", Coalesce("status_computed_at", "updated_at"))

PIPELINE_FIELDS = ["status_generation", "status_stale_since", "status_verified_at"]
# Kept by triggers for the API's conditional GET (Proposal.content_version).
CONTENT_FIELDS = ["content_version", "content_changed_at"]


def consent_party_ids(required: Iterable[int | None], principals: Iterable[int]) -> frozenset[int]:
    """Whose consent makes a proposal agreed (DESIGN §3, rule 1): the parties it names as
    required, else its negotiation's principals. The one place this rule is written: the
    engine's input, the API and the pages all call it."""
    return frozenset(p for p in required if p is not None) or frozenset(principals)
