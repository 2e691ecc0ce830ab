"""A proposal's tabling parties (co-sponsors, in order) and mediators in the API, with the
deprecated single `tabled_by` that older clients still read and send."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import serializers

from negotiations.api.fields import IdField
from parties.models import Party


class TablingFields(serializers.Serializer):
    tabling_parties = IdField(
        many=True,
        queryset=Party.objects.all(),
        required=False,
        help_text="The parties that tabled it, in order (co-sponsors; the first is the main "
        "sponsor); empty for a mediators' text. Each one's `proposes` is recorded with it; "
        "only they can withdraw it, and it is withdrawn once all of them have.",
    )
    mediators = IdField(
        many=True,
        queryset=Party.objects.all(),
        required=False,
        help_text="The mediators who put forward a mediators' text.",
    )
    tabled_by = IdField(
        queryset=Party.objects.all(),
        required=False,
        allow_null=True,
        help_text="Deprecated: use tabling_parties. Read: the first tabling party, or null. "
        "Sent: stands for tabling_parties=[it] (null: none).",
    )


def first_tabling_party(tabling_parties: Sequence[int]) -> int | None:
    """What the deprecated `tabled_by` reads: the first tabling party."""
    return tabling_parties[0] if tabling_parties else None


def with_tabling_parties(data: dict[str, Any]) -> dict[str, Any]:
    """The deprecated `tabled_by`, still sent by older clients, as tabling_parties=[it]."""
    if "tabled_by" not in data:
        return data
    data = dict(data)
    tabled_by = data.pop("tabled_by")
    as_list = [] if tabled_by is None else [tabled_by]
    if "tabling_parties" in data and list(data["tabling_parties"]) != as_list:
        raise serializers.ValidationError(
            {"tabled_by": ["Send tabling_parties only (tabled_by is deprecated)."]}
        )
    data["tabling_parties"] = as_list
    return data


@contextmanager
def errors_as_sent(data: dict[str, Any]) -> Iterator[None]:
    """A client that sent `tabled_by` finds the service's errors about the tabling parties
    under that name."""
    try:
        yield
    except ValidationError as error:
        if "tabled_by" in data and hasattr(error, "error_dict"):
            errors = dict(error.error_dict)
            if "tabling_parties" in errors:
                errors["tabled_by"] = errors.pop("tabling_parties")
                raise ValidationError(errors) from error
        raise
