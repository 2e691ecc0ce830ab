"""The API's floor: a minimal WSGI app, no Django, that answers the benchmarked reads with
one PostgreSQL query each, the JSON built by the database (json_build_object, json_agg),
as PostgREST would. Served by the same gunicorn settings as Parley (bench/stack.py):
`gunicorn -c negotiations/gunicorn_conf.py bench.floor:app`, DATABASE_URL as Parley's.

The JSON has Parley's shape (the same keys, nesting and rows); two simplifications keep it
one query: the detail as of a day gives the stored statuses (Parley runs the engine for
that day), the matrix the latest stated stances (Parley's engine's effective stances).
One connection per worker process, kept open (the floor does not pay for connecting).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

import psycopg

CHANGED_AT = "greatest({t}.updated_at, coalesce({t}.status_computed_at, {t}.updated_at))"


def _ids(table: str, column: str, key: str, value: str, order: str | None = None) -> str:
    return (
        f"coalesce((SELECT json_agg(x.{column} ORDER BY x.{order or column}) FROM {table} x "
        f"WHERE x.{key} = {value}), '[]')"
    )


REQUIRED = "proposals_proposal_required_parties"
PROPOSAL = f"""json_build_object(
 'id', p.id, 'negotiation', p.negotiation_id, 'round', p.round_id,
 'tabling_parties', {_ids("proposals_tabling", "party_id", "proposal_id", "p.id", "ordinal, x.id")},
 'mediators', {_ids("proposals_proposal_mediators", "party_id", "proposal_id", "p.id")},
 'tabled_by', (SELECT t.party_id FROM proposals_tabling t WHERE t.proposal_id = p.id
               ORDER BY t.ordinal, t.id LIMIT 1),
 'title', p.title, 'kind', p.kind, 'summary', p.summary, 'text', p.text,
 'tabled_on', p.tabled_on, 'tabled_on_precision', p.tabled_on_precision,
 'text_status', p.text_status,
 'required_parties', {_ids(REQUIRED, "party_id", "proposal_id", "p.id")},
 'sources', {_ids("proposals_proposal_sources", "source_id", "proposal_id", "p.id")},
 'status', p.status, 'status_reason', p.status_reason, 'status_since', p.status_since,
 'status_stale', p.status_stale,
 'status_freshness', CASE WHEN p.status_stale THEN 'recomputing' ELSE 'current' END,
 'status_computed_at', p.status_computed_at,
 'ratification', (SELECT CASE WHEN bool_or(s.outcome = 'rejected') THEN 'rejected'
                              WHEN bool_and(s.outcome = 'approved') THEN 'approved'
                              ELSE 'pending' END
                  FROM proposals_ratificationstep s WHERE s.proposal_id = p.id),
 'version', p.version, 'created_at', p.created_at, 'updated_at', p.updated_at,
 'changed_at', {CHANGED_AT.format(t="p")})"""


def _stances(basis: str) -> str:
    return f"""coalesce((SELECT json_agg(json_build_object(
        'party', (b->>'party_id')::int, 'stance', b->>'stance', 'counts_as', b->>'counts_as',
        'position', (b->>'position_id')::int, 'stated_on', b->>'stated_on',
        'level', b->>'level'))
      FROM jsonb_array_elements(CASE jsonb_typeof({basis}) WHEN 'array' THEN {basis}
                                ELSE '[]' END) b), '[]')"""


SOURCE = (
    "json_build_object('id', s.id, 'title', s.title, 'url', s.url, 'publisher', s.publisher, "
    "'published_on', s.published_on, 'kind', s.kind)"
)

TERM = f"""json_build_object(
 'id', t.id, 'ordinal', t.ordinal, 'label', t.label, 'text', t.text, 'category', t.category,
 'stage', t.stage, 'option_group', t.option_group, 'option', t.option,
 'derived_from', t.derived_from_id, 'quantity', t.quantity, 'unit', t.unit,
 'deliverable', t.deliverable, 'delivered', t.delivered, 'due_on', t.due_on,
 'sources', {_ids("proposals_term_sources", "source_id", "term_id", "t.id")},
 'note', t.note, 'status', t.status, 'status_reason', t.status_reason,
 'status_since', t.status_since, 'status_stale', t.status_stale, 'version', t.version,
 'stances', {_stances("t.status_basis")})"""

BASIS_PARTIES = """SELECT (b->>'party_id')::int FROM jsonb_array_elements(
    CASE jsonb_typeof({basis}) WHEN 'array' THEN {basis} ELSE '[]' END) b"""

CONSENT = """coalesce(
    (SELECT array_agg(r.party_id) FROM proposals_proposal_required_parties r
      WHERE r.proposal_id = p.id),
    (SELECT array_agg(pa.party_id) FROM negotiations_participation pa
      WHERE pa.negotiation_id = p.negotiation_id AND 'principal' = ANY(pa.roles)),
    '{}')"""


def _link(direction: str, mine: str, other: str) -> str:
    return f"""SELECT l.id, json_build_object('id', l.id, 'kind', l.kind,
        'direction', '{direction}', 'proposal', o.id, 'title', o.title, 'status', o.status,
        'linked_on', l.linked_on, 'note', l.note) j
      FROM proposals_proposallink l JOIN proposals_proposal o ON o.id = l.{other}
      WHERE l.{mine} = p.id"""


DETAIL = f"""SELECT (({PROPOSAL})::jsonb || jsonb_build_object(
 'as_of', %(as_of)s::date,
 'consent_parties', (SELECT coalesce(json_agg(c ORDER BY c), '[]') FROM unnest({CONSENT}) c),
 'parties', (SELECT coalesce(json_agg(json_build_object('id', y.id, 'name', y.name,
                'short_name', y.short_name, 'slug', y.slug) ORDER BY y.name), '[]')
             FROM parties_party y WHERE y.id = ANY({CONSENT}) OR y.id IN (
                {BASIS_PARTIES.format(basis="p.status_basis")} UNION
                SELECT (b->>'party_id')::int FROM proposals_term t2,
                  jsonb_array_elements(CASE jsonb_typeof(t2.status_basis) WHEN 'array'
                    THEN t2.status_basis ELSE '[]' END) b WHERE t2.proposal_id = p.id)),
 'stances', {_stances("p.status_basis")},
 'terms', (SELECT coalesce(json_agg({TERM} ORDER BY t.ordinal, t.id), '[]')
           FROM proposals_term t WHERE t.proposal_id = p.id),
 'links', (SELECT coalesce(json_agg(k.j ORDER BY k.id), '[]') FROM (
             {_link("out", "from_proposal_id", "to_proposal_id")} UNION ALL
             {_link("in", "to_proposal_id", "from_proposal_id")}) k),
 'cited_sources', (SELECT coalesce(json_agg({SOURCE} ORDER BY s.id), '[]')
                   FROM proposals_source s WHERE s.id IN (
                     SELECT ps.source_id FROM proposals_proposal_sources ps
                      WHERE ps.proposal_id = p.id
                     UNION SELECT ts.source_id FROM proposals_term_sources ts
                      JOIN proposals_term t3 ON t3.id = ts.term_id WHERE t3.proposal_id = p.id)),
 'ratification_steps', (SELECT coalesce(json_agg(json_build_object('id', r.id,
        'ordinal', r.ordinal, 'body_kind', r.body_kind, 'body_name', r.body_name,
        'body_party', r.body_party_id, 'due_on', r.due_on, 'outcome', r.outcome,
        'decided_on', r.decided_on, 'votes_for', r.votes_for,
        'votes_against', r.votes_against, 'abstentions', r.abstentions,
        'share_for', r.share_for, 'turnout', r.turnout, 'note', r.note)
        ORDER BY r.ordinal, r.id), '[]')
        FROM proposals_ratificationstep r WHERE r.proposal_id = p.id),
 'agenda_items', (SELECT coalesce(json_agg(json_build_object('id', a.id, 'number', a.number,
        'title', a.title) ORDER BY a.number, a.id), '[]')
        FROM proposals_agendaitem a JOIN proposals_agendaitem_proposals ap
          ON ap.agendaitem_id = a.id WHERE ap.proposal_id = p.id),
 'reservations', (SELECT coalesce(json_agg(json_build_object('position', x.id,
        'party', x.party_id, 'term', x.term_id, 'term_label', NULL,
        'reservations', x.reservations, 'stated_on', x.stated_on) ORDER BY x.id), '[]')
        FROM proposals_position x WHERE x.id IN (
          SELECT (b->>'position_id')::int FROM jsonb_array_elements(
            CASE jsonb_typeof(p.status_basis) WHEN 'array' THEN p.status_basis ELSE '[]' END) b
          WHERE b->>'stance' = 'accepts_with_reservations'))
))::text FROM proposals_proposal p WHERE p.id = %(id)s"""

PROPOSALS = f"""SELECT json_build_object(
 'count', (SELECT count(*) FROM proposals_proposal WHERE negotiation_id = %(negotiation)s),
 'next', NULL, 'results', coalesce(json_agg(x.o ORDER BY x.c, x.id), '[]'))::text
