"""Django's admin site, open to the admin role (negotiations/core/roles.py) as well as to
staff. This module imports no model: settings.INSTALLED_APPS names its app config."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse

from negotiations.core.login_rate import login_rate_limited
from negotiations.core.roles import is_admin


def may_use_admin(user: Any) -> bool:
    """Active staff (superusers among them) and the admin role."""
    return bool(user.is_active and (user.is_staff or is_admin(user)))


class ParleyAdminSite(admin.AdminSite):
    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        # Imported here: the admin's form imports the user model, which must not be
        # imported while INSTALLED_APPS loads this module.
        from django.contrib.admin.forms import AdminAuthenticationForm

        class RoleLoginForm(AdminAuthenticationForm):
            def confirm_login_allowed(self, user: Any) -> None:
                if not may_use_admin(user):
                    super().confirm_login_allowed(user)  # refuses: "a staff account"

        self.login_form = RoleLoginForm

    def has_permission(self, request: HttpRequest) -> bool:
        return may_use_admin(request.user)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return login_rate_limited(super().login)(request, extra_context)


class ParleyAdminConfig(AdminConfig):
    """django.contrib.admin, with ParleyAdminSite as admin.site and ParleyUserAdmin in place
    of Django's user admin."""

    default_site = "negotiations.core.admin_site.ParleyAdminSite"

    def ready(self) -> None:
        super().ready()  # imports every app's admin module, django.contrib.auth's among them
        from django.contrib.auth import get_user_model

        from negotiations.core.user_admin import ParleyUserAdmin

        admin.site.unregister(get_user_model())
        admin.site.register(get_user_model(), ParleyUserAdmin)
        # Registers Parley's security checks: this is the first app Django readies.
        import negotiations.core.checks  # noqa: F401
