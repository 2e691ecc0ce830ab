from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import F, Q

from negotiations.core.versioning import Versioned

from .base import CHANGED_AT, COMPUTED_STATUS_FIELDS, StatusFields
from .choices import Category, Stage
from .proposals import Proposal
from .sources import Source


@pghistory.track(exclude=[*COMPUTED_STATUS_FIELDS, "delivered"])
class Term(Versioned, StatusFields):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="terms")
    ordinal = models.PositiveIntegerField()
    label = models.CharField(
        max_length=40, blank=True, help_text='As numbered in the text, e.g. "II.1".'
    )
    text = models.TextField()
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.SETTLEMENT)
    option_group = models.CharField(
        max_length=60,
        blank=True,
        help_text="Terms of one group are alternatives to each other.",
    )
    option = models.CharField(
        max_length=60,
        blank=True,
        help_text="Terms sharing group and option form one alternative together.",
    )
    derived_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="derivatives"
    )
    quantity = models.BigIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=60, blank=True)
    deliverable = models.BooleanField(
        default=True,
        help_text="Something to carry out. Untick for procedural terms (timing, scope, "
        "wording): they do not hold the proposal back from implemented.",
    )
    due_on = models.DateField(null=True, blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="terms")
    note = models.TextField(
        blank=True, help_text="The editor's note: how the text was read, what is unclear."
    )
    delivered = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["proposal", "ordinal"]
        indexes = [models.Index(CHANGED_AT, F("id"), name="term_sync_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "ordinal"],
                name="term_ordinal_unique_per_proposal",
                violation_error_message="This proposal already has a term with this number.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0),
                name="term_quantity_not_negative",
                violation_error_message="A quantity cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | ~Q(unit=""),
                name="term_quantity_has_unit",
                violation_error_message="Say what the quantity counts (the unit).",
            ),
            models.CheckConstraint(
                condition=(Q(option_group="") & Q(option=""))
                | (~Q(option_group="") & ~Q(option="")),
                name="term_option_needs_group",
                violation_error_message="An alternative needs both an option group and an option.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label or self.ordinal}. {self.text[:80]}"
