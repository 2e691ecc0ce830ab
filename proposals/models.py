from __future__ import annotations

from collections.abc import Iterable

import pghistory
from django.db import models
from django.db.models import F, Q

from negotiations.core.versioning import Versioned
from negotiations.models import Negotiation, Round
from parties.models import Party, Person

# Statuses and stances are the engine's vocabulary, defined once (proposals/engine).
from proposals.engine.vocabulary import AGREED_OR_BEYOND as AGREED_OR_BEYOND
from proposals.engine.vocabulary import Stance as Stance
from proposals.engine.vocabulary import Status as Status


class SourceKind(models.TextChoices):
    NEWS = "news", "News report"
    OFFICIAL = "official", "Official statement"
    DOCUMENT = "document", "Document"
    OTHER = "other", "Other"


class ProposalKind(models.TextChoices):
    CEASEFIRE = "ceasefire", "Ceasefire"
    EXCHANGE = "exchange", "Exchange"
    MEMORANDUM = "memorandum", "Memorandum"
    POLITICAL = "political", "Political"
    TERRITORIAL = "territorial", "Territorial"
    HUMANITARIAN = "humanitarian", "Humanitarian"
    SECURITY = "security", "Security"
    MEETING = "meeting", "Meeting"
    OTHER = "other", "Other"


class TextStatus(models.TextChoices):
    OFFICIAL = "official", "Official text"
    REPORTED = "reported", "Reported"
    LEAKED = "leaked", "Leaked"
    DRAFT = "draft", "Draft"


class LinkKind(models.TextChoices):
    SUPERSEDES = "supersedes", "supersedes"
    AMENDS = "amends", "amends"
    RESPONDS_TO = "responds_to", "responds to"
    COUNTER_TO = "counter_to", "is a counter-proposal to"
    IMPLEMENTS = "implements", "implements"


class Category(models.TextChoices):
    CEASEFIRE = "ceasefire", "Ceasefire"
    TERRITORY = "territory", "Territory"
    MILITARY = "military", "Military"
    NEUTRALITY = "neutrality", "Neutrality"
    GOVERNANCE = "governance", "Governance"
    LANGUAGE = "language", "Language"
    SANCTIONS = "sanctions", "Sanctions"
    EXCHANGE = "exchange", "Exchange"
    HUMANITARIAN = "humanitarian", "Humanitarian"
    MONITORING = "monitoring", "Monitoring"
    MEETING = "meeting", "Meeting"
    OTHER = "other", "Other"


class Stage(models.TextChoices):
    PRECONDITION = "precondition", "Precondition"
    CEASEFIRE = "ceasefire", "Ceasefire"
    SETTLEMENT = "settlement", "Settlement"
    IMPLEMENTATION = "implementation", "Implementation"


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


@pghistory.track()
class Source(Versioned):
    url = models.URLField(max_length=1000, blank=True)
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    retrieved_on = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=SourceKind.choices, default=SourceKind.NEWS)

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="source_url_unique",
                violation_error_message="A source with this URL is already recorded.",
            ),
        ]

    def __str__(self) -> str:
        parts = [self.publisher, self.title]
        if self.published_on:
            parts.append(self.published_on.isoformat())
        return ", ".join(p for p in parts if p)


PIPELINE_FIELDS = ["status_generation", "status_stale_since", "status_verified_at"]


def consent_party_ids(required: Iterable[int | None], principals: Iterable[int]) -> frozenset[int]:
    """Whose consent makes a proposal agreed (DESIGN §3, rule 1): the parties it names as
    required, else its negotiation's principals. The one place this rule is written: the
    engine's input, the API and the pages all call it."""
    return frozenset(p for p in required if p is not None) or frozenset(principals)


@pghistory.track(exclude=[*COMPUTED_STATUS_FIELDS, *PIPELINE_FIELDS])
class Proposal(Versioned, StatusFields):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="proposals")
    round = models.ForeignKey(
        Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    tabled_by = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals_tabled"
    )
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=ProposalKind.choices)
    summary = models.TextField(blank=True)
    text = models.TextField(blank=True)
    tabled_on = models.DateField(null=True, blank=True)
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

    class Meta:
        ordering = ["negotiation", "tabled_on", "id"]
        indexes = [
            models.Index(
                fields=["status_stale_since", "id"],
                condition=Q(status_stale=True),
                name="proposal_stale_queue_idx",
            )
        ]

    def __str__(self) -> str:
        return self.title


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
    due_on = models.DateField(null=True, blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="terms")
    delivered = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["proposal", "ordinal"]
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


@pghistory.track()
class Position(Versioned):
    """An attributed claim: who said what about a proposal (or one of its terms), when,
    reported where. Never overwritten: a new statement or a correction is a new row."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="positions")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="positions")
    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, null=True, blank=True, related_name="positions"
    )
    stance = models.CharField(max_length=20, choices=Stance.choices)
    stated_on = models.DateField()
    round = models.ForeignKey(
        Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="positions"
    )
    speaker = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="positions"
    )
    quote = models.TextField(blank=True)
    conditions = models.TextField(blank=True)
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
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stance=Stance.CONDITIONAL) | ~Q(conditions=""),
                name="position_conditional_has_conditions",
                violation_error_message="A conditional stance needs its conditions.",
            ),
        ]

    def __str__(self) -> str:
        target = self.term or self.proposal
        return f"{self.party} {self.get_stance_display()} {target} ({self.stated_on})"


@pghistory.track()
class ImplementationEvent(Versioned):
    """One line of the exchange ledger: what a party delivered on a term, when."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="implementation_events")
    happened_on = models.DateField()
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
        indexes = [models.Index(fields=["changed_on"], name="status_change_date_idx")]

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