FROM (SELECT p.id, {CHANGED_AT.format(t="p")} c, {PROPOSAL} o FROM proposals_proposal p
      WHERE p.negotiation_id = %(negotiation)s
      ORDER BY {CHANGED_AT.format(t="p")}, p.id LIMIT 100) x"""

POSITIONS = f"""SELECT json_build_object(
 'count', (SELECT count(*) FROM proposals_position), 'next', NULL,
 'results', coalesce(json_agg(json_build_object('id', x.id, 'party', x.party_id,
   'proposal', x.proposal_id, 'term', x.term_id, 'stance', x.stance,
   'stated_on', x.stated_on, 'stated_on_precision', x.stated_on_precision,
   'round', x.round_id, 'speaker', x.speaker_id, 'quote', x.quote,
   'conditions', x.conditions, 'reservations', x.reservations,
   'conditional_on', {_ids("proposals_position_conditional_on", "term_id", "position_id", "x.id")},
   'source', x.source_id, 'note', x.note, 'version', x.version,
   'created_at', x.created_at, 'updated_at', x.updated_at, 'changed_at', x.updated_at)
   ORDER BY x.updated_at, x.id), '[]'))::text
FROM (SELECT * FROM proposals_position ORDER BY updated_at, id LIMIT 100) x"""

EVENT_KEYS = [
    "type",
    "date",
    "at",
    "term",
    "term_label",
    "party",
    "speaker",
    "speaker_name",
    "round",
    "stance",
    "quote",
    "conditions",
    "conditional_on",
    "reservations",
    "position",
    "event",
    "status",
    "previous_status",
    "reason",
    "kind",
    "to_party",
    "location",
    "reverses",
    "quantity",
    "quantity_high",
    "approximate",
    "unit",
    "completes",
    "figures",
    "note",
    "step",
    "subject",
    "subject_id",
    "action",
    "changes",
    "before",
    "after",
    "user",
    "date_precision",
    "source",
    "sources",
]


def event(**values: str) -> str:
    """A history event with every key (null where it does not apply), as Parley's have."""
    pairs = ", ".join(f"'{k}', {values.get(k, 'NULL')}" for k in EVENT_KEYS)
    return f"json_build_object({pairs})"


