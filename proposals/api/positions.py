"""API resource of positions: what a party said about a proposal or one of its terms.
Recorded, never edited: a correction is a new position."""

from __future__ import annotations

from typing import Any

import django_filters

from negotiations.api.fields import IdField
from negotiations.api.filters import (
    DayRangeFilter,
    IdFilter,
    NegotiationKeyFilter,
    ParleyFilterSet,
    choice_filter,
)
from negotiations.api.params import id_lists, output_columns
from negotiations.api.schema import EXAMPLE_TIMES as TIMES
from negotiations.api.schema import resource_docs
from negotiations.api.viewsets import CreateMixin, DeleteMixin, ResourceViewSet, VersionedSerializer
from proposals import services
from proposals.models import Position, Stance, Term

LEVELS = [("proposal", "On the whole proposal"), ("term", "On one term")]


def by_level(queryset: Any, name: str, value: str) -> Any:
    return queryset.filter(term__isnull=value == "proposal")


class PositionSerializer(VersionedSerializer):
    conditional_on = IdField(
        many=True,
        queryset=Term.objects.select_related("proposal"),
        required=False,
        help_text="Terms (of any proposal of the negotiation) whose agreement the conditions "
        "require.",
    )

    class Meta(VersionedSerializer.Meta):
        model = Position
        fields = (
            "id",
            "party",
            "proposal",
            "term",
            "stance",
            "stated_on",
            "stated_on_precision",
            "round",
            "speaker",
            "quote",
            "conditions",
            "reservations",
            "conditional_on",
            "source",
            "note",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class PositionFilter(ParleyFilterSet):
    negotiation = NegotiationKeyFilter(field_name="proposal__negotiation_id")
    proposal = IdFilter(field_name="proposal_id", help_text="Only positions on this proposal.")
    term = IdFilter(field_name="term_id", help_text="Only positions on this term.")
    party = IdFilter(field_name="party_id", help_text="Only this party's positions.")
    round = IdFilter(field_name="round_id", help_text="Only positions stated at this round.")
    source = IdFilter(field_name="source_id", help_text="Only positions citing this source.")
    stance = choice_filter(Stance.choices, "stance", "Stance; repeat for several.")
    level = django_filters.ChoiceFilter(
        choices=LEVELS, method=by_level, help_text="proposal: on whole proposals; term: on terms."
    )
    stated_on = DayRangeFilter(
        help_text="Stated between stated_on_after and stated_on_before (inclusive)."
    )
    search_fields = ("quote", "conditions", "reservations", "note")

    class Meta:
        model = Position
        fields: list[str] = []


@resource_docs(
    tag="positions",
    noun="position",
    example={
        "id": 10,
        "party": 2,
        "proposal": 5,
        "term": None,
        "stance": "rejects",
        "stated_on": "2025-06-02",
        "stated_on_precision": "day",
        "round": 1,
        "speaker": None,
        "quote": "",
        "conditions": "",
        "reservations": "",
        "conditional_on": [],
        "source": 1,
        "note": "",
        **TIMES,
    },
    request_example={
        "party": 3,
        "proposal": 6,
        "stance": "conditional",
        "stated_on": "2025-06-02",
        "conditions": "If both leaders come.",
        "source": 1,
    },
    description="What a party said about a proposal or one of its terms. Positions are never "
    "edited: a later statement or a correction is a new position (POST); one recorded by "
    "mistake is deleted with a reason.",
)
class PositionViewSet(CreateMixin, DeleteMixin, ResourceViewSet):
    model = Position
    columns = output_columns(PositionSerializer)
    arrays = id_lists(PositionSerializer)
    serializer_class = PositionSerializer
    filterset_class = PositionFilter
    csv_name = "positions"

    create_service = staticmethod(services.position_record)
    delete_service = staticmethod(services.position_delete)
    instance_arg = "position"
