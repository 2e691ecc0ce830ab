"""A proposal's history as the API gives it (`/proposals/{id}/history/`): every event in
one shape, with an ETag computed before the history is read."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.http import HttpResponseNotModified
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from negotiations.api.conditional import latest, make_etag, not_modified, set_validators
from negotiations.api.params import aggregate_of, aggregate_over, output_fields
from negotiations.api.renderers import CSVRenderer, FastJSONRenderer
from negotiations.api.viewsets import ResourceViewSet
from negotiations.core.precision import DatePrecision
from parties.models import Person
from proposals.api.ratification import RatificationStepBriefSerializer
from proposals.api.sources import SourceBriefSerializer
from proposals.models import (
    Commitment,
    Figure,
    ImplementationEvent,
    Position,
    Proposal,
    ProposalLink,
    RatificationStep,
    Source,
    Term,
)
from proposals.selectors import EVENT_TYPES, proposal_history


# The source of an event (its own schema component, as before).
class SourceRefSerializer(SourceBriefSerializer):
    pass


# A figure attached to an implementation event (one of several sourced numbers for it).
class HistoryFigureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    value = serializers.IntegerField()
    value_high = serializers.IntegerField(allow_null=True)
    approximate = serializers.BooleanField()
    source = serializers.IntegerField(  # type: ignore[assignment]  # like Field.source
        allow_null=True, help_text="The source's id."
    )
    attributed_to = serializers.IntegerField(allow_null=True, help_text="Whose figure (party).")
    note = serializers.CharField()
    counted = serializers.BooleanField(help_text="The figure the ledger counts.")


class HistoryEventSerializer(serializers.Serializer):
    """One event. Every key is always present; those of other types are null (`sources`:
    an empty list)."""

    type = serializers.ChoiceField(EVENT_TYPES)
    date = serializers.DateField(help_text="When it happened (for edited: the day it was saved).")
    at = serializers.DateTimeField(allow_null=True, help_text="edited: the moment it was saved.")
    term = serializers.IntegerField(allow_null=True, help_text="The term concerned, if one.")
    term_label = serializers.CharField(allow_null=True)
    party = serializers.IntegerField(
        allow_null=True,
        help_text="position: who said it; implementation: who delivered; edited (tabling): "
        "the tabling party added or removed.",
    )
    speaker = serializers.IntegerField(
        allow_null=True, help_text="position: the person who said it (a person's id)."
    )
    speaker_name = serializers.CharField(allow_null=True, help_text="position: their name.")
    round = serializers.IntegerField(
        allow_null=True, help_text="position: the round it was stated in."
    )
    stance = serializers.CharField(allow_null=True)
    quote = serializers.CharField(allow_null=True)
    conditions = serializers.CharField(allow_null=True)
    conditional_on = serializers.ListField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="position: the terms whose agreement its conditions require.",
    )
    reservations = serializers.CharField(
        allow_null=True, help_text="position: what a party accepting with reservations reserves."
    )
    position = serializers.IntegerField(allow_null=True, help_text="position: its id.")
    event = serializers.IntegerField(
        allow_null=True, help_text="implementation: the implementation event's id."
    )
    status = serializers.CharField(
        allow_null=True, help_text="status_changed: the new status; ratification: the outcome."
    )
    previous_status = serializers.CharField(allow_null=True)
    reason = serializers.CharField(
        allow_null=True,
        help_text="status_changed: why, in words; edited: the reason given for a deletion.",
    )
    kind = serializers.CharField(
        allow_null=True, help_text="implementation: delivery, suspension, breach, reversal..."
    )
    to_party = serializers.IntegerField(allow_null=True, help_text="implementation: who received.")
    location = serializers.CharField(allow_null=True, help_text="implementation: where (breaches).")
    reverses = serializers.IntegerField(
        allow_null=True, help_text="implementation: the delivery a reversal or dispute is about."
    )
    quantity = serializers.IntegerField(
        allow_null=True,
        help_text="implementation: delivered (or reversed); edited (commitment): the party's "
        "committed quantity.",
    )
    quantity_high = serializers.IntegerField(
        allow_null=True, help_text="edited (commitment): the upper end of a range."
    )
    approximate = serializers.BooleanField(
        allow_null=True, help_text='edited (commitment): "about" that many.'
    )
    unit = serializers.CharField(allow_null=True, help_text="edited (commitment): the unit.")
    completes = serializers.BooleanField(allow_null=True)
    figures = HistoryFigureSerializer(
        many=True,
        allow_null=True,
        help_text="implementation: the sourced figures attached to the event.",
    )
    note = serializers.CharField(
        allow_null=True,
        help_text="position, implementation: the note; ratification: the body (its own note "
        "is in `step`).",
    )
    step = RatificationStepBriefSerializer(
        allow_null=True, help_text="ratification: the step as entered (body, votes, dates)."
    )
    subject = serializers.CharField(
        allow_null=True,
        help_text="edited: proposal, term, link, position, commitment, ratification_step or "
        "tabling (a tabling party added or removed: `party`).",
    )
    subject_id = serializers.IntegerField(allow_null=True)
    action = serializers.CharField(allow_null=True, help_text="edited: created, changed, deleted.")
    changes = serializers.JSONField(
        allow_null=True,
        help_text="edited (changed): column -> [before, after] (kept for older clients: "
        "prefer `before` and `after`).",
    )
    before = serializers.DictField(
        allow_null=True,
        help_text="edited: the values before: for `changed` the changed fields only, for "
        "`deleted` the whole row as it was; null for `created`.",
    )
    after = serializers.DictField(
        allow_null=True,
        help_text="edited: the values after: for `changed` the changed fields only, for "
        "`created` the whole row as entered; null for `deleted`.",
    )
    user = serializers.CharField(allow_null=True, help_text="edited: who saved it, when known.")
    date_precision = serializers.ChoiceField(
        DatePrecision.choices,
        allow_null=True,
        help_text="position, implementation: how precisely the date is known (day, month, "
        "year, on_or_before); the date is the earliest possible day, or for on_or_before the "
        "latest day by which it happened.",
    )
    source = SourceRefSerializer(  # type: ignore[assignment]  # like Field.source
        allow_null=True, help_text="The first of `sources`."
    )
    sources = SourceRefSerializer(
        many=True,
        help_text="Every source of the event: a position's; an implementation event's and "
        "its figures'; a ratification step's; for status_changed every source recorded that "
        "day on that subject.",
    )


class HistorySerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    title = serializers.CharField()
    count = serializers.IntegerField()
    events = HistoryEventSerializer(many=True)


BLANK = dict.fromkeys(output_fields(HistoryEventSerializer))
SOURCE_REF = tuple(output_fields(SourceRefSerializer))
FIGURE_REF = tuple(output_fields(HistoryFigureSerializer))


def _figures_of(expression: Any) -> Subquery:
    """An aggregate over the figures of the outer proposal's terms, events, commitments."""
    proposal = OuterRef("pk")
    return aggregate_over(
        Figure.objects.filter(
            Q(term__proposal=proposal)
            | Q(event__term__proposal=proposal)
            | Q(commitment__term__proposal=proposal)
        ),
        expression,
    )


