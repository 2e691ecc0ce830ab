"""Form fields about parties that the admin and the editor pages share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from parties.models import Party


class OrderedPartiesField(forms.CharField):
    """Parties by slug (or id), comma-separated, in order: a multiple select loses the order."""

    def to_python(self, value: Any) -> list[Party]:  # type: ignore[override]
        names = [name.strip() for name in str(value or "").split(",") if name.strip()]
        parties = []
        for name in names:
            lookup = Q(slug=name) | (Q(pk=int(name)) if name.isdigit() else Q())
            party = Party.objects.filter(lookup).first()
            if party is None:
                raise ValidationError(f"There is no party “{name}” (give slugs, e.g. russia).")
            parties.append(party)
        return parties

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list | tuple):
            return ", ".join(p.slug if isinstance(p, Party) else str(p) for p in value)
        return "" if value is None else str(value)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.prepare_value(initial) != self.prepare_value(self.to_python(data))
        except ValidationError:
            return True
