"""Proposal.content_version and content_changed_at, kept by PostgreSQL triggers: any insert,
update or delete of the proposal row or of a row its API detail shows (terms, tablings,
required parties, mediators, sources and their links, proposal links in both directions
and the linked proposal's title and status, ratification steps, agenda items, positions,
ledger rows, status changes, its round (its first day is the tabling day when none is
given), the negotiation's participations, the parties named) bumps
the version of every proposal concerned. Statement-level triggers with transition tables:
one INSERT of ContentBump rows per statement, so bulk writes, raw SQL and COPY are counted
at the cost of one statement, never one per row; they take no lock on the proposal rows
(only the proposal's own row, being updated anyway, bumps its columns in place). The API's
detail ETag is content_version plus the proposal's bump rows (conditional GET: one indexed
lookup); a periodic fold moves the bump rows into content_version, keeping the sum."""

import django.db.models.functions.datetime
from django.db import migrations, models

# The proposals a written row of each table concerns; {rows} is the transition table
# (new_rows, old_rows), aliased r.
CONCERNS = {
    "proposals_term": "SELECT r.proposal_id FROM {rows} r",
    "proposals_tabling": "SELECT r.proposal_id FROM {rows} r",
    "proposals_proposal_required_parties": "SELECT r.proposal_id FROM {rows} r",
    "proposals_proposal_sources": "SELECT r.proposal_id FROM {rows} r",
    "proposals_proposal_mediators": "SELECT r.proposal_id FROM {rows} r",
    "proposals_proposallink": (
        "SELECT r.from_proposal_id FROM {rows} r UNION SELECT r.to_proposal_id FROM {rows} r"
    ),
    "proposals_ratificationstep": "SELECT r.proposal_id FROM {rows} r",
    "proposals_ratificationstep_sources": (
        "SELECT s.proposal_id FROM {rows} r "
        "JOIN proposals_ratificationstep s ON s.id = r.ratificationstep_id"
    ),
    "proposals_agendaitem_proposals": "SELECT r.proposal_id FROM {rows} r",
    "proposals_agendaitem": (
        "SELECT ap.proposal_id FROM {rows} r "
        "JOIN proposals_agendaitem_proposals ap ON ap.agendaitem_id = r.id"
    ),
    "proposals_term_sources": (
        "SELECT t.proposal_id FROM {rows} r JOIN proposals_term t ON t.id = r.term_id"
    ),
    "proposals_position": "SELECT r.proposal_id FROM {rows} r",
    "proposals_implementationevent": (
        "SELECT t.proposal_id FROM {rows} r JOIN proposals_term t ON t.id = r.term_id"
    ),
    "proposals_commitment": (
        "SELECT t.proposal_id FROM {rows} r JOIN proposals_term t ON t.id = r.term_id"
    ),
    "proposals_figure": (
        "SELECT t.proposal_id FROM {rows} r JOIN proposals_term t ON t.id = r.term_id"
    ),
    "proposals_statuschange": "SELECT r.proposal_id FROM {rows} r",
    "proposals_source": (
        "SELECT ps.proposal_id FROM {rows} r "
        "JOIN proposals_proposal_sources ps ON ps.source_id = r.id "
        "UNION SELECT t.proposal_id FROM {rows} r "
        "JOIN proposals_term_sources ts ON ts.source_id = r.id "
        "JOIN proposals_term t ON t.id = ts.term_id"
    ),
    "negotiations_participation": (
        "SELECT p.id FROM proposals_proposal p "
        "WHERE p.negotiation_id IN (SELECT r.negotiation_id FROM {rows} r)"
    ),
    "parties_party": (
        "SELECT p.id FROM proposals_proposal p WHERE p.negotiation_id IN ("
        "SELECT pa.negotiation_id FROM {rows} r "
        "JOIN negotiations_participation pa ON pa.party_id = r.id) "
        "UNION SELECT x.proposal_id FROM {rows} r "
        "JOIN proposals_proposal_required_parties x ON x.party_id = r.id "
        "UNION SELECT x.proposal_id FROM {rows} r JOIN proposals_tabling x ON x.party_id = r.id "
        "UNION SELECT x.proposal_id FROM {rows} r "
        "JOIN proposals_proposal_mediators x ON x.party_id = r.id"
    ),
}

