"""A negotiation's agenda: its numbered points, and the proposals tabled on each."""

from __future__ import annotations

import pghistory
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from negotiations.core.versioning import Versioned
from negotiations.models import Negotiation

from .proposals import Proposal
from .sources import Source


@pghistory.track()
class AgendaItem(Versioned):
    """A point of the agenda. Its status is not stored: it derives from its proposals'
    (proposals/engine/agenda.py), read live or as of a day."""

    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.CASCADE, related_name="agenda_items"
    )
    number = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="agenda_items")
    proposals = models.ManyToManyField(
        Proposal,
        blank=True,
        related_name="agenda_items",
        help_text="The proposals tabled on this point (of the same negotiation).",
    )

    class Meta:
        ordering = ["negotiation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["negotiation", "number"],
                name="agenda_item_number_unique",
                violation_error_message="This negotiation already has an item with this number.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="agenda_item_number_positive",
                violation_error_message="Agenda items are numbered from 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"
