"""The database settings, from DATABASE_URL and the DB_* variables (README "Configuration"
and "Deployment: PgBouncer").

Connections: production keeps each one open for DB_CONN_MAX_AGE seconds (60 by default),
checked before a request reuses it (DB_CONN_HEALTH_CHECKS, on), instead of opening a new
PostgreSQL connection for every request (about 10 ms each). Elsewhere the default stays
0: the development server runs each request in a new thread, which would only leave
connections behind, and the tests manage their own.

Behind PgBouncer in transaction pooling mode (DB_PGBOUNCER=1) a server connection
belongs to a client only for one transaction, so nothing may outlive a transaction:
Django closes its connection after each request (CONN_MAX_AGE 0: PgBouncer pools),
does not use server-side cursors (`.iterator()`, dumpdata), and psycopg does not prepare
statements on the server. Parley's own session state is transaction-scoped already:
`pg_advisory_xact_lock` (proposals/locks.py), pghistory's context (`set_config(...,
true)`), `SET LOCAL` (proposals/synthetic.py); it uses no LISTEN/NOTIFY.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from negotiations.env import env_bool, env_int

# Seconds a production web process keeps a connection (Django's default is 0).
PRODUCTION_CONN_MAX_AGE = 60


def database_settings(production: bool) -> dict[str, Any]:
    """The `default` entry of DATABASES."""
    url = os.environ.get("DATABASE_URL", "")
    if production and not url:
        raise ImproperlyConfigured("Set DATABASE_URL: the embedded PostgreSQL is for development.")
    if not url:
        from negotiations.embedded_db import database_settings as embedded

        database: dict[str, Any] = embedded()
    elif not url.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured(
            "DATABASE_URL must be a postgres:// URL: Parley runs on PostgreSQL only."
        )
    else:
        import dj_database_url

        pgbouncer = env_bool("DB_PGBOUNCER", False)
        max_age = env_int("DB_CONN_MAX_AGE", PRODUCTION_CONN_MAX_AGE if production else 0)
        if max_age < 0:
            raise ImproperlyConfigured("DB_CONN_MAX_AGE must be 0 or more seconds.")
        if pgbouncer and max_age:
            if "DB_CONN_MAX_AGE" in os.environ:
                raise ImproperlyConfigured(
                    "DB_PGBOUNCER=1 needs DB_CONN_MAX_AGE=0: PgBouncer keeps the connections."
                )
            max_age = 0
        database = dict(
            dj_database_url.parse(
                url,
                conn_max_age=max_age,
                conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True) and max_age > 0,
            )
        )
        if pgbouncer:
            database["DISABLE_SERVER_SIDE_CURSORS"] = True
            # psycopg prepares a statement run 5 times on the server connection; in
            # transaction pooling the next transaction may run on another one.
            database.setdefault("OPTIONS", {})["prepare_threshold"] = None
    database["ENGINE"] = "django.db.backends.postgresql"
    # Another database on the same server, e.g. the benchmark's (bench/recompute.py).
    if os.environ.get("PARLEY_DB_NAME"):
        database["NAME"] = os.environ["PARLEY_DB_NAME"]
    return database
