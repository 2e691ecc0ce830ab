"""API resource of sources: where a claim comes from."""

from __future__ import annotations

import django_filters
from django.db import models
from rest_framework import serializers

from negotiations.api.filters import DayRangeFilter, ParleyFilterSet, choice_filter
from negotiations.api.params import output_columns, output_fields
from negotiations.api.schema import EXAMPLE_TIMES as TIMES
from negotiations.api.schema import resource_docs
from negotiations.api.viewsets import CreateMixin, ResourceViewSet, UpdateMixin, VersionedSerializer
from proposals import services
from proposals.models import Source, SourceKind
from proposals.services.sources import normalised_url


class SourceSerializer(VersionedSerializer):
    class Meta(VersionedSerializer.Meta):
        model = Source
        fields = (
            "id",
            "url",
            "title",
            "publisher",
            "published_on",
            "retrieved_on",
            "kind",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
        )


# A source as other resources cite it.
class SourceBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    publisher = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)
    kind = serializers.CharField()


SOURCE_BRIEF = tuple(output_fields(SourceBriefSerializer))


class SourceFilter(ParleyFilterSet):
    url = django_filters.CharFilter(
        method="at_url",
        help_text="The source at this address, compared as stored: scheme and host in any "
        "case, default port, trailing slash and tracking parameters (utm_*, fbclid, gclid…) "
        "do not matter, e.g. url=https://www.Reuters.com/world/talks/?utm_source=x finds "
        "https://www.reuters.com/world/talks.",
    )
    kind = choice_filter(SourceKind.choices, "kind", "Kind of source; repeat for several.")
    publisher = django_filters.CharFilter(
        lookup_expr="icontains", help_text="Publisher contains this."
    )
    published_on = DayRangeFilter(
        help_text="Published between published_on_after and published_on_before."
    )
    search_fields = ("title", "publisher", "url")

    def at_url(self, queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
        return queryset.filter(url=normalised_url(value))

    class Meta:
        model = Source
        fields: list[str] = []


@resource_docs(
    tag="sources",
    noun="source",
    example={
        "id": 1,
        "url": "",
        "title": "Russia and Ukraine agree on prisoner exchange in Istanbul",
        "publisher": "News report with agency inputs",
        "published_on": "2025-06-02",
        "retrieved_on": None,
        "kind": "news",
        **TIMES,
    },
    request_example={
        "title": "Memorandum text as published",
        "publisher": "TASS",
        "published_on": "2025-06-02",
        "kind": "document",
    },
    patch_example={"url": "https://example.org/memorandum"},
    description="Where a claim comes from: news reports, official statements, documents.",
)
class SourceViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = Source
    columns = output_columns(SourceSerializer)
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    csv_name = "sources"

    create_service = staticmethod(services.source_create)
    update_service = staticmethod(services.source_update)
    instance_arg = "source"
