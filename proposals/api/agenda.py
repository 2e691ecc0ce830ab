"""API resource of agenda items: a negotiation's numbered points, the proposals tabled on
each, and the status each item derives from theirs (engine/agenda.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Max
from rest_framework import serializers

from negotiations.api.fields import IdField
from negotiations.api.filters import IdFilter, NegotiationKeyFilter, ParleyFilterSet
from negotiations.api.params import id_lists, output_columns, output_fields
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
from proposals.engine.agenda import ITEM_STATUSES
from proposals.models import AgendaItem, Proposal, Source, Status
from proposals.selectors.agenda import Brief, item_values, proposal_briefs


class ProposalOnItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(Status.choices, help_text="Its status (stored, or as of).")


class AgendaItemSerializer(VersionedSerializer):
    sources = IdField(many=True, queryset=Source.objects.all(), required=False)
    proposals = IdField(
        many=True,
        queryset=Proposal.objects.all(),
        required=False,
        help_text="The proposals tabled on this point, all of its negotiation.",
    )
    status = serializers.ChoiceField(
        ITEM_STATUSES,
        read_only=True,
        help_text="Derived from its proposals': agreed (or beyond) when one is, partially "
        "agreed when one is, open while one is open or conditional, rejected once all are "
        "rejected or withdrawn; open with no proposal.",
    )
    status_reason = serializers.CharField(read_only=True)
    proposal_statuses = ProposalOnItemSerializer(
        many=True, read_only=True, help_text="Its proposals with their titles and statuses."
    )

    class Meta(VersionedSerializer.Meta):
        model = AgendaItem
        fields = (
            "id",
            "negotiation",
            "number",
            "title",
            "description",
            "sources",
            "proposals",
            "status",
            "status_reason",
            "proposal_statuses",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )
        extra_kwargs = {"number": {"required": False}}


# An item as the negotiation's detail nests it.
class AgendaEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(ITEM_STATUSES)
    status_reason = serializers.CharField()
    proposal_statuses = ProposalOnItemSerializer(many=True)


AGENDA_ENTRY = tuple(output_fields(AgendaEntrySerializer))


# An item as a proposal's detail names it.
class AgendaItemBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()


class AgendaItemFilter(ParleyFilterSet):
    negotiation = NegotiationKeyFilter(field_name="negotiation_id")
    proposal = IdFilter(field_name="proposals", help_text="Only items this proposal is on.")
    search_fields = ("title", "description")

    class Meta:
        model = AgendaItem
        fields: list[str] = []


@resource_docs(
    tag="agenda-items",
    noun="agenda item",
    example={
        "id": 1,
        "negotiation": 1,
        "number": 3,
        "title": "Exchange of prisoners",
        "description": "",
        "sources": [],
        "proposals": [5, 6],
        "status": "open",
        "status_reason": "open: «All for all» rejected on 2025-06-02, counter-proposal "
        "«1,000 for 1,000» still open",
        "proposal_statuses": [
            {"id": 5, "title": "All for all", "status": "rejected"},
            {"id": 6, "title": "1,000 for 1,000", "status": "open"},
        ],
        **TIMES,
    },
    request_example={"negotiation": 1, "title": "Exchange of prisoners", "proposals": [5]},
    patch_example={"proposals": [5, 6]},
    description="A negotiation's agenda: numbered points, the proposals tabled on each, and "
    "each point's status derived from its proposals' stored statuses.",
)
class AgendaItemViewSet(CreateMixin, UpdateMixin, DeleteMixin, ResourceViewSet):
    model = AgendaItem
    columns = output_columns(
        AgendaItemSerializer, computed=("status", "status_reason", "proposal_statuses")
    )
    arrays = id_lists(AgendaItemSerializer)
    # An item's status moves with its proposals': a list's ETag follows them too.
    list_fingerprint = {
        "proposals_changed": Max("proposals__updated_at"),
        "proposals_computed": Max("proposals__status_computed_at"),
    }
    serializer_class = AgendaItemSerializer
    filterset_class = AgendaItemFilter
    csv_name = "agenda-items"

    create_service = staticmethod(services.agenda_item_create)
    update_service = staticmethod(services.agenda_item_update)
    delete_service = staticmethod(services.agenda_item_delete)
    instance_arg = "item"

    def briefs(self, negotiation_id: int) -> dict[int, Brief]:
        """The statuses of a negotiation's proposals, read once per request."""
        cache: dict[int, dict[int, Brief]] = self.__dict__.setdefault("_briefs", {})
        if negotiation_id not in cache:
            cache[negotiation_id] = proposal_briefs(negotiation_id)
        return cache[negotiation_id]

    def shape(self, row: dict[str, Any]) -> dict[str, Any]:
        row.update(item_values(row["proposals_ids"], self.briefs(row["negotiation"])))
        return super().shape(row)

    def written(self, instance: Any, code: int) -> Any:
        self.__dict__.pop("_briefs", None)  # a write may have changed them
        return super().written(instance, code)
