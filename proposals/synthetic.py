"""Synthetic negotiations for benchmarks and load tests: realistic shapes, deterministic
for a seed, written with bulk inserts (COPY for positions).

Synthetic rows are not edits by anyone: the audit triggers are switched off while they
are written (when the database role may do so), which also makes generation fast.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from negotiations.core.precision import DatePrecision
from negotiations.models import Negotiation, Participation, Role, Round
from parties.models import Party, PartyKind
from proposals.models import (
    Category,
    ImplementationEvent,
    LinkKind,
    Position,
    Proposal,
    ProposalKind,
    ProposalLink,
    Source,
    Stage,
    Stance,
    Tabling,
    Term,
)

POSITIONS_PER_NEGOTIATION = 10_000
START = datetime.date(2012, 1, 1)
STANCE_WEIGHTS = {
    Stance.ACCEPTS: 28,
    Stance.SUPPORTS: 8,
    Stance.REJECTS: 24,
    Stance.UNDECIDED: 18,
    Stance.CONDITIONAL: 12,
    Stance.ACCEPTS_WITH_RESERVATIONS: 4,
    Stance.PROPOSES: 0,  # recorded with the proposal
    Stance.WITHDRAWS: 0,  # tabling parties only, added separately
}


@dataclass
class Counts:
    parties: int = 0
    negotiations: int = 0
    rounds: int = 0
    proposals: int = 0
    terms: int = 0
    positions: int = 0
    conditions: int = 0
    events: int = 0
    links: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)


def _reserve_ids(table: str, n: int) -> int:
    """Take n consecutive ids from the table's identity sequence; returns the first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s)", [sequence])
        (first,) = cursor.fetchone()
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + n - 1])
    return first


def _triggers_off() -> None:
    # session_replication_role=replica skips triggers (the audit and the foreign-key
    # checks, which the generator satisfies by construction). Only superusers may set it;
    # otherwise generation is slower and the audit records the synthetic rows.
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")


@transaction.atomic
def generate(*, positions: int, seed: int, progress: Callable[[int], None] | None = None) -> Counts:
    rng = random.Random(seed)
    started = timezone.now()
    counts = Counts()
    _triggers_off()
    today = timezone.localdate()
    stamp = timezone.make_aware(datetime.datetime(2024, 1, 1))
    n_negotiations = max(1, round(positions / POSITIONS_PER_NEGOTIATION))
    tag = f"s{seed}"

    pool = Party.objects.bulk_create(
        Party(
            name=f"Synthetic party {tag}-{i:04d}",
            short_name=f"P{i:04d}",
            slug=f"synthetic-{tag}-{i:04d}",
            kind=rng.choice(
                [
                    PartyKind.STATE,
                    PartyKind.STATE,
                    PartyKind.ARMED_GROUP,
                    PartyKind.INTERNATIONAL_ORG,
                ]
            ),
        )
        for i in range(max(12, n_negotiations * 3))
    )
    counts.parties = len(pool)

    remaining = positions
    for n in range(n_negotiations):
        budget = remaining // (n_negotiations - n)
        remaining -= budget
        _negotiation(rng, n, tag, pool, budget, today, stamp, counts, progress)
    counts.seconds = (timezone.now() - started).total_seconds()
    return counts


