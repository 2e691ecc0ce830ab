"""Who may see the pages: the same rules as the API's (negotiations/core/roles.py).

Anonymous visitors read only while PARLEY_PUBLIC_READ is on; CSV exports (?format=csv)
need a role (analyst, editor or admin), as in the API.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden

from negotiations.core.roles import may_export, may_read


class PageAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # The API checks its own permissions; login, probes and assets are always open.
        self.open = (
            "/api/",
            "/accounts/",
            "/healthz",
            "/readyz",
            settings.STATIC_URL,
            "/" + settings.ADMIN_URL,
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(self.open):
            exporting = request.GET.get("format") == "csv"
            allowed = may_export(request.user) if exporting else may_read(request.user)
            if not allowed:
                if request.user.is_authenticated:
                    return HttpResponseForbidden("Exports need the analyst role.")
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
