"""Roles are Django groups (created by migration 0004_roles): who may read, export, write.

- anonymous: reads, when PARLEY_PUBLIC_READ is on (the default);
- analyst: reads and exports (CSV);
- editor: everything an analyst does, and writes;
- admin: everything, including other users' API tokens. Superusers are admins.
"""

from __future__ import annotations

from typing import Any

ANALYST = "analyst"
EDITOR = "editor"
ADMIN = "admin"
ROLES = (ANALYST, EDITOR, ADMIN)


def roles_of(user: Any) -> frozenset[str]:
    """The user's roles, read once per user object (one query)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_parley_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if user.is_superuser:
            names.add(ADMIN)
        cached = frozenset(names)
        user._parley_roles = cached
    return cached


def is_admin(user: Any) -> bool:
    return ADMIN in roles_of(user)


def is_editor(user: Any) -> bool:
    return bool({EDITOR, ADMIN} & roles_of(user))


def is_analyst(user: Any) -> bool:
    """Analysts, editors and admins: whoever may export."""
    return bool(roles_of(user))


def may_read(user: Any) -> bool:
    """Pages and API reads: anyone while PARLEY_PUBLIC_READ is on, else a role."""
    from django.conf import settings

    return settings.PARLEY_PUBLIC_READ or is_analyst(user)


def may_export(user: Any) -> bool:
    """CSV exports, from the pages and the API alike."""
    return is_analyst(user)
