"""Analyst pages of a negotiation: home, the negotiation (with the as-of stance matrix)
and a round."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Prefetch, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from negotiations.core.charts import convergence_chart
from negotiations.core.dates import NotADay, parse_as_of
from negotiations.core.exports import csv_response, csv_url, wants_csv
from negotiations.models import (
    Negotiation,
    NegotiationStatus,
    Role,
    Round,
)
from proposals.models import (
    AGREED_OR_BEYOND,
    Proposal,
    Status,
    StatusChange,
    tablings_prefetch,
)
from proposals.page_data import page_number, page_url
from proposals.selectors import stance_matrix
from proposals.selectors.agenda import agenda
from proposals.templatetags.parley import STANCE_WORDS

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    class HtmxHttpRequest(HttpRequest):
        htmx: HtmxDetails  # set by django_htmx's middleware


STATUS_ORDER = list(Status.values)
LATEST_CHANGES = 20
# Home lists negotiations a page at a time, each with its latest proposals (the
# negotiation page has them all): its size does not grow with the data.
NEGOTIATIONS_PER_PAGE = 10
PROPOSALS_PER_CARD = 8
PROPOSALS_PER_PAGE = 10  # of the negotiation page's proposals table and matrix


def summary_items(summary: dict[str, Any]) -> list[tuple[str, int]]:
    by_status = (summary or {}).get("proposals", {}).get("by_status", {})
    return sorted(by_status.items(), key=lambda item: STATUS_ORDER.index(item[0]))


def as_of_or_today(raw: str | None) -> tuple[datetime.date, str]:
    """The day to replay history at, and an error to show when the input is not a date."""
    today = timezone.localdate()
    try:
        return parse_as_of(raw) or today, ""
    except NotADay as error:
        return today, f"{error} Showing today instead."


def home(request: HttpRequest) -> HttpResponse:
    changes = (
        StatusChange.objects.filter(term__isnull=True)
        .select_related("proposal__negotiation")
        .order_by("-changed_on", "-id")[:LATEST_CHANGES]
    )
    if wants_csv(request):
        return csv_response(
            "parley-latest-status-changes.csv",
            ["changed_on", "negotiation", "proposal", "previous_status", "status", "reason"],
            (
                [
                    c.changed_on,
                    c.proposal.negotiation.title,
                    c.proposal.title,
                    c.previous_status,
                    c.status,
                    c.reason,
                ]
                for c in changes
            ),
        )
    page = page_number(request)
    first = (page - 1) * NEGOTIATIONS_PER_PAGE
    negotiations = list(
        Negotiation.objects.prefetch_related(
            Prefetch(
                "rounds",
                queryset=Round.objects.order_by("-starts_on", "-number")[:1],
                to_attr="rounds_latest_first",
            ),
            Prefetch(
                "proposals",
                queryset=Proposal.objects.order_by("-tabled_on", "-id")[:PROPOSALS_PER_CARD],
                to_attr="proposal_list",
            ),
        )
        .annotate(inactive=Case(When(status=NegotiationStatus.ACTIVE, then=0), default=1))
        .order_by("inactive", "-started_on", "title")[first : first + NEGOTIATIONS_PER_PAGE + 1]
    )
    has_next = len(negotiations) > NEGOTIATIONS_PER_PAGE
    negotiations = negotiations[:NEGOTIATIONS_PER_PAGE]
    negotiation: Any  # given three more attributes for the template
    for negotiation in negotiations:
        negotiation.latest_round = next(iter(negotiation.rounds_latest_first), None)
        negotiation.summary_items = summary_items(negotiation.status_summary)
        total = (negotiation.status_summary or {}).get("proposals", {}).get("total", 0)
        negotiation.more_proposals = max(0, total - len(negotiation.proposal_list))
    return render(
        request,
        "negotiations/home.html",
        {
            "active": [n for n in negotiations if n.status == NegotiationStatus.ACTIVE],
            "others": [n for n in negotiations if n.status != NegotiationStatus.ACTIVE],
            "changes": changes,
            "csv_url": csv_url(request),
            "page": page,
            "previous_url": page_url(request, page - 1) if page > 1 else "",
            "next_url": page_url(request, page + 1) if has_next else "",
        },
    )


def _matrix_context(negotiation: Negotiation, request: HttpRequest) -> dict[str, Any]:
    as_of, as_of_error = as_of_or_today(request.GET.get("as_of"))
    matrix = stance_matrix(negotiation.pk, as_of=as_of)
    tabled = list(
        Proposal.objects.filter(negotiation=negotiation)
        .order_by("tabled_on", "id")
        .values_list("id", "tabled_on")
    )
    tabled_on = dict(tabled)
    # The page shows the matrix (and the proposals table) PROPOSALS_PER_PAGE proposals at
    # a time, in the order they were tabled; the CSV export has every row.
    page = 1 if wants_csv(request) else page_number(request)
    first = (page - 1) * PROPOSALS_PER_PAGE
    on_page = {pk for pk, _ in tabled[first : first + PROPOSALS_PER_PAGE]}
    rows = []
    for column in matrix.columns:
        if not wants_csv(request) and column.proposal_id not in on_page:
            continue
        day = tabled_on.get(column.proposal_id)
        rows.append(
            {
                "column": column,
                "not_yet": day is not None and day > as_of,
                "cells": [matrix.cell(p.party_id, column) for p in matrix.parties],
            }
        )
    return {
        "matrix": matrix,
        "matrix_rows": rows,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "today": timezone.localdate(),
        "is_today": as_of == timezone.localdate(),
        "on_page": on_page,
        "page": page,
        "previous_url": page_url(request, page - 1) + "#matrix" if page > 1 else "",
        "next_url": (
            page_url(request, page + 1) + "#matrix"
            if first + PROPOSALS_PER_PAGE < len(tabled)
            else ""
        ),
        "proposals_first": first + 1,
        "proposals_total": len(tabled),
    }


def negotiation_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    negotiation = get_object_or_404(Negotiation, slug=slug)
    context = _matrix_context(negotiation, request)
    if wants_csv(request):
        return _matrix_csv(negotiation, context)
    context.update(negotiation=negotiation, csv_url=csv_url(request))
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "negotiations/negotiation.html#matrix-body", context)

    matrix = context["matrix"]
    by_role: dict[str, list[Any]] = defaultdict(list)
    for participation in matrix.parties:
        for role in participation.roles:
            by_role[role].append(participation)
    participants = [(label, by_role[value]) for value, label in Role.choices if by_role[value]]

    proposals = list(
        negotiation.proposals.select_related("round")
        .prefetch_related(tablings_prefetch())
        .order_by("tabled_on", "id")
    )
    rounds = list(negotiation.rounds.prefetch_related("hosts").order_by("starts_on", "number"))
    tabled_in: dict[int, list[Proposal]] = defaultdict(list)
    for proposal in proposals:
        if proposal.round_id:
            tabled_in[proposal.round_id].append(proposal)
    round_: Any  # given three more attributes for the template
    for round_ in rounds:
        round_.proposal_list = tabled_in[round_.pk]
        round_.agreed = [p for p in round_.proposal_list if p.status in AGREED_OR_BEYOND]
        round_.summary_items = summary_items(round_.status_summary)
    context.update(
        participants=participants,
        proposals=[p for p in proposals if p.pk in context["on_page"]],
        rounds=rounds,
        chart=convergence_chart(negotiation.status_summary.get("convergence", [])),
        summary_items=summary_items(negotiation.status_summary),
        # The agenda as of the day the page shows (its stored statuses today).
        agenda=agenda(negotiation.pk, None if context["is_today"] else context["as_of"]),
    )
    return render(request, "negotiations/negotiation.html", context)


def _matrix_csv(negotiation: Negotiation, context: dict[str, Any]) -> HttpResponse:
    matrix = context["matrix"]
    header = ["as_of", "proposal_id", "proposal", "term", "text", "status"]
    header += [p.party.display_name for p in matrix.parties]
    rows = []
    for row in context["matrix_rows"]:
        column = row["column"]
        stances = [STANCE_WORDS.get(cell.stance) if cell else "" for cell in row["cells"]]
        rows.append(
            [
                context["as_of"],
                column.proposal_id,
                column.title if column.term_id is None else "",
                column.label,
                column.title if column.term_id is not None else "",
                "not yet tabled" if row["not_yet"] else column.status,
                *stances,
            ]
        )
    name = f"{negotiation.slug}-stances-{context['as_of'].isoformat()}.csv"
    return csv_response(name, header, rows)
