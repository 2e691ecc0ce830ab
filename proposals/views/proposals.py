"""Analyst pages of a proposal, of one of its terms, and of two proposals compared."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, Window
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from negotiations.core.exports import csv_response, csv_url, wants_csv
from negotiations.models import Participation
from proposals.models import (
    Commitment,
    ImplementationEvent,
    Position,
    Proposal,
    ProposalLink,
    RatificationStep,
    Stance,
    StatusChange,
    Term,
    consent_party_ids,
    tablings_prefetch,
)
from proposals.page_data import (
    align_terms,
    consent_table,
    disputed_events,
    disputed_positions,
    group_terms,
    ledger,
    positions_by_party,
)
from proposals.selectors import standing_reservations
from proposals.selectors.agenda import agenda_items_of
from proposals.selectors.figures import attach_figures
from proposals.selectors.ledger import term_ledgers
from proposals.selectors.ratification import ratification_of
from proposals.views.proposal_positions import (
    basis_position_ids,
    latest_by_party,
    positions_shown,
)


def _positions() -> Any:
    return Position.objects.select_related(
        "party", "term", "speaker", "source", "round"
    ).prefetch_related("conditional_on")


def _terms() -> Any:
    return Term.objects.select_related("derived_from__proposal").prefetch_related(
        "sources",
        Prefetch("commitments", queryset=Commitment.objects.select_related("party")),
        Prefetch(
            "implementation_events",
            queryset=ImplementationEvent.objects.select_related(
                "by_party", "to_party", "reverses", "source"
            ),
        ),
        Prefetch(
            "derivatives",
            queryset=Term.objects.select_related("proposal").order_by("proposal_id", "ordinal"),
            to_attr="derivative_list",
        ),
    )


def _consent_parties(proposal: Proposal) -> list[Any]:
    """The parties whose consent makes the proposal agreed, by name."""
    negotiation: Any = proposal.negotiation  # with participation_list (Prefetch to_attr)
    participations: list[Participation] = negotiation.participation_list
    parties = {p.party_id: p.party for p in participations}
    parties.update((party.pk, party) for party in proposal.required_parties.all())
    consent = consent_party_ids(
        (party.pk for party in proposal.required_parties.all()),
        (p.party_id for p in participations if p.is_principal),
    )
    return sorted((parties[pk] for pk in consent), key=lambda party: party.name)


def _tabling(proposal: Proposal, positions_by_id: dict[int, Position]) -> list[dict[str, Any]]:
    """Each tabling party in order, with the day it withdrew (its latest stance on the
    whole proposal, from the stored basis) if it did."""
    basis = {entry["party_id"]: entry for entry in proposal.status_basis or []}
    result = []
    for party in proposal.tabling_party_list():
        position = positions_by_id.get(basis.get(party.pk, {}).get("position_id") or 0)
        withdrew_on = None
        if position is not None and position.stance == Stance.WITHDRAWS:
            withdrew_on = position.stated_on
        result.append({"party": party, "withdrew_on": withdrew_on})
    return result


def _proposal_queryset() -> Any:
    return Proposal.objects.select_related("negotiation", "round").prefetch_related(
        "required_parties",
        "sources",
        Prefetch(
            "negotiation__participations",
            queryset=Participation.objects.select_related("party"),
            to_attr="participation_list",
        ),
    )


TIMELINE_SHOWN = 40
DISPUTES_SHOWN = 10  # the latest disagreeing reports; the positions page has every one

# A long-running term keeps a readable page: each party's latest statements (the CSV
# export and the API history have all of them).
HISTORY_PER_PARTY = 25


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(
        _proposal_queryset().prefetch_related(tablings_prefetch(), "mediators"), pk=pk
    )
    terms = list(_terms().filter(proposal=proposal).order_by("ordinal"))
    attach_figures(terms)  # WS-E: the figures beside each quantity, one query
    if wants_csv(request):
        return _terms_csv(proposal, terms)
    # Not every position: each party's latest, those the stored statuses rest on, and the
    # disagreeing reports (proposal_positions.py); the full list is a page of its own.
    bases = [proposal.status_basis, *(term.status_basis for term in terms)]
    positions = positions_shown(proposal.pk, basis_position_ids(bases))
    # The latest steps of the timeline (the API history has every one), and how many.
    timeline = list(
        StatusChange.objects.filter(proposal=proposal)
        .select_related("term")
        .annotate(steps=Window(Count("id")))
        .order_by("-changed_on", "-seq")[:TIMELINE_SHOWN]
    )[::-1]
    links = list(
        ProposalLink.objects.filter(Q(from_proposal=proposal) | Q(to_proposal=proposal))
        .select_related("from_proposal", "to_proposal")
        .order_by("kind", "id")
    )
    consent_parties = _consent_parties(proposal)
    rows, current = consent_table(
        proposal_basis=proposal.status_basis,
        terms=terms,
        consent_parties=consent_parties,
        positions_by_id={p.pk: p for p in positions},
    )
    current_ids = {c.position.pk for party in current for c in party.current}
    reservations = standing_reservations(
        [proposal.status_basis or [], *(term.status_basis or [] for term in terms)]
    )
    positions_by_id = {p.pk: p for p in positions}
    names = {p.party_id: p.party for p in positions}
    for reservation in reservations:
        reservation["party_name"] = names[reservation["party"]].display_name
    events = [e for term in terms for e in term.implementation_events.all()]
    books = term_ledgers(terms)
    for term in terms:
        term.ledger = ledger(term.implementation_events.all())
        term.books = books.get(term.pk)
    disputed = disputed_positions(positions)
    related = []
    for link in links:
        outgoing = link.from_proposal_id == proposal.pk
        related.append(
            {
                "link": link,
                "outgoing": outgoing,
                "other": link.to_proposal if outgoing else link.from_proposal,
            }
        )
    return render(
        request,
        "proposals/proposal.html",
        {
            "proposal": proposal,
            "negotiation": proposal.negotiation,
            "sources": list(proposal.sources.all()),
            "stages": group_terms(terms),
            "terms": terms,
            "consent_parties": consent_parties,
            "consent_rows": rows,
            "current_positions": current,
            "current_ids": current_ids,
            "reservations": reservations,
            "tabling": _tabling(proposal, positions_by_id),
            "mediators": list(proposal.mediators.all()),
            "history": latest_by_party(positions),
            "disputed_positions": disputed[-DISPUTES_SHOWN:],
            "disputes_total": len(disputed),
            "disputed_events": disputed_events(events),
            "timeline": timeline,
            "timeline_total": timeline[0].steps if timeline else 0,
            "related": related,
            "today": timezone.localdate(),
            "csv_url": csv_url(request),
            **_ratification(proposal),
            "agenda_items": agenda_items_of(proposal.pk),
        },
    )


def _ratification(proposal: Proposal) -> dict[str, Any]:
    """The bodies that must still approve the proposal, and the state they give it."""
    steps = list(
        RatificationStep.objects.filter(proposal=proposal)
        .select_related("body_party")
        .prefetch_related("sources")
        .order_by("ordinal", "id")
    )
    rows = [{name: getattr(step, name) for name in ("id", "ordinal")} for step in steps]
    for row, step in zip(rows, steps, strict=True):
        row.update(
            body_kind=step.body_kind,
            body_name=step.body_name,
            outcome=step.outcome,
            decided_on=step.decided_on,
        )
    return {"ratification_steps": steps, "ratification": ratification_of(rows)}


def _terms_csv(proposal: Proposal, terms: list[Term]) -> HttpResponse:
    header = ["term_id", "label", "text", "stage", "option_group", "option", "category"]
    header += ["status", "reason", "quantity", "unit", "delivered", "deliverable", "due_on"]
    return csv_response(
        f"proposal-{proposal.pk}-terms.csv",
        header,
        (
            [
                t.pk,
                t.label or t.ordinal,
                t.text,
                t.stage,
                t.option_group,
                t.option,
                t.category,
                "recomputing" if t.status_stale else t.status,
                t.status_reason,
                t.quantity,
                t.unit,
                t.delivered,
                t.deliverable,
                t.due_on,
            ]
            for t in terms
        ),
    )


def term_detail(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_object_or_404(_terms(), pk=pk)
    proposal = get_object_or_404(_proposal_queryset(), pk=term.proposal_id)
    positions = list(
        _positions()
        .filter(Q(term=term) | Q(proposal=proposal, term__isnull=True))
        .order_by("stated_on", "id")
    )
    timeline = list(StatusChange.objects.filter(term=term).order_by("changed_on", "seq"))
    consent_parties = _consent_parties(proposal)
    rows, current = consent_table(
        proposal_basis=[],
        terms=[term],
        consent_parties=consent_parties,
        positions_by_id={p.pk: p for p in positions},
    )
    current_ids = {c.position.pk for party in current for c in party.current}
    events = list(term.implementation_events.all())
    term.books = term_ledgers([term]).get(term.pk)
    if wants_csv(request):
        return csv_response(
            f"term-{term.pk}-ledger.csv",
            ["happened_on", "kind", "by_party", "to_party", "quantity", "running_total"]
            + ["completes", "location", "reverses", "note"]
            + ["source", "source_url"]
            + ["happened_on_precision"],
            (
                [
                    line.event.happened_on,
                    line.event.kind,
                    line.event.by_party.display_name if line.event.by_party else "",
                    line.event.to_party.display_name if line.event.to_party else "",
                    line.event.quantity,
                    line.running,
                    line.event.completes,
                    line.event.location,
                    line.event.reverses_id or "",
                    line.event.note,
                    str(line.event.source) if line.event.source else "",
                    line.event.source.url if line.event.source else "",
                    line.event.happened_on_precision,
                ]
                for line in ledger(events)
            ),
        )
    return render(
        request,
        "proposals/term.html",
        {
            "term": term,
            "term_label": f"Term {term.label or term.ordinal}",
            "proposal": proposal,
            "negotiation": proposal.negotiation,
            "sourced": bool(term.sources.all()) or bool(proposal.sources.all()),
            "consent_parties": consent_parties,
            "consent_row": rows[1],
            "current_positions": current,
            "current_ids": current_ids,
            "history": positions_by_party(positions, latest=HISTORY_PER_PARTY),
            "disputed_positions": disputed_positions(positions),
            "disputed_events": disputed_events(events),
            "ledger": ledger(events),
            "timeline": timeline,
            "today": timezone.localdate(),
            "csv_url": csv_url(request),
        },
    )


def proposal_compare(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    proposals = {
        p.pk: p
        for p in Proposal.objects.filter(pk__in=[pk, other_pk])
        .select_related("negotiation")
        .prefetch_related(tablings_prefetch())
    }
    if pk not in proposals or other_pk not in proposals or pk == other_pk:
        raise Http404("No such pair of proposals.")
    proposal, other = proposals[pk], proposals[other_pk]
    if proposal.negotiation_id != other.negotiation_id:
        raise Http404("These proposals belong to different negotiations.")
    # The older proposal on the left, so that marked wording reads as "what changed".
    left, right = sorted((proposal, other), key=lambda p: (p.tabled_on is None, p.tabled_on, p.pk))
    terms = list(Term.objects.filter(proposal__in=[left, right]).order_by("ordinal", "id"))
    pairs = align_terms(
        [t for t in terms if t.proposal_id == left.pk],
        [t for t in terms if t.proposal_id == right.pk],
    )
    links = list(
        ProposalLink.objects.filter(
            Q(from_proposal=left, to_proposal=right) | Q(from_proposal=right, to_proposal=left)
        ).select_related("from_proposal", "to_proposal")
    )
    return render(
        request,
        "proposals/compare.html",
        {
            "proposal": proposal,
            "left": left,
            "right": right,
            "negotiation": proposal.negotiation,
            "pairs": pairs,
            "links": links,
            "aligned": sum(pair.aligned for pair in pairs),
            "changed": sum(pair.changed for pair in pairs),
            "unmatched": sum(not pair.aligned for pair in pairs),
        },
    )
