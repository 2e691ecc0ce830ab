"""`parley_fold(text)`: lower case without diacritics, for matching names and aliases
(negotiations/core/folding.py). With PostgreSQL's `unaccent` extension where the server has
it; else (the embedded PostgreSQL of `make run`) by `translate` over the Latin letters with
diacritics."""

import unicodedata

from django.db import migrations


def _latin_pairs() -> tuple[str, str]:
    accented, plain = [], []
    for code in range(0x00C0, 0x0250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            accented.append(char)
            plain.append(base)
    # Letters with a stroke have no decomposition; unaccent maps them so.
    accented.append("ŁłØøĐđĦħŦŧ")
    plain.append("LlOoDdHhTt")
    return "".join(accented), "".join(plain)


ACCENTED, PLAIN = _latin_pairs()

CREATE = f"""
DO $do$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent') THEN
    CREATE EXTENSION IF NOT EXISTS unaccent;
    CREATE OR REPLACE FUNCTION parley_fold(text) RETURNS text
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
      AS $f$ SELECT lower(unaccent('unaccent'::regdictionary, $1)) $f$;
  ELSE
    CREATE OR REPLACE FUNCTION parley_fold(text) RETURNS text
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
      AS $f$ SELECT lower(translate($1, '{ACCENTED}', '{PLAIN}')) $f$;
  END IF;
END
$do$;
"""

DROP = "DROP FUNCTION IF EXISTS parley_fold(text);"


class Migration(migrations.Migration):
    dependencies = [("parties", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
