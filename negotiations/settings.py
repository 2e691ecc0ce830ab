"""Parley settings: one module, configured from environment variables only.

Every variable is read through a helper that fails loudly on a bad value, so a typo in
production configuration stops the process at start-up instead of misbehaving later.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from negotiations.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent


# PARLEY_PRODUCTION=1 turns on the settings a public deployment needs and makes the
# secrets mandatory; without it Parley runs with development defaults.
PRODUCTION = env_bool("PARLEY_PRODUCTION", False)
DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = env_str("SECRET_KEY", None if PRODUCTION else "insecure-development-key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")

INSTALLED_APPS = [
    "negotiations.core.admin_site.ParleyAdminConfig",  # the admin role may use the admin
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
    "django_htmx",
    "template_partials",
    "rest_framework",
    "django_filters",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "parties",
    "negotiations",
    "proposals",
]

MIDDLEWARE = [
    "negotiations.ops.request_log.RequestLogMiddleware",
    # Outside every middleware that commits: their recomputes run after the response.
    "negotiations.core.after_response.AfterResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "negotiations.core.access.PageAccessMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication: a key belongs to the user the API authenticates.
    "negotiations.ops.idempotency.IdempotencyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
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
                # The request limits below, for edit.js to check a form before it sends it.
                "negotiations.editing.limits.page_limits",
            ],
        },
    },
]

# DATABASE_URL, persistent connections, PgBouncer: negotiations/db_settings.py.
from negotiations.db_settings import database_settings  # noqa: E402

DATABASES: dict[str, Any] = {"default": database_settings(PRODUCTION)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts, the login lockout and the client's address, explained there.
from negotiations.security_settings import *  # noqa: E402, F403

# Development prints the password-reset mail on the console; production needs a server.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "parley@localhost")

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

# Production hardening (manage.py check --deploy is clean with PARLEY_PRODUCTION=1).
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("PARLEY_SESSION_SECONDS", 60 * 60 * 12)
# Django cycles the session key at login and flushes the session at logout; with
# PARLEY_SESSION_BROWSER_ONLY=1 the session also ends when the browser closes.
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("PARLEY_SESSION_BROWSER_ONLY", False)
CSRF_COOKIE_SAMESITE = "Lax"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # no uploads; bound request bodies (2.5 MiB)
# A proposal's 200 terms at 9 fields each must fit in one save (Django's default is 1,000).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 3000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("PARLEY_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # probes speak plain HTTP
    SECURE_HSTS_SECONDS = env_int("PARLEY_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("PARLEY_HSTS_PRELOAD", True)  # PARLEY_HSTS_PRELOAD=0 to opt out
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
    if env_bool("PARLEY_BEHIND_PROXY", True):
        # TLS ends at a reverse proxy, which says so in X-Forwarded-Proto (the client's
        # address: PARLEY_TRUSTED_PROXIES, negotiations/security_settings.py).
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure"):
        raise ImproperlyConfigured("SECRET_KEY must be a long random value in production.")

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
PARLEY_TEST_FAULTS = not PRODUCTION and env_bool("PARLEY_TEST_FAULTS", False)  # tests only
PARLEY_RECOMPUTE_PAUSE = env_int("PARLEY_RECOMPUTE_PAUSE", 0)  # seconds; proposals/refresh.py
# The sampled status audit (proposals/audit.py): the share of proposals it checks per
# hour, spread over runs every PARLEY_AUDIT_SECONDS.
PARLEY_AUDIT_SHARE_PER_HOUR = env_float("PARLEY_AUDIT_SHARE_PER_HOUR", 0.05)
PARLEY_AUDIT_SECONDS = env_int("PARLEY_AUDIT_SECONDS", 600)
if not 0 <= PARLEY_AUDIT_SHARE_PER_HOUR <= 1 or PARLEY_AUDIT_SECONDS <= 0:
    raise ImproperlyConfigured(
        "PARLEY_AUDIT_SHARE_PER_HOUR must be between 0 and 1 (0 turns the audit off) and "
        "PARLEY_AUDIT_SECONDS a positive number of seconds."
    )
PARLEY_IDEMPOTENCY_HOURS = env_int("PARLEY_IDEMPOTENCY_HOURS", 24)  # keys kept, >= a day
if PARLEY_IDEMPOTENCY_HOURS < 24:
    raise ImproperlyConfigured("PARLEY_IDEMPOTENCY_HOURS must be 24 or more (a day of retries).")
CELERY_BEAT_SCHEDULE = {
    "sweep-stale-proposals": {
        "task": "proposals.tasks.sweep_stale_proposals",
        "schedule": float(env_int("PARLEY_SWEEP_SECONDS", 60)),
        "kwargs": {"batch": env_int("PARLEY_SWEEP_BATCH", 200)},
    },
    "audit-proposal-statuses": {
        "task": "proposals.tasks.audit_proposal_statuses",
        "schedule": float(PARLEY_AUDIT_SECONDS),
        "kwargs": {"share": PARLEY_AUDIT_SHARE_PER_HOUR * PARLEY_AUDIT_SECONDS / 3600},
    },
    "expire-idempotency-keys": {  # past PARLEY_IDEMPOTENCY_HOURS
        "task": "negotiations.ops.idempotency.idempotency_keys_expire",
        "schedule": 3600.0,
    },
    # Proposals stored as "not yet tabled" whose tabling day has come (proposals/due.py).
    "mark-tabling-days": {
        "task": "proposals.due.mark_tabling_days",
        "schedule": float(env_int("PARLEY_DUE_SECONDS", 300)),
    },
    "fold-content-bumps": {"task": "proposals.tasks.fold_content_bumps", "schedule": 60.0},
}
# Task modules beyond each app's tasks.py.
CELERY_IMPORTS = ["proposals.due", "negotiations.ops.idempotency"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "negotiations.ops.request_log.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if env_str("LOG_FORMAT", "text") == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # In-process tasks would log a "succeeded" line per write; workers keep theirs.
    "loggers": {
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
        # django-axes logs every login at INFO; lockouts come at WARNING.
        "axes": {"level": "WARNING"},
        # One line per request: on in development, opt-in elsewhere.
        "parley.requests": {
            "level": "INFO" if env_bool("PARLEY_LOG_REQUESTS", DEBUG) else "WARNING"
        },
    },
}

# dumpdata/loaddata (export_all/import_all) in JSON Lines with exact timestamps.
SERIALIZATION_MODULES = {"jsonl": "negotiations.ops.backup_format"}

# Audit history: every insert, update and delete of a tracked model is written by a
# PostgreSQL trigger, so bulk writes and raw SQL are caught too.
import pghistory  # noqa: E402

PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
)
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(related_name="audit_events")

# REST API (/api/v1/, negotiations/api_urls.py). Anonymous clients may read when
# PARLEY_PUBLIC_READ is on; writes need the editor role (negotiations/core/roles.py).
PARLEY_PUBLIC_READ = env_bool("PARLEY_PUBLIC_READ", True)
REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["negotiations.api.permissions.RolePermission"],
    "DEFAULT_RENDERER_CLASSES": ["negotiations.api.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["negotiations.api.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "negotiations.api.strict.StrictNegotiation",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "negotiations.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "writes": env_str("PARLEY_API_WRITE_RATE", "120/minute"),
        "auth": env_str("PARLEY_API_AUTH_RATE", "10/minute"),
    },
    "NON_FIELD_ERRORS_KEY": "non_field_errors",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=env_int("PARLEY_API_TOKEN_DAYS", 90)),
    "TOKEN_LIMIT_PER_USER": 20,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Parley API",
    "DESCRIPTION": "Peace-negotiation proposals, terms, positions and what is agreed. "
    "See the README's API section for authentication, sync and errors.",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "negotiations.api.schema.complete_schema",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ProposalStatusEnum": "proposals.models.Status",
        "StanceEnum": "proposals.models.Stance",
        "NegotiationStatusEnum": "negotiations.models.NegotiationStatus",
        "RoundStatusEnum": "negotiations.models.RoundStatus",
        "PartyKindEnum": "parties.models.PartyKind",
        "ProposalKindEnum": "proposals.models.ProposalKind",
        "SourceKindEnum": "proposals.models.SourceKind",
        "LinkKindEnum": "proposals.models.LinkKind",
        "AgendaItemStatusEnum": "proposals.engine.agenda.ITEM_STATUSES",
        "DatePrecisionEnum": "negotiations.core.precision.DatePrecision",
        "EventKindEnum": "proposals.models.EventKind",
    },
}


# Last: production needs what the settings above may not have had yet.
if PRODUCTION:
    if not CELERY_BROKER_URL:
        raise ImproperlyConfigured(
            "Set CELERY_BROKER_URL: in production statuses are recomputed by a worker."
        )
    # Throttle counters shared by every web process (in Redis, not per process).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("CACHE_URL", CELERY_BROKER_URL),
        }
    }
