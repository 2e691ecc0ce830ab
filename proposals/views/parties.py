"""The party page: its roles, its positions across proposals, its delegations."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from negotiations.core.exports import csv_response, csv_url, wants_csv
from negotiations.models import Delegation, DelegationMember, Participation
from parties.models import Party, Person
from proposals.models import Position, Proposal

POSITIONS_SHOWN = 200


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
    # The page shows the latest positions; the CSV export has every one.
    positions = list(all_positions if exporting else all_positions[: POSITIONS_SHOWN + 1])
    positions_total = len(positions)
    if not exporting and positions_total > POSITIONS_SHOWN:
        positions = positions[:POSITIONS_SHOWN]
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
        .order_by("-tabled_on", "-id")
    )
    return render(
        request,
        "parties/party.html",
        {
            "party": party,
            "positions": positions,
            "positions_shown": len(positions),
            "positions_total": positions_total,
            "delegations": delegations,
            "tabled": tabled,
            "csv_url": csv_url(request),
        },
    )
