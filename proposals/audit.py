"""Self-healing: stored statuses checked against a fresh engine run, and repaired.

`statuses_verify` compares whole negotiations (proposals/verification.py) for the
`verify_statuses` command; `proposal_statuses_audit` is the sampled audit that beat runs:
each run checks a share of the proposals, those verified longest ago first. Both repair
through the normal refresh path (proposals/refresh.py). A divergence is a bug in the
pipeline, so each one is logged as a warning and counted where /healthz shows it.
"""

from __future__ import annotations

import datetime
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone

from proposals.models import Proposal, StatusAudit, Term
from proposals.refresh import refresh_proposals
from proposals.summaries import negotiation_summary_refresh
from proposals.verification import Divergence, verify_negotiation

logger = logging.getLogger(__name__)

SUMMARY_KINDS = {"round", "negotiation"}


@dataclass
class Verification:
    """What one comparison found: divergences per negotiation."""

    checked: int = 0  # proposals compared
    stale: int = 0  # proposals skipped: flagged stale, a recompute is pending
    divergences: dict[int, list[Divergence]] = field(default_factory=dict)

    @property
    def differences(self) -> int:
        return sum(len(found) for found in self.divergences.values())

    def divergent_proposals(self) -> set[int]:
        return set[int]().union(*map(proposal_ids_of, self.divergences.values()))

    def divergent_summaries(self) -> set[tuple[str, int]]:
        return {
            (d.kind, d.object_id)
            for found in self.divergences.values()
            for d in found
            if d.kind in SUMMARY_KINDS
        }


def proposal_ids_of(divergences: Iterable[Divergence]) -> set[int]:
    """The proposals whose stored rows differ (a term's or a timeline's proposal too);
    summaries belong to rounds and negotiations, not to a proposal."""
    ids: set[int] = set()
    term_ids: set[int] = set()
    for divergence in divergences:
        if divergence.kind == "term":
            term_ids.add(divergence.object_id)
        elif divergence.kind not in SUMMARY_KINDS:  # proposal, timeline
            ids.add(divergence.object_id)
    if term_ids:
        ids |= set(Term.objects.filter(pk__in=term_ids).values_list("proposal_id", flat=True))
    return ids


def _confirmed(negotiation_id: int, proposal_ids: list[int] | None) -> list[Divergence]:
    # A write and its recompute that both land between the comparison's read of the
    # inputs and its read of the stored rows look like a divergence once; a real one is
    # still there on a second look.
    found = verify_negotiation(negotiation_id, proposal_ids=proposal_ids)
    return verify_negotiation(negotiation_id, proposal_ids=proposal_ids) if found else found


def statuses_verify(
    *, negotiation_id: int | None = None, progress: Callable[[int], object] | None = None
) -> Verification:
    """Compare every proposal (or one negotiation's), terms, timelines and summaries
    with a fresh engine run."""
    proposals = Proposal.objects.all()
    if negotiation_id is not None:
        proposals = proposals.filter(negotiation_id=negotiation_id)
    counts: dict[int, dict[bool, int]] = {}
    for negotiation, stale in proposals.values_list("negotiation_id", "status_stale"):
        per_flag = counts.setdefault(negotiation, {False: 0, True: 0})
        per_flag[stale] += 1
    result = Verification()
    for negotiation, per_flag in sorted(counts.items()):
        found = _confirmed(negotiation, None)
        if found:
            result.divergences[negotiation] = found
        result.checked += per_flag[False]
        result.stale += per_flag[True]
        if progress is not None:
            progress(per_flag[False] + per_flag[True])
    return result


def statuses_repair(divergences: dict[int, list[Divergence]]) -> int:
    """Recompute the divergent proposals through the refresh path, then rewrite their
    negotiations' summaries; return how many proposals were recomputed."""
    ids = Verification(divergences=divergences).divergent_proposals()
    refresh_proposals(proposal_ids=sorted(ids))
    for negotiation_id in sorted(divergences):
        negotiation_summary_refresh(negotiation_id=negotiation_id)
    return len(ids)


@dataclass(frozen=True)
class AuditRun:
    checked: int
    divergent: int  # proposals found divergent (and repaired)
    last_run: datetime.datetime


def audit_batch(*, share: float) -> list[tuple[int, int]]:
    """(negotiation id, proposal id) of the proposals the next run checks: `share` of the
    current ones (at least one), those verified longest ago (or never) first."""
    current = Proposal.objects.filter(status_stale=False)
    size = math.ceil(current.count() * share) if share > 0 else 0
    return list(
        current.order_by(F("status_verified_at").asc(nulls_first=True), "pk").values_list(
            "negotiation_id", "pk"
        )[:size]
    )


def proposal_statuses_audit(*, share: float) -> AuditRun | None:
    """Check a share of the proposals against a fresh engine run, repair what diverges,
    warn about each divergence, and record the counts. None when there is nothing to do."""
    batch = audit_batch(share=share)
    if not batch:
        return None
    by_negotiation: dict[int, list[int]] = {}
    for negotiation_id, proposal_id in batch:
        by_negotiation.setdefault(negotiation_id, []).append(proposal_id)
    divergences: dict[int, list[Divergence]] = {}
    for negotiation_id, proposal_ids in sorted(by_negotiation.items()):
        found = _confirmed(negotiation_id, proposal_ids)
        for divergence in found:
            logger.warning(
                "Status audit: negotiation %s, %s differs from a fresh engine run; "
                "recomputing it. A divergence is a bug in the status pipeline: report it.",
                negotiation_id,
                divergence,
            )
        if found:
            divergences[negotiation_id] = found
    divergent = len(Verification(divergences=divergences).divergent_proposals())
    if divergences:
        statuses_repair(divergences)
        for negotiation_id, found in divergences.items():
            left = verify_negotiation(negotiation_id, proposal_ids=proposal_ids_of(found))
            for divergence in left:
                logger.error(
                    "Status audit: negotiation %s, %s is still divergent after a recompute.",
                    negotiation_id,
                    divergence,
                )
    now = timezone.now()
    Proposal.objects.filter(pk__in=[pid for _, pid in batch]).update(status_verified_at=now)
    StatusAudit.objects.update_or_create(
        pk=1, defaults={"checked": len(batch), "divergent": divergent, "last_run": now}
    )
    return AuditRun(checked=len(batch), divergent=divergent, last_run=now)


def last_audit() -> dict[str, object]:
    """The last run's counts, as /healthz reports them."""
    row = StatusAudit.objects.filter(pk=1).first()
    if row is None:
        return {"checked": 0, "divergent": 0, "last_run": None}
    return {
        "checked": row.checked,
        "divergent": row.divergent,
        "last_run": row.last_run.isoformat() if row.last_run else None,
    }
