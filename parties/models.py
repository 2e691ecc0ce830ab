from __future__ import annotations

from typing import Any

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from negotiations.core.slugs import unique_slug
from negotiations.core.versioning import Versioned


class PartyKind(models.TextChoices):
    STATE = "state", "State"
    ARMED_GROUP = "armed_group", "Armed group"
    INTERNATIONAL_ORG = "international_org", "International organisation"
    BLOC = "bloc", "Bloc"
    OTHER = "other", "Other"


@pghistory.track()
class Party(Versioned):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=60, blank=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=PartyKind.choices, default=PartyKind.STATE)
    country_code = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code, for states."
    )
    aliases = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"
        constraints = [
            models.CheckConstraint(
                condition=Q(country_code="") | Q(country_code__regex=r"^[A-Z]{2}$"),
                name="party_country_code_iso2",
                violation_error_message="Country code must be two capital letters (ISO 3166-1).",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude: Any = None) -> None:
        # Here rather than in a service: every door that saves a party validates it first.
        if not self.slug:
            self.slug = unique_slug(
                Party.objects.all(), self.short_name or self.name, max_length=80, fallback="party"
            )
        super().clean_fields(exclude)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


@pghistory.track()
class Person(Versioned):
    name = models.CharField(max_length=200)
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="people", null=True, blank=True
    )
    title = models.CharField(
        max_length=200, blank=True, help_text="Role at the time, e.g. head of delegation."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(fields=["name", "party"], name="person_unique_per_party"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.party})" if self.party_id else self.name