BUMP = """
CREATE OR REPLACE FUNCTION parley_bump_proposals(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    -- Appends, never locks a proposal: a row lock taken here, in the middle of a write
    -- or a recompute, would be out of the pipeline's lock order and could deadlock.
    -- The API reads content_version plus the count of these rows (proposals/models/
    -- content.py); the fold (proposals.tasks.fold_content_bumps) moves them into it.
    INSERT INTO proposals_contentbump (proposal_id) SELECT DISTINCT unnest(ids);
END $$;

-- The proposal's own row: any change but the audit's bookkeeping bumps it. The columns
-- belong to the database: only the fold raises content_version (by the bump rows it
-- deletes, so the sum the API reads stays); any other write keeps them (a save() of an
-- instance read before a fold must not take the version back).
CREATE OR REPLACE FUNCTION parley_proposal_content() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.content_version > OLD.content_version THEN
        RETURN NEW;
    END IF;
    NEW.content_version := OLD.content_version;
    NEW.content_changed_at := OLD.content_changed_at;
    -- The stored search vector (0017) is left out: generated after BEFORE triggers run, it
    -- is NULL in NEW here, and every update would otherwise count as a change.
    IF (to_jsonb(NEW) - 'content_version' - 'content_changed_at' - 'status_verified_at'
        - 'search_vector')
       IS DISTINCT FROM
       (to_jsonb(OLD) - 'content_version' - 'content_changed_at' - 'status_verified_at'
        - 'search_vector')
    THEN
        NEW.content_version := OLD.content_version + 1;
        NEW.content_changed_at := clock_timestamp();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER parley_proposal_content BEFORE UPDATE ON proposals_proposal
    FOR EACH ROW EXECUTE FUNCTION parley_proposal_content();

-- A proposal's title and status show in the links of the proposals linked to it.
CREATE OR REPLACE FUNCTION parley_proposal_linked() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM parley_bump_proposals(ARRAY(
        WITH moved AS (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.title, n.status) IS DISTINCT FROM (o.title, o.status)
        )
        SELECT l.to_proposal_id FROM proposals_proposallink l JOIN moved m
            ON m.id = l.from_proposal_id
        UNION
        SELECT l.from_proposal_id FROM proposals_proposallink l JOIN moved m
            ON m.id = l.to_proposal_id
    ));
    RETURN NULL;
END $$;
CREATE TRIGGER parley_proposal_linked AFTER UPDATE ON proposals_proposal
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION parley_proposal_linked();

-- A round's first day is the tabling day of its proposals that give none (a summary
-- refreshed by a recompute moves nothing).
CREATE OR REPLACE FUNCTION parley_round_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM parley_bump_proposals(ARRAY(
        SELECT p.id FROM new_rows n JOIN old_rows o ON o.id = n.id
          JOIN proposals_proposal p ON p.round_id = n.id
         WHERE (n.starts_on, n.starts_on_precision)
               IS DISTINCT FROM (o.starts_on, o.starts_on_precision)
    ));
    RETURN NULL;
END $$;
CREATE TRIGGER parley_round_days AFTER UPDATE ON negotiations_round
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION parley_round_days();
"""

UNBUMP = """
DROP TRIGGER IF EXISTS parley_round_days ON negotiations_round;
DROP FUNCTION IF EXISTS parley_round_days();
DROP TRIGGER IF EXISTS parley_proposal_linked ON proposals_proposal;
DROP FUNCTION IF EXISTS parley_proposal_linked();
DROP TRIGGER IF EXISTS parley_proposal_content ON proposals_proposal;
DROP FUNCTION IF EXISTS parley_proposal_content();
"""


def concern_sql(table: str, query: str) -> str:
    new, old = query.format(rows="new_rows"), query.format(rows="old_rows")
    function = f"parley_content_{table}"
    triggers = []
    for op, referencing in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "NEW TABLE AS new_rows OLD TABLE AS old_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        triggers.append(
            f"CREATE TRIGGER {function}_{op.lower()} AFTER {op} ON {table} "
            f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        )
    return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM parley_bump_proposals(ARRAY({new}));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM parley_bump_proposals(ARRAY({new} UNION {old}));
    ELSE
        PERFORM parley_bump_proposals(ARRAY({old}));
    END IF;
    RETURN NULL;
END $$;
{chr(10).join(triggers)}
"""


def drop_sql(table: str) -> str:
    function = f"parley_content_{table}"
    drops = [
        f"DROP TRIGGER IF EXISTS {function}_{op} ON {table};"
        for op in ("insert", "update", "delete")
    ]
    return "\n".join([*drops, f"DROP FUNCTION IF EXISTS {function}();"])


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0018_page_indexes"),
        ("negotiations", "0008_idempotent_requests"),
        ("parties", "0003_external_ids_and_aliases"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="content_changed_at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(), editable=False
            ),
        ),
        migrations.AddField(
            model_name="proposal",
            name="content_version",
            field=models.BigIntegerField(db_default=1, editable=False),
        ),
        migrations.CreateModel(
            name="ContentBump",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("proposal_id", models.BigIntegerField()),
                (
                    "at",
                    models.DateTimeField(
                        db_default=models.Func(
                            function="clock_timestamp", output_field=models.DateTimeField()
                        )
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["proposal_id", "id"], name="content_bump_proposal_idx")
                ],
            },
        ),
        migrations.RunSQL(
            BUMP + "".join(concern_sql(t, q) for t, q in CONCERNS.items()),
            "".join(drop_sql(t) for t in CONCERNS)
            + UNBUMP
            + "DROP FUNCTION IF EXISTS parley_bump_proposals(bigint[]);",
        ),
    ]