def _last_change(model: type[Source] | type[Person]) -> Subquery:
    return Subquery(model.objects.order_by("-updated_at").values("updated_at")[:1])


def csv_event(event: dict[str, Any]) -> dict[str, Any]:
    """An event as a CSV row: its sources as their addresses (a cell joins them with "; ")."""
    return {
        **event,
        "source": event["source"]["url"] if event["source"] else None,
        "sources": [s["url"] or s["title"] for s in event["sources"]],
    }


def history_fingerprint(pk: Any) -> dict[str, Any]:
    """One query: what the history depends on, for its ETag."""
    row = (
        Proposal.objects.filter(pk=pk)
        .values("id", "title", "version", "updated_at", "status_computed_at", "status_stale")
        # The names clash with relations of Proposal, but the ETag hashes them: they stay.
        .annotate(  # type: ignore[no-redef]
            terms=aggregate_of(Term.objects.all(), "proposal", Count("pk")),
            terms_changed=aggregate_of(Term.objects.all(), "proposal", Max("updated_at")),
            positions=aggregate_of(Position.objects.all(), "proposal", Count("pk")),
            last=aggregate_of(Position.objects.all(), "proposal", Max("updated_at")),
            deliveries=aggregate_of(
                ImplementationEvent.objects.all(), "term__proposal", Count("pk")
            ),
            deliveries_changed=aggregate_of(
                ImplementationEvent.objects.all(), "term__proposal", Max("updated_at")
            ),
            commitments=aggregate_of(Commitment.objects.all(), "term__proposal", Count("pk")),
            commitments_changed=aggregate_of(
                Commitment.objects.all(), "term__proposal", Max("updated_at")
            ),
            links=aggregate_of(ProposalLink.objects.all(), "from_proposal", Count("pk")),
            links_in=aggregate_of(ProposalLink.objects.all(), "to_proposal", Count("pk")),
            steps=aggregate_of(RatificationStep.objects.all(), "proposal", Count("pk")),
            steps_changed=aggregate_of(
                RatificationStep.objects.all(), "proposal", Max("updated_at")
            ),
            links_changed=aggregate_of(
                ProposalLink.objects.all(), "from_proposal", Max("updated_at")
            ),
            links_in_changed=aggregate_of(
                ProposalLink.objects.all(), "to_proposal", Max("updated_at")
            ),
            figures=_figures_of(Count("pk")),
            figures_changed=_figures_of(Max("updated_at")),
            # Events show their sources and speakers by name: an edit of one anywhere is
            # rare, and cheaper to fingerprint whole than per proposal.
            sources_changed=_last_change(Source),
            people_changed=_last_change(Person),
        )
        .first()
    )
    if row is None:
        raise exceptions.NotFound(f"There is no proposal {pk}.")
    return row


