from __future__ import annotations

import pghistory
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from negotiations.core.precision import precision_field
from negotiations.core.versioning import Versioned
from parties.models import Party
from proposals.engine.vocabulary import EventKind

from .sources import Source
from .terms import Term

# Kinds that carry a quantity, and kinds that are about an earlier delivery.
QUANTITY_KINDS = frozenset({EventKind.DELIVERY, EventKind.REVERSAL})
REFERRING_KINDS = frozenset({EventKind.REVERSAL, EventKind.DISPUTE})


@pghistory.track()
class Commitment(Versioned):
    """A party's share of a term: "1,200 by each side" is two commitments."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="commitments")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="commitments")
    quantity = models.BigIntegerField(help_text="What the party commits to deliver (at least).")
    quantity_high = models.BigIntegerField(
        null=True, blank=True, help_text="The upper end, when the commitment is a range."
    )
    approximate = models.BooleanField(default=False, help_text='"About" that many.')
    unit = models.CharField(max_length=60, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["term", "party"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "party"],
                name="commitment_unique_per_term_party",
                violation_error_message="This party already has a commitment on this term.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0),
                name="commitment_quantity_not_negative",
                violation_error_message="A committed quantity cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(quantity_high__isnull=True) | Q(quantity_high__gte=F("quantity")),
                name="commitment_range_ordered",
                violation_error_message="The upper end cannot be below the quantity.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term}: {self.party} {self.quantity}"


@pghistory.track()
class ImplementationEvent(Versioned):
    """One line of the exchange ledger: what a party delivered on a term, when; or a
    suspension, halt, resumption, breach, reversal or dispute (see engine/ledger.py)."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="implementation_events")
    kind = models.CharField(max_length=20, choices=EventKind.choices, default=EventKind.DELIVERY)
    happened_on = models.DateField()
    happened_on_precision = precision_field()
    by_party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        help_text="Who delivered (for a breach: who is reported to have violated).",
    )
    to_party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receipts",
        help_text="Who received.",
    )
    quantity = models.BigIntegerField(null=True, blank=True)
    completes = models.BooleanField(
        default=False, help_text="The term is fully carried out with this event."
    )
    location = models.CharField(max_length=200, blank=True, help_text="Where (for a breach).")
    # CASCADE only ever runs with the whole term going: the delete service refuses to
    # delete a delivery that later reversals or disputes refer to.
    reverses = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reversed_by",
        help_text="The earlier delivery a reversal takes back or a dispute contests.",
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
        return f"{self.term}: {self.kind} {self.quantity or ''} on {self.happened_on}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.quantity is not None and self.kind not in QUANTITY_KINDS:
            errors["quantity"] = "Only a delivery or a reversal carries a quantity."
        if self.completes and self.kind != EventKind.DELIVERY:
            errors["completes"] = "Only a delivery can complete a term."
        if self.kind in REFERRING_KINDS:
            errors.update(self._reference_errors())
        elif self.reverses_id is not None:
            errors["reverses"] = "Only a reversal or a dispute refers to an earlier delivery."
        if errors:
            raise ValidationError(errors)

    def _reference_errors(self) -> dict[str, str]:
        if self.reverses_id is None:
            return {"reverses": f"Say which delivery this {self.kind} is about."}
        target = ImplementationEvent.objects.filter(pk=self.reverses_id).first()
        if (
            target is None
            or target.pk == self.pk
            or target.term_id != self.term_id
            or target.kind != EventKind.DELIVERY
        ):
            return {"reverses": "Choose a delivery recorded on the same term."}
        if self.happened_on is not None and target.happened_on > self.happened_on:
            return {"reverses": f"That delivery only happened on {target.happened_on}."}
        return {}
