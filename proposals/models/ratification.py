"""Ratification: the steps a proposal agreed by the principals must still pass (a vote in
a parliament, a court's ruling, a referendum), each with its outcome."""

from __future__ import annotations

import pghistory
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from negotiations.core.versioning import Versioned
from parties.models import Party
from proposals.engine.ratification import BodyKind, StepOutcome

from .proposals import Proposal
from .sources import Source

# A step's own fields, in the order the admin, the API and the reads list them.
STEP_FIELDS = (
    "ordinal",
    "body_kind",
    "body_name",
    "body_party",
    "due_on",
    "outcome",
    "decided_on",
    "votes_for",
    "votes_against",
    "abstentions",
    "share_for",
    "turnout",
    "note",
)


@pghistory.track()
class RatificationStep(Versioned):
    """One body that must approve an agreed proposal; a body need not be a negotiating
    party (voters are not), so it is named, and linked to a party only if it is one."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="ratification_steps"
    )
    ordinal = models.PositiveIntegerField(default=1)
    body_kind = models.CharField(max_length=20, choices=BodyKind.choices)
    body_name = models.CharField(
        max_length=200, help_text='Who decides, e.g. "Greek Cypriot electorate".'
    )
    body_party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratification_steps",
        help_text="The party the body is, if it is one.",
    )
    due_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(
        max_length=20, choices=StepOutcome.choices, default=StepOutcome.PENDING
    )
    decided_on = models.DateField(
        null=True, blank=True, help_text="Required once decided; empty while pending."
    )
    votes_for = models.PositiveBigIntegerField(null=True, blank=True)
    votes_against = models.PositiveBigIntegerField(null=True, blank=True)
    abstentions = models.PositiveBigIntegerField(null=True, blank=True)
    share_for = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent of the valid votes for.",
    )
    turnout = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent.",
    )
    note = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="ratification_steps")

    class Meta:
        ordering = ["proposal", "ordinal", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(outcome=StepOutcome.PENDING) & Q(decided_on__isnull=True))
                | (~Q(outcome=StepOutcome.PENDING) & Q(decided_on__isnull=False)),
                name="ratification_decided_on_iff_decided",
                violation_error_message=("A decided step needs its date; a pending step has none."),
            ),
            models.CheckConstraint(
                condition=Q(share_for__isnull=True) | (Q(share_for__gte=0) & Q(share_for__lte=100)),
                name="ratification_share_for_percent",
                violation_error_message="The share for is a percentage (0 to 100).",
            ),
            models.CheckConstraint(
                condition=Q(turnout__isnull=True) | (Q(turnout__gte=0) & Q(turnout__lte=100)),
                name="ratification_turnout_percent",
                violation_error_message="The turnout is a percentage (0 to 100).",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.outcome == StepOutcome.PENDING and self.decided_on is not None:
            raise ValidationError({"decided_on": "A pending step has no decision date yet."})
        if self.outcome != StepOutcome.PENDING and self.decided_on is None:
            raise ValidationError({"decided_on": "Say when the body decided."})
        if self.decided_on is not None and self.decided_on > timezone.localdate():
            raise ValidationError({"decided_on": "A decision cannot be dated in the future."})

    def __str__(self) -> str:
        return f"{self.proposal}: {self.body_name} ({self.get_outcome_display()})"
