"""API resources of the proposals app, part two: positions (recorded, never edited),
the exchange ledger (implementation events), links between proposals and the status
timeline (read only)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import F, Value
from rest_framework import serializers

from negotiations.api.filters import IdFilter, ParleyFilterSet, choice_filter
from negotiations.api.schema import EXAMPLE_TIMES as TIMES
from negotiations.api.schema import resource_docs
from negotiations.api.viewsets import (
    CreateMixin,
    DeleteMixin,
    ResourceViewSet,
    UpdateMixin,
    VersionedSerializer,
)
from proposals import services
from proposals.models import (
    ImplementationEvent,
    LinkKind,
    Position,
    ProposalLink,
    Stance,
    Status,
    StatusChange,
    Term,
)

LEVELS = [("proposal", "On the whole proposal"), ("term", "On one term")]


def by_level(queryset: Any, name: str, value: str) -> Any:
    return queryset.filter(term__isnull=value == "proposal")


# --------------------------------------------------------------------------- positions


class PositionSerializer(VersionedSerializer):
    conditional_on = serializers.PrimaryKeyRelatedField(
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
            "round",
            "speaker",
            "quote",
            "conditions",
            "conditional_on",
            "source",
            "note",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class PositionFilter(ParleyFilterSet):
    negotiation = IdFilter(
        field_name="proposal__negotiation_id", help_text="Only this negotiation."
    )
    proposal = IdFilter(field_name="proposal_id", help_text="Only positions on this proposal.")
    term = IdFilter(field_name="term_id", help_text="Only positions on this term.")
    party = IdFilter(field_name="party_id", help_text="Only this party's positions.")
    round = IdFilter(field_name="round_id", help_text="Only positions stated at this round.")
    source = IdFilter(field_name="source_id", help_text="Only positions citing this source.")
    stance = choice_filter(Stance.choices, "stance", "Stance; repeat for several.")
    level = django_filters.ChoiceFilter(
        choices=LEVELS, method=by_level, help_text="proposal: on whole proposals; term: on terms."
    )
    stated_on = django_filters.DateFromToRangeFilter(
        help_text="Stated between stated_on_after and stated_on_before (inclusive)."
    )
    search_fields = ("quote", "conditions", "note")

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
        "round": 1,
        "speaker": None,
        "quote": "",
        "conditions": "",
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
    columns = tuple(f for f in PositionSerializer.Meta.fields if f != "conditional_on")
    arrays = {"conditional_on": (Position.conditional_on.through, "position_id", "term_id")}
    serializer_class = PositionSerializer
    filterset_class = PositionFilter
    csv_name = "positions"

    create_service = staticmethod(services.position_record)
    delete_service = staticmethod(services.position_delete)
    instance_arg = "position"


# --------------------------------------------------------------------------- ledger


class ImplementationEventSerializer(VersionedSerializer):
    class Meta(VersionedSerializer.Meta):
        model = ImplementationEvent
        fields = (
            "id",
            "term",
            "happened_on",
            "by_party",
            "quantity",
            "completes",
            "note",
            "source",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class ImplementationEventFilter(ParleyFilterSet):
    term = IdFilter(field_name="term_id", help_text="Only deliveries on this term.")
    proposal = IdFilter(field_name="term__proposal_id", help_text="Only this proposal's terms.")
    negotiation = IdFilter(
        field_name="term__proposal__negotiation_id", help_text="Only this negotiation."
    )
    by_party = IdFilter(field_name="by_party_id", help_text="Only what this party delivered.")
    happened_on = django_filters.DateFromToRangeFilter(
        help_text="Between happened_on_after and happened_on_before (inclusive)."
    )
    search_fields = ("note",)

    class Meta:
        model = ImplementationEvent
        fields: list[str] = []


@resource_docs(
    tag="implementation-events",
    noun="implementation event",
    example={
        "id": 1,
        "term": 7,
        "happened_on": "2025-06-11",
        "by_party": 1,
        "quantity": 1212,
        "completes": False,
        "note": "First bodies returned",
        "source": 1,
        **TIMES,
    },
    request_example={
        "term": 7,
        "happened_on": "2025-06-11",
        "by_party": 1,
        "quantity": 1212,
        "source": 1,
    },
    patch_example={"quantity": 1245},
    description="The exchange ledger: what each party delivered on a term, when.",
)
class ImplementationEventViewSet(CreateMixin, UpdateMixin, DeleteMixin, ResourceViewSet):
    model = ImplementationEvent
    columns = ImplementationEventSerializer.Meta.fields
    serializer_class = ImplementationEventSerializer
    filterset_class = ImplementationEventFilter
    csv_name = "implementation-events"

    create_service = staticmethod(services.implementation_event_record)
    update_service = staticmethod(services.implementation_event_update)
    delete_service = staticmethod(services.implementation_event_delete)
    instance_arg = "event"


# --------------------------------------------------------------------------- links


class ProposalLinkSerializer(VersionedSerializer):
    class Meta(VersionedSerializer.Meta):
        model = ProposalLink
        fields = (
            "id",
            "from_proposal",
            "to_proposal",
            "kind",
            "linked_on",
            "note",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class ProposalLinkFilter(ParleyFilterSet):
    proposal = django_filters.NumberFilter(
        method="either_end", help_text="Links from or to this proposal."
    )
    from_proposal = IdFilter(field_name="from_proposal_id", help_text="Links from this proposal.")
    to_proposal = IdFilter(field_name="to_proposal_id", help_text="Links to this proposal.")
    negotiation = IdFilter(
        field_name="from_proposal__negotiation_id", help_text="Only this negotiation."
    )
    kind = choice_filter(LinkKind.choices, "kind", "Kind of link; repeat for several.")
    search_fields = ("note",)

    def either_end(self, queryset: Any, name: str, value: Any) -> Any:
        from django.db.models import Q

        return queryset.filter(Q(from_proposal_id=value) | Q(to_proposal_id=value))

    class Meta:
        model = ProposalLink
        fields: list[str] = []


@resource_docs(
    tag="proposal-links",
    noun="proposal link",
    example={
        "id": 1,
        "from_proposal": 7,
        "to_proposal": 1,
        "kind": "counter_to",
        "linked_on": None,
        "note": "",
        **TIMES,
    },
    request_example={"from_proposal": 7, "to_proposal": 1, "kind": "supersedes"},
    description="Typed relations between proposals: supersedes, amends, responds_to, "
    "counter_to, implements. A superseded proposal stops counting.",
)
class ProposalLinkViewSet(CreateMixin, DeleteMixin, ResourceViewSet):
    model = ProposalLink
    columns = ProposalLinkSerializer.Meta.fields
    serializer_class = ProposalLinkSerializer
    filterset_class = ProposalLinkFilter
    csv_name = "proposal-links"

    create_service = staticmethod(services.proposal_link_create)
    delete_service = staticmethod(services.proposal_link_delete)
    instance_arg = "link"


# --------------------------------------------------------------------------- timeline


class StatusChangeSerializer(serializers.ModelSerializer):
    previous_status = serializers.ChoiceField(
        Status.choices, allow_null=True, help_text="null: the first step of the timeline."
    )
    changed_at = serializers.DateTimeField(
        read_only=True, help_text="The sync key (when this step was computed)."
    )

    class Meta:
        model = StatusChange
        fields = (
            "id",
            "proposal",
            "term",
            "changed_on",
            "status",
            "previous_status",
            "reason",
            "seq",
            "created_at",
            "changed_at",
        )
        read_only_fields = fields


class StatusChangeFilter(ParleyFilterSet):
    negotiation = IdFilter(
        field_name="proposal__negotiation_id", help_text="Only this negotiation."
    )
    proposal = IdFilter(field_name="proposal_id", help_text="Only this proposal's timeline.")
    term = IdFilter(field_name="term_id", help_text="Only this term's timeline.")
    status = choice_filter(Status.choices, "status", "The status reached; repeat for several.")
    level = django_filters.ChoiceFilter(
        choices=LEVELS, method=by_level, help_text="proposal: whole proposals; term: terms."
    )
    changed_on = django_filters.DateFromToRangeFilter(
        help_text="Changed between changed_on_after and changed_on_before (inclusive)."
    )
    search_fields = ("reason",)

    class Meta:
        model = StatusChange
        fields: list[str] = []


@resource_docs(
    tag="status-changes",
    noun="status change",
    example={
        "id": 1,
        "proposal": 5,
        "term": None,
        "changed_on": "2025-06-02",
        "status": "rejected",
        "previous_status": None,
        "reason": "rejected by Ukraine on 2025-06-02",
        "seq": 0,
        "created_at": "2025-06-02T18:00:01Z",
        "changed_at": "2025-06-02T18:00:01Z",
    },
    description="The status timelines of proposals and terms, replayed by the engine. They are "
    "rebuilt whole when a proposal is recomputed, so their ids are not stable: to sync them, "
    "fetch a proposal's timeline again when its changed_at moves.",
)
class StatusChangeViewSet(ResourceViewSet):
    model = StatusChange
    columns = StatusChangeSerializer.Meta.fields
    changed_at = F("created_at")
    serializer_class = StatusChangeSerializer
    filterset_class = StatusChangeFilter
    csv_name = "status-changes"
    http_method_names = ["get", "head", "options"]

    def shape(self, row: dict[str, Any]) -> dict[str, Any]:
        row["previous_status"] = row["previous_status"] or None
        return row

    def version_expression(self) -> Any:
        return Value(0)

    def last_deleted(self) -> None:
        return None