POSITION_EVENT = event(
    type="'position'",
    date="x.stated_on",
    term="x.term_id",
    term_label="t.label",
    party="x.party_id",
    speaker="x.speaker_id",
    round="x.round_id",
    stance="x.stance",
    quote="x.quote",
    conditions="x.conditions",
    conditional_on="'[]'::json",
    reservations="x.reservations",
    position="x.id",
    note="x.note",
    date_precision="x.stated_on_precision",
    source="s.j",
    sources="json_build_array(s.j)",
)
STATUS_EVENT = event(
    type="'status'",
    date="c.changed_on",
    term="c.term_id",
    status="c.status",
    previous_status="c.previous_status",
    reason="c.reason",
)

HISTORY = f"""SELECT json_build_object('proposal', p.id, 'title', p.title,
 'count', (SELECT count(*) FROM proposals_position x WHERE x.proposal_id = p.id)
          + (SELECT count(*) FROM proposals_statuschange c WHERE c.proposal_id = p.id),
 'events', (SELECT coalesce(json_agg(e.j ORDER BY e.d, e.k), '[]') FROM (
   SELECT x.stated_on d, x.id k, {POSITION_EVENT} j
   FROM proposals_position x LEFT JOIN proposals_term t ON t.id = x.term_id
   LEFT JOIN LATERAL (SELECT {SOURCE} j FROM proposals_source s WHERE s.id = x.source_id) s
     ON true
   WHERE x.proposal_id = p.id
   UNION ALL
   SELECT c.changed_on, c.id, {STATUS_EVENT}
   FROM proposals_statuschange c WHERE c.proposal_id = p.id) e))::text
FROM proposals_proposal p WHERE p.id = %(id)s"""

