"""`?expand=` on the proposals list: a page of proposals with their terms, each party's
current stances, commitments and agenda items, read for the whole page at once, so that a
client syncs a negotiation in one paginated call. Every expansion is what its own
resource gives (the terms and commitments lists' rows, the stance matrix's cells)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Max, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request

from negotiations.api.params import EMPTY_PARAMETER, aggregate_over
from negotiations.api.viewsets import ResourceViewSet, Rows
from proposals.api.agenda import AgendaItemBriefSerializer
from proposals.api.ledger import CommitmentSerializer, CommitmentViewSet
from proposals.api.matrix import MatrixCellSerializer, matrix_output
from proposals.api.statuses import STATUS_CHANGED_AT
from proposals.api.terms import TermSerializer, TermViewSet
from proposals.models import AgendaItem, Commitment, ImplementationEvent, Position, Term
from proposals.selectors import stance_matrix
from proposals.selectors.agenda import agenda_items_by_proposal

EXPANSIONS = ("terms", "stances", "commitments", "agenda_items")
ACCEPTED = ", ".join(EXPANSIONS)

EXPAND = OpenApiParameter(
    "expand",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="Add to each proposal, read for the whole page at once (a fixed number of "
    f"queries): a comma-separated subset of {ACCEPTED}. `terms`: its terms as the terms "
    "list gives them; `stances`: every participant's current stance on the proposal and on "
    "each term, as the negotiation's matrix computes them (needs `negotiation`); "
    "`commitments`: each party's share of its terms, as the commitments list gives them; "
    "`agenda_items`: the agenda items it is tabled on. A key not asked for is absent.",
    examples=[OpenApiExample("sync a negotiation", value="terms,stances")],
)


class ExpandedFields(serializers.Serializer):
    """The keys `?expand=` adds to a proposal of the list: absent unless asked for (hence
    not required; never null)."""

    terms = TermSerializer(
        many=True, required=False, help_text="expand=terms: its terms, in order."
    )
    stances = MatrixCellSerializer(
        many=True,
        required=False,
        help_text="expand=stances: per participant, its stance on the proposal (term null) and "
        "on each term, today: the stance, what it counts as, the position it rests on and "
        "its date. A party neither required to consent nor having said anything is left out.",
    )
    commitments = CommitmentSerializer(
        many=True, required=False, help_text="expand=commitments: each party's share of a term."
    )
    agenda_items = AgendaItemBriefSerializer(
        many=True, required=False, help_text="expand=agenda_items: the items it is tabled on."
    )


def parse_expand(request: Request) -> frozenset[str]:
    """?expand=a,b (or repeated): a subset of EXPANSIONS; a 400 naming the parameter and
    the accepted values otherwise; stances need the negotiation they are computed in."""
    given = request.query_params.getlist("expand")
    if not given:
        return frozenset()
    values = [value.strip() for part in given for value in part.split(",")]
    if any(not value for value in values):
        raise serializers.ValidationError(
            {"expand": [f"{EMPTY_PARAMETER} expand takes a comma-separated subset of {ACCEPTED}."]}
        )
    unknown = [value for value in values if value not in EXPANSIONS]
    if unknown:
        raise serializers.ValidationError(
            {
                "expand": [
                    f"Unknown expansion {', '.join(repr(v) for v in unknown)}: expand takes a "
                    f"comma-separated subset of {ACCEPTED}."
                ]
            }
        )
    if "stances" in values and not request.query_params.get("negotiation"):
        raise serializers.ValidationError(
            {
                "expand": [
                    "expand=stances needs negotiation=<id or slug>: stances are computed "
                    "per negotiation."
                ]
            }
        )
    return frozenset(values)


def expand_fingerprint(expand: frozenset[str], proposals: QuerySet[Any]) -> dict[str, Any]:
    """Aggregates of what the expansions read of the listed `proposals`, for the list's
    ETag: counts (a deletion) and latest changes (an edit, a recompute). Each is one
    subquery over the listed ids, not correlated with the list's rows, so any filter of
    the list can surround it."""
    ids = proposals.order_by().values("pk")
    terms = Term.objects.annotate(changed=STATUS_CHANGED_AT).filter(proposal__in=ids)
    over: dict[str, tuple[QuerySet[Any], Any]] = {}
    if "terms" in expand or "stances" in expand:
        over |= {"x_terms": (terms, Count("pk")), "x_terms_changed": (terms, Max("changed"))}
    if "stances" in expand:
        # Every write that can move a stance marks its proposals stale and recomputes them
        # (changed_at); the positions themselves are counted for deletions and dates.
        positions = Position.objects.filter(proposal__in=ids)
        over |= {
            "x_positions": (positions, Count("pk")),
            "x_positions_changed": (positions, Max("updated_at")),
        }
    if "commitments" in expand:
        commitments = Commitment.objects.filter(term__proposal__in=ids)
        events = ImplementationEvent.objects.filter(term__proposal__in=ids)  # delivered
        over |= {
            "x_commitments": (commitments, Count("pk")),
            "x_commitments_changed": (commitments, Max("updated_at")),
            "x_events": (events, Count("pk")),
            "x_events_changed": (events, Max("updated_at")),
        }
    if "agenda_items" in expand:
        on_items = AgendaItem.proposals.through.objects.filter(proposal__in=ids)
        items = AgendaItem.objects.filter(proposals__in=ids)
        over |= {
            "x_agenda": (on_items, Count("pk")),
            "x_agenda_changed": (items, Max("updated_at")),
        }
    # Wrapped in Max to sit in the list's aggregate(): the maximum of one value is itself.
    return {name: Max(aggregate_over(*spec)) for name, spec in over.items()}


def _rows_of(view: ResourceViewSet, **lookup: Any) -> Rows:
    """The rows another resource's list gives for `lookup`, shaped for a page at once."""
    queryset = view.get_queryset().filter(**lookup).order_by("pk")
    return view.shape_rows(view.values(queryset))


def _by(rows: Iterable[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    grouped: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped


def expand_rows(rows: Rows, expand: frozenset[str], *, negotiation_id: int | None) -> Rows:
    """Add the expansions to a page of proposals (their `id`s), each in a fixed number of
    queries whatever the page size."""
    ids = [row["id"] for row in rows]
    if not expand or not ids:
        return rows
    added: dict[str, dict[Any, list[dict[str, Any]]]] = {}
    if "terms" in expand:
        terms = sorted(_rows_of(TermViewSet(), proposal_id__in=ids), key=lambda t: t["ordinal"])
        added["terms"] = _by(terms, "proposal")
    if "commitments" in expand:
        commitments = _rows_of(CommitmentViewSet(), term__proposal_id__in=ids)
        term_of = dict(Term.objects.filter(proposal_id__in=ids).values_list("pk", "proposal_id"))
        added["commitments"] = _by(
            ({**c, "_proposal": term_of[c["term"]]} for c in commitments), "_proposal"
        )
        for group in added["commitments"].values():
            for commitment in group:
                del commitment["_proposal"]
    if "stances" in expand:
        assert negotiation_id is not None  # parse_expand requires it
        matrix = stance_matrix(negotiation_id, proposal_ids=ids)
        cells = matrix_output(negotiation_id, matrix)["cells"]
        added["stances"] = _by(
            (c for c in cells if c["stance"] is not None or c["consent"]), "proposal"
        )
    if "agenda_items" in expand:
        added["agenda_items"] = agenda_items_by_proposal(ids)
    for row in rows:
        for name, grouped in added.items():
            row[name] = grouped.get(row["id"], [])
    return rows
