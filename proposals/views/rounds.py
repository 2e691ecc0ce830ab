"""The analyst page of a round: who came, what was agreed, rejected or left open as of its
end, the exchanges and their ledgers, and its statements a page at a time."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Case, Prefetch, Q, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from negotiations.core.exports import csv_response, csv_url, wants_csv
from negotiations.core.precision import latest_day
from negotiations.models import (
    Delegation,
    DelegationMember,
    Round,
)
from proposals.models import (
    AGREED_OR_BEYOND,
    Category,
    ImplementationEvent,
    Position,
    Proposal,
    ProposalKind,
    Status,
    Term,
    tablings_prefetch,
)
from proposals.page_data import ledger, page_number, page_url, positions_by_party
from proposals.selectors import statuses_as_of

EXCHANGE_CATEGORIES = {Category.EXCHANGE}


STATEMENTS_PER_PAGE = 50
ROUND_PROPOSALS = 40  # proposals in a round's outcome on the page


def round_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    round_ = get_object_or_404(
        Round.objects.select_related("negotiation").prefetch_related(
            "hosts",
            "sources",
            Prefetch(
                "delegations",
                queryset=Delegation.objects.select_related("party", "head").prefetch_related(
                    Prefetch(
                        "memberships",
                        queryset=DelegationMember.objects.select_related("person").order_by("id"),
                    )
                ),
            ),
        ),
        negotiation__slug=slug,
        number=number,
    )
    negotiation = round_.negotiation
    terms = Term.objects.order_by("ordinal").prefetch_related(
        Prefetch(
            "implementation_events",
            queryset=ImplementationEvent.objects.select_related("by_party", "source"),
        )
    )
    discussed = (
        # Within the round's negotiation (its proposals only: an index scan, not every
        # proposal), those tabled here or spoken about here ((round, ...) is indexed).
        Proposal.objects.filter(negotiation=negotiation)
        .filter(
            Q(round=round_) | Q(pk__in=Position.objects.filter(round=round_).values("proposal_id"))
        )
        .select_related("round")
        .prefetch_related(
            tablings_prefetch(), Prefetch("terms", queryset=terms, to_attr="term_list")
        )
        .order_by("tabled_on", "id")
    )
    if not wants_csv(request):
        # The page: those tabled here, then the latest tabled (the CSV has every one).
        here_first = Case(When(round=round_, then=0), default=1)
        discussed = discussed.order_by(here_first, "-tabled_on", "-id")[: ROUND_PROPOSALS + 1]
    picked = list(discussed)
    more_proposals = not wants_csv(request) and len(picked) > ROUND_PROPOSALS
    proposals = picked[:ROUND_PROPOSALS] if more_proposals else picked
    proposals.sort(key=lambda p: (p.tabled_on is None, p.tabled_on or datetime.date.min, p.pk))
    page = page_number(request)
    first = (page - 1) * STATEMENTS_PER_PAGE
    statements = list(
        Position.objects.filter(round=round_)
        .select_related("party", "proposal", "term", "speaker", "source", "round")
        .prefetch_related("conditional_on")
        # (round, stated_on, id) is indexed: the first statements without sorting them all;
        # the page groups them by party.
        .order_by("stated_on", "id")[first : first + STATEMENTS_PER_PAGE + 1]
    )
    # A long round stays a readable page: its statements a page at a time, and how many.
    has_next = len(statements) > STATEMENTS_PER_PAGE
    statements_total = len(statements)
    if has_next or page > 1:
        statements = statements[:STATEMENTS_PER_PAGE]
        statements_total = Position.objects.filter(round=round_).count()
    round_end = round_.ends_on or latest_day(round_.starts_on, round_.starts_on_precision)
    then = statuses_as_of(negotiation.pk, round_end)

    outcome: dict[str, list[dict[str, Any]]] = {
        "agreed": [],
        "rejected": [],
        "open": [],
        "withdrawn": [],
    }
    exchanges = []
    for proposal in proposals:
        at_round = then.get(proposal.pk)
        status = at_round.status if at_round else proposal.status
        entry = {
            "proposal": proposal,
            "status": status,
            "reason": at_round.reason if at_round else proposal.status_reason,
            "tabled_here": proposal.round_id == round_.pk,
        }
        if status in AGREED_OR_BEYOND:
            outcome["agreed"].append(entry)
        elif status == Status.REJECTED:
            outcome["rejected"].append(entry)
        elif status in (Status.WITHDRAWN, Status.SUPERSEDED):
            outcome["withdrawn"].append(entry)
        else:
            outcome["open"].append(entry)
        for term in proposal.term_list:
            is_exchange = (
                term.category in EXCHANGE_CATEGORIES
                or term.quantity is not None
                or proposal.kind == ProposalKind.EXCHANGE
            )
            if is_exchange and term.status in AGREED_OR_BEYOND:
                exchanges.append(
                    {
                        "term": term,
                        "proposal": proposal,
                        "ledger": ledger(list(term.implementation_events.all())),
                    }
                )
    tabled = [p for p in proposals if p.round_id == round_.pk]
    if wants_csv(request):
        return csv_response(
            f"{negotiation.slug}-round-{round_.number}.csv",
            ["proposal_id", "proposal", "kind", "tabled_by", "tabled_here", "status_at_round"]
            + ["reason_at_round", "status_now", "reason_now"],
            (
                [
                    e["proposal"].pk,
                    e["proposal"].title,
                    e["proposal"].kind,
                    e["proposal"].tabling_names(),
                    e["tabled_here"],
                    e["status"],
                    e["reason"],
                    e["proposal"].status,
                    e["proposal"].status_reason,
                ]
                for group in outcome.values()
                for e in group
            ),
        )
    siblings = list(
        Round.objects.filter(negotiation=negotiation).order_by("number").values("number", "title")
    )
    numbers = [r["number"] for r in siblings]
    index = numbers.index(round_.number)
    return render(
        request,
        "negotiations/round.html",
        {
            "negotiation": negotiation,
            "round": round_,
            "round_label": f"Round {round_.number}",
            "round_end": round_end,
            "outcome": outcome,
            "more_proposals": more_proposals,
            "tabled": tabled,
            "exchanges": exchanges,
            "statements": positions_by_party(statements),
            "statements_shown": len(statements),
            "statements_total": statements_total,
            "statements_first": first + 1,
            "page": page,
            "previous_url": page_url(request, page - 1) + "#statements-h" if page > 1 else "",
            "next_url": page_url(request, page + 1) + "#statements-h" if has_next else "",
            "previous_number": numbers[index - 1] if index > 0 else None,
            "next_number": numbers[index + 1] if index + 1 < len(numbers) else None,
            "csv_url": csv_url(request),
            "today": timezone.localdate(),
        },
    )
