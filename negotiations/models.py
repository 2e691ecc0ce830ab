from __future__ import annotations

from typing import Any

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from negotiations.core.precision import precision_field
from negotiations.core.slugs import unique_slug
from negotiations.core.versioning import Versioned
from parties.models import Party, Person


class NegotiationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    CONCLUDED = "concluded", "Concluded"


class Role(models.TextChoices):
    PRINCIPAL = "principal", "Principal"
    MEDIATOR = "mediator", "Mediator"
    HOST = "host", "Host"
    GUARANTOR = "guarantor", "Guarantor"
    OBSERVER = "observer", "Observer"
    SUPPORTER = "supporter", "Supporter"


class MemberRole(models.TextChoices):
    HEAD = "head", "Head of delegation"
    DEPUTY = "deputy", "Deputy head"
    MEMBER = "member", "Member"
    ADVISER = "adviser", "Adviser"
    EXPERT = "expert", "Expert"
    INTERPRETER = "interpreter", "Interpreter"
    OTHER = "other", "Other"


class RoundStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    POSTPONED = "postponed", "Postponed"
    CANCELLED = "cancelled", "Cancelled"


SUMMARY_FIELDS = ["status_summary", "status_summary_at"]


class StatusSummary(models.Model):
    """Counts per status and the share of live terms agreed, refreshed with the statuses
    (proposals/summaries.py); never edited by hand."""

    status_summary = models.JSONField(default=dict, blank=True, editable=False)
    status_summary_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


@pghistory.track(exclude=[*SUMMARY_FIELDS, "status_summary_generation"])
class Negotiation(Versioned, StatusSummary):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=NegotiationStatus.choices, default=NegotiationStatus.ACTIVE
    )
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    parties: models.ManyToManyField[Party, Participation] = models.ManyToManyField(
        Party, through="Participation", related_name="negotiations"
    )
    # The sum of its proposals' status_generation that the summaries were written from,
    # null while they count a stale proposal; a refresh "only if outdated" compares it
    # (proposals/summaries.py).
    status_summary_generation = models.PositiveBigIntegerField(
        null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-started_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="negotiation_dates_in_order",
                violation_error_message="A negotiation cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean_fields(self, exclude: Any = None) -> None:
        # Here rather than in a service: every door that saves a negotiation validates it.
        if not self.slug:
            self.slug = unique_slug(
                Negotiation.objects.all(), self.title, max_length=120, fallback="negotiation"
            )
        super().clean_fields(exclude)


class ParticipationQuerySet(models.QuerySet["Participation"]):
    def principals(self) -> ParticipationQuerySet:
        return self.filter(roles__contains=[Role.PRINCIPAL])

    def principal_ids(self, negotiation_id: int) -> list[int]:
        """The parties whose consent makes something agreed, unless a proposal names its own
        (proposals.models.consent_party_ids)."""
        return list(
            self.filter(negotiation_id=negotiation_id)
            .principals()
            .values_list("party_id", flat=True)
        )


@pghistory.track()
class Participation(Versioned):
    """A party's place in a negotiation. One row per party; a party may hold several roles
    (a host that also mediates)."""

    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.CASCADE, related_name="participations"
    )
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="participations")
    roles = ArrayField(models.CharField(max_length=20, choices=Role.choices))
    note = models.TextField(blank=True)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["negotiation", "party__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["negotiation", "party"],
                name="participation_one_per_party",
                violation_error_message="This party already takes part in this negotiation.",
            ),
            models.CheckConstraint(
                condition=Q(roles__len__gt=0),
                name="participation_has_a_role",
                violation_error_message="Give the party at least one role.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} in {self.negotiation} ({', '.join(self.roles)})"

    @property
    def is_principal(self) -> bool:
        return Role.PRINCIPAL in self.roles


@pghistory.track(exclude=SUMMARY_FIELDS)
class Round(Versioned, StatusSummary):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300, blank=True)
    venue_city = models.CharField(max_length=120, blank=True)
    venue_country = models.CharField(max_length=120, blank=True)
    starts_on = models.DateField()
    starts_on_precision = precision_field()
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=RoundStatus.choices, default=RoundStatus.HELD)
    hosts = models.ManyToManyField(Party, blank=True, related_name="hosted_rounds")
    summary = models.TextField(blank=True)
    sources = models.ManyToManyField(
        "proposals.Source", blank=True, related_name="rounds", help_text="Reports of the round."
    )

    class Meta:
        ordering = ["negotiation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["negotiation", "number"],
                name="round_number_unique_per_negotiation",
                violation_error_message="This negotiation already has a round with this number.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="round_number_positive",
                violation_error_message="Rounds are numbered from 1.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="round_dates_in_order",
                violation_error_message="A round cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Round {self.number} of {self.negotiation}"


@pghistory.track()
class Delegation(Versioned):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="delegations")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="delegations")
    head = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="delegations_led"
    )
    members: models.ManyToManyField[Person, DelegationMember] = models.ManyToManyField(
        Person, blank=True, through="DelegationMember", related_name="delegations"
    )
    members_text = models.TextField(
        blank=True, help_text="Members named in reports but not (yet) recorded as people."
    )

    class Meta:
        ordering = ["round", "party__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "party"],
                name="delegation_one_per_party_and_round",
                violation_error_message="This party already has a delegation in this round.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} delegation, {self.round}"


@pghistory.track()
class DelegationMember(Versioned):
    """A person in a party's delegation to one round, with the title and role they held
    there (a title changes over the years; the one held in this round stays here)."""

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    title = models.CharField(
        max_length=200, blank=True, help_text="As reported for this round, e.g. Defence Minister."
    )
    role = models.CharField(max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER)

    class Meta:
        ordering = ["delegation", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegation", "person"],
                name="delegation_member_once",
                violation_error_message="This person is already in this delegation.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.get_role_display()}), {self.delegation}"


class IdempotentRequest(models.Model):
    """A POST sent with an `Idempotency-Key` header and, once it has run, the response to
    replay for a repeat (negotiations/ops/idempotency.py). Kept PARLEY_IDEMPOTENCY_HOURS.
    The unique (identity, key) pair is what lets only one of two concurrent requests run."""

    identity = models.CharField(max_length=40, help_text="user:<id>, or anonymous.")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(
        max_length=64, help_text="HMAC of the method, path and body the key was used with."
    )
    created_at = models.DateTimeField(db_index=True)
    # Null until a response is stored; set with a null body: ran, but not replayable.
    status_code = models.PositiveSmallIntegerField(null=True)
    headers = models.JSONField(default=dict)
    body = models.BinaryField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["identity", "key"], name="idempotency_key_once"),
        ]

    def __str__(self) -> str:
        return f"{self.identity} {self.key}"
