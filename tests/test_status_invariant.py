"""Statuses are always right (issue 13): after any sequence of service calls, once the
pipeline has drained, every stored status, reason, since, basis, delivered quantity,
timeline row and summary equals a fresh engine run over the database
(proposals/verification.py).

A hypothesis state machine calls the services (never the ORM) on a small negotiation:
proposals, terms (with option groups), positions of every stance (conditional on other
terms too), links, the exchange ledger, participations and rounds, dates included. A
call the services refuse must leave every input as it was. Writes commit for real, so
the on-commit recomputes run as they do in production: in-process (the first test), or
in a real Celery worker over Redis (the second).

A failure prints the shrunk steps, a `@reproduce_failure` blob and the seed; rerun with
PARLEY_INVARIANT_SEED=<seed> to replay the same examples.
"""

from __future__ import annotations

import datetime
import itertools
import os
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any

import pytest
import redis as redis_client
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Count, F, Q
from hypothesis import HealthCheck, note, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from negotiations.core.versioning import Versioned
from negotiations.models import Negotiation, Participation, Role, Round
from negotiations.services import (
    negotiation_create,
    participation_create,
    participation_delete,
    participation_update,
    round_create,
    round_update,
)
from parties.models import Party
from parties.services import party_create
from proposals import services
from proposals.models import (
    AgendaItem,
    Commitment,
    Figure,
    ImplementationEvent,
    LinkKind,
    Position,
    Proposal,
    ProposalLink,
    RatificationStep,
    Stance,
    Tabling,
    Term,
)
from proposals.verification import verify_negotiation
from tests.processes import CeleryProcess, RedisServer, running, wait_for
from tests.test_pipeline import publishing_to

pytestmark = pytest.mark.django_db(transaction=True)

# Operations that trigger a known bug of issue 13 someone is fixing; True runs them.
# Every switch is on: a divergence they cause is reported, never hidden.
ENABLED = {
    "proposal_dates": True,  # superseding proposal's tabled_on edit (bug 1)
    "proposal_delete": True,  # deleting a superseding proposal (bug 1)
    "round_edits": True,  # round_create/round_update mark nothing stale (bug 4)
    "event_update": True,  # implementation_event_update skips the date checks (bug 5)
}

FIRST_DAY = datetime.date(2025, 5, 1)
DAYS = [FIRST_DAY + datetime.timedelta(days=5 * i) for i in range(8)]
REASON = "property test"
COMPUTED = {
    "status",
    "status_reason",
    "status_basis",
    "status_since",
    "status_stale",
    "status_computed_at",
    "status_generation",
    "status_stale_since",
    "status_verified_at",
    "status_summary",
    "status_summary_at",
    "delivered",
}

day = st.sampled_from(DAYS)
maybe_day = st.none() | day
# Dates known to the month or the year are stored as its first day (issue 12, point 8).
precision = st.sampled_from(["day", "day", "month", "year", "on_or_before"])
pick = st.integers(0, 7)  # an index into the current rows of a kind, modulo their number
# Parties 0-2 are principals (2 an observer unless three), 3 the mediator, 4 an outsider.
party = st.sampled_from([0, 1, 0, 1, 2, 3, 4])
principal = st.sampled_from([0, 1, 2])
agreeing = st.sampled_from(
    [
        Stance.ACCEPTS.value,
        Stance.SUPPORTS.value,
        Stance.PROPOSES.value,
        Stance.ACCEPTS_WITH_RESERVATIONS.value,
    ]
)
objecting = st.sampled_from([Stance.REJECTS.value, Stance.UNDECIDED.value, Stance.WITHDRAWS.value])
OPENING_STANCES = [Stance.ACCEPTS.value, Stance.REJECTS.value, Stance.CONDITIONAL.value]
roles = st.sampled_from(
    [[Role.PRINCIPAL], [Role.MEDIATOR], [Role.PRINCIPAL, Role.MEDIATOR], [Role.OBSERVER]]
)
alternative = st.sampled_from([("", ""), ("g", "A"), ("g", "B"), ("", ""), ("h", "A"), ("", "A")])
quantity = st.sampled_from([None, 10, 100])
step_outcome = st.sampled_from(["pending", "approved", "approved", "rejected"])
_names = itertools.count()
tally: Counter[str] = Counter()  # what a run exercised, printed at its end
EXAMPLES = int(os.environ.get("PARLEY_INVARIANT_EXAMPLES", "200"))
WORKER_EXAMPLES = int(os.environ.get("PARLEY_INVARIANT_WORKER_EXAMPLES", "20"))


