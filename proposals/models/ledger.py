from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q

from negotiations.core.precision import precision_field
from negotiations.core.versioning import Versioned
from parties.models import Party

from .sources import Source
from .terms import Term


@pghistory.track()
class ImplementationEvent(Versioned):
    """One line of the exchange ledger: what a party delivered on a term, when."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="implementation_events")
    happened_on = models.DateField()
    happened_on_precision = precision_field()
    by_party = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries"
    )
    quantity = models.BigIntegerField(null=True, blank=True)
    completes = models.BooleanField(
        default=False, help_text="The term is fully carried out with this event."
    )
    note = models.TextField(blank=True)
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="implementation_events",
    )

    class Meta:
        ordering = ["happened_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0),
                name="event_quantity_not_negative",
                violation_error_message="A delivered quantity cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term}: {self.quantity or ''} on {self.happened_on}"