EXAMPLE = {
    "proposal": 5,
    "title": "Russian memorandum on a settlement",
    "count": 1,
    "events": [
        {
            **BLANK,
            "type": "position",
            "date": "2025-06-02",
            "date_precision": "day",
            "party": 2,
            "stance": "rejects",
            "quote": "",
            "conditions": "",
            "reservations": "",
            "position": 10,
            "sources": [],
        }
    ],
}


# The `history` action of the proposal resource, in JSON or CSV. No docstring here, nor on
# the other classes a resource inherits before CreateMixin: the schema takes the first one
# it finds as the description of `create`.
class HistoryAction(ResourceViewSet):
    def get_renderers(self) -> list[Any]:
        if getattr(self, "action", None) == "history":
            return [FastJSONRenderer(), CSVRenderer()]
        return super().get_renderers()

    @extend_schema(
        tags=["proposals"],
        summary="A proposal's history",
        description="One chronological list in which every event carries what was entered: "
        "`position` (what a party said: stance, quote, conditions and the terms they depend "
        "on, reservations, note, speaker, round, date precision), `implementation` (a "
        "delivery, suspension, breach, reversal...: parties, quantity, figures), "
        "`ratification` (a ratification step decided: `step` as entered, `status` its "
        "outcome), `status_changed` (the status timeline, replayed by the engine) and "
        "`edited` (the audit history of the proposal, its terms, links, positions, "
        "commitments, implementation events, ratification steps, figures and tabling "
        "parties: who saved what, `before` and `after` (for a change the changed fields "
        "only; for a creation the row entered, for a deletion the row lost, with the reason "
        "given). `sources` lists every source of an event (`source` is the first). "
        "`?format=csv` gives the events as CSV (analysts; sources as their addresses).",
        responses={200: HistorySerializer},
        examples=[OpenApiExample("history", response_only=True, value=EXAMPLE)],
    )
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: Any = None) -> Response | HttpResponseNotModified:
        row = history_fingerprint(pk)
        etag = make_etag(request.get_full_path(), self.is_csv, row, version=row["version"])
        last_modified = latest([row["updated_at"], row["status_computed_at"], row["last"]])
        if unchanged := not_modified(request, etag, last_modified):
            return unchanged
        events = [
            {**BLANK, **event}
            for event in proposal_history(
                row["id"], source_fields=SOURCE_REF, figure_fields=FIGURE_REF
            )
        ]
        if self.is_csv:
            events = [csv_event(event) for event in events]
        response = Response(
            {"proposal": row["id"], "title": row["title"], "count": len(events), "events": events}
        )
        if self.is_csv:
            response["Content-Disposition"] = (
                f'attachment; filename="parley-proposal-{row["id"]}-history.csv"'
            )
        set_validators(response, etag, last_modified)
        return response
