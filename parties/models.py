from __future__ import annotations

from typing import Any

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
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
    aliases = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        help_text="Other names and spellings; searched like the name, accents ignored.",
    )
    description = models.TextField(blank=True)
    # Identifiers in other datasets, for joining them with Parley's (README "Parties").
    ucdp_actor_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="The actor's id in the UCDP datasets, e.g. 65."
    )
    acled_actor = models.CharField(
        max_length=200, blank=True, help_text="The actor's name as ACLED writes it."
    )
    wikidata_id = models.CharField(
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                r"^[Qq][1-9][0-9]*$", "A Wikidata id is Q followed by digits, e.g. Q212."
            )
        ],
        help_text="The Wikidata item, e.g. Q212 for Ukraine.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"
        constraints = [
            models.CheckConstraint(
                condition=Q(country_code="") | Q(country_code__regex=r"^[A-Z]{2}$"),
                name="party_country_code_iso2",
                violation_error_message="Country code must be two capital letters (ISO 3166-1).",
            ),
            models.CheckConstraint(
                condition=Q(wikidata_id="") | Q(wikidata_id__regex=r"^Q[1-9][0-9]*$"),
                name="party_wikidata_id_shape",
                violation_error_message="A Wikidata id is Q followed by digits, e.g. Q212.",
            ),
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~Q(wikidata_id=""),
                name="party_wikidata_id_unique",
                violation_error_message="Another party has this Wikidata id.",
            ),
            models.UniqueConstraint(
                fields=["ucdp_actor_id"],
                name="party_ucdp_actor_id_unique",
                violation_error_message="Another party has this UCDP actor id.",
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
        max_length=200,
        blank=True,
        help_text="Current title; the title held in a round is on the delegation membership.",
    )
    aliases = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        help_text="Other spellings and transliterations; searched like the name.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(fields=["name", "party"], name="person_unique_per_party"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.party})" if self.party_id else self.name
