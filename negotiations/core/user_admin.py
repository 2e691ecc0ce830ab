"""The user admin for the admin role: it manages accounts and roles (groups), but only a
superuser may make superusers or staff, hand out single permissions, or touch a superuser
(change, password, delete), so an admin cannot raise itself above its role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

SUPERUSER_ONLY = ("is_superuser", "is_staff", "user_permissions")


def _beyond(request: HttpRequest, user: Any) -> bool:
    return bool(user is not None and user.is_superuser and not request.user.is_superuser)


class ParleyUserAdmin(UserAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is None or request.user.is_superuser:
            return fields
        return fields + SUPERUSER_ONLY

    # The password page asks has_change_permission too.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _beyond(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _beyond(request, obj) and super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """The bulk "delete selected" action checks no single row: a superuser among them
        is a permission the admin lacks, and Django refuses the whole deletion."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(_beyond(request, user) for user in objs):
            perms_needed = {*perms_needed, "superuser"}
        return deleted, counts, perms_needed, protected
