"""One negotiation read from the database into the engine's plain data (engine.Snapshot).

The engine is pure; this is the only place that turns rows into its input, for the
recompute (proposals/refresh.py), the summaries and the as-of reads alike.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import F

from negotiations.models import Participation
from proposals import engine
from proposals.engine.ledger import Ledger
from proposals.models import (
    Commitment,
    ImplementationEvent,
    LinkKind,
    Position,
    Proposal,
    ProposalLink,
    RatificationStep,
    Tabling,
    Term,
    consent_party_ids,
    tabling_day,
)


def load_snapshot(negotiation_id: int, *, for_statuses: bool = False) -> engine.Snapshot:
    """Everything the engine needs about one negotiation, in a fixed number of queries.

    `for_statuses` leaves out the positions of parties whose positions count for no status
    (neither a consent party nor a tabler of the proposal: engine/index._parties), a fifth
    of them in a big negotiation; statuses, reasons and timelines are the same, only
    Engine.stance_of finds nothing for such a party."""
    participations = list(
        Participation.objects.filter(negotiation_id=negotiation_id).select_related("party")
    )
    principals = frozenset(p.party_id for p in participations if p.is_principal)
    party_names = {p.party_id: p.party.display_name for p in participations}
    superseded_on = _superseded_on(negotiation_id)
    steps = _steps(negotiation_id)
    tabling: dict[int, list[int]] = {}
    for proposal_id, party_id in Tabling.objects.filter(
        proposal__negotiation_id=negotiation_id
    ).values_list("proposal_id", "party_id"):  # in tabling order (Tabling.Meta.ordering)
        tabling.setdefault(proposal_id, []).append(party_id)
    realised_in_part_by = _realised_in_part_by(negotiation_id)
    proposals = tuple(
        engine.ProposalIn(
            id=row["id"],
            tabling_party_ids=tuple(tabling.get(row["id"], ())),
            consent_party_ids=consent_party_ids(row["required"], principals),
            superseded_on=superseded_on.get(row["id"]),
            steps=steps.get(row["id"], ()),
            tabled_on=tabling_day(row["tabled_on"], row["round__starts_on"]),
            title=row["title"],
            realised_in_part_by=realised_in_part_by.get(row["id"], ()),
        )
        for row in Proposal.objects.filter(negotiation_id=negotiation_id)
        .values("id", "tabled_on", "round__starts_on", "title")
        .annotate(required=ArrayAgg("required_parties", default=[]))
    )
    commitments = _commitments(negotiation_id)
    terms = tuple(
        engine.TermIn(**row, commitments=commitments.get(row["id"], ()))
        for row in Term.objects.filter(proposal__negotiation_id=negotiation_id).values(
            "id",
            "proposal_id",
            "ordinal",
            "label",
            "option_group",
            "option",
            "quantity",
            "deliverable",
        )
    )
    return engine.Snapshot(
        proposals=proposals,
        terms=terms,
        positions=_positions(negotiation_id, _counted(proposals, terms) if for_statuses else None),
        events=tuple(
            engine.EventIn(**row)
            for row in ImplementationEvent.objects.filter(
                term__proposal__negotiation_id=negotiation_id
            ).values(*EVENT_FIELDS)
        ),
        party_names=party_names,
    )


EVENT_FIELDS = (
    "id",
    "term_id",
    "happened_on",
    "quantity",
    "completes",
    "kind",
    "by_party_id",
    "to_party_id",
    "reverses_id",
)


def commitment_in(commitment: Commitment) -> engine.CommitmentIn:
    return engine.CommitmentIn(
        commitment.party_id,
        commitment.quantity,
        commitment.quantity_high,
        commitment.approximate,
    )


def _commitments(negotiation_id: int) -> dict[int, tuple[engine.CommitmentIn, ...]]:
    """Term id -> its commitments, by party id."""
    result: dict[int, list[engine.CommitmentIn]] = {}
    rows = Commitment.objects.filter(term__proposal__negotiation_id=negotiation_id).order_by(
        "term_id", "party_id"
    )
    for row in rows:
        result.setdefault(row.term_id, []).append(commitment_in(row))
    return {term_id: tuple(rows) for term_id, rows in result.items()}


def term_ledger(term: Term) -> tuple[engine.TermIn, list[engine.EventIn]]:
    """One term's ledger input (for per-party progress on pages and in the API); reads
    `term.commitments` and `term.implementation_events`, prefetched or not."""
    term_in = engine.TermIn(
        term.pk,
        term.proposal_id,
        term.ordinal,
        quantity=term.quantity,
        deliverable=term.deliverable,
        commitments=tuple(
            sorted(
                (commitment_in(c) for c in term.commitments.all()),
                key=lambda c: c.party_id,
            )
        ),
    )
    events = [
        engine.EventIn(**{field: getattr(e, field) for field in EVENT_FIELDS})
        for e in term.implementation_events.all()
    ]
    return term_in, events


def running_totals(events: Sequence[ImplementationEvent]) -> list[int]:
    """The ledger's total after each of a term's events, given in date order."""
    if not events:
        return []
    rows = [engine.EventIn(**{field: getattr(e, field) for field in EVENT_FIELDS}) for e in events]
    books = Ledger(engine.TermIn(rows[0].term_id, 0, 0), rows)
    return [state.delivered for state in books.states[1:]]


def _superseded_on(negotiation_id: int) -> dict[int, datetime.date]:
    """Superseded proposal -> the earliest day a proposal replacing it took effect."""
    superseded_on: dict[int, datetime.date] = {}
    links = ProposalLink.objects.filter(
        kind=LinkKind.SUPERSEDES, to_proposal__negotiation_id=negotiation_id
    ).select_related("from_proposal__round")
    for link in links:
        newer = link.from_proposal
        took_effect = (
            link.linked_on
            or tabling_day(newer.tabled_on, newer.round.starts_on if newer.round else None)
            or datetime.date.min
        )
        previous = superseded_on.get(link.to_proposal_id)
        superseded_on[link.to_proposal_id] = min(took_effect, previous or took_effect)
    return superseded_on


def _steps(negotiation_id: int) -> dict[int, tuple[engine.StepIn, ...]]:
    """Proposal -> its ratification steps, in ordinal order."""
    steps: dict[int, list[engine.StepIn]] = {}
    rows = (
        RatificationStep.objects.filter(proposal__negotiation_id=negotiation_id)
        .order_by("ordinal", "id")
        .values(
            "proposal_id",
            "id",
            "ordinal",
            "body_kind",
            "body_name",
            "outcome",
            "decided_on",
            "due_on",
            "share_for",
            "votes_for",
            "votes_against",
        )
    )
    for row in rows:
        step = engine.StepIn(
            id=row["id"],
            ordinal=row["ordinal"],
            body_kind=row["body_kind"],
            body_name=row["body_name"],
            outcome=row["outcome"],
            decided_on=row["decided_on"],
            due_on=row["due_on"],
            share_for=row["share_for"],
            votes_for=row["votes_for"],
            votes_against=row["votes_against"],
        )
        steps.setdefault(row["proposal_id"], []).append(step)
    return {proposal_id: tuple(found) for proposal_id, found in steps.items()}


def _realised_in_part_by(
    negotiation_id: int,
) -> dict[int, tuple[tuple[int, datetime.date | None], ...]]:
    """Maximal proposal -> the narrower ones realising part of it, each with the day from
    which its link counts (the link's date, else the narrower one's tabling day or round
    start, else always), by id."""
    result: dict[int, list[tuple[int, datetime.date | None]]] = {}
    links = (
        ProposalLink.objects.filter(
            kind=LinkKind.REALISES_PART_OF, to_proposal__negotiation_id=negotiation_id
        )
        .exclude(from_proposal_id=F("to_proposal_id"))
        .select_related("from_proposal__round")
        .order_by("from_proposal_id", "id")
    )
    for link in links:
        narrower = link.from_proposal
        since = (
            link.linked_on
            or narrower.tabled_on
            or (narrower.round.starts_on if narrower.round else None)
        )
        result.setdefault(link.to_proposal_id, []).append((narrower.pk, since))
    return {
        pk: tuple(sorted(pairs, key=lambda pair: (pair[0], pair[1] or datetime.date.min)))
        for pk, pairs in result.items()
    }


# Of a party's positions on one subject stated on one day, only the one recorded last can
# ever be its stance (stances.History keeps the last one of a day), so the others are not
# read: a quarter of the rows of a big negotiation. A conditional position is read all the
# same, as the terms it names bear on when its subject's timeline starts (replay.first_said).
_POSITIONS_SQL = f"""
SELECT id, party_id, proposal_id, term_id, stance, stated_on
FROM (
    SELECT pos.id, pos.party_id, pos.proposal_id, pos.term_id, pos.stance, pos.stated_on,
           row_number() OVER (
               PARTITION BY pos.party_id, pos.proposal_id, pos.term_id, pos.stated_on
               ORDER BY pos.id DESC
           ) AS nth
    FROM {Position._meta.db_table} AS pos
    JOIN {Proposal._meta.db_table} AS pr ON pr.id = pos.proposal_id
    WHERE pr.negotiation_id = %s
) AS latest_of_day
WHERE nth = 1 OR stance = %s
ORDER BY stated_on, id
"""


def _counted(
    proposals: Sequence[engine.ProposalIn], terms: Sequence[engine.TermIn]
) -> dict[tuple[int, int | None], frozenset[int]]:
    """(proposal id, term id or None) -> the parties whose positions on it count."""
    parties = {p.id: p.consent_party_ids | frozenset(p.tabling_party_ids) for p in proposals}
    counted: dict[tuple[int, int | None], frozenset[int]] = {
        (pid, None): found for pid, found in parties.items()
    }
    for term in terms:
        counted[(term.proposal_id, term.id)] = parties[term.proposal_id]
    return counted


def _positions(
    negotiation_id: int, counted: Mapping[tuple[int, int | None], frozenset[int]] | None
) -> tuple[engine.PositionIn, ...]:
    refs: dict[int, list[int]] = {}
    for position_id, term_id in Position.conditional_on.through.objects.filter(
        position__proposal__negotiation_id=negotiation_id
    ).values_list("position_id", "term_id"):
        refs.setdefault(position_id, []).append(term_id)
    position_in = engine.PositionIn
    with connection.cursor() as cursor:
        cursor.execute(_POSITIONS_SQL, [negotiation_id, engine.CONDITIONAL_STANCE])
        return tuple(
            position_in(
                pk,
                party_id,
                proposal_id,
                term_id,
                stance,
                stated_on,
                tuple(sorted(refs[pk])) if pk in refs else (),
            )
            for pk, party_id, proposal_id, term_id, stance, stated_on in cursor.fetchall()
            if counted is None or party_id in counted.get((proposal_id, term_id), ())
        )