def _unit(quantity: int | None) -> str:
    return "" if quantity is None else "people"


def _rows_as_json(querysets: list[models.QuerySet[Any]]) -> list[Any]:
    """The input columns (no computed status) of each queryset, in one round trip."""
    parts: list[str] = []
    params: list[Any] = []
    for queryset in querysets:
        model = queryset.model
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in COMPUTED]
        sql, more = queryset.order_by("pk").values(*fields).query.sql_with_params()
        parts.append(f"(SELECT coalesce(json_agg(q), '[]') FROM ({sql}) q)")
        params.extend(more)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())


class StatusInvariant(RuleBasedStateMachine):
    """Random service calls over one negotiation; after each, stored == fresh."""

    negotiation: Negotiation
    parties: list[Party]
    shared_parties: list[Party] = []  # created once per test: parties are not under test

    def drain(self) -> None:
        """In-process tasks ran when each write committed: nothing left to wait for."""

    @initialize(
        three_principals=st.booleans(),
        quantity=quantity,
        stances=st.lists(st.none() | st.sampled_from(OPENING_STANCES), min_size=3, max_size=3),
        link=st.sampled_from([None, LinkKind.SUPERSEDES.value, LinkKind.COUNTER_TO.value]),
    )
    def negotiation_with_two_rounds_and_two_proposals(
        self,
        three_principals: bool,
        quantity: int | None,
        stances: list[str | None],
        link: str | None,
    ) -> None:
        # One transaction, so the opening state is recomputed once, when it commits.
        with transaction.atomic():
            self._open(three_principals, quantity, stances, link)
        self.count: dict[str, int] = {}

    def _open(
        self,
        three_principals: bool,
        quantity: int | None,
        stances: list[str | None],
        link: str | None,
    ) -> None:
        n = next(_names)
        tally["examples"] += 1
        if not StatusInvariant.shared_parties:
            StatusInvariant.shared_parties = [party_create(name=f"Party {n}-{i}") for i in range(5)]
        self.parties = StatusInvariant.shared_parties
        self.negotiation = negotiation_create(title=f"Invariant talks {n}", started_on=FIRST_DAY)
        for i, role in enumerate([Role.PRINCIPAL, Role.PRINCIPAL, Role.PRINCIPAL, Role.MEDIATOR]):
            if i == 2 and not three_principals:
                role = Role.OBSERVER
            participation_create(negotiation=self.negotiation, party=self.parties[i], roles=[role])
        rounds = [
            round_create(negotiation=self.negotiation, number=number, starts_on=starts_on)
            for number, starts_on in [(1, DAYS[1]), (2, DAYS[4])]
        ]
        proposal = services.proposal_create(
            negotiation=self.negotiation,
            title="Exchange",
            kind="exchange",
            round=rounds[0],
            tabling_parties=[self.parties[0]],
        )
        services.term_create(
            proposal=proposal, text="Swap prisoners", quantity=quantity, unit=_unit(quantity)
        )
        services.term_create(proposal=proposal, text="Open a corridor")
        for principal_, said in zip(self.parties[:3], stances, strict=True):
            if said is not None and (three_principals or principal_ != self.parties[2]):
                services.position_record(
                    proposal=proposal,
                    party=principal_,
                    stance=said,
                    stated_on=DAYS[2],
                    conditions="if the others agree" if said == Stance.CONDITIONAL else "",
                )
        answer = services.proposal_create(
            negotiation=self.negotiation,
            title="Answer",
            kind="exchange",
            round=rounds[1],
            tabling_parties=[self.parties[1]],
        )
        services.term_create(proposal=answer, text="Swap all for all")
        if link is not None:
            services.proposal_link_create(from_proposal=answer, to_proposal=proposal, kind=link)

    # ------------------------------------------------------------------ helpers

    def _rows(self, model: type[Versioned], i: int | None) -> Any:
        if i is None:
            return None
        scope = {
            Proposal: "negotiation",
            Round: "negotiation",
            Participation: "negotiation",
            Term: "proposal__negotiation",
            Position: "proposal__negotiation",
            ImplementationEvent: "term__proposal__negotiation",
            Commitment: "term__proposal__negotiation",
            ProposalLink: "from_proposal__negotiation",
            RatificationStep: "proposal__negotiation",
            AgendaItem: "negotiation",
        }[model]
        rows = list(model._default_manager.filter(**{scope: self.negotiation}).order_by("pk"))
        return rows[i % len(rows)] if rows else None

    def _inputs(self) -> list[Any]:
        n = self.negotiation
        return _rows_as_json(
            [
                Negotiation.objects.filter(pk=n.pk),
                Participation.objects.filter(negotiation=n),
                Round.objects.filter(negotiation=n),
                Proposal.objects.filter(negotiation=n),
                Proposal.required_parties.through.objects.filter(proposal__negotiation=n),
                Proposal.mediators.through.objects.filter(proposal__negotiation=n),
                Tabling.objects.filter(proposal__negotiation=n),
                Term.objects.filter(proposal__negotiation=n),
                Position.objects.filter(proposal__negotiation=n),
                Position.conditional_on.through.objects.filter(position__proposal__negotiation=n),
                ProposalLink.objects.filter(from_proposal__negotiation=n),
                ImplementationEvent.objects.filter(term__proposal__negotiation=n),
                RatificationStep.objects.filter(proposal__negotiation=n),
                AgendaItem.objects.filter(negotiation=n),
                AgendaItem.proposals.through.objects.filter(agendaitem__negotiation=n),
                Commitment.objects.filter(term__proposal__negotiation=n),
                Figure.objects.filter(term__proposal__negotiation=n),
                Figure.objects.filter(event__term__proposal__negotiation=n),
            ]
        )

    def _call(self, write: Callable[[], object]) -> None:
        """Run one service call; a refused call must have changed nothing."""
        before = self._inputs()
        step = write.__qualname__.split(".")[1]  # the rule's name
        tally[step] += 1
        # One transaction around the call, as a request has: the recomputes run when it
        # commits, so what the write marked stale can be checked before they run.
        with transaction.atomic():
            try:
                with transaction.atomic():
                    write()
            except ValidationError as error:
                tally[f"{step} refused"] += 1
                note(f"refused: {error}")
                assert self._inputs() == before, "a refused call changed the inputs"
                return
            self._check_marked()

    def _check_marked(self) -> None:
        """Every status the write changed is flagged stale, terms and all, before commit."""
        n = self.negotiation
        ids = Proposal.objects.filter(negotiation=n).values_list("pk", flat=True)
        unmarked = [str(d) for d in verify_negotiation(n.pk, proposal_ids=list(ids))]
        unmarked += [
            f"term {pk} not stale, its proposal is"
            for pk in Term.objects.filter(
                proposal__negotiation=n, proposal__status_stale=True, status_stale=False
            ).values_list("pk", flat=True)
        ]
        assert not unmarked, "changed but not marked stale:\n" + "\n".join(unmarked)

    # ------------------------------------------------------------------ proposals

    @precondition(lambda self: self.count.get("proposal_count", 0) < 4)
    @rule(
        tabling=st.lists(party, max_size=3),
        round_=st.none() | pick,
        tabled_on=maybe_day,
        required=st.sets(party, max_size=3),
    )
    def create_proposal(
        self, tabling: list[int], round_: int | None, tabled_on: Any, required: set[int]
    ) -> None:
        self._call(
            lambda: services.proposal_create(
                negotiation=self.negotiation,
                title="Proposal",
                kind="other",
                tabling_parties=[self.parties[i] for i in tabling],
                round=self._rows(Round, round_),
                tabled_on=tabled_on,
                required_parties=[self.parties[i] for i in sorted(required)],
            )
        )

    def _update_proposal(self, p: int, **changes: Any) -> None:
        proposal = self._rows(Proposal, p)
        if proposal is not None:
            self._call(lambda: services.proposal_update(proposal=proposal, **changes))

    @precondition(lambda self: self.count.get("proposal_count") and ENABLED["proposal_dates"])
    @rule(p=pick, tabled_on=maybe_day, known_to=precision)
    def date_proposal(self, p: int, tabled_on: Any, known_to: str) -> None:
        self._update_proposal(p, tabled_on=tabled_on, tabled_on_precision=known_to)

    @precondition(lambda self: self.count.get("proposal_count"))
    @rule(p=pick, round_=st.none() | pick)
    def move_proposal_to_round(self, p: int, round_: int | None) -> None:
        self._update_proposal(p, round=self._rows(Round, round_))

    @precondition(lambda self: self.count.get("proposal_count"))
    @rule(p=pick, required=st.sets(party, max_size=3))
    def require_parties(self, p: int, required: set[int]) -> None:
        self._update_proposal(p, required_parties=[self.parties[i] for i in sorted(required)])

    @precondition(lambda self: self.count.get("proposal_count"))
    @rule(p=pick, tabling=st.lists(party, max_size=3))
    def change_tabling_party(self, p: int, tabling: list[int]) -> None:
        # Co-sponsors, in order; a repeated party is refused; [] makes a mediators' text.
        self._update_proposal(p, tabling_parties=[self.parties[i] for i in tabling])

    @precondition(lambda self: self.count.get("proposal_count"))
    @rule(p=pick, mediators=st.sets(party, max_size=2))
    def name_mediators(self, p: int, mediators: set[int]) -> None:
        self._update_proposal(p, mediators=[self.parties[i] for i in sorted(mediators)])

    @precondition(lambda self: self.count.get("proposal_count") and ENABLED["proposal_delete"])
    @rule(p=pick)
    def delete_proposal(self, p: int) -> None:
        proposal = self._rows(Proposal, p)
        self._call(lambda: services.proposal_delete(proposal=proposal, reason=REASON))

    @precondition(lambda self: self.count.get("proposal_count", 0) > 1)
    @rule(
        newer=pick,
        older=pick,
        kind=st.sampled_from(
            ["supersedes", "supersedes", "amends", "counter_to", "realises_part_of"]
        ),
        linked_on=maybe_day,
    )
    def link_proposals(self, newer: int, older: int, kind: str, linked_on: Any) -> None:
        from_proposal, to_proposal = self._rows(Proposal, newer), self._rows(Proposal, older)
        self._call(
            lambda: services.proposal_link_create(
                from_proposal=from_proposal, to_proposal=to_proposal, kind=kind, linked_on=linked_on
            )
        )

    @precondition(lambda self: self.count.get("link_count"))
    @rule(link=pick)
    def unlink_proposals(self, link: int) -> None:
        row = self._rows(ProposalLink, link)
        self._call(lambda: services.proposal_link_delete(link=row, reason=REASON))

    # ------------------------------------------------------------------ terms

    @precondition(
        lambda self: self.count.get("proposal_count") and self.count.get("term_count", 0) < 8
    )
    @rule(p=pick, group_option=alternative, amount=quantity)
    def create_term(self, p: int, group_option: tuple[str, str], amount: int | None) -> None:
        proposal = self._rows(Proposal, p)
        group, option = group_option
        self._call(
            lambda: services.term_create(
                proposal=proposal,
                text="Term",
                option_group=group,
                option=option,
                quantity=amount,
                unit=_unit(amount),
            )
        )

    @precondition(lambda self: self.count.get("term_count"))
    @rule(t=pick, group_option=alternative, amount=quantity)
    def edit_term(self, t: int, group_option: tuple[str, str], amount: int | None) -> None:
        term = self._rows(Term, t)
        group, option = group_option
        self._call(
            lambda: services.term_update(
                term=term, option_group=group, option=option, quantity=amount, unit=_unit(amount)
            )
        )

    @precondition(lambda self: self.count.get("term_count"))
    @rule(t=pick)
    def delete_term(self, t: int) -> None:
        term = self._rows(Term, t)
        self._call(lambda: services.term_delete(term=term, reason=REASON))

    # ------------------------------------------------------------------ positions

    def _position(
        self,
        p: int,
        t: int | None,
        by: int,
        said: str,
        stated_on: Any,
        waits_for: set[int],
        known_to: str = "day",
    ) -> None:
        proposal = self._rows(Proposal, p)
        terms = list(proposal.terms.order_by("pk"))
        term = terms[t % len(terms)] if terms and t is not None else None
        conditional_on = {self._rows(Term, i) for i in waits_for} - {None}
        conditional = said == Stance.CONDITIONAL
        self._call(
            lambda: services.position_record(
                proposal=proposal,
                party=self.parties[by],
                stance=said,
                stated_on=stated_on,
                stated_on_precision=known_to,
                term=term,
                conditions="if the others agree" if conditional else "",
                reservations="on the timing" if said == Stance.ACCEPTS_WITH_RESERVATIONS else "",
                conditional_on=sorted(conditional_on, key=lambda t: t.pk) if conditional else (),
            )
        )

    @precondition(lambda self: self.count.get("proposal_count"))
    @rule(
        p=pick,
        t=st.none() | pick,
        by=party,
        said=st.sampled_from([s.value for s in Stance]),
        stated_on=day,
        waits_for=st.sets(pick, max_size=2),
        known_to=precision,
    )
    def state_position(
        self,
        p: int,
        t: int | None,
        by: int,
        said: str,
        stated_on: Any,
        waits_for: set[int],
        known_to: str,
    ) -> None:
        self._position(p, t, by, said, stated_on, waits_for, known_to)

    # Principals' stances again, so that statuses often move beyond "open".

    @precondition(lambda self: self.count.get("proposal_count"))
    @rule(p=pick, t=st.none() | pick, by=principal, said=agreeing, stated_on=day)
    def agree(self, p: int, t: int | None, by: int, said: str, stated_on: Any) -> None:
        self._position(p, t, by, said, stated_on, set())

    @precondition(lambda self: self.count.get("proposal_count"))
    @rule(p=pick, t=st.none() | pick, by=principal, said=objecting, stated_on=day)
    def object_to(self, p: int, t: int | None, by: int, said: str, stated_on: Any) -> None:
        self._position(p, t, by, said, stated_on, set())

    @precondition(lambda self: self.count.get("term_count"))
    @rule(
        p=pick,
        t=st.none() | pick,
        by=principal,
        stated_on=day,
        waits_for=st.sets(pick, min_size=1, max_size=2),
    )
    def accept_on_conditions(
        self, p: int, t: int | None, by: int, stated_on: Any, waits_for: set[int]
    ) -> None:
        self._position(p, t, by, Stance.CONDITIONAL.value, stated_on, waits_for)

    @precondition(lambda self: self.count.get("position_count"))
    @rule(position=pick)
    def delete_position(self, position: int) -> None:
        row = self._rows(Position, position)
        self._call(lambda: services.position_delete(position=row, reason=REASON))

    # ------------------------------------------------------------------ ledger

    @precondition(lambda self: self.count.get("term_count"))
    @rule(
        t=pick,
        happened_on=day,
        amount=st.sampled_from([None, 5, 50, 100]),
        completes=st.booleans(),
        known_to=precision,
    )
    def deliver(
        self, t: int, happened_on: Any, amount: int | None, completes: bool, known_to: str
    ) -> None:
        term = self._rows(Term, t)
        self._call(
            lambda: services.implementation_event_record(
                term=term,
                happened_on=happened_on,
                happened_on_precision=known_to,
                quantity=amount,
                completes=completes,
            )
        )

    @precondition(lambda self: self.count.get("event_count") and ENABLED["event_update"])
    @rule(
        e=pick,
        happened_on=day,
        amount=st.sampled_from([None, 5, 50, 100]),
        completes=st.booleans(),
        known_to=precision,
    )
    def edit_delivery(
        self, e: int, happened_on: Any, amount: int | None, completes: bool, known_to: str
    ) -> None:
        event = self._rows(ImplementationEvent, e)
        self._call(
            lambda: services.implementation_event_update(
                event=event,
                happened_on=happened_on,
                happened_on_precision=known_to,
                quantity=amount,
                completes=completes,
            )
        )

    @precondition(lambda self: self.count.get("event_count"))
    @rule(e=pick)
    def delete_delivery(self, e: int) -> None:
        event = self._rows(ImplementationEvent, e)
        self._call(lambda: services.implementation_event_delete(event=event, reason=REASON))

    # WS-E: a counted figure sets its owner's quantity through the owner's service.
    @precondition(lambda self: self.count.get("term_count"))
    @rule(i=pick, on_event=st.booleans(), amount=st.sampled_from([0, 5, 50, 100]))
    def count_a_figure(self, i: int, on_event: bool, amount: int) -> None:
        event = self._rows(ImplementationEvent, i) if on_event else None
        term = None if event is not None else self._rows(Term, i)

        def write() -> None:
            owner: dict[str, Any] = {"event": event} if event is not None else {"term": term}
            for counted in Figure.objects.filter(counted=True, **owner):
                services.figure_update(figure=counted, counted=False)
            services.figure_create(value=amount, counted=True, **owner)

        self._call(write)

    # ------------------------------------------------------------------ ratification

    @precondition(lambda self: self.count.get("proposal_count"))
    @rule(
        p=pick,
        outcome=step_outcome,
        decided_on=day,
        muddled=st.sampled_from([False, False, False, True]),
        then=st.none() | step_outcome,
        then_on=day,
    )
    def require_ratification(
        self, p: int, outcome: str, decided_on: Any, muddled: bool, then: str | None, then_on: Any
    ) -> None:
        """A step (its date given only once decided, unless `muddled`), then perhaps its
        decision: a machine of seven steps rarely reaches decide_ratification otherwise."""
        proposal = self._rows(Proposal, p)
        if (outcome == "pending") != muddled:
            decided_on = None
        self._call(
            lambda: services.ratification_step_create(
                proposal=proposal,
                body_kind="electorate",
                body_name="Voters",
                outcome=outcome,
                decided_on=decided_on,
            )
        )
        step = RatificationStep.objects.filter(proposal=proposal).order_by("-pk").first()
        if then is not None and step is not None:
            on = None if then == "pending" else then_on
            self._call(
                lambda: services.ratification_step_update(step=step, outcome=then, decided_on=on)
            )

    @precondition(lambda self: self.count.get("step_count"))
    @rule(s=pick, outcome=step_outcome, decided_on=maybe_day)
    def decide_ratification(self, s: int, outcome: str, decided_on: Any) -> None:
        step = self._rows(RatificationStep, s)
        self._call(
            lambda: services.ratification_step_update(
                step=step, outcome=outcome, decided_on=decided_on
            )
        )

    @precondition(lambda self: self.count.get("step_count"))
    @rule(s=pick)
    def delete_ratification(self, s: int) -> None:
        step = self._rows(RatificationStep, s)
        self._call(lambda: services.ratification_step_delete(step=step, reason=REASON))

    # ------------------------------------------------------------------ agenda

    def _proposals_at(self, picks: set[int]) -> list[Proposal]:
        rows = list(Proposal.objects.filter(negotiation=self.negotiation).order_by("pk"))
        return [rows[i % len(rows)] for i in picks] if rows else []

    @rule(
        number=st.none() | st.integers(0, 3),
        picks=st.sets(pick, max_size=3),
        then=st.none() | st.sets(pick, max_size=3),
    )
    def put_on_the_agenda(self, number: int | None, picks: set[int], then: set[int] | None) -> None:
        proposals = self._proposals_at(picks)
        self._call(
            lambda: services.agenda_item_create(
                negotiation=self.negotiation, title="Item", number=number, proposals=proposals
            )
        )
        item = AgendaItem.objects.filter(negotiation=self.negotiation).order_by("-pk").first()
        if then is not None and item is not None:
            others = self._proposals_at(then)
            self._call(lambda: services.agenda_item_update(item=item, proposals=others))

    @precondition(lambda self: AgendaItem.objects.filter(negotiation=self.negotiation).exists())
    @rule(i=pick, picks=st.sets(pick, max_size=3))
    def change_an_agenda_item(self, i: int, picks: set[int]) -> None:
        item = self._rows(AgendaItem, i)
        proposals = self._proposals_at(picks)
        self._call(lambda: services.agenda_item_update(item=item, proposals=proposals))

    @precondition(lambda self: AgendaItem.objects.filter(negotiation=self.negotiation).exists())
    @rule(i=pick)
    def drop_an_agenda_item(self, i: int) -> None:
        item = self._rows(AgendaItem, i)
        self._call(lambda: services.agenda_item_delete(item=item, reason=REASON))

    # WS-B: the other kinds of ledger events, commitments and procedural terms.
    @precondition(lambda self: self.count.get("term_count"))
    @rule(
        t=pick,
        kind=st.sampled_from(
            ["suspension", "halt", "resumption", "breach", "reversal", "dispute", "reversal"]
        ),
        happened_on=day,
        by=st.none() | party,
        e=pick,
        amount=st.sampled_from([None, 5]),
    )
    def record_ledger_event(
        self, t: int, kind: str, happened_on: Any, by: int | None, e: int, amount: int | None
    ) -> None:
        term = self._rows(Term, t)
        refers = kind in ("reversal", "dispute")
        self._call(
            lambda: services.implementation_event_record(
                term=term,
                kind=kind,
                happened_on=happened_on,
                by_party=None if by is None else self.parties[by],
                quantity=amount if kind == "reversal" else None,
                reverses=self._rows(ImplementationEvent, e) if refers else None,
            )
        )

    @precondition(lambda self: self.count.get("term_count"))
    @rule(t=pick, by=party, amount=st.sampled_from([0, 5, 50]), high=st.sampled_from([None, 60]))
    def commit(self, t: int, by: int, amount: int, high: int | None) -> None:
        term = self._rows(Term, t)
        self._call(
            lambda: services.commitment_create(
                term=term, party=self.parties[by], quantity=amount, quantity_high=high
            )
        )

    @precondition(
        lambda self: Commitment.objects.filter(
            term__proposal__negotiation=self.negotiation
        ).exists()
    )
    @rule(c=pick, amount=st.sampled_from([0, 5, 50, 100]))
    def edit_commitment(self, c: int, amount: int) -> None:
        row = self._rows(Commitment, c)
        self._call(lambda: services.commitment_update(commitment=row, quantity=amount))

    @precondition(
        lambda self: Commitment.objects.filter(
            term__proposal__negotiation=self.negotiation
        ).exists()
    )
    @rule(c=pick)
    def delete_commitment(self, c: int) -> None:
        row = self._rows(Commitment, c)
        self._call(lambda: services.commitment_delete(commitment=row, reason=REASON))

    @precondition(lambda self: self.count.get("term_count"))
    @rule(t=pick, deliverable=st.booleans())
    def make_procedural(self, t: int, deliverable: bool) -> None:
        term = self._rows(Term, t)
        self._call(lambda: services.term_update(term=term, deliverable=deliverable))

    # ------------------------------------------------------------------ participations, rounds

    @rule(who=party, new_roles=roles)
    def change_roles(self, who: int, new_roles: list[str]) -> None:
        current = Participation.objects.filter(
            negotiation=self.negotiation, party=self.parties[who]
        ).first()
        if current is None:
            self._call(
                lambda: participation_create(
                    negotiation=self.negotiation, party=self.parties[who], roles=new_roles
                )
            )
        else:
            self._call(lambda: participation_update(participation=current, roles=new_roles))

    @rule()
    def outsider_leaves(self) -> None:
        current = Participation.objects.filter(
            negotiation=self.negotiation, party=self.parties[4]
        ).first()
        if current is not None:
            self._call(lambda: participation_delete(participation=current, reason=REASON))

    @precondition(lambda self: ENABLED["round_edits"])
    @rule(number=st.integers(2, 4), starts_on=day, ends_on=maybe_day)
    def create_round(self, number: int, starts_on: Any, ends_on: Any) -> None:
        self._call(
            lambda: round_create(
                negotiation=self.negotiation, number=number, starts_on=starts_on, ends_on=ends_on
            )
        )

    @precondition(lambda self: ENABLED["round_edits"])
    @rule(r=pick, starts_on=day, ends_on=maybe_day)
    def date_round(self, r: int, starts_on: Any, ends_on: Any) -> None:
        row = self._rows(Round, r)
        self._call(lambda: round_update(round=row, starts_on=starts_on, ends_on=ends_on))

    # ------------------------------------------------------------------ the invariant

    @invariant()
    def stored_statuses_equal_a_fresh_engine_run(self) -> None:
        self.drain()
        n = self.negotiation
        events = "terms__implementation_events"
        self.count = Proposal.objects.filter(negotiation=n).aggregate(
            proposal_count=Count("pk", distinct=True),
            term_count=Count("terms", distinct=True),
            position_count=Count("positions", distinct=True),
            link_count=Count("links_out", distinct=True),
            event_count=Count(events, distinct=True),
            step_count=Count("ratification_steps", distinct=True),
            stale_count=Count("pk", filter=Q(status_stale=True), distinct=True)
            + Count("terms", filter=Q(terms__status_stale=True), distinct=True),
            # What the services refuse (issue 13, bugs 5 and 7) never gets in.
            early_positions=Count(
                "positions", filter=Q(positions__stated_on__lt=F("tabled_on")), distinct=True
            ),
            early_events=Count(
                events, filter=Q(**{f"{events}__happened_on__lt": F("tabled_on")}), distinct=True
            ),
        )
        assert not self.count["early_positions"], "a position predates its proposal"
        assert not self.count["early_events"], "a delivery predates its proposal"
        assert not _supersedes_cycle(n), "proposals supersede each other in a cycle (bug 6)"
        stale = (
            [
                *(f"proposal {pk} still stale" for pk in _stale(Proposal, negotiation=n)),
                *(f"term {pk} still stale" for pk in _stale(Term, proposal__negotiation=n)),
            ]
            if self.count["stale_count"]
            else []
        )
        divergences = verify_negotiation(n.pk, include_stale=True)
        tally["checks"] += 1
        tally.update(
            f"proposal {status}"
            for status in Proposal.objects.filter(negotiation=n).values_list("status", flat=True)
        )
        assert (stale, divergences) == ([], []), "\n".join([*stale, *map(str, divergences)])


