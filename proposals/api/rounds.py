"""The round resource the router serves: negotiations/resources/rounds.py's, with the
statuses of the proposals tabled in the round, stored or as of a day (?as_of)."""

from __future__ import annotations

import datetime
from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from negotiations.api.conditional import latest
from negotiations.api.params import AsOfParameter, output_fields
from negotiations.api.schema import AS_OF, resource_docs
from negotiations.core.precision import DatePrecision
from negotiations.resources import rounds
from negotiations.resources.negotiations import SUMMARY_EXAMPLE
from proposals.api.statuses import statuses_fingerprint
from proposals.api.tabling import first_tabling_party
from proposals.selectors import round_proposals


@extend_schema_serializer(deprecate_fields=["tabled_by"])
class RoundProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    tabling_parties = serializers.ListField(
        child=serializers.IntegerField(), help_text="The parties that tabled it, in order."
    )
    tabled_by = serializers.IntegerField(
        allow_null=True, help_text="Deprecated: the first of tabling_parties, or null."
    )
    tabled_on = serializers.DateField(allow_null=True)
    tabled_on_precision = serializers.ChoiceField(DatePrecision.choices)
    status = serializers.CharField()
    status_reason = serializers.CharField()
    status_stale = serializers.BooleanField(
        help_text="true: a recompute is pending; the status shown is the last one computed."
    )


# tabled_by is derived from tabling_parties after the read.
ROUND_PROPOSAL = tuple(n for n in output_fields(RoundProposalSerializer) if n != "tabled_by")


class RoundDetailSerializer(rounds.RoundDetailSerializer):
    proposals = RoundProposalSerializer(many=True, read_only=True)
    as_of = serializers.DateField(read_only=True, allow_null=True)

    class Meta(rounds.RoundDetailSerializer.Meta):
        fields = (
            *rounds.RoundSerializer.Meta.fields,
            "delegations",
            "proposals",
            "status_summary",
            "status_summary_at",
            "as_of",
        )


ROUND_DETAIL = tuple(output_fields(RoundDetailSerializer))


@resource_docs(
    tag="rounds",
    noun="round",
    example=rounds.ROUND_EXAMPLE,
    request_example={"negotiation": 1, "number": 3, "starts_on": "2025-07-23", "hosts": [4]},
    patch_example={"status": "postponed"},
    description="Rounds of talks. The detail carries the delegations and the statuses of the "
    "proposals tabled in the round (as of a day with ?as_of).",
    detail_response=RoundDetailSerializer,
    detail_parameters=[AS_OF],
    detail_example={
        **rounds.ROUND_EXAMPLE,
        "delegations": [
            {
                "id": 1,
                "party": {"id": 2, "name": "Ukraine", "short_name": "Ukraine", "slug": "ukraine"},
                "head": None,
                "members": [{"id": 1, "name": "Sergiy Kyslytsya", "title": ""}],
                "members_text": "",
            }
        ],
        "proposals": [
            {
                "id": 2,
                "title": "Large-scale prisoner exchange",
                "kind": "exchange",
                "tabling_parties": [2],
                "tabled_by": 2,
                "tabled_on": "2025-06-02",
                "tabled_on_precision": "day",
                "status": "agreed",
                "status_reason": "accepted by Russia and Ukraine",
                "status_stale": False,
            }
        ],
        "status_summary": SUMMARY_EXAMPLE,
        "status_summary_at": "2025-06-02T18:00:00Z",
        "as_of": None,
    },
)
class RoundViewSet(AsOfParameter, rounds.RoundViewSet):
    def detail_annotations(self) -> dict[str, Any]:
        return {**super().detail_annotations(), **statuses_fingerprint("round")}

    def detail_validators(self, row: dict[str, Any]) -> tuple[str, datetime.datetime | None]:
        etag, last_modified = super().detail_validators(row)
        return etag, latest([last_modified, row["proposals_computed"]])

    def detail_data(self, row: dict[str, Any]) -> dict[str, Any]:
        values = super().detail_data(row)
        tabled = round_proposals(
            row["negotiation"], row["id"], fields=ROUND_PROPOSAL, as_of=self.as_of
        )
        for proposal in tabled.proposals:
            proposal["tabled_by"] = first_tabling_party(proposal["tabling_parties"])
        values.update(proposals=tabled.proposals, as_of=self.as_of)
        if tabled.summary is not None:
            values.update(status_summary=tabled.summary, status_summary_at=None)
        return {name: values[name] for name in ROUND_DETAIL}
