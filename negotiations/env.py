"""Reading the environment for the settings: each helper fails loudly, naming the
variable, on a value it cannot read, so a typo stops the process at start-up."""

from __future__ import annotations

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured

from negotiations.core.rates import parse_rate


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


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_networks(name: str, default: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated CIDR ranges, e.g. `10.0.0.0/8, fc00::/7`."""
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not a network; write it as an address and a prefix "
                "length with no host bits set, e.g. 10.0.0.0/8 or fc00::/7."
            ) from None
    return networks


def env_rate(name: str, default: str) -> str:
    """A rate such as `30/hour` (per second, minute, hour or day)."""
    rate = env_str(name, default)
    try:
        parse_rate(rate)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={rate!r} is not a rate; write a count and a period, e.g. 30/hour "
            "(second, minute, hour or day)."
        ) from None
    return rate