def _negotiation(rng, n, tag, pool, budget, today, stamp, counts, progress) -> None:  # noqa: PLR0913, C901
    span_days = (today - START).days
    begins = START + datetime.timedelta(days=rng.randrange(max(1, span_days - 900)))
    negotiation = Negotiation.objects.create(
        title=f"Synthetic talks {tag}-{n:04d}",
        slug=f"synthetic-talks-{tag}-{n:04d}",
        summary="Generated for benchmarks.",
        started_on=begins,
    )
    counts.negotiations += 1
    members = rng.sample(pool, k=rng.randint(4, 7))
    principals = members[: rng.choice([2, 2, 2, 3])]
    mediators = members[len(principals) : len(principals) + rng.randint(1, 2)]
    others = members[len(principals) + len(mediators) :]
    roles = {p.pk: [Role.PRINCIPAL] for p in principals}
    roles |= {p.pk: [Role.MEDIATOR, Role.HOST][: rng.randint(1, 2)] for p in mediators}
    roles |= {p.pk: [rng.choice([Role.OBSERVER, Role.SUPPORTER, Role.GUARANTOR])] for p in others}
    Participation.objects.bulk_create(
        Participation(negotiation=negotiation, party_id=pid, roles=r) for pid, r in roles.items()
    )
    speakers = [p.pk for p in principals] * 4 + [p.pk for p in mediators + others]

    rounds, day = [], begins
    for number in range(1, rng.randint(5, 15) + 1):
        if day > today:
            break
        rounds.append(
            Round(
                negotiation=negotiation,
                number=number,
                starts_on=day,
                ends_on=day,
                venue_city=rng.choice(["Geneva", "Istanbul", "Doha", "Oslo", "Vienna", "Riyadh"]),
            )
        )
        day += datetime.timedelta(days=rng.randint(14, 60))
    rounds = Round.objects.bulk_create(rounds)
    counts.rounds += len(rounds)
    sources = Source.objects.bulk_create(
        Source(
            title=f"Synthetic report {tag}-{n}-{r.number}",
            publisher="Synthetic wire",
            published_on=r.starts_on,
        )
        for r in rounds
    )

    proposals: list[Proposal] = []
    tabling: list[list[Party]] = []
    for round_ in rounds:
        for _ in range(rng.randint(2, 6)):
            kind = rng.choice(ProposalKind.values)
            # Now and then a joint proposal: a second party co-sponsors it.
            tabling.append(rng.sample(principals + mediators, k=2 if rng.random() < 0.1 else 1))
            proposals.append(
                Proposal(
                    negotiation=negotiation,
                    round=round_,
                    title=f"{kind.title()} proposal {len(proposals) + 1}",
                    kind=kind,
                    tabled_on=round_.starts_on,
                    summary="Generated.",
                )
            )
            counts.by_kind[kind] = counts.by_kind.get(kind, 0) + 1
    proposals = Proposal.objects.bulk_create(proposals)
    Tabling.objects.bulk_create(
        Tabling(proposal=proposal, party=party, ordinal=i)
        for proposal, parties in zip(proposals, tabling, strict=True)
        for i, party in enumerate(parties, start=1)
    )
    tablers = {
        p.pk: {party.pk for party in parties} for p, parties in zip(proposals, tabling, strict=True)
    }
    counts.proposals += len(proposals)
    links = []
    for older, newer in zip(proposals, proposals[1:], strict=False):
        if rng.random() < 0.08:
            kind = rng.choice([LinkKind.SUPERSEDES, LinkKind.COUNTER_TO, LinkKind.RESPONDS_TO])
            links.append(ProposalLink(from_proposal=newer, to_proposal=older, kind=kind))
    ProposalLink.objects.bulk_create(links)
    counts.links += len(links)

    terms: list[Term] = []
    for proposal in proposals:
        n_terms = rng.randint(1, 8)
        grouped = n_terms >= 3 and rng.random() < 0.25
        for ordinal in range(1, n_terms + 1):
            exchange = proposal.kind in (ProposalKind.EXCHANGE, ProposalKind.HUMANITARIAN)
            in_group = grouped and ordinal <= 3
            terms.append(
                Term(
                    proposal=proposal,
                    ordinal=ordinal,
                    label=str(ordinal),
                    text=f"Term {ordinal} of {proposal.title}",
                    category=Category.EXCHANGE if exchange else rng.choice(Category.values),
                    stage=rng.choice(Stage.values),
                    option_group="truce" if in_group else "",
                    option=("A" if ordinal == 1 else "B") if in_group else "",
                    quantity=rng.choice([100, 500, 1000, 6000]) if exchange else None,
                    unit="people" if exchange else "",
                )
            )
    terms = Term.objects.bulk_create(terms)
    counts.terms += len(terms)
    terms_of: dict[int, list[Term]] = {}
    for term in terms:
        terms_of.setdefault(term.proposal_id, []).append(term)

    last_day = min(today, rounds[-1].starts_on + datetime.timedelta(days=90))
    first_id = _reserve_ids(Position._meta.db_table, budget)
    stances = list(STANCE_WEIGHTS)
    weights = list(STANCE_WEIGHTS.values())
    columns = (
        "id",
        "version",
        "created_at",
        "updated_at",
        "stance",
        "stated_on",
        "stated_on_precision",
        "quote",
        "conditions",
        "reservations",
        "note",
        "party_id",
        "round_id",
        "speaker_id",
        "proposal_id",
        "source_id",
        "term_id",
    )
    conditions: list[tuple[int, int]] = []
    by_proposal_round = {p.pk: (p.round_id, p.tabled_on, tablers[p.pk]) for p in proposals}
    # Half of what parties say is said at a round (and cited to its report); the rest in
    # between, cited to a report of the negotiation, or to nothing (unsourced).
    round_days = [(r.starts_on, r.pk, s.pk) for r, s in zip(rounds, sources, strict=True)]
    all_sources = [s.pk for s in sources]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {Position._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        ) as copy,
    ):
        for i in range(budget):
            proposal = rng.choice(proposals)
            _tabled_in, tabled_on, tabler = by_proposal_round[proposal.pk]
            assert tabled_on is not None  # every synthetic proposal is tabled at its round
            own_terms = terms_of.get(proposal.pk, [])
            on_term = rng.choice(own_terms) if own_terms and rng.random() < 0.7 else None
            party = rng.choice(speakers)
            stance = rng.choices(stances, weights)[0]
            if party in tabler and rng.random() < 0.02:
                stance = Stance.WITHDRAWS
            later_rounds = [r for r in round_days if r[0] >= tabled_on]
            if later_rounds and rng.random() < 0.5:
                stated, round_id, source_id = rng.choice(later_rounds)
            else:
                stated = tabled_on + datetime.timedelta(
                    days=rng.randint(0, max(0, (last_day - tabled_on).days))
                )
                round_id = None
                source_id = rng.choice(all_sources) if rng.random() < 0.9 else None
            pid = first_id + i
            text = reserved = ""
            if stance == Stance.ACCEPTS_WITH_RESERVATIONS:
                reserved = "The timing to be agreed separately."
            if stance == Stance.CONDITIONAL:
                text = "Only together with the other side's commitments."
                for ref in rng.sample(terms, k=rng.randint(0, 2)):
                    conditions.append((pid, ref.pk))
            copy.write_row(
                (
                    pid,
                    1,
                    stamp,
                    stamp,
                    stance,
                    stated,
                    DatePrecision.DAY.value,
                    "",
                    text,
                    reserved,
                    "",
                    party,
                    round_id,
                    None,
                    proposal.pk,
                    source_id,
                    on_term.pk if on_term else None,
                )
            )
            if progress and i % 10_000 == 9_999:
                progress(10_000)
        if progress:
            progress(budget % 10_000)
    counts.positions += budget
    if conditions:
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {Position.conditional_on.through._meta.db_table} (position_id, term_id) "
                "FROM STDIN"
            ) as copy,
        ):
            for row in conditions:
                copy.write_row(row)
    counts.conditions += len(conditions)

    events = []
    for term in terms:
        if term.quantity and rng.random() < 0.6:
            delivered, on = 0, by_proposal_round[term.proposal_id][1]
            assert on is not None  # every synthetic proposal is tabled at its round
            for _ in range(rng.randint(1, 4)):
                on += datetime.timedelta(days=rng.randint(3, 40))
                if on > today:
                    break
                quantity = rng.randint(1, term.quantity // 2)
                delivered += quantity
                events.append(
                    ImplementationEvent(
                        term=term,
                        happened_on=on,
                        quantity=quantity,
                        by_party_id=rng.choice(principals).pk,
                        completes=delivered >= term.quantity,
                    )
                )
    ImplementationEvent.objects.bulk_create(events, batch_size=5000)
    counts.events += len(events)
