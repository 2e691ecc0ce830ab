"""A proposal's nested detail as the API gives it: the schema of the read that
proposals.selectors.proposal_detail makes, and its output."""

from __future__ import annotations

import datetime
from typing import Any

from rest_framework import exceptions, serializers

from negotiations.api.params import output_fields
from negotiations.resources.negotiations import PARTY_BRIEF, PartyBriefSerializer
from proposals.api.links import LINK_BRIEF, LinkBriefSerializer
from proposals.api.sources import SOURCE_BRIEF, SourceBriefSerializer
from proposals.api.statuses import (
    CHANGED_AT_HELP,
    StanceSerializer,
    freshness,
    stances_from_basis,
)
from proposals.api.terms import (
    NESTED_TERM_COLUMNS,
    NestedTermSerializer,
    nested_term,
)
from proposals.models import ProposalKind, Status, TextStatus
from proposals.selectors import proposal_detail


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
    }
    return {name: values[name] for name in PROPOSAL_DETAIL}
