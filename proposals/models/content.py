"""The content version behind a proposal detail's ETag (migration 0019_content_versions).

A write to a row the detail shows (a term, a position, a link...) appends a ContentBump
row from a statement-level trigger: a plain insert, which never waits on another
transaction, so the triggers take no row lock on the proposal (a lock taken out of the
pipeline's order, proposals in id order, could deadlock). A write to the proposal's own
row bumps Proposal.content_version in place. The version the API reads is the sum of the
two, monotonic whatever order the writers commit in; fold_content_bumps (proposals/tasks.py)
moves the bump rows into the proposal's columns now and then, keeping the sum.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models
from django.db.models import F, Func, OuterRef, Subquery
from django.db.models.functions import Greatest


class ContentBump(models.Model):
    """One write concerning a proposal, not yet folded into its content_version. No
    foreign key (its check would lock the proposal's key): the rows of a deleted proposal
    are dropped by the fold."""

    id = models.BigAutoField(primary_key=True)
    proposal_id = models.BigIntegerField()
    at = models.DateTimeField(
        db_default=Func(function="clock_timestamp", output_field=models.DateTimeField())
    )

    class Meta:
        indexes = [models.Index(fields=["proposal_id", "id"], name="content_bump_proposal_idx")]

    def __str__(self) -> str:
        return f"proposal {self.proposal_id} at {self.at}"


def _bumps_of_outer_proposal(aggregate: str, output: models.Field) -> Subquery:
    # A plain function, not an aggregate: no GROUP BY, so the subquery always has one row
    # (a count of 0, a max of NULL that GREATEST ignores).
    bumps = ContentBump.objects.filter(proposal_id=OuterRef("pk")).order_by()
    column = "id" if aggregate == "COUNT" else "at"
    return Subquery(
        bumps.annotate(agg=Func(F(column), function=aggregate, output_field=output)).values("agg")
    )


def live_content_version() -> Any:
    """A proposal's content version as the API reads it (an expression on Proposal)."""
    return F("content_version") + _bumps_of_outer_proposal("COUNT", models.BigIntegerField())


def live_content_changed_at() -> Any:
    """When the content a proposal's detail shows last changed (an expression on Proposal)."""
    return Greatest(
        F("content_changed_at"), _bumps_of_outer_proposal("MAX", models.DateTimeField())
    )


# Annotation names (a model field's name cannot be reused by an annotation).
LIVE_CONTENT = {
    "live_content_version": live_content_version,
    "live_content_changed_at": live_content_changed_at,
}


def live_content() -> dict[str, Any]:
    return {name: expression() for name, expression in LIVE_CONTENT.items()}


# The advisory lock (pg_locks.classid, key 0) one fold at a time holds; proposals/locks.py
# numbers its kinds from 1 up, so this one is well clear of them.
FOLD_LOCK = 71

# One batch: lock (skipping any row another transaction holds, so the fold never waits)
# the proposals with bumps, in id order, add each one's bumps to its columns and delete
# them; a bump committed after the statement's snapshot stays for the next fold. The
# own-row trigger does not bump: content_version changes.
FOLD = """
WITH locked AS (
    SELECT p.id FROM proposals_proposal p
     WHERE p.id IN (SELECT DISTINCT b.proposal_id FROM proposals_contentbump b
                     ORDER BY 1 LIMIT %(batch)s)
     ORDER BY p.id FOR NO KEY UPDATE SKIP LOCKED
), gone AS (
    DELETE FROM proposals_contentbump b USING locked l WHERE b.proposal_id = l.id
    RETURNING b.proposal_id, b.at
), folded AS (
    SELECT proposal_id, count(*) AS n, max(at) AS at FROM gone GROUP BY proposal_id
)
UPDATE proposals_proposal p
   SET content_version = p.content_version + f.n,
       content_changed_at = GREATEST(p.content_changed_at, f.at)
  FROM folded f WHERE p.id = f.proposal_id
"""

# The bumps of proposals deleted since (their rows are gone: nothing reads them).
ORPHANS = """
DELETE FROM proposals_contentbump b
 WHERE b.proposal_id IN (SELECT DISTINCT o.proposal_id FROM proposals_contentbump o
                          WHERE NOT EXISTS (SELECT 1 FROM proposals_proposal p
                                             WHERE p.id = o.proposal_id)
                          ORDER BY 1 LIMIT %(batch)s)
   AND NOT EXISTS (SELECT 1 FROM proposals_proposal p WHERE p.id = b.proposal_id)
"""


def fold_bumps(batch: int = 500) -> int:
    """Fold the bumps of up to `batch` proposals (and drop those of up to `batch` deleted
    proposals) in the caller's transaction; the number of proposals folded. The version
    each proposal's ETag rests on is unchanged. A fold already running elsewhere: none."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, 0)", [FOLD_LOCK])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(FOLD, {"batch": batch})
        folded = cursor.rowcount
        cursor.execute(ORPHANS, {"batch": batch})
    return folded
