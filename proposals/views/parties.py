"""The party page: its roles, its positions across proposals, its delegations."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from negotiations.core.exports import csv_response, csv_url, wants_csv
from negotiations.models import Delegation, DelegationMember, Participation
from parties.models import Party, Person
from proposals.models import Position, Proposal
from proposals.page_data import page_number, page_url

# The page shows the party's positions a page at a time, latest first (an index on
# (party, stated_on DESC, id DESC) reads just that page); the CSV export has every one.
POSITIONS_PER_PAGE = 25
TABLED_SHOWN = 50


def party_detail(request: HttpRequest, slug: str) -> HttpResponse:
    party = get_object_or_404(
        Party.objects.prefetch_related(
            Prefetch(
                "participations",
                queryset=Participation.objects.select_related("negotiation").order_by(
                    "-negotiation__started_on"
                ),
                to_attr="participation_list",
            ),
            Prefetch("people", queryset=Person.objects.order_by("name"), to_attr="people_list"),
        ),
        slug=slug,
    )
    all_positions = (
        Position.objects.filter(party=party)
        .select_related("proposal__negotiation", "term", "speaker", "source", "round")
        .prefetch_related("conditional_on")
        .order_by("-stated_on", "-id")
    )
    exporting = wants_csv(request)
    page = 1 if exporting else page_number(request)
    first = (page - 1) * POSITIONS_PER_PAGE
    positions = list(
        all_positions if exporting else all_positions[first : first + POSITIONS_PER_PAGE + 1]
    )
    has_next = not exporting and len(positions) > POSITIONS_PER_PAGE
    positions_total = len(positions)
    if has_next or page > 1:
        positions = positions[:POSITIONS_PER_PAGE]
        positions_total = Position.objects.filter(party=party).count()
    if exporting:
        return csv_response(
            f"{party.slug}-positions.csv",
            ["stated_on", "negotiation", "proposal_id", "proposal", "term", "stance"]
            + ["conditions", "reservations", "quote", "speaker", "source", "source_url"]
            + ["stated_on_precision"],
            (
                [
                    p.stated_on,
                    p.proposal.negotiation.title,
                    p.proposal_id,
                    p.proposal.title,
                    (p.term.label or p.term.ordinal) if p.term else "",
                    p.stance,
                    p.conditions,
                    p.reservations,
                    p.quote,
                    p.speaker.name if p.speaker else "",
                    str(p.source) if p.source else "",
                    p.source.url if p.source else "",
                    p.stated_on_precision,
                ]
                for p in positions
            ),
        )
    delegations = list(
        Delegation.objects.filter(party=party)
        .select_related("round__negotiation", "head")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=DelegationMember.objects.select_related("person").order_by("id"),
            )
        )
        .order_by("-round__starts_on")
    )
    tabled = list(
        Proposal.objects.filter(tabling_parties=party)
        .select_related("negotiation")
        .order_by("-tabled_on", "-id")[: TABLED_SHOWN + 1]
    )
    return render(
        request,
        "parties/party.html",
        {
            "party": party,
            "positions": positions,
            "positions_shown": len(positions),
            "positions_total": positions_total,
            "positions_first": first + 1,
            "page": page,
            "previous_url": page_url(request, page - 1) if page > 1 else "",
            "next_url": page_url(request, page + 1) if has_next else "",
            "more_tabled": len(tabled) > TABLED_SHOWN,
            "delegations": delegations,
            "tabled": tabled[:TABLED_SHOWN],
            "csv_url": csv_url(request),
        },
    )
