"""API resources of the parties app: parties and people."""

from __future__ import annotations

import django_filters
from rest_framework import serializers

from negotiations.api.filters import (
    IdFilter,
    NameFilter,
    NegotiationKeyFilter,
    ParleyFilterSet,
    choice_filter,
)
from negotiations.api.schema import EXAMPLE_TIMES as TIMES
from negotiations.api.schema import resource_docs
from negotiations.api.viewsets import CreateMixin, ResourceViewSet, UpdateMixin, VersionedSerializer
from parties import services
from parties.models import Party, PartyKind, Person

# --------------------------------------------------------------------------- parties


class PartySerializer(VersionedSerializer):
    slug = serializers.SlugField(
        max_length=80, required=False, help_text="Made from the short name when left out."
    )

    class Meta(VersionedSerializer.Meta):
        model = Party
        fields = (
            "id",
            "name",
            "short_name",
            "slug",
            "kind",
            "country_code",
            "aliases",
            "description",
            "ucdp_actor_id",
            "acled_actor",
            "wikidata_id",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class PartyFilter(ParleyFilterSet):
    name = NameFilter(
        names=("name", "short_name"),
        aliases=("aliases",),
        help_text="The party whose name, short name or one alias is exactly this, accents and "
        "case ignored: name=kyiv finds a party with the alias “Kyiv”, name=turkiye finds "
        "“Türkiye”. (q finds names that contain the words.)",
    )
    kind = choice_filter(PartyKind.choices, "kind", "Kind of party; repeat for several.")
    country_code = django_filters.CharFilter(help_text="ISO 3166-1 alpha-2, e.g. UA.")
    slug = django_filters.CharFilter(help_text="The slug the pages use, e.g. slug=ukraine.")
    ucdp_actor_id = IdFilter(
        help_text="The actor's id in the UCDP datasets, e.g. ucdp_actor_id=65."
    )
    acled_actor = django_filters.CharFilter(
        lookup_expr="iexact",
        help_text="The actor's name as ACLED writes it (any case), e.g. "
        "acled_actor=Military Forces of Ukraine (2019-).",
    )
    wikidata_id = django_filters.CharFilter(
        lookup_expr="iexact", help_text="The Wikidata item, e.g. wikidata_id=Q212."
    )
    negotiation = NegotiationKeyFilter(
        field_name="participations__negotiation_id",
        help_text="Only parties taking part in this negotiation.",
    )
    search_fields = ("name", "short_name", "slug", "description")
    name_fields = ("name", "short_name", "slug")
    alias_fields = ("aliases",)

    class Meta:
        model = Party
        fields: list[str] = []


PARTY_EXAMPLE = {
    "id": 2,
    "name": "Ukraine",
    "short_name": "Ukraine",
    "slug": "ukraine",
    "kind": "state",
    "country_code": "UA",
    "aliases": ["Ukrainian government"],
    "description": "",
    "ucdp_actor_id": None,
    "acled_actor": "Government of Ukraine (2019-)",
    "wikidata_id": "Q212",
    **TIMES,
}


@resource_docs(
    tag="parties",
    noun="party",
    example=PARTY_EXAMPLE,
    request_example={"name": "Republic of Türkiye", "short_name": "Turkey", "country_code": "TR"},
    patch_example={"aliases": ["Türkiye", "Turkey"]},
    description="States, armed groups, international organisations and blocs.",
)
class PartyViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = Party
    columns = PartySerializer.Meta.fields
    serializer_class = PartySerializer
    filterset_class = PartyFilter
    csv_name = "parties"

    create_service = staticmethod(services.party_create)
    update_service = staticmethod(services.party_update)
    instance_arg = "party"


# --------------------------------------------------------------------------- people


class PersonSerializer(VersionedSerializer):
    class Meta(VersionedSerializer.Meta):
        model = Person
        fields = (
            "id",
            "name",
            "party",
            "title",
            "aliases",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


class PersonFilter(ParleyFilterSet):
    name = NameFilter(
        names=("name",),
        aliases=("aliases",),
        help_text="The people whose name or one alias is exactly this, accents and case "
        "ignored: name=serhiy kyslytsya finds “Sergiy Kyslytsya” if that is an alias.",
    )
    party = IdFilter(field_name="party_id", help_text="Only people of this party.")
    search_fields = ("name", "title")
    name_fields = ("name",)
    alias_fields = ("aliases",)

    class Meta:
        model = Person
        fields: list[str] = []


@resource_docs(
    tag="people",
    noun="person",
    example={
        "id": 1,
        "name": "Sergiy Kyslytsya",
        "party": 2,
        "title": "Member of the Ukrainian delegation",
        "aliases": ["Serhiy Kyslytsya"],
        **TIMES,
    },
    request_example={"name": "Rustem Umerov", "party": 2, "title": "Head of delegation"},
    patch_example={"title": "Minister of Defence"},
    description="People who speak for the parties: heads of delegation, ministers, spokesmen.",
)
class PersonViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = Person
    columns = PersonSerializer.Meta.fields
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    csv_name = "people"

    create_service = staticmethod(services.person_create)
    update_service = staticmethod(services.person_update)
    instance_arg = "person"
