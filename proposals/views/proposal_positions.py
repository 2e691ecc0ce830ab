"""A proposal's positions as its page shows them (each party's latest statements, the
statements its current stances rest on, the disagreeing reports) in one query whatever
their number, and the full list a page at a time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, F, Max, Min, Q, QuerySet, Value, Window
from django.db.models.functions import Coalesce, DenseRank, RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from proposals.models import Position, Proposal
from proposals.page_data import page_number, page_url

# Each party's latest statements on the proposal page; the rest are a link away.
HISTORY_PER_PARTY = 10
# Disagreeing reports are looked for among the latest statements only: the RECENT_REPORTS
# latest (party, subject, day) groups.
RECENT_REPORTS = 30
POSITIONS_PER_PAGE = 50


def positions_queryset() -> QuerySet[Position]:
    return Position.objects.select_related(
        "party", "term", "speaker", "source", "round"
    ).prefetch_related("conditional_on")


def basis_position_ids(bases: Iterable[Any]) -> set[int]:
    """The positions that stored status bases (of the proposal and its terms) rest on."""
    return {
        entry["position_id"]
        for basis in bases
        for entry in basis or []
        if isinstance(entry, dict) and entry.get("position_id")
    }


def positions_shown(proposal_id: int, basis_ids: set[int]) -> list[Position]:
    """The positions the proposal page needs, in date order, each with `party_total` (how
    many statements its party made on the proposal): the latest HISTORY_PER_PARTY of each
    party, those in `basis_ids`, and, among the RECENT_REPORTS latest reports of a party on
    one subject on one day, those that disagree with another (page_data.disputed_positions:
    a different stance or different conditions, found here with MIN <> MAX over the group)."""
    same_report: list[Any] = [F("party_id"), Coalesce("term_id", Value(0)), F("stated_on")]
    return list(
        positions_queryset()
        .filter(proposal_id=proposal_id)
        .annotate(
            latest_rank=Window(
                RowNumber(),
                partition_by=[F("party_id")],
                order_by=[F("stated_on").desc(), F("id").desc()],
            ),
            party_total=Window(Count("id"), partition_by=[F("party_id")]),
            stance_low=Window(Min("stance"), partition_by=same_report),
            stance_high=Window(Max("stance"), partition_by=same_report),
            conditions_low=Window(Min("conditions"), partition_by=same_report),
            conditions_high=Window(Max("conditions"), partition_by=same_report),
            report_rank=Window(
                DenseRank(),
                order_by=[F("stated_on").desc(), F("party_id"), Coalesce("term_id", Value(0))],
            ),
        )
        .filter(
            Q(latest_rank__lte=HISTORY_PER_PARTY)
            | Q(pk__in=sorted(basis_ids))
            | (
                Q(report_rank__lte=RECENT_REPORTS)
                & (Q(stance_low__lt=F("stance_high")) | Q(conditions_low__lt=F("conditions_high")))
            )
        )
        .order_by("stated_on", "id")
    )


def latest_by_party(positions: list[Position]) -> list[tuple[Any, list[Position], int]]:
    """Per party (by name): its latest statements in date order and how many it made."""
    grouped: dict[int, list[Position]] = {}
    for position in positions:
        if position.latest_rank <= HISTORY_PER_PARTY:  # type: ignore[attr-defined]
            grouped.setdefault(position.party_id, []).append(position)
    return [
        (said[0].party, said, said[0].party_total)  # type: ignore[attr-defined]
        for said in sorted(grouped.values(), key=lambda rows: rows[0].party.name)
    ]


def proposal_positions(request: HttpRequest, pk: int) -> HttpResponse:
    """Every position on the proposal, in date order, a page at a time."""
    proposal = get_object_or_404(Proposal.objects.select_related("negotiation"), pk=pk)
    page = page_number(request)
    first = (page - 1) * POSITIONS_PER_PAGE
    positions = list(
        positions_queryset()
        .filter(proposal=proposal)
        .order_by("stated_on", "id")[first : first + POSITIONS_PER_PAGE + 1]
    )
    has_next = len(positions) > POSITIONS_PER_PAGE
    return render(
        request,
        "proposals/positions.html",
        {
            "proposal": proposal,
            "negotiation": proposal.negotiation,
            "positions": positions[:POSITIONS_PER_PAGE],
            "first": first + 1,
            "page": page,
            "previous_url": page_url(request, page - 1) if page > 1 else "",
            "next_url": page_url(request, page + 1) if has_next else "",
        },
    )
