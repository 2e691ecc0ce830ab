from __future__ import annotations

import datetime
from typing import Any, ClassVar

import pghistory
from django.db import models
from django.db.models import F, Prefetch, Q
from django.db.models.functions import Now

from negotiations.core.precision import precision_field
from negotiations.core.versioning import Versioned
from negotiations.models import Negotiation, Round
from parties.models import Party

from .base import (
    CHANGED_AT,
    COMPUTED_STATUS_FIELDS,
    CONTENT_FIELDS,
    PIPELINE_FIELDS,
    StatusFields,
)
from .choices import LinkKind, ProposalKind, TextStatus
from .sources import Source


@pghistory.track(exclude=[*COMPUTED_STATUS_FIELDS, *PIPELINE_FIELDS, *CONTENT_FIELDS])
class Proposal(Versioned, StatusFields):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="proposals")
    round = models.ForeignKey(
        Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    tabling_parties: models.ManyToManyField[Party, Tabling] = models.ManyToManyField(
        Party,
        through="Tabling",
        blank=True,
        related_name="proposals_tabled",
        help_text="The parties that tabled it, in order (co-sponsors); none for a mediators' text.",
    )
    mediators = models.ManyToManyField(
        Party,
        blank=True,
        related_name="proposals_mediated",
        help_text="The mediators who put forward a mediators' text.",
    )
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=ProposalKind.choices)
    summary = models.TextField(blank=True)
    text = models.TextField(blank=True)
    tabled_on = models.DateField(null=True, blank=True)
    tabled_on_precision = precision_field()
    text_status = models.CharField(
        max_length=20, choices=TextStatus.choices, default=TextStatus.REPORTED
    )
    required_parties = models.ManyToManyField(
        Party,
        blank=True,
        related_name="proposals_requiring_consent",
        help_text="Parties whose consent makes it agreed; empty means the principals.",
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="proposals")
    # Bumped by every write that marks the proposal stale; a recompute clears the flag
    # only if the generation it started from is still current (proposals/refresh.py).
    status_generation = models.PositiveBigIntegerField(default=0, editable=False)
    status_stale_since = models.DateTimeField(null=True, blank=True, editable=False)
    # When the sampled audit last compared the stored status with a fresh engine run
    # (proposals/audit.py); it checks the oldest first.
    status_verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What the API's ETag of the detail rests on: PostgreSQL triggers bump it whenever the
    # row or a row its detail shows changes (migration 0019_content_versions), so a
    # conditional GET is one indexed lookup, and bulk writes and COPY are counted too.
    content_version = models.BigIntegerField(db_default=1, editable=False)
    content_changed_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        ordering = ["negotiation", "tabled_on", "id"]
        indexes = [
            models.Index(
                fields=["status_stale_since", "id"],
                condition=Q(status_stale=True),
                name="proposal_stale_queue_idx",
            ),
            models.Index(CHANGED_AT, F("id"), name="proposal_sync_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def tabling_party_list(self) -> list[Party]:
        """The tabling parties in order (from tablings_prefetch() if made, else one query)."""
        tablings = self.tablings.all()
        if "tablings" not in getattr(self, "_prefetched_objects_cache", {}):
            tablings = tablings.select_related("party")
        return [tabling.party for tabling in tablings]

    def tabling_names(self) -> str:
        """ "Russia, Türkiye and Iran"; empty for a mediators' text."""
        names = [party.display_name for party in self.tabling_party_list()]
        if len(names) < 2:
            return "".join(names)
        return ", ".join(names[:-1]) + " and " + names[-1]


def tablings_prefetch() -> Prefetch:
    """Prefetch a proposal's tabling parties, in order, for tabling_party_list()."""
    return Prefetch("tablings", queryset=Tabling.objects.select_related("party"))


def tabling_day(
    tabled_on: datetime.date | None, round_starts_on: datetime.date | None
) -> datetime.date | None:
    """The day a proposal was tabled: its tabled_on, else its round's first day."""
    return tabled_on or round_starts_on


@pghistory.track()
class Tabling(models.Model):
    """A party that tabled a proposal, with its place among the co-sponsors (1 = first)."""

    pgh_event_model: ClassVar[type[Any]]  # set by @pghistory.track()

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="tablings")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="tablings")
    ordinal = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["proposal", "ordinal", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "party"],
                name="tabling_unique_party",
                violation_error_message="This party already tables this proposal.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} tables {self.proposal} ({self.ordinal})"


@pghistory.track()
class ProposalLink(Versioned):
    from_proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="links_out")
    to_proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    linked_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the relation took effect; defaults to the newer proposal's date.",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["from_proposal", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_proposal", "to_proposal", "kind"],
                name="proposal_link_unique",
                violation_error_message="These proposals are already linked this way.",
            ),
            models.CheckConstraint(
                condition=~Q(from_proposal=F("to_proposal")),
                name="proposal_link_not_to_itself",
                violation_error_message="A proposal cannot be linked to itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_proposal} {self.get_kind_display()} {self.to_proposal}"
