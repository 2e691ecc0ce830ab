from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q

from negotiations.core.precision import precision_field
from negotiations.core.versioning import Versioned
from negotiations.models import Round
from parties.models import Party, Person
from proposals.engine.vocabulary import Stance

from .proposals import Proposal
from .sources import Source
from .terms import Term


@pghistory.track()
class Position(Versioned):
    """An attributed claim: who said what about a proposal (or one of its terms), when,
    reported where. Never overwritten: a new statement or a correction is a new row."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="positions")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="positions")
    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, null=True, blank=True, related_name="positions"
    )
    stance = models.CharField(max_length=30, choices=Stance.choices)
    stated_on = models.DateField()
    stated_on_precision = precision_field()
    round = models.ForeignKey(
        Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="positions"
    )
    speaker = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="positions"
    )
    quote = models.TextField(blank=True)
    conditions = models.TextField(blank=True)
    reservations = models.TextField(
        blank=True, help_text="Required for `accepts_with_reservations`: what the party reserves."
    )
    conditional_on = models.ManyToManyField(
        Term,
        blank=True,
        related_name="conditioning_positions",
        help_text="Terms whose agreement the conditions require.",
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="positions"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["stated_on", "id"]
        indexes = [
            models.Index(fields=["proposal", "party", "stated_on"], name="position_asof_idx"),
            # The party page (latest first) and a round's statements, read a page at a time.
            models.Index(fields=["party", "-stated_on", "-id"], name="position_party_latest_idx"),
            models.Index(fields=["round", "stated_on", "id"], name="position_round_day_idx"),
            # The list's order and its fingerprint (count, last change, versions): an
            # index-only scan instead of a sort of the whole table.
            models.Index(
                fields=["updated_at", "id"], include=["version"], name="position_sync_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stance=Stance.CONDITIONAL) | ~Q(conditions=""),
                name="position_conditional_has_conditions",
                violation_error_message="A conditional stance needs its conditions.",
            ),
            models.CheckConstraint(
                condition=~Q(stance=Stance.ACCEPTS_WITH_RESERVATIONS) | ~Q(reservations=""),
                name="position_reservations_have_text",
                violation_error_message="Accepting with reservations needs the reservations.",
            ),
        ]

    def __str__(self) -> str:
        target = self.term or self.proposal
        return f"{self.party} {self.get_stance_display()} {target} ({self.stated_on})"
