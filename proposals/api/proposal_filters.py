"""The filters of the proposals list (its natural keys: a negotiation by id or slug)."""

from __future__ import annotations

from negotiations.api.filters import (
    DayRangeFilter,
    FlagFilter,
    IdFilter,
    NegotiationKeyFilter,
    ParleyFilterSet,
    choice_filter,
)
from proposals.models import Proposal, ProposalKind, Status, TextStatus


class ProposalFilter(ParleyFilterSet):
    negotiation = NegotiationKeyFilter(field_name="negotiation_id")
    round = IdFilter(field_name="round_id", help_text="Only proposals tabled in this round.")
    tabled_by = IdFilter(
        field_name="tabling_parties",
        help_text="Only the proposals this party tabled (alone or as a co-sponsor).",
    )
    required_party = IdFilter(
        field_name="required_parties", help_text="Only proposals needing this party's consent."
    )
    kind = choice_filter(ProposalKind.choices, "kind", "Kind; repeat for several.")
    status = choice_filter(Status.choices, "status", "Stored status; repeat for several.")
    text_status = choice_filter(TextStatus.choices, "text_status", "How sure the wording is.")
    tabled_on = DayRangeFilter(
        help_text="Tabled between tabled_on_after and tabled_on_before (inclusive)."
    )
    stale = FlagFilter(
        field_name="status_stale", help_text="true: only proposals being recomputed."
    )
    search_fields = ("title", "summary", "text")

    class Meta:
        model = Proposal
        fields: list[str] = []
