"""Who may use the editor pages: editors and admins. Everyone else gets a 403 page that
says why and how to log in."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from negotiations.core.roles import is_editor


def editor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_editor(request.user):
            return render(request, "edit/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return guarded
