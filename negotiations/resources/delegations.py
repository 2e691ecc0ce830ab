"""API resources of the delegations a party sends to a round, and of their members (with
the title and role each held in that round)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from negotiations import services
from negotiations.api.fields import IdField
from negotiations.api.filters import IdFilter, NegotiationKeyFilter, ParleyFilterSet, choice_filter
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
from negotiations.models import Delegation, DelegationMember, MemberRole
from negotiations.resources.negotiations import (
    PartyBriefSerializer,
    party_brief,
    party_brief_columns,
)
from parties.models import Person


class PersonBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()


PERSON_BRIEF = tuple(output_fields(PersonBriefSerializer))


class MemberBriefSerializer(PersonBriefSerializer):
    title = serializers.CharField(
        help_text="The title held in this round where one was recorded, else the person's."
    )
    role = serializers.ChoiceField(choices=MemberRole.choices)


class DelegationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    party = PartyBriefSerializer()
    head = PersonBriefSerializer(allow_null=True)
    members = MemberBriefSerializer(many=True)
    members_text = serializers.CharField()


DELEGATION_BRIEF = tuple(output_fields(DelegationBriefSerializer))


def delegations_of(round_id: int) -> list[dict[str, Any]]:
    """The round's delegations as its detail nests them, by party name: three queries."""
    delegations = list(
        Delegation.objects.filter(round_id=round_id)
        .order_by("party__name")
        .values("id", "members_text", "head_id", *party_brief_columns())
    )
    members: dict[int, list[dict[str, Any]]] = {d["id"]: [] for d in delegations}
    for m in DelegationMember.objects.filter(delegation__round_id=round_id).values(
        "delegation_id", "person_id", "person__name", "person__title", "title", "role"
    ):
        members[m["delegation_id"]].append(
            {
                "id": m["person_id"],
                "name": m["person__name"],
                "title": m["title"] or m["person__title"],
                "role": m["role"],
            }
        )
    heads = {d["head_id"] for d in delegations} - {None}
    people = {p["id"]: p for p in Person.objects.filter(pk__in=heads).values(*PERSON_BRIEF)}
    return [
        {name: values[name] for name in DELEGATION_BRIEF}
        for values in (
            {
                **d,
                "party": party_brief(d),
                "head": people.get(d["head_id"]),
                "members": members[d["id"]],
            }
            for d in delegations
        )
    ]


# --------------------------------------------------------------------------- delegations


class DelegationSerializer(VersionedSerializer):
    members = IdField(
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
    negotiation = NegotiationKeyFilter(field_name="round__negotiation_id")
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
    columns = output_columns(DelegationSerializer)
    arrays = id_lists(DelegationSerializer)
    serializer_class = DelegationSerializer
    filterset_class = DelegationFilter
    csv_name = "delegations"
    reason_required = False

    create_service = staticmethod(services.delegation_create)
    update_service = staticmethod(services.delegation_update)
    delete_service = staticmethod(services.delegation_delete)
    instance_arg = "delegation"


# --------------------------------------------------------------------------- members


class DelegationMemberSerializer(VersionedSerializer):
    class Meta(VersionedSerializer.Meta):
        model = DelegationMember
        fields = (
            "id",
            "delegation",
            "person",
            "title",
            "role",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class DelegationMemberFilter(ParleyFilterSet):
    delegation = IdFilter(field_name="delegation_id", help_text="Only this delegation.")
    person = IdFilter(field_name="person_id", help_text="Only this person's memberships.")
    round = IdFilter(field_name="delegation__round_id", help_text="Only this round.")
    role = choice_filter(MemberRole.choices, "role", "Role; repeat for several.")
    search_fields = ("title", "person__name")

    class Meta:
        model = DelegationMember
        fields: list[str] = []


@resource_docs(
    tag="delegations",
    noun="delegation member",
    example={
        "id": 1,
        "delegation": 1,
        "person": 1,
        "title": "Deputy Foreign Minister",
        "role": "member",
        **TIMES,
    },
    request_example={"delegation": 1, "person": 2, "title": "Defence Minister", "role": "head"},
    patch_example={"title": "First Deputy Foreign Minister"},
    description="A person in a delegation, with the title and role held in that round (a "
    "person's title on /people/ is the current one).",
    delete_reason_required=False,
)
class DelegationMemberViewSet(CreateMixin, UpdateMixin, DeleteMixin, ResourceViewSet):
    model = DelegationMember
    columns = output_columns(DelegationMemberSerializer)
    serializer_class = DelegationMemberSerializer
    filterset_class = DelegationMemberFilter
    csv_name = "delegation-members"
    reason_required = False

    create_service = staticmethod(services.delegation_member_create)
    update_service = staticmethod(services.delegation_member_update)
    delete_service = staticmethod(services.delegation_member_delete)
    instance_arg = "member"
