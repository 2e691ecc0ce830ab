"""API resource of the typed links between proposals (supersedes, amends, responds_to,
counter_to, implements); and a link as a proposal's detail carries it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from rest_framework import serializers

from negotiations.api.filters import IdFilter, NegotiationKeyFilter, ParleyFilterSet, choice_filter
from negotiations.api.params import output_columns, output_fields
from negotiations.api.schema import EXAMPLE_TIMES as TIMES
from negotiations.api.schema import resource_docs
from negotiations.api.viewsets import CreateMixin, DeleteMixin, ResourceViewSet, VersionedSerializer
from proposals import services
from proposals.models import LinkKind, ProposalLink


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


# A link as seen from one of its two proposals.
class LinkBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    direction = serializers.ChoiceField(
        ["out", "in"], help_text="out: this proposal → other; in: other → this proposal."
    )
    proposal = serializers.IntegerField(help_text="The other proposal.")
    title = serializers.CharField(help_text="The other proposal's title.")
    status = serializers.CharField(help_text="The other proposal's stored status.")
    linked_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()


LINK_BRIEF = tuple(output_fields(LinkBriefSerializer))


class ProposalLinkFilter(ParleyFilterSet):
    proposal = IdFilter(method="either_end", help_text="Links from or to this proposal.")
    from_proposal = IdFilter(field_name="from_proposal_id", help_text="Links from this proposal.")
    to_proposal = IdFilter(field_name="to_proposal_id", help_text="Links to this proposal.")
    negotiation = NegotiationKeyFilter(field_name="from_proposal__negotiation_id")
    kind = choice_filter(LinkKind.choices, "kind", "Kind of link; repeat for several.")
    search_fields = ("note",)

    def either_end(self, queryset: Any, name: str, value: Any) -> Any:
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
    columns = output_columns(ProposalLinkSerializer)
    serializer_class = ProposalLinkSerializer
    filterset_class = ProposalLinkFilter
    csv_name = "proposal-links"

    create_service = staticmethod(services.proposal_link_create)
    delete_service = staticmethod(services.proposal_link_delete)
    instance_arg = "link"
