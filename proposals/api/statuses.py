"""What the engine computes, as every resource shows it: the freshness of a status, the
sync key that moves when a status is recomputed, the stances of the consent parties, and
the ETag fingerprint of a set of proposals' statuses."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.aggregates import BoolOr
from django.db.models import Count, Max
from rest_framework import serializers

from negotiations.api.params import aggregate_of, output_fields
from proposals.models import CHANGED_AT, Proposal
from proposals.selectors import as_basis

STATUS_CHANGED_AT = CHANGED_AT
CHANGED_AT_HELP = (
    "The sync key: the later of updated_at and status_computed_at, so a recomputed status "
    "counts as a change."
)


def freshness(stale: bool) -> str:
    return "recomputing" if stale else "current"


class StatusFreshnessFields(serializers.Serializer):
    """The two read-only fields of a resource whose status the engine computes."""

    status_freshness = serializers.ChoiceField(
        ["current", "recomputing"],
        read_only=True,
        help_text="recomputing: a write is being taken into account; the status is the last one "
        "computed.",
    )
    changed_at = serializers.DateTimeField(read_only=True, help_text=CHANGED_AT_HELP)


# A stance, read from an entry of the engine's basis (the `source` of each field).
class StanceSerializer(serializers.Serializer):
    party = serializers.IntegerField(source="party_id")
    stance = serializers.CharField(
        allow_null=True, help_text="The party's effective stance; null: nothing said yet."
    )
    counts_as = serializers.CharField(
        allow_null=True,
        help_text="What it counts as (a conditional stance whose conditions are met counts "
        "as accepts).",
    )
    position = serializers.IntegerField(
        source="position_id", allow_null=True, help_text="The position it rests on."
    )
    stated_on = serializers.DateField(allow_null=True)
    level = serializers.CharField(
        allow_null=True, help_text="proposal or term: where the position was stated."
    )


STANCE_FIELDS = output_fields(StanceSerializer)


def stances_from_basis(basis: Any) -> list[dict[str, Any]]:
    """The stored basis JSON, or the engine's StanceBasis entries, as API stances."""
    return [
        {name: entry[source] for name, source in STANCE_FIELDS.items()} for entry in as_basis(basis)
    ]


def statuses_fingerprint(link: str) -> dict[str, Any]:
    """What reads of the statuses of a negotiation's or a round's proposals depend on (as
    of a day, the matrix): every write that can change a status marks the proposals stale
    and recomputes them, so these move whenever an input moves."""
    proposals = Proposal.objects.all()
    return {
        "proposals_count": aggregate_of(proposals, link, Count("pk")),
        "proposals_changed": aggregate_of(proposals, link, Max("updated_at")),
        "proposals_computed": aggregate_of(proposals, link, Max("status_computed_at")),
        "proposals_stale": aggregate_of(proposals, link, BoolOr("status_stale")),
    }