MATRIX = """SELECT json_build_object('negotiation', n.id, 'as_of', current_date,
 'parties', (SELECT coalesce(json_agg(json_build_object('id', y.id, 'name', y.name,
    'short_name', y.short_name, 'slug', y.slug, 'roles', pa.roles) ORDER BY pa.id), '[]')
    FROM negotiations_participation pa JOIN parties_party y ON y.id = pa.party_id
    WHERE pa.negotiation_id = n.id),
 'columns', (SELECT coalesce(json_agg(c.j ORDER BY c.p, c.o), '[]') FROM (
    SELECT p.id p, -1 o, json_build_object('proposal', p.id, 'term', NULL, 'title', p.title,
      'label', '', 'status', p.status) j FROM proposals_proposal p WHERE p.negotiation_id = n.id
    UNION ALL
    SELECT t.proposal_id, t.ordinal, json_build_object('proposal', t.proposal_id, 'term', t.id,
      'title', t.text, 'label', t.label, 'status', t.status) FROM proposals_term t
    JOIN proposals_proposal p ON p.id = t.proposal_id WHERE p.negotiation_id = n.id) c),
 'cells', (SELECT coalesce(json_agg(json_build_object('party', x.party_id,
      'proposal', x.proposal_id, 'term', x.term_id, 'stance', x.stance,
      'counts_as', x.stance, 'position', x.id, 'stated_on', x.stated_on, 'consent', true)
      ORDER BY x.proposal_id, x.term_id, x.party_id), '[]')
    FROM (SELECT DISTINCT ON (x.party_id, x.proposal_id, x.term_id) x.*
          FROM proposals_position x JOIN proposals_proposal p ON p.id = x.proposal_id
          WHERE p.negotiation_id = n.id
          ORDER BY x.party_id, x.proposal_id, x.term_id, x.stated_on DESC, x.id DESC) x))::text
FROM negotiations_negotiation n WHERE n.id = %(id)s"""

Route = tuple[re.Pattern[str], str, Callable[[re.Match[str], dict[str, str]], dict[str, Any]]]
ROUTES: list[Route] = [
    (
        re.compile(r"^/api/v1/proposals/(\d+)/$"),
        DETAIL,
        lambda m, q: {"id": int(m[1]), "as_of": q.get("as_of")},
    ),
    (re.compile(r"^/api/v1/proposals/(\d+)/history/$"), HISTORY, lambda m, q: {"id": int(m[1])}),
    (re.compile(r"^/api/v1/negotiations/(\d+)/matrix/$"), MATRIX, lambda m, q: {"id": int(m[1])}),
    (
        re.compile(r"^/api/v1/proposals/$"),
        PROPOSALS,
        lambda m, q: {"negotiation": int(q["negotiation"])},
    ),
    (re.compile(r"^/api/v1/positions/$"), POSITIONS, lambda m, q: {}),
]

_connection: psycopg.Connection | None = None


def _cursor() -> psycopg.Cursor:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _connection.cursor()


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    query = dict(
        part.split("=", 1) for part in environ.get("QUERY_STRING", "").split("&") if "=" in part
    )
    if path == "/healthz":
        body = b'{"ok": true}'
    else:
        for pattern, sql, params in ROUTES:
            if match := pattern.match(path):
                row = _cursor().execute(sql, params(match, query)).fetchone()  # type: ignore[arg-type]
                body = (row[0] if row else "null").encode()
                break
        else:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"detail": "not found"}']
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
