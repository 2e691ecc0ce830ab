"""Self-healing: `verify_statuses` and the sampled audit find stored statuses that differ
from a fresh engine run, repair them through the refresh path, and say so.

A raw `.update()` stands in for a pipeline bug: it changes a stored value without
marking anything stale, as the bugs of issue 13 did.
"""

from __future__ import annotations

import datetime
import logging
import math
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone

from negotiations.env import env_float
from negotiations.models import Negotiation
from proposals.audit import audit_batch, proposal_statuses_audit
from proposals.models import Proposal, Status, StatusAudit, StatusChange, Term
from proposals.tasks import audit_proposal_statuses

pytestmark = pytest.mark.django_db


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_statuses", *args, "--no-progress", stdout=out)
    return out.getvalue()


def verify_failing(*args: str) -> str:
    out = StringIO()
    with pytest.raises(CommandError, match="differ from a fresh engine run"):
        call_command("verify_statuses", *args, "--no-progress", stdout=out)
    return out.getvalue()


def corrupt(demo: Negotiation) -> Proposal:
    """Store a wrong status on an agreed proposal, stale flag untouched."""
    proposal = Proposal.objects.filter(negotiation=demo, status=Status.AGREED).first()
    assert proposal is not None
    Proposal.objects.filter(pk=proposal.pk).update(status=Status.SUPERSEDED)
    return proposal


def stored_status(proposal: Proposal) -> str:
    return Proposal.objects.values_list("status", flat=True).get(pk=proposal.pk)


def test_the_demo_verifies_with_no_divergence(demo):
    out = verify()
    count = Proposal.objects.count()
    assert f"Checked {count} proposals: 0 divergent proposals, 0 divergent summaries" in out


def test_a_corrupted_status_is_printed_and_the_command_fails(demo):
    proposal = corrupt(demo)
    out = verify_failing()
    assert (
        f"negotiation {demo.pk}: proposal {proposal.pk} status: stored 'superseded', "
        "fresh 'agreed'" in out
    )
    assert "1 divergent proposals" in out
    assert stored_status(proposal) == Status.SUPERSEDED  # without --fix, nothing is written


def test_fix_recomputes_the_divergent_proposal_and_checks_again(demo):
    proposal = corrupt(demo)
    out = verify("--fix")
    assert "Recomputed 1 proposals" in out
    assert out.strip().endswith("0 divergent proposals, 0 divergent summaries, 0 differences.")
    assert stored_status(proposal) == Status.AGREED
    verify()


def test_fix_repairs_terms_timelines_and_summaries_too(demo):
    term = Term.objects.filter(proposal__negotiation=demo).first()
    assert term is not None
    Term.objects.filter(pk=term.pk).update(status_reason="Made up")
    first_change = StatusChange.objects.filter(proposal__negotiation=demo).order_by("pk")[:1]
    StatusChange.objects.filter(pk__in=list(first_change.values_list("pk", flat=True))).delete()
    Negotiation.objects.filter(pk=demo.pk).update(status_summary={})
    out = verify_failing(f"--negotiation={demo.pk}")
    assert f"term {term.pk} status_reason: stored 'Made up'" in out
    assert "timeline" in out
    assert f"negotiation {demo.pk} status_summary." in out
    verify("--fix", f"--negotiation={demo.pk}")
    verify()


def test_a_stale_proposal_is_skipped_as_pending(demo):
    Proposal.objects.filter(pk=corrupt(demo).pk).update(status_stale=True)
    assert "1 stale proposals skipped (a recompute is pending)" in verify()


def test_an_unknown_negotiation_is_an_error(db):
    with pytest.raises(CommandError, match="No proposals in a negotiation with id 999"):
        verify("--negotiation=999")


def test_the_audit_task_repairs_a_divergence_and_warns(demo, caplog):
    proposal = corrupt(demo)
    with caplog.at_level(logging.WARNING, logger="proposals.audit"):
        assert audit_proposal_statuses.delay(share=1.0).get() == 1
    assert stored_status(proposal) == Status.AGREED
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert f"proposal {proposal.pk} status: stored 'superseded', fresh 'agreed'" in (
        warning.getMessage()
    )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    verify()


def test_healthz_reports_the_last_audit(client, demo):
    assert client.get("/healthz").json()["status_audit"] == {
        "checked": 0,
        "divergent": 0,
        "last_run": None,
    }
    corrupt(demo)
    run = proposal_statuses_audit(share=1.0)
    assert run is not None
    body = client.get("/healthz").json()
    assert body["status_audit"] == {
        "checked": Proposal.objects.count(),
        "divergent": 1,
        "last_run": run.last_run.isoformat(),
    }
    assert StatusAudit.objects.count() == 1
    proposal_statuses_audit(share=1.0)
    assert client.get("/healthz").json()["status_audit"]["divergent"] == 0
    assert StatusAudit.objects.count() == 1


def test_the_audit_checks_the_proposals_verified_longest_ago_first(demo):
    ids = list(Proposal.objects.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    for age, pk in enumerate(ids):
        Proposal.objects.filter(pk=pk).update(
            status_verified_at=now - datetime.timedelta(hours=age)
        )
    never = ids[len(ids) // 2]
    Proposal.objects.filter(pk=never).update(status_verified_at=None)
    oldest_first = [never, *[pk for pk in reversed(ids) if pk != never]]
    share = 3 / len(ids)
    assert [pk for _, pk in audit_batch(share=share)] == oldest_first[:3]
    proposal_statuses_audit(share=share)
    assert [pk for _, pk in audit_batch(share=share)] == oldest_first[3:6]


def test_the_share_bounds_each_run_and_runs_take_turns(demo):
    total = Proposal.objects.count()
    share = 0.25
    size = math.ceil(total * share)
    seen: list[int] = []
    for _ in range(math.ceil(total / size)):
        batch = [pk for _, pk in audit_batch(share=share)]
        assert len(batch) <= size
        seen += batch
        run = proposal_statuses_audit(share=share)
        assert run is not None and run.checked == len(batch)
    assert sorted(seen) == sorted(Proposal.objects.values_list("pk", flat=True))
    assert audit_batch(share=0) == []
    assert proposal_statuses_audit(share=0) is None
    assert len(audit_batch(share=0.0001)) == 1  # at least one per run


def test_the_audit_leaves_stale_proposals_to_the_sweep(demo):
    Proposal.objects.filter(negotiation=demo).update(status_stale=True)
    assert audit_batch(share=1.0) == []


def test_beat_runs_the_audit_with_the_hourly_share_spread_over_its_runs():
    entry = settings.CELERY_BEAT_SCHEDULE["audit-proposal-statuses"]
    assert entry["task"] == "proposals.tasks.audit_proposal_statuses"
    assert entry["schedule"] == settings.PARLEY_AUDIT_SECONDS
    share = settings.PARLEY_AUDIT_SHARE_PER_HOUR * settings.PARLEY_AUDIT_SECONDS / 3600
    assert entry["kwargs"] == {"share": share}


def test_a_bad_share_fails_loudly(monkeypatch):
    monkeypatch.setenv("PARLEY_AUDIT_SHARE_PER_HOUR", "five percent")
    with pytest.raises(ImproperlyConfigured, match="PARLEY_AUDIT_SHARE_PER_HOUR"):
        env_float("PARLEY_AUDIT_SHARE_PER_HOUR", 0.05)