def _has_commitments(negotiation: Negotiation) -> bool:
    return Commitment.objects.filter(term__proposal__negotiation=negotiation).exists()


def _supersedes_cycle(negotiation: Negotiation) -> bool:
    newer_than: dict[int, set[int]] = {}
    for newer, older in ProposalLink.objects.filter(
        from_proposal__negotiation=negotiation, kind=LinkKind.SUPERSEDES
    ).values_list("from_proposal_id", "to_proposal_id"):
        newer_than.setdefault(newer, set()).add(older)

    def reaches(start: int, goal: int, seen: set[int]) -> bool:
        for older in newer_than.get(start, ()):
            if older == goal or (older not in seen and reaches(older, goal, seen | {older})):
                return True
        return False

    return any(reaches(pid, pid, {pid}) for pid in newer_than)


def _stale(model: type[Proposal] | type[Term], **scope: Any) -> list[int]:
    return list(model.objects.filter(status_stale=True, **scope).values_list("pk", flat=True))


class StatusInvariantThroughAWorker(StatusInvariant):
    """The same machine; the recomputes run in a real Celery worker process."""

    def drain(self) -> None:
        n = self.negotiation

        def settled() -> bool:
            return not (
                Proposal.objects.filter(negotiation=n, status_stale=True).exists()
                or Term.objects.filter(proposal__negotiation=n, status_stale=True).exists()
                or verify_negotiation(n.pk, include_stale=True)
            )

        with suppress(AssertionError):  # on timeout the invariant says what is still wrong
            wait_for(settled, 30, "the worker to drain the pipeline", every=0.05)


