"""The settings for accounts, the login lockout and the client's address, which
negotiations/settings.py imports whole (every name in __all__ is a Django setting).

Accounts (negotiations/core/accounts.py): Django's auth views at /accounts/, roles as groups
(negotiations/core/roles.py), and django-axes against password guessing: after
PARLEY_LOGIN_FAILURES failed logins for one username from one client address, that pair is
locked out for PARLEY_LOCKOUT_MINUTES (a stranger's failures elsewhere lock no one out);
after PARLEY_LOGIN_RATE failed logins from one address, any username, that address waits.

The client's address (negotiations/core/clients.py): PARLEY_TRUSTED_PROXIES reverse proxies
stand in front of Parley (1 in production unless PARLEY_BEHIND_PROXY=0, else 0), believed
only when the TCP peer is inside PARLEY_PROXY_NETWORKS (loopback and private ranges).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ImproperlyConfigured

from negotiations.env import env_bool, env_int, env_networks, env_rate

__all__ = [
    "AUTH_PASSWORD_VALIDATORS",
    "AUTHENTICATION_BACKENDS",
    "AXES_CLIENT_IP_CALLABLE",
    "AXES_COOLOFF_TIME",
    "AXES_FAILURE_LIMIT",
    "AXES_LOCKOUT_PARAMETERS",
    "AXES_LOCKOUT_TEMPLATE",
    "AXES_RESET_ON_SUCCESS",
    "AXES_VERBOSE",
    "LOGIN_REDIRECT_URL",
    "LOGIN_URL",
    "LOGOUT_REDIRECT_URL",
    "PARLEY_LOGIN_RATE",
    "PARLEY_PROXY_NETWORKS",
    "PARLEY_TRUSTED_PROXIES",
    "PASSWORD_RESET_TIMEOUT",
]

PRODUCTION = env_bool("PARLEY_PRODUCTION", False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: its hook revokes the user's API tokens when the password changes.
    {"NAME": "negotiations.core.accounts.RevokeTokensOnNewPassword"},
]
AUTHENTICATION_BACKENDS = [
    "negotiations.core.accounts.LoginGuardBackend",
    "django.contrib.auth.backends.ModelBackend",
    "negotiations.core.roles.RolePermissionBackend",  # the admin role's permissions
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "edit:home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

PARLEY_TRUSTED_PROXIES = env_int(
    "PARLEY_TRUSTED_PROXIES",
    1 if PRODUCTION and env_bool("PARLEY_BEHIND_PROXY", True) else 0,
)
if PARLEY_TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("PARLEY_TRUSTED_PROXIES must be 0 (no proxy) or more.")
PARLEY_PROXY_NETWORKS = env_networks(
    "PARLEY_PROXY_NETWORKS",
    "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7",
)

AXES_CLIENT_IP_CALLABLE = "negotiations.core.clients.client_address"
AXES_FAILURE_LIMIT = env_int("PARLEY_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("PARLEY_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# One address trying many usernames: failed logins per client address, on the login page
# and the admin's (negotiations/core/login_rate.py).
PARLEY_LOGIN_RATE = env_rate("PARLEY_LOGIN_RATE", "30/hour")
