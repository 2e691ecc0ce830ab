"""API resources of the proposals app: proposals, with the nested detail, as of a day and
their history. Sources and terms: api_terms.py; positions, the exchange ledger, links and
the status timeline: api_ledger.py; the history builder: api_history.py."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import Count, Max, OuterRef, Q, Subquery
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from negotiations.api.conditional import latest, make_etag, not_modified, set_validators
from negotiations.api.filters import IdFilter, ParleyFilterSet, array_of, choice_filter
from negotiations.api.renderers import CSVRenderer, FastJSONRenderer
from negotiations.api.schema import AS_OF, resource_docs
from negotiations.api.viewsets import (
    CreateMixin,
    DeleteMixin,
    ResourceViewSet,
    UpdateMixin,
    VersionedSerializer,
)
from negotiations.resources.negotiations import PartyBriefSerializer, aggregate_of, parse_as_of
from parties.models import Party, Person
from proposals import services
from proposals.api_history import HistorySerializer, history_fingerprint, proposal_history
from proposals.api_terms import (
    CHANGED_AT_HELP,
    SOURCE_BRIEF,
    STATUS_CHANGED_AT,
    TERM_EXAMPLE,
    TIMES,
    SourceBriefSerializer,
    SourceViewSet,
    StanceSerializer,
    StatusFreshnessFields,
    TermViewSet,
    freshness,
    stances_from_basis,
)
from proposals.models import (
    Proposal,
    ProposalKind,
    ProposalLink,
    Source,
    Status,
    Term,
    TextStatus,
)
from proposals.selectors import statuses_as_of

# --------------------------------------------------------------------------- proposals


class ProposalSerializer(StatusFreshnessFields, VersionedSerializer):
    required_parties = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Party.objects.all(),
        required=False,
        help_text="Parties whose consent makes it agreed; empty: the negotiation's principals.",
    )
    sources = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Source.objects.all(), required=False
    )
    speaker = serializers.PrimaryKeyRelatedField(
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

    class Meta(VersionedSerializer.Meta):
        model = Proposal
        fields = (
            "id",
            "negotiation",
            "round",
            "tabled_by",
            "title",
            "kind",
            "summary",
            "text",
            "tabled_on",
            "text_status",
            "required_parties",
            "sources",
            "status",
            "status_reason",
            "status_since",
            "status_stale",
            "status_freshness",
            "status_computed_at",
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


PROPOSAL_OUTPUT = tuple(f for f in ProposalSerializer.Meta.fields if f not in ("speaker", "quote"))


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


class NestedTermSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ordinal = serializers.IntegerField()
    label = serializers.CharField()
    text = serializers.CharField()
    category = serializers.CharField()
    stage = serializers.CharField()
    option_group = serializers.CharField()
    option = serializers.CharField()
    derived_from = serializers.IntegerField(allow_null=True)
    quantity = serializers.IntegerField(allow_null=True)
    unit = serializers.CharField()
    delivered = serializers.IntegerField()
    due_on = serializers.DateField(allow_null=True)
    sources = serializers.ListField(child=serializers.IntegerField())
    status = serializers.CharField()
    status_reason = serializers.CharField()
    status_since = serializers.DateField(allow_null=True)
    status_stale = serializers.BooleanField()
    version = serializers.IntegerField()
    stances = StanceSerializer(many=True)


class ProposalDetailSerializer(serializers.Serializer):
    """A proposal with everything a client needs in one call."""

    id = serializers.IntegerField()
    negotiation = serializers.IntegerField()
    round = serializers.IntegerField(allow_null=True)
    tabled_by = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    kind = serializers.ChoiceField(ProposalKind.choices)
    summary = serializers.CharField()
    text = serializers.CharField()
    tabled_on = serializers.DateField(allow_null=True)
    text_status = serializers.ChoiceField(TextStatus.choices)
    required_parties = serializers.ListField(child=serializers.IntegerField())
    sources = serializers.ListField(child=serializers.IntegerField())
    status = serializers.ChoiceField(Status.choices)
    status_reason = serializers.CharField()
    status_since = serializers.DateField(allow_null=True)
    status_stale = serializers.BooleanField()
    status_freshness = serializers.ChoiceField(["current", "recomputing"])
    status_computed_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    changed_at = serializers.DateTimeField(help_text=CHANGED_AT_HELP)
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


class ProposalFilter(ParleyFilterSet):
    negotiation = IdFilter(field_name="negotiation_id", help_text="Only this negotiation.")
    round = IdFilter(field_name="round_id", help_text="Only proposals tabled in this round.")
    tabled_by = IdFilter(field_name="tabled_by_id", help_text="Only this party's proposals.")
    required_party = IdFilter(
        field_name="required_parties", help_text="Only proposals needing this party's consent."
    )
    kind = choice_filter(ProposalKind.choices, "kind", "Kind; repeat for several.")
    status = choice_filter(Status.choices, "status", "Stored status; repeat for several.")
    text_status = choice_filter(TextStatus.choices, "text_status", "How sure the wording is.")
    tabled_on = django_filters.DateFromToRangeFilter(
        help_text="Tabled between tabled_on_after and tabled_on_before (inclusive)."
    )
    stale = django_filters.BooleanFilter(
        field_name="status_stale", help_text="true: only proposals being recomputed."
    )
    search_fields = ("title", "summary", "text")

    class Meta:
        model = Proposal
        fields: list[str] = []


PROPOSAL_EXAMPLE = {
    "id": 5,
    "negotiation": 1,
    "round": 1,
    "tabled_by": 1,
    "title": "Russian memorandum on a settlement",
    "kind": "memorandum",
    "summary": "",
    "text": "",
    "tabled_on": "2025-06-02",
    "text_status": "official",
    "required_parties": [],
    "sources": [2],
    "status": "rejected",
    "status_reason": "rejected by Ukraine on 2025-06-02",
    "status_since": "2025-06-02",
    "status_stale": False,
    "status_freshness": "current",
    "status_computed_at": "2025-06-02T18:00:01Z",
    **TIMES,
}
PROPOSAL_DETAIL_EXAMPLE = {
    **PROPOSAL_EXAMPLE,
    "as_of": None,
    "consent_parties": [1, 2],
    "parties": [
        {"id": 1, "name": "Russian Federation", "short_name": "Russia", "slug": "russia"},
        {"id": 2, "name": "Ukraine", "short_name": "Ukraine", "slug": "ukraine"},
    ],
    "stances": [
        {
            "party": 2,
            "stance": "rejects",
            "counts_as": "rejects",
            "position": 10,
            "stated_on": "2025-06-02",
            "level": "proposal",
        }
    ],
    "terms": [
        {
            k: v
            for k, v in TERM_EXAMPLE.items()
            if k in NestedTermSerializer().fields  # noqa: SIM118
        }
    ],
    "links": [],
    "cited_sources": [
        {
            "id": 2,
            "title": "Memorandum as published",
            "url": "",
            "publisher": "TASS",
            "published_on": "2025-06-02",
            "kind": "document",
        }
    ],
}


@resource_docs(
    tag="proposals",
    noun="proposal",
    example=PROPOSAL_EXAMPLE,
    request_example={
        "negotiation": 1,
        "round": 1,
        "tabled_by": 2,
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
)
class ProposalViewSet(CreateMixin, UpdateMixin, DeleteMixin, ResourceViewSet):
    model = Proposal
    columns = tuple(
        f for f in PROPOSAL_OUTPUT if f not in ("required_parties", "sources", "status_freshness")
    )
    arrays = {
        "required_parties": (Proposal.required_parties.through, "proposal_id", "party_id"),
        "sources": (Proposal.sources.through, "proposal_id", "source_id"),
    }
    changed_at = STATUS_CHANGED_AT
    list_fingerprint = {"stale": Count("pk", filter=Q(status_stale=True))}
    serializer_class = ProposalSerializer
    filterset_class = ProposalFilter
    csv_name = "proposals"

    def get_renderers(self) -> list[Any]:
        if getattr(self, "action", None) == "history":
            return [FastJSONRenderer(), CSVRenderer()]
        return super().get_renderers()

    def shape(self, row: dict[str, Any]) -> dict[str, Any]:
        row["status_freshness"] = freshness(row["status_stale"])
        return super().shape(row)

    @property
    def as_of(self) -> datetime.date | None:
        if not hasattr(self, "_as_of"):
            self._as_of = parse_as_of(self.request)
        return self._as_of

    detail_columns = ("status_basis",)

    def detail_annotations(self) -> dict[str, Any]:
        terms = Term.objects.annotate(changed=STATUS_CHANGED_AT)
        links = ProposalLink.objects.all()
        return {
            "fp_terms_count": aggregate_of(terms, "proposal", Count("pk")),
            "fp_terms_changed": aggregate_of(terms, "proposal", Max("changed")),
            "fp_links_out": aggregate_of(links, "from_proposal", Max("updated_at")),
            "fp_links_in": aggregate_of(links, "to_proposal", Max("updated_at")),
            "fp_links_count": aggregate_of(links, "from_proposal", Count("pk")),
            "fp_links_in_count": aggregate_of(links, "to_proposal", Count("pk")),
            "fp_sources_changed": Subquery(
                Source.objects.filter(
                    Q(proposals=OuterRef("pk")) | Q(terms__proposal=OuterRef("pk"))
                )
                .order_by("-updated_at")
                .values("updated_at")[:1]
            ),
        }

    def detail_validators(self, row: dict[str, Any]) -> tuple[str, datetime.datetime | None]:
        etag = make_etag(self.request.get_full_path(), row, version=row["version"])
        return etag, latest([row["changed_at"], row["fp_terms_changed"], row["fp_sources_changed"]])

    def detail_data(self, row: dict[str, Any]) -> dict[str, Any]:
        return proposal_detail(row, self.as_of)

    # ----- writes

    create_service = staticmethod(services.proposal_create)
    update_service = staticmethod(services.proposal_update)
    delete_service = staticmethod(services.proposal_delete)
    instance_arg = "proposal"

    def perform_update(self, instance: Proposal, version: int, changes: dict[str, Any]) -> Proposal:
        for create_only in ("speaker", "quote"):
            if create_only in changes:
                raise serializers.ValidationError(
                    {create_only: ["Only given when tabling; record a position instead."]}
                )
        return super().perform_update(instance, version, changes)

    # ----- history

    @extend_schema(
        tags=["proposals"],
        summary="A proposal's history",
        description="One chronological list: `position` (what each party said), "
        "`implementation` (deliveries), `status_changed` (the status timeline, replayed by the "
        "engine) and `edited` (the audit history of the proposal, its terms and links: who "
        "changed which fields, with the reason of deletions). Each event has a date and, "
        "where known, a source. `?format=csv` gives the events as CSV (analysts).",
        responses={200: HistorySerializer},
        examples=[
            OpenApiExample(
                "history",
                response_only=True,
                value={
                    "proposal": 5,
                    "title": "Russian memorandum on a settlement",
                    "count": 1,
                    "events": [
                        {
                            "type": "position",
                            "date": "2025-06-02",
                            "at": None,
                            "term": None,
                            "term_label": None,
                            "party": 2,
                            "stance": "rejects",
                            "quote": "",
                            "conditions": "",
                            "position": 10,
                            "status": None,
                            "previous_status": None,
                            "reason": None,
                            "quantity": None,
                            "completes": None,
                            "note": None,
                            "subject": None,
                            "subject_id": None,
                            "action": None,
                            "changes": None,
                            "user": None,
                            "source": None,
                        }
                    ],
                },
            )
        ],
    )
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: Any = None) -> Response:
        row = history_fingerprint(pk)
        etag = make_etag(request.get_full_path(), self.is_csv, row, version=row["version"])
        last_modified = latest([row["updated_at"], row["status_computed_at"], row["last"]])
        if unchanged := not_modified(request, etag, last_modified):
            return unchanged
        events = proposal_history(row["id"])
        response = Response(
            {"proposal": row["id"], "title": row["title"], "count": len(events), "events": events}
        )
        if self.is_csv:
            response["Content-Disposition"] = (
                f'attachment; filename="parley-proposal-{row["id"]}-history.csv"'
            )
        set_validators(response, etag, last_modified)
        return response


def proposal_detail(row: dict[str, Any], as_of: datetime.date | None) -> dict[str, Any]:
    """The nested read: a fixed number of queries whatever the number of terms."""
    from negotiations.models import Participation, Role

    proposal_id = row["id"]
    data = {k: row[k] for k in PROPOSAL_OUTPUT}
    terms = list(
        Term.objects.filter(proposal_id=proposal_id)
        .order_by("ordinal", "id")
        .values(*NestedTermSerializer().fields.keys() - {"sources", "stances"}, "status_basis")
        .annotate(source_ids=array_of(Term.sources.through, "term_id", "source_id"))
    )
    basis = row["status_basis"]
    if as_of is not None:
        computed = statuses_as_of(row["negotiation"], as_of).get(proposal_id)
        if computed is None:  # created after the snapshot was read: nothing as of then
            raise exceptions.NotFound("This proposal did not exist on that day.")
        by_term = {t.term_id: t for t in computed.terms}
        data.update(
            status=computed.status,
            status_reason=computed.reason,
            status_since=None,
            status_stale=False,
            status_freshness="current",
            status_computed_at=None,
        )
        basis = computed.basis
        for term in terms:
            result = by_term.get(term["id"])
            if result is None:  # added after the snapshot was read
                continue
            term.update(
                status=result.status,
                status_reason=result.reason,
                status_since=None,
                status_stale=False,
                delivered=result.delivered,
                status_basis=result.basis,
            )
    principals = list(
        Participation.objects.filter(
            negotiation_id=row["negotiation"], roles__contains=[Role.PRINCIPAL]
        ).values_list("party_id", flat=True)
    )
    stances = stances_from_basis(basis)
    nested = []
    for term in terms:
        term["stances"] = stances_from_basis(term.pop("status_basis"))
        term["sources"] = term.pop("source_ids")
        nested.append({k: term[k] for k in NestedTermSerializer().fields})
    party_ids = {s["party"] for s in stances} | {s["party"] for t in nested for s in t["stances"]}
    party_ids |= set(row["required_parties"] or principals)
    parties = list(
        Party.objects.filter(pk__in=party_ids)
        .order_by("name")
        .values("id", "name", "short_name", "slug")
    )
    links = [
        {
            "id": link["id"],
            "kind": link["kind"],
            "direction": "out" if link["from_proposal_id"] == proposal_id else "in",
            "proposal": other["id"],
            "title": other["title"],
            "status": other["status"],
            "linked_on": link["linked_on"],
            "note": link["note"],
        }
        for link in ProposalLink.objects.filter(
            Q(from_proposal_id=proposal_id) | Q(to_proposal_id=proposal_id)
        )
        .order_by("id")
        .values(
            "id",
            "kind",
            "from_proposal_id",
            "linked_on",
            "note",
            "from_proposal__id",
            "from_proposal__title",
            "from_proposal__status",
            "to_proposal__id",
            "to_proposal__title",
            "to_proposal__status",
        )
        if (other := _other_end(link, proposal_id))
    ]
    source_ids = set(row["sources"]) | {s for t in nested for s in t["sources"]}
    cited = list(Source.objects.filter(pk__in=source_ids).order_by("id").values(*SOURCE_BRIEF))
    data.update(
        as_of=as_of,
        consent_parties=sorted(row["required_parties"] or principals),
        parties=parties,
        stances=stances,
        terms=nested,
        links=links,
        cited_sources=cited,
    )
    return data


def _other_end(link: dict[str, Any], proposal_id: int) -> dict[str, Any]:
    side = "to_proposal" if link["from_proposal_id"] == proposal_id else "from_proposal"
    return {k: link[f"{side}__{k}"] for k in ("id", "title", "status")}


__all__ = ["ProposalViewSet", "SourceViewSet", "TermViewSet"]
