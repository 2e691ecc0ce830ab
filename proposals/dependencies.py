"""The one dependency map: which proposals' statuses can a write change?

Every service that writes something the engine reads asks this module, directly or
through proposals.staleness.mark_stale, and marks the answer stale. A status depends on:

- the proposal itself: its terms, positions, implementation events, required parties,
  tabling party and dates;
- for a superseded proposal, every proposal superseding it: the newer one's `tabled_on`
  or round date is the day the older one was superseded (proposals/snapshot.py), and
  deleting the newer one revives the older one;
- the negotiation: its participations (who must consent, the parties' names in the
  reasons) and its rounds (round dates stand in for a missing `tabled_on`);
- the terms its conditional positions wait for, transitively;
- for a proposal that narrower ones "realise part of" (WS-B), each of those: while one is
  agreed or beyond, the wider one is partially agreed, its reason naming the narrower one.

So the answer is closed under two steps: from a proposal to the proposals it supersedes,
and from a proposal to the proposals with positions conditional on its terms. Ask before
a deletion: the links and conditions that lead to the dependants go with the row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

from negotiations.models import Participation
from proposals.models import LinkKind, Position, Proposal, ProposalLink, Term


def affected_proposal_ids(
    *,
    proposal_ids: Iterable[int] = (),
    term_ids: Iterable[int] = (),
    negotiation_ids: Iterable[int] = (),
    party_ids: Iterable[int] = (),
) -> set[int]:
    """The proposals whose status a write can change, and every proposal depending on them.

    proposal_ids: proposals written, or whose terms, positions, events or links were;
    term_ids: terms written (their proposals, and the positions conditional on them);
    negotiation_ids: a participation or a round of these negotiations was written;
    party_ids: a party was renamed (every negotiation it takes part in).
    """
    negotiation_ids = set(negotiation_ids)
    party_ids = set(party_ids)
    if party_ids:
        negotiation_ids |= set(
            Participation.objects.filter(party_id__in=party_ids).values_list(
                "negotiation_id", flat=True
            )
        )
    term_ids = set(term_ids)
    start = set(proposal_ids)
    if term_ids:
        start |= set(Term.objects.filter(pk__in=term_ids).values_list("proposal_id", flat=True))
    if negotiation_ids:
        start |= set(
            Proposal.objects.filter(negotiation_id__in=negotiation_ids).values_list("pk", flat=True)
        )
    return _closure(start)


# The closure in one statement: a recursive query that follows, from each proposal reached,
# the links to the proposals it supersedes or realises part of, and the positions that are
# conditional on its terms (UNION, not UNION ALL: a proposal reached twice, or a cycle of
# conditions, is walked once). mark_stale (proposals/staleness.py) runs it inside the
# statement that flags what it finds; its parameters: closure_params(start).
CLOSURE_CTE = f"""
closure(id) AS (
    SELECT unnest(%(start)s::bigint[])
    UNION
    SELECT step.id FROM closure CROSS JOIN LATERAL (
        SELECT link.to_proposal_id AS id FROM {ProposalLink._meta.db_table} AS link
        WHERE link.from_proposal_id = closure.id AND link.kind = ANY(%(kinds)s)
        UNION ALL
        SELECT position.proposal_id FROM {Term._meta.db_table} AS term
        JOIN {Position.conditional_on.through._meta.db_table} AS condition
            ON condition.term_id = term.id
        JOIN {Position._meta.db_table} AS position ON position.id = condition.position_id
        WHERE term.proposal_id = closure.id
    ) AS step
)
"""


def closure_params(start: Iterable[int]) -> dict[str, list[Any]]:
    return {"start": sorted(start), "kinds": [LinkKind.SUPERSEDES, LinkKind.REALISES_PART_OF]}


def _closure(start: set[int]) -> set[int]:
    if not start:
        return set()
    with connection.cursor() as cursor:
        sql = f"WITH RECURSIVE {CLOSURE_CTE} SELECT id FROM closure"
        cursor.execute(sql, closure_params(start))
        return {row[0] for row in cursor.fetchall()}
