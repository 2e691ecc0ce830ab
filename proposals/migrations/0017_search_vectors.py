"""Stored full-text vectors of proposals, terms and positions, folded by `parley_fold`
(accents and case ignored where the server has `unaccent`; see parties 0002 and 0004),
with GIN indexes: search reads them instead of computing `to_tsvector` over every row.
Generated columns, so PostgreSQL keeps them right on every write (bulk ones and COPY
included); the models do not declare them (proposals/search.py reads them by name)."""

from django.db import migrations


def weighted(column: str, weight: str) -> str:
    return f"setweight(to_tsvector('english'::regconfig, parley_fold({column})), '{weight}')"


VECTORS = {
    "proposals_proposal": [("title", "A"), ("summary", "B"), ("text", "C")],
    "proposals_term": [("text", "A"), ("label", "B")],
    "proposals_position": [
        ("quote", "A"),
        ("conditions", "B"),
        ("reservations", "B"),
        ("note", "C"),
    ],
}


def add(table: str) -> str:
    expression = "\n  || ".join(weighted(column, weight) for column, weight in VECTORS[table])
    return (
        f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({expression}) STORED;\n"
        f"CREATE INDEX {table}_search_idx ON {table} USING gin (search_vector);"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0004_search_vectors"),
        ("proposals", "0016_recompute_requests"),
    ]

    operations = [
        migrations.RunSQL(add(table), f"ALTER TABLE {table} DROP COLUMN search_vector;")
        for table in VECTORS
    ]
