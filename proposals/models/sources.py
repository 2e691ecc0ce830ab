from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q

from negotiations.core.versioning import Versioned

from .choices import SourceKind


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
