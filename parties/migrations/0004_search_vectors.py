"""Stored full-text vectors of parties and people (name, short name, aliases), folded by
`parley_fold` (parties 0002: `lower(unaccent(...))` where the server has the `unaccent`
extension, else a Latin-letter `translate`), with GIN indexes; proposals/search.py reads
them. Generated columns: PostgreSQL keeps them right on every write, bulk ones and COPY
included. The models do not declare them (no form, serializer or history table sees them).

`parley_words(text[])` joins aliases: `array_to_string` is only STABLE, which a generated
column refuses; joining text with spaces does not depend on any setting, so the wrapper
is declared IMMUTABLE."""

from django.db import migrations

WORDS = """
CREATE OR REPLACE FUNCTION parley_words(text[]) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $f$ SELECT array_to_string($1, ' ') $f$;
"""


def vector(table: str, names: str) -> str:
    return f"""
ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, parley_fold({names})), 'A')
  || setweight(to_tsvector('english'::regconfig,
       coalesce(parley_fold(parley_words(aliases::text[])), '')), 'B')
) STORED;
CREATE INDEX {table}_search_idx ON {table} USING gin (search_vector);
"""


class Migration(migrations.Migration):
    dependencies = [("parties", "0003_external_ids_and_aliases")]

    operations = [
        migrations.RunSQL(WORDS, "DROP FUNCTION IF EXISTS parley_words(text[]);"),
        migrations.RunSQL(
            vector("parties_party", "name || ' ' || short_name"),
            "ALTER TABLE parties_party DROP COLUMN search_vector;",
        ),
        migrations.RunSQL(
            vector("parties_person", "name"),
            "ALTER TABLE parties_person DROP COLUMN search_vector;",
        ),
    ]
