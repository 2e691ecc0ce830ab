"""Roles are Django groups (created by migration 0004_roles): who may read, export, write.

- anonymous: reads, when PARLEY_PUBLIC_READ is on (the default);
- analyst: reads and exports (CSV);
- editor: everything an analyst does, and writes (the editor pages and the API);
- admin: everything, including other users' API tokens and Django's admin. Superusers
  are admins.

Django's admin follows the roles, not per-user flags and permission rows: its site lets
in active staff and admins (negotiations/core/admin_site.py), and
RolePermissionBackend grants an admin every model permission, so a model added later
needs no data migration and no one has to tick is_staff. Editors and analysts get no
admin: editors write through the editor pages, where every rule of the services holds.
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


class RolePermissionBackend:
    """An authentication backend that authenticates no one: it answers Django's permission
    checks (the admin's) with the role, so the admin role holds every model permission."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return user_obj.is_active and is_admin(user_obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return user_obj.is_active and is_admin(user_obj)
