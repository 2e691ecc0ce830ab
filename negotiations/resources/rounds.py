"""API resources of a negotiation's structure: participations, rounds (with their
delegations and the statuses of what was tabled, as of a day) and delegations."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import Count, Max, OuterRef
from rest_framework import serializers

from negotiations import services
from negotiations.api.conditional import latest, make_etag
from negotiations.api.filters import IdFilter, ParleyFilterSet, choice_filter
from negotiations.api.schema import resource_docs
from negotiations.api.viewsets import (
    CreateMixin,
    DeleteMixin,
    ResourceViewSet,
    UpdateMixin,
    VersionedSerializer,
)
from negotiations.models import Delegation, Participation, Role, Round, RoundStatus
from negotiations.resources.negotiations import (
    AS_OF,
    PARTY_FIELDS,
    SUMMARY_EXAMPLE,
    TIMES,
    PartyBriefSerializer,
    aggregate_of,
    parse_as_of,
    statuses_fingerprint,
    summary_as_of,
)
from parties.models import Party, Person
from proposals.models import Proposal
from proposals.selectors import statuses_as_of

# --------------------------------------------------------------------------- participations


class ParticipationSerializer(VersionedSerializer):
    class Meta(VersionedSerializer.Meta):
        model = Participation
        fields = (
            "id",
            "negotiation",
            "party",
            "roles",
            "note",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class ParticipationFilter(ParleyFilterSet):
    negotiation = IdFilter(field_name="negotiation_id", help_text="Only this negotiation.")
    party = IdFilter(field_name="party_id", help_text="Only this party.")
    role = django_filters.ChoiceFilter(
        choices=Role.choices, method="with_role", help_text="Only parties holding this role."
    )
    search_fields = ("note", "party__name", "party__short_name")

    def with_role(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(roles__contains=[value])

    class Meta:
        model = Participation
        fields: list[str] = []


@resource_docs(
    tag="participations",
    noun="participation",
    example={"id": 1, "negotiation": 1, "party": 1, "roles": ["principal"], "note": "", **TIMES},
    request_example={"negotiation": 1, "party": 4, "roles": ["host", "mediator"]},
    patch_example={"roles": ["host", "mediator", "guarantor"]},
    description="A party's place in a negotiation: its roles (principals are the parties "
    "whose consent makes something agreed).",
    delete_reason_required=False,
)
class ParticipationViewSet(CreateMixin, UpdateMixin, DeleteMixin, ResourceViewSet):
    model = Participation
    columns = ParticipationSerializer.Meta.fields
    serializer_class = ParticipationSerializer
    filterset_class = ParticipationFilter
    csv_name = "participations"
    reason_required = False

    create_service = staticmethod(services.participation_create)
    update_service = staticmethod(services.participation_update)
    delete_service = staticmethod(services.participation_delete)
    instance_arg = "participation"


# --------------------------------------------------------------------------- rounds


class RoundSerializer(VersionedSerializer):
    hosts = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Party.objects.all(), required=False, help_text="Host parties' ids."
    )

    class Meta(VersionedSerializer.Meta):
        model = Round
        fields = (
            "id",
            "negotiation",
            "number",
            "title",
            "venue_city",
            "venue_country",
            "starts_on",
            "ends_on",
            "status",
            "hosts",
            "summary",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class PersonBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()


class DelegationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    party = PartyBriefSerializer()
    head = PersonBriefSerializer(allow_null=True)
    members = PersonBriefSerializer(many=True)
    members_text = serializers.CharField()


class RoundProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    tabled_by = serializers.IntegerField(allow_null=True)
    tabled_on = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    status_reason = serializers.CharField()
    status_stale = serializers.BooleanField(
        help_text="true: a recompute is pending; the status shown is the last one computed."
    )


class RoundDetailSerializer(RoundSerializer):
    delegations = DelegationBriefSerializer(many=True, read_only=True)
    proposals = RoundProposalSerializer(many=True, read_only=True)
    status_summary = serializers.JSONField(read_only=True)
    status_summary_at = serializers.DateTimeField(read_only=True, allow_null=True)
    as_of = serializers.DateField(read_only=True, allow_null=True)

    class Meta(RoundSerializer.Meta):
        fields = (
            *RoundSerializer.Meta.fields,
            "delegations",
            "proposals",
            "status_summary",
            "status_summary_at",
            "as_of",
        )


class RoundFilter(ParleyFilterSet):
    negotiation = IdFilter(field_name="negotiation_id", help_text="Only this negotiation.")
    status = choice_filter(RoundStatus.choices, "status", "Status; repeat for several.")
    host = IdFilter(field_name="hosts", help_text="Only rounds hosted by this party.")
    starts_on = django_filters.DateFromToRangeFilter(
        help_text="Started between starts_on_after and starts_on_before (inclusive)."
    )
    search_fields = ("title", "summary", "venue_city", "venue_country")

    class Meta:
        model = Round
        fields: list[str] = []


ROUND_EXAMPLE = {
    "id": 1,
    "negotiation": 1,
    "number": 2,
    "title": "Second round, Istanbul",
    "venue_city": "Istanbul",
    "venue_country": "Türkiye",
    "starts_on": "2025-06-02",
    "ends_on": "2025-06-02",
    "status": "held",
    "hosts": [4],
    "summary": "",
    **TIMES,
}


@resource_docs(
    tag="rounds",
    noun="round",
    example=ROUND_EXAMPLE,
    request_example={"negotiation": 1, "number": 3, "starts_on": "2025-07-23", "hosts": [4]},
    patch_example={"status": "postponed"},
    description="Rounds of talks. The detail carries the delegations and the statuses of the "
    "proposals tabled in the round (as of a day with ?as_of).",
    detail_response=RoundDetailSerializer,
    detail_parameters=[AS_OF],
    detail_example={
        **ROUND_EXAMPLE,
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
                "tabled_by": 2,
                "tabled_on": "2025-06-02",
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
class RoundViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = Round
    columns = tuple(f for f in RoundSerializer.Meta.fields if f != "hosts")
    arrays = {"hosts": (Round.hosts.through, "round_id", "party_id")}
    serializer_class = RoundSerializer
    filterset_class = RoundFilter
    csv_name = "rounds"

    @property
    def as_of(self) -> datetime.date | None:
        if not hasattr(self, "_as_of"):
            self._as_of = parse_as_of(self.request)
        return self._as_of

    detail_columns = ("status_summary", "status_summary_at")

    def detail_annotations(self) -> dict[str, Any]:
        delegations = Delegation.objects.all()
        return {
            "delegations_count": aggregate_of(delegations, "round", Count("pk")),
            "delegations_changed": aggregate_of(delegations, "round", Max("updated_at")),
            **statuses_fingerprint("round"),
        }

    def detail_validators(self, row: dict[str, Any]) -> tuple[str, datetime.datetime | None]:
        etag = make_etag(self.request.get_full_path(), row, version=row["version"])
        return etag, latest(
            [row["changed_at"], row["delegations_changed"], row["proposals_computed"]]
        )

    def detail_data(self, row: dict[str, Any]) -> dict[str, Any]:
        delegations = list(
            Delegation.objects.filter(round_id=row["id"])
            .order_by("party__name")
            .values(
                "id",
                "members_text",
                "head_id",
                *(f"party__{k}" for k in PARTY_FIELDS),
            )
            .annotate(member_ids=array_ids(Delegation.members.through, "delegation_id"))
        )
        people_ids = {d["head_id"] for d in delegations} | {
            m for d in delegations for m in d["member_ids"]
        }
        people = {
            p["id"]: p
            for p in Person.objects.filter(pk__in=people_ids - {None}).values("id", "name", "title")
        }
        proposals = list(
            Proposal.objects.filter(round_id=row["id"])
            .order_by("tabled_on", "id")
            .values(
                "id",
                "title",
                "kind",
                "tabled_by",
                "tabled_on",
                "status",
                "status_reason",
                "status_stale",
            )
        )
        summary = row["status_summary"]
        if self.as_of:
            computed = statuses_as_of(row["negotiation"], self.as_of)
            for proposal in proposals:
                result = computed[proposal["id"]]
                proposal.update(
                    status=result.status, status_reason=result.reason, status_stale=False
                )
            summary = summary_as_of(
                row["negotiation"],
                self.as_of,
                proposal_filter={"round_id": row["id"]},
                computed=computed,
            )
        data = {k: row[k] for k in RoundSerializer.Meta.fields}
        data.update(
            delegations=[
                {
                    "id": d["id"],
                    "party": {k: d[f"party__{k}"] for k in PARTY_FIELDS},
                    "head": people.get(d["head_id"]),
                    "members": [people[m] for m in d["member_ids"]],
                    "members_text": d["members_text"],
                }
                for d in delegations
            ],
            proposals=proposals,
            status_summary=summary,
            status_summary_at=None if self.as_of else row["status_summary_at"],
            as_of=self.as_of,
        )
        return data

    create_service = staticmethod(services.round_create)
    update_service = staticmethod(services.round_update)
    instance_arg = "round"


def array_ids(through: Any, owner: str) -> Any:
    from django.contrib.postgres.expressions import ArraySubquery

    return ArraySubquery(
        through.objects.filter(**{owner: OuterRef("pk")}).order_by("person_id").values("person_id")
    )


# --------------------------------------------------------------------------- delegations


class DelegationSerializer(VersionedSerializer):
    members = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Person.objects.all(), required=False, help_text="People's ids."
    )

    class Meta(VersionedSerializer.Meta):
        model = Delegation
        fields = (
            "id",
            "round",
            "party",
            "head",
            "members",
            "members_text",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class DelegationFilter(ParleyFilterSet):
    round = IdFilter(field_name="round_id", help_text="Only this round.")
    party = IdFilter(field_name="party_id", help_text="Only this party's delegations.")
    negotiation = IdFilter(field_name="round__negotiation_id", help_text="Only this negotiation.")
    search_fields = ("members_text", "party__name")

    class Meta:
        model = Delegation
        fields: list[str] = []


@resource_docs(
    tag="delegations",
    noun="delegation",
    example={
        "id": 1,
        "round": 1,
        "party": 2,
        "head": None,
        "members": [1],
        "members_text": "",
        **TIMES,
    },
    request_example={"round": 1, "party": 1, "members_text": "Vladimir Medinsky (head)"},
    patch_example={"members": [1, 2]},
    description="Who each party sent to a round.",
    delete_reason_required=False,
)
class DelegationViewSet(CreateMixin, UpdateMixin, DeleteMixin, ResourceViewSet):
    model = Delegation
    columns = tuple(f for f in DelegationSerializer.Meta.fields if f != "members")
    arrays = {"members": (Delegation.members.through, "delegation_id", "person_id")}
    serializer_class = DelegationSerializer
    filterset_class = DelegationFilter
    csv_name = "delegations"
    reason_required = False

    create_service = staticmethod(services.delegation_create)
    update_service = staticmethod(services.delegation_update)
    delete_service = staticmethod(services.delegation_delete)
    instance_arg = "delegation"
