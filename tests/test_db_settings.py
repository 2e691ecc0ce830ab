"""Database connection settings (negotiations/db_settings.py) and the gunicorn sizing
(negotiations/gunicorn_conf.py), read from the environment as the processes do."""

import os
import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from negotiations.db_settings import database_settings

URL = "postgresql://parley:secret@db.example:5432/parley"


@pytest.fixture
def env(monkeypatch):
    for name in ("DB_CONN_MAX_AGE", "DB_CONN_HEALTH_CHECKS", "DB_PGBOUNCER", "PARLEY_DB_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", URL)
    return monkeypatch


def test_production_keeps_connections_open_and_checks_them_before_reuse(env):
    database = database_settings(production=True)
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"]) == ("db.example", "parley")


def test_development_and_the_tests_open_a_connection_per_request(env):
    database = database_settings(production=False)
    assert database["CONN_MAX_AGE"] == 0
    assert database["CONN_HEALTH_CHECKS"] is False
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 0


def test_the_connection_age_is_configurable(env):
    env.setenv("DB_CONN_MAX_AGE", "0")
    assert database_settings(production=True)["CONN_MAX_AGE"] == 0
    env.setenv("DB_CONN_MAX_AGE", "300")
    env.setenv("DB_CONN_HEALTH_CHECKS", "0")
    database = database_settings(production=False)
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (300, False)


@pytest.mark.parametrize("value", ["-1", "soon"])
def test_a_bad_connection_age_stops_the_start(env, value):
    env.setenv("DB_CONN_MAX_AGE", value)
    with pytest.raises(ImproperlyConfigured, match="DB_CONN_MAX_AGE"):
        database_settings(production=True)


def test_pgbouncer_transaction_pooling_keeps_nothing_beyond_a_transaction(env):
    env.setenv("DB_PGBOUNCER", "1")
    database = database_settings(production=True)
    assert database["CONN_MAX_AGE"] == 0
    assert database["CONN_HEALTH_CHECKS"] is False
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert database["OPTIONS"]["prepare_threshold"] is None


def test_pgbouncer_with_persistent_connections_asked_for_is_refused(env):
    env.setenv("DB_PGBOUNCER", "1")
    env.setenv("DB_CONN_MAX_AGE", "60")
    with pytest.raises(ImproperlyConfigured, match="DB_PGBOUNCER=1 needs DB_CONN_MAX_AGE=0"):
        database_settings(production=True)


def test_only_postgresql_urls_are_taken(env):
    env.setenv("DATABASE_URL", "sqlite:///parley.db")
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL only"):
        database_settings(production=False)


def test_production_needs_a_database_url(env):
    env.delenv("DATABASE_URL")
    with pytest.raises(ImproperlyConfigured, match="Set DATABASE_URL"):
        database_settings(production=True)


def test_the_benchmark_database_name_overrides_the_urls(env):
    env.setenv("PARLEY_DB_NAME", "parley_bench")
    assert database_settings(production=True)["NAME"] == "parley_bench"


GUNICORN_CONF = Path(settings.BASE_DIR) / "negotiations" / "gunicorn_conf.py"


def test_gunicorn_runs_threaded_workers_sized_by_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("WEB_THREADS", "4")
    conf = runpy.run_path(str(GUNICORN_CONF))
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (3, 4, "gthread")
    assert conf["timeout"] == 30
    monkeypatch.delenv("WEB_THREADS")
    monkeypatch.delenv("WEB_CONCURRENCY")
    conf = runpy.run_path(str(GUNICORN_CONF))
    assert (conf["threads"], conf["worker_class"]) == (1, "sync")
    assert conf["workers"] == 2 * os.cpu_count() + 1
