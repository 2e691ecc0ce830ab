"""API resource of proposals: the list, the nested detail (detail.py: stored statuses or as
of a day), the writes, and the history action (history.py)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import models
from django.db.models import Count, Max, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, JSONObject
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import exceptions, serializers

from negotiations.api.conditional import make_etag
from negotiations.api.fields import IdField
from negotiations.api.params import (
    AsOfParameter,
    aggregate_over,
    id_lists,
    output_columns,
    output_fields,
)
from negotiations.api.schema import AS_OF, resource_docs
from negotiations.api.viewsets import (
    CreateMixin,
    DeleteMixin,
    ResourceViewSet,
    Rows,
    UpdateMixin,
    VersionedSerializer,
)
from negotiations.resources.negotiations import PARTY_BRIEF, PartyBriefSerializer
from parties.models import Party, Person
from proposals import services
from proposals.api.agenda import AgendaItemBriefSerializer
from proposals.api.expand import (
    EXPAND,
    ExpandedFields,
    expand_fingerprint,
    expand_rows,
    parse_expand,
)
from proposals.api.history import HistoryAction
from proposals.api.links import LINK_BRIEF, LinkBriefSerializer
from proposals.api.proposal_examples import PROPOSAL_DETAIL_EXAMPLE, PROPOSAL_EXAMPLE
from proposals.api.proposal_filters import ProposalFilter
from proposals.api.ratification import RatificationStepBriefSerializer
from proposals.api.reservations import ReservationSerializer
from proposals.api.sources import SOURCE_BRIEF, SourceBriefSerializer
from proposals.api.statuses import (
    STATUS_CHANGED_AT,
    StanceSerializer,
    StatusFreshnessFields,
    freshness,
    stances_from_basis,
)
from proposals.api.tabling import (
    TablingFields,
    errors_as_sent,
    first_tabling_party,
    with_tabling_parties,
)
from proposals.api.terms import (
    NESTED_TERM_COLUMNS,
    NestedTermSerializer,
    nested_term,
)
from proposals.models import (
    AgendaItem,
    Proposal,
    Source,
    Tabling,
)
from proposals.models.content import LIVE_CONTENT, ContentBump, live_content
from proposals.selectors import proposal_detail
from proposals.selectors.ratification import ratification_expression


@extend_schema_serializer(deprecate_fields=["tabled_by"])
class ProposalSerializer(TablingFields, StatusFreshnessFields, VersionedSerializer):
    required_parties = IdField(
        many=True,
        queryset=Party.objects.all(),
        required=False,
        help_text="Parties whose consent makes it agreed; empty: the negotiation's principals.",
    )
    sources = IdField(many=True, queryset=Source.objects.all(), required=False)
    speaker = IdField(
        queryset=Person.objects.all(),
        required=False,
        allow_null=True,
        write_only=True,
        help_text="Create only: who tabled it (kept on the tabling party's position).",
    )
    quote = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="Create only: the words it was tabled with.",
    )
    ratification = serializers.ChoiceField(
        choices=["pending", "approved", "rejected"],
        read_only=True,
        allow_null=True,
        help_text="Its ratification steps' state: null without steps; pending while one is "
        "not yet approved (an agreed proposal then stays agreed); rejected once one was.",
    )

    class Meta(VersionedSerializer.Meta):
        model = Proposal
        fields: tuple[str, ...] = (
            "id",
            "negotiation",
            "round",
            "tabling_parties",
            "mediators",
            "tabled_by",
            "title",
            "kind",
            "summary",
            "text",
            "tabled_on",
            "tabled_on_precision",
            "text_status",
            "required_parties",
            "sources",
            "status",
            "status_reason",
            "status_since",
            "status_stale",
            "status_freshness",
            "status_computed_at",
            "ratification",
            "version",
            "created_at",
            "updated_at",
            "changed_at",
            "speaker",
            "quote",
        )
        read_only_fields = (
            *VersionedSerializer.Meta.read_only_fields,
            "status",
            "status_reason",
            "status_since",
            "status_stale",
            "status_computed_at",
        )


class ProposalRowSerializer(ExpandedFields, ProposalSerializer):
    """A proposal as the list gives it: its own fields and what `?expand=` adds."""

    class Meta(ProposalSerializer.Meta):
        fields = (*ProposalSerializer.Meta.fields, *ExpandedFields().fields)


# Given only when tabling: afterwards they are a position's.
CREATE_ONLY = tuple(name for name, field in ProposalSerializer().fields.items() if field.write_only)


class ProposalDetailSerializer(ProposalSerializer):
    """A proposal with everything a client needs in one call: the proposal's own fields
    (declared once, on ProposalSerializer) and what it nests."""

    as_of = serializers.DateField(
        allow_null=True, help_text="The day asked for with ?as_of; null: stored statuses."
    )
    consent_parties = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Whose consent makes it agreed: required_parties, else the principals.",
    )
    parties = PartyBriefSerializer(many=True, help_text="Every party the stances name.")
    stances = StanceSerializer(many=True, help_text="Stances on the proposal as a whole.")
    terms = NestedTermSerializer(many=True)
    links = LinkBriefSerializer(many=True)
    cited_sources = SourceBriefSerializer(
        many=True, help_text="The sources of the proposal and of its terms."
    )
    agenda_items = AgendaItemBriefSerializer(
        many=True, help_text="The agenda items it is tabled on (read-only; set on the item)."
    )
    ratification_steps = RatificationStepBriefSerializer(
        many=True, help_text="The bodies that must approve it, in order (as of the day asked)."
    )
    reservations = ReservationSerializer(
        many=True,
        help_text="The reservations standing on it (as of the day asked): those of the "
        "positions accepting with reservations that its stances and its terms' rest on.",
    )

    class Meta(ProposalSerializer.Meta):
        fields = (
            *(name for name in ProposalSerializer.Meta.fields if name not in CREATE_ONLY),
            "as_of",
            "consent_parties",
            "parties",
            "stances",
            "terms",
            "links",
            "cited_sources",
            "ratification_steps",
            "agenda_items",
            "reservations",
        )


PROPOSAL_DETAIL = tuple(output_fields(ProposalDetailSerializer))


def detail_output(row: dict[str, Any], as_of: datetime.date | None) -> dict[str, Any]:
    """The detail of the proposal whose row (ResourceViewSet.detail_row) is `row`."""
    detail = proposal_detail(
        row,
        as_of=as_of,
        term_fields=NESTED_TERM_COLUMNS,
        party_fields=PARTY_BRIEF,
        source_fields=SOURCE_BRIEF,
    )
    if detail is None:
        raise exceptions.NotFound("This proposal did not exist on that day.")
    values = {
        **detail.proposal,
        "status_freshness": freshness(detail.proposal["status_stale"]),
        "as_of": detail.as_of,
        "consent_parties": detail.consent_parties,
        "parties": detail.parties,
        "stances": stances_from_basis(detail.basis),
        "terms": [nested_term(term) for term in detail.terms],
        "links": [{name: link[name] for name in LINK_BRIEF} for link in detail.links],
        "cited_sources": detail.cited_sources,
        "ratification": detail.ratification,
        "ratification_steps": detail.ratification_steps,
        "agenda_items": row["agenda_items_brief"],
        "reservations": detail.reservations,
    }
    return {name: values[name] for name in PROPOSAL_DETAIL}


@resource_docs(
    tag="proposals",
    noun="proposal",
    example=PROPOSAL_EXAMPLE,
    request_example={
        "negotiation": 1,
        "round": 1,
        "tabling_parties": [2],
        "title": "Unconditional ceasefire",
        "kind": "ceasefire",
        "tabled_on": "2025-06-02",
        "sources": [1],
    },
    patch_example={"text_status": "official"},
    description="What a party tabled. The detail carries its terms with statuses, reasons, "
    "option groups, quantities and deliveries, the current stance of every consent party on "
    "each, its links and its sources; with ?as_of, statuses and stances as they stood that "
    "day, computed by the engine.",
    detail_response=ProposalDetailSerializer,
    detail_parameters=[AS_OF],
    detail_example=PROPOSAL_DETAIL_EXAMPLE,
    list_response=ProposalRowSerializer,
    list_parameters=[EXPAND],
)
class ProposalViewSet(
    AsOfParameter, HistoryAction, CreateMixin, UpdateMixin, DeleteMixin, ResourceViewSet
):
    model = Proposal
    columns = output_columns(
        ProposalSerializer, computed=("status_freshness", "ratification", "tabled_by")
    )
    arrays = id_lists(ProposalSerializer)
    changed_at = STATUS_CHANGED_AT
    list_fingerprint = {"stale": Count("pk", filter=Q(status_stale=True))}
    serializer_class = ProposalSerializer
    filterset_class = ProposalFilter
    csv_name = "proposals"

    def query_parameters(self) -> list[str]:
        """The list also reads `expand` (negotiations/api/strict.py)."""
        expand = ["expand"] if getattr(self, "action", None) == "list" else []
        return [*super().query_parameters(), *expand]

    @cached_property
    def expand(self) -> frozenset[str]:
        return parse_expand(self.request) if self.action == "list" else frozenset()

    def fingerprint_expressions(self, queryset: models.QuerySet) -> dict[str, Any]:
        return {**self.list_fingerprint, **expand_fingerprint(self.expand, queryset)}

    def versions_aggregate(self, queryset: models.QuerySet) -> Any:
        """The content versions as the API reads them (any change a row shows moves them:
        its tabling parties, sources, ratification steps...), not the edit versions: the
        columns' sum plus the count of the listed proposals' bump rows, one subquery over
        the listed ids (proposals/models/content.py); a fold keeps the sum."""
        bumps = ContentBump.objects.filter(proposal_id__in=queryset.order_by().values("pk"))
        return Sum("content_version") + Coalesce(Max(aggregate_over(bumps, Count("pk"))), 0)

    @property
    def list_cache_seconds(self) -> int:  # type: ignore[override]
        return 0 if self.expand else 24 * 3600

    def shape_rows(self, rows: Iterable[dict[str, Any]]) -> Rows:
        shaped = super().shape_rows(rows)
        if not self.expand:
            return shaped
        # Filtered to one negotiation (parse_expand requires it, by id or by slug): every
        # row names it.
        negotiation_id = shaped[0]["negotiation"] if shaped else None
        return expand_rows(shaped, self.expand, negotiation_id=negotiation_id)

    def value_expressions(self) -> dict[str, Any]:
        # In tabling order, not by id: the first is the main sponsor (and `tabled_by`).
        tabling = Tabling.objects.filter(proposal=OuterRef("pk")).order_by("ordinal", "id")
        return {
            **super().value_expressions(),
            "tabling_parties_ids": ArraySubquery(tabling.values("party_id")),
            "ratification": ratification_expression(),
        }

    def shape(self, row: dict[str, Any]) -> dict[str, Any]:
        row["status_freshness"] = freshness(row["status_stale"])
        row["tabled_by"] = first_tabling_party(row["tabling_parties_ids"])
        return super().shape(row)

    detail_columns = ("status_basis",)
    detail_cache_seconds = 24 * 3600

    def detail_annotations(self) -> dict[str, Any]:
        """The agenda items it is on, read with its row (id, number, title, in number
        order, as selectors.agenda.agenda_items_of gives them)."""
        on_agenda = AgendaItem.objects.filter(proposals=OuterRef("pk")).order_by("number", "id")
        return {
            "agenda_items_brief": ArraySubquery(
                on_agenda.values(json=JSONObject(id="id", number="number", title="title"))
            ),
            **live_content(),
        }

    def content_validators(
        self, version: int, content_version: int, changed: datetime.datetime
    ) -> tuple[str, datetime.datetime | None]:
        """The detail's validators: the row's version (what If-Match takes) and the content
        version the triggers keep (proposals/models/content.py), with the query
        (as_of) and the API version the path carries."""
        etag = make_etag(self.request.get_full_path(), content_version, version=version)
        return etag, changed

    def stored_validators(self, pk: Any) -> tuple[str, datetime.datetime | None] | None:
        self.as_of  # noqa: B018 -- a bad ?as_of is a 400 even for a conditional request
        rows = (
            Proposal.objects.filter(pk=pk)
            .order_by()
            .annotate(**live_content())
            .values_list("version", *LIVE_CONTENT)[:1]
        )
        return next((self.content_validators(*row) for row in rows), None)

    def detail_validators(self, row: dict[str, Any]) -> tuple[str, datetime.datetime | None]:
        return self.content_validators(
            row["version"], row["live_content_version"], row["live_content_changed_at"]
        )

    def detail_data(self, row: dict[str, Any]) -> dict[str, Any]:
        return detail_output(row, self.as_of)

    # ----- writes

    create_service = staticmethod(services.proposal_create)
    update_service = staticmethod(services.proposal_update)
    delete_service = staticmethod(services.proposal_delete)
    instance_arg = "proposal"

    def perform_create(self, data: dict[str, Any]) -> models.Model:
        with errors_as_sent(data):
            return super().perform_create(with_tabling_parties(data))

    def perform_update(
        self, instance: models.Model, version: int, changes: dict[str, Any]
    ) -> models.Model:
        for create_only in CREATE_ONLY:
            if create_only in changes:
                raise serializers.ValidationError(
                    {create_only: ["Only given when tabling; record a position instead."]}
                )
        with errors_as_sent(changes):
            return super().perform_update(instance, version, with_tabling_parties(changes))