def _run(machine: type[StatusInvariant], shift: int = 0, **options: Any) -> None:
    StatusInvariant.shared_parties = []  # the database was emptied since the last test
    tally.clear()
    # CI replays one fixed seed, so a green run on a developer's machine is the run CI
    # makes; elsewhere every run explores new sequences. Both print the seed.
    fixed = os.environ.get("PARLEY_INVARIANT_SEED") or ("2025" if os.environ.get("CI") else "")
    chosen = (int(fixed) if fixed else random.randrange(2**32)) + shift
    try:
        run_state_machine_as_test(
            seed(chosen)(machine),
            settings=settings(
                deadline=None,
                print_blob=True,
                suppress_health_check=[HealthCheck.too_slow],
                **options,
            ),
        )
    except BaseException as error:
        error.add_note(f"Replay these examples with PARLEY_INVARIANT_SEED={chosen}.")
        raise
    finally:
        print(f"seed {chosen}:", ", ".join(f"{n} {key}" for key, n in sorted(tally.items())))


@pytest.mark.parametrize("half", [0, 1])
def test_stored_statuses_equal_a_fresh_engine_run_after_any_sequence_of_writes(half):
    # Two halves of EXAMPLES, from two seeds (the second one more), so that two test
    # processes share the work; a failing half prints the seed that replays it first.
    _run(StatusInvariant, shift=half, max_examples=EXAMPLES // 2, stateful_step_count=7)


@pytest.fixture
def broker_url() -> Iterator[str]:
    url = os.environ.get("PARLEY_TEST_REDIS_URL")
    if url:
        redis_client.Redis.from_url(url).flushdb()
        yield url
        return
    server = RedisServer()
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def test_a_real_worker_leaves_the_same_statuses_as_a_fresh_engine_run(broker_url):
    worker = CeleryProcess("worker", broker_url, "invariant")
    with publishing_to(broker_url), running(worker):
        _run(StatusInvariantThroughAWorker, max_examples=WORKER_EXAMPLES, stateful_step_count=6)
