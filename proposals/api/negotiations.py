"""The negotiation resource the router serves: negotiations/resources/negotiations.py's,
with what needs the proposals' statuses: the status summary as of a day (?as_of) and the
stance matrix (matrix.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max
from rest_framework import serializers

from negotiations.api.params import AsOfParameter, aggregate_of, output_fields
from negotiations.api.schema import AS_OF, resource_docs
from negotiations.resources import negotiations
from proposals.api.agenda import AGENDA_ENTRY, AgendaEntrySerializer
from proposals.api.matrix import StanceMatrixAction
from proposals.api.statuses import statuses_fingerprint
from proposals.models import AgendaItem
from proposals.selectors import negotiation_summary_as_of
from proposals.selectors.agenda import agenda


class NegotiationDetailSerializer(negotiations.NegotiationDetailSerializer):
    as_of = serializers.DateField(
        read_only=True, allow_null=True, help_text="The day asked for with ?as_of, else null."
    )
    agenda = AgendaEntrySerializer(
        many=True,
        read_only=True,
        help_text="Its agenda items in order, each with its proposals and the status it "
        "derives from theirs (as of the day asked, with ?as_of).",
    )

    class Meta(negotiations.NegotiationDetailSerializer.Meta):
        fields = (*negotiations.NegotiationDetailSerializer.Meta.fields, "as_of", "agenda")


NEGOTIATION_DETAIL = tuple(output_fields(NegotiationDetailSerializer))


@resource_docs(
    tag="negotiations",
    noun="negotiation",
    example=negotiations.NEGOTIATION_EXAMPLE,
    request_example={"title": "Russia–Ukraine direct talks, Istanbul 2025", "status": "active"},
    patch_example={"status": "suspended"},
    description="Negotiation processes or tracks. The detail carries the participations, "
    "the status summary and the agenda; with ?as_of the summary and the agenda's statuses "
    "are computed for that day.",
    detail_response=NegotiationDetailSerializer,
    detail_parameters=[AS_OF],
    detail_example={
        **negotiations.NEGOTIATION_EXAMPLE,
        "participations": [
            {
                "id": 1,
                "party": {
                    "id": 1,
                    "name": "Russian Federation",
                    "short_name": "Russia",
                    "slug": "russia",
                },
                "roles": ["principal"],
                "note": "",
            }
        ],
        "status_summary": negotiations.SUMMARY_EXAMPLE,
        "status_summary_at": "2025-06-02T18:00:00Z",
        "as_of": None,
        "agenda": [],
    },
)
class NegotiationViewSet(AsOfParameter, StanceMatrixAction, negotiations.NegotiationViewSet):
    def detail_annotations(self) -> dict[str, Any]:
        items = AgendaItem.objects.all()
        return {
            **super().detail_annotations(),
            # The agenda's statuses move with its proposals': always fingerprinted.
            **statuses_fingerprint("negotiation"),
            "agenda_count": aggregate_of(items, "negotiation", Count("pk")),
            "agenda_changed": aggregate_of(items, "negotiation", Max("updated_at")),
        }

    def detail_data(self, row: dict[str, Any]) -> dict[str, Any]:
        values = {
            **super().detail_data(row),
            "as_of": self.as_of,
            "agenda": [
                {name: item[name] for name in AGENDA_ENTRY}
                for item in agenda(row["id"], self.as_of)
            ],
        }
        if self.as_of:
            values.update(
                status_summary=negotiation_summary_as_of(
                    row["id"], self.as_of, stored=row["status_summary"]
                ),
                status_summary_at=None,
            )
        return {name: values[name] for name in NEGOTIATION_DETAIL}
