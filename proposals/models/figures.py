"""Conflicting figures: several sourced numbers for one quantity ("6,057 per Ukraine's
ministry; 6,060 per the Russian side"); the editor chooses the one the ledger counts."""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import F, Q

from negotiations.core.versioning import Versioned
from parties.models import Party

from .ledger import Commitment, ImplementationEvent
from .sources import Source
from .terms import Term

OWNER_FIELDS = ("event", "commitment", "term")


def _only(field: str) -> Q:
    condition = Q(**{f"{field}__isnull": False})
    for other in OWNER_FIELDS:
        if other != field:
            condition &= Q(**{f"{other}__isnull": True})
    return condition


@pghistory.track()
class Figure(Versioned):
    """One sourced figure for an event's, a commitment's or a term's (total) quantity."""

    event = models.ForeignKey(
        ImplementationEvent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="figures",
    )
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, null=True, blank=True, related_name="figures"
    )
    term = models.ForeignKey(
        Term,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="figures",
        help_text="A figure for the term's total quantity.",
    )
    value = models.BigIntegerField()
    value_high = models.BigIntegerField(
        null=True, blank=True, help_text="The upper end, when the figure is a range."
    )
    approximate = models.BooleanField(default=False, help_text='"About" that many.')
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="figures"
    )
    attributed_to = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="figures",
        help_text='Whose figure it is ("per the Russian side").',
    )
    note = models.TextField(blank=True)
    counted = models.BooleanField(
        default=False, help_text="The figure the ledger counts (at most one per owner)."
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=_only("event") | _only("commitment") | _only("term"),
                name="figure_exactly_one_owner",
                violation_error_message="A figure belongs to exactly one of an event, "
                "a commitment or a term.",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="figure_value_not_negative",
                violation_error_message="A figure cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(value_high__isnull=True) | Q(value_high__gte=F("value")),
                name="figure_range_ordered",
                violation_error_message="The upper end cannot be below the value.",
            ),
            *(
                models.UniqueConstraint(
                    fields=[field],
                    condition=Q(counted=True),
                    name=f"figure_one_counted_per_{field}",
                    violation_error_message="Another figure is already the counted one here.",
                )
                for field in OWNER_FIELDS
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value}{'–' + str(self.value_high) if self.value_high is not None else ''}"

    @property
    def owner(self) -> ImplementationEvent | Commitment | Term | None:
        return self.event or self.commitment or self.term
