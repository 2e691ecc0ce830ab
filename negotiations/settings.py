"""Parley settings: one module, configured from environment variables only.

Every variable is read through a helper that fails loudly on a bad value, so a typo in
production configuration stops the process at start-up instead of misbehaving later.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# PARLEY_PRODUCTION=1 turns on the settings a public deployment needs and makes the
# secrets mandatory; without it Parley runs with development defaults.
PRODUCTION = env_bool("PARLEY_PRODUCTION", False)
DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = env_str("SECRET_KEY", None if PRODUCTION else "insecure-development-key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "parties",
    "negotiations",
    "proposals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "negotiations.urls"
WSGI_APPLICATION = "negotiations.wsgi.application"
ASGI_APPLICATION = "negotiations.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    import dj_database_url

    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured(
            "DATABASE_URL must be a postgres:// URL: Parley runs on PostgreSQL only."
        )
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
    }
else:
    from negotiations.embedded_db import database_settings

    DATABASES = {"default": database_settings()}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
# Another database on the same server, e.g. the benchmark's (bench/recompute.py).
if os.environ.get("PARLEY_DB_NAME"):
    DATABASES["default"]["NAME"] = os.environ["PARLEY_DB_NAME"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic's target, served by whitenoise in production; elsewhere whitenoise
# serves straight from the apps' and static/ folders.
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
ADMIN_URL = env_str("PARLEY_ADMIN_URL", "admin/")

# Celery: the recompute pipeline (DESIGN §4, README "Recomputing statuses").
# Without a broker, tasks run in-process (the newcomer's default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_DEFAULT_QUEUE = env_str("PARLEY_QUEUE", "parley")
CELERY_TASK_IGNORE_RESULT = True
# Tasks are idempotent: acknowledge after running, and run again if the worker died.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_SOFT_TIME_LIMIT = env_int("PARLEY_TASK_SOFT_TIME_LIMIT", 540)
CELERY_TASK_TIME_LIMIT = env_int("PARLEY_TASK_TIME_LIMIT", 600)
# Redis redelivers an unacknowledged task after the visibility timeout: longer than the
# longest task (time limit above), short enough that a crashed worker's task comes back.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("PARLEY_VISIBILITY_TIMEOUT", 900),
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    # Fail a publish at once when Redis refuses the connection (kombu would otherwise
    # sleep and retry inside the web request).
    "max_retries": 0,
}
# Publishing never waits long: if Redis is down the write still commits, the proposal
# stays stale, and the sweep catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
# The worker, on the other hand, reconnects for ever.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Seconds a recompute waits half-written before finishing; only the fault tests set it.
PARLEY_RECOMPUTE_PAUSE = env_int("PARLEY_RECOMPUTE_PAUSE", 0)
CELERY_BEAT_SCHEDULE = {
    "sweep-stale-proposals": {
        "task": "proposals.tasks.sweep_stale_proposals",
        "schedule": float(env_int("PARLEY_SWEEP_SECONDS", 60)),
        "kwargs": {"batch": env_int("PARLEY_SWEEP_BATCH", 200)},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # In-process tasks would log a "succeeded" line per write; workers keep theirs.
    "loggers": {"celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"}},
}

# Audit history: every insert, update and delete of a tracked model is written by a
# PostgreSQL trigger, so bulk writes and raw SQL are caught too.
import pghistory  # noqa: E402

PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
)
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(related_name="audit_events")
