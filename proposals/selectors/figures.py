"""The figures shown beside a quantity on the proposal page, in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from proposals.models import Figure, Term


def attach_figures(terms: Iterable[Term]) -> None:
    """Set `figure_list` on each term, on its (prefetched) implementation events and
    commitments: every figure of each, counted first. One query whatever their number."""
    terms = list(terms)
    events = [e for term in terms for e in term.implementation_events.all()]
    commitments = [c for term in terms for c in term.commitments.all()]
    by_owner: dict[tuple[str, int], list[Figure]] = defaultdict(list)
    if terms:
        figures = (
            Figure.objects.filter(
                Q(term__in=[t.pk for t in terms])
                | Q(event__in=[e.pk for e in events])
                | Q(commitment__in=[c.pk for c in commitments])
            )
            .select_related("source", "attributed_to")
            .order_by("-counted", "value", "pk")
        )
        for figure in figures:
            if figure.event_id is not None:
                by_owner["event", figure.event_id].append(figure)
            elif figure.commitment_id is not None:
                by_owner["commitment", figure.commitment_id].append(figure)
            elif figure.term_id is not None:
                by_owner["term", figure.term_id].append(figure)
    rows: list[tuple[str, Any]] = [("term", t) for t in terms]
    rows += [("event", e) for e in events] + [("commitment", c) for c in commitments]
    for kind, row in rows:
        row.figure_list = by_owner.get((kind, row.pk), [])
