"""Failed logins per client address, on Parley's login page and the admin's.

django-axes locks one username at one address out after PARLEY_LOGIN_FAILURES wrong
passwords; this stops one address from trying many usernames: after PARLEY_LOGIN_RATE
failed logins (30/hour) it answers 429 to every login from that address until the window
ends. Only failures count, so an office behind one NAT address is not stopped by its own
colleagues signing in each morning.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from negotiations.core.clients import client_address
from negotiations.core.rates import parse_rate

log = logging.getLogger(__name__)

Response = TypeVar("Response", bound=HttpResponseBase)


def login_rate_limited(
    view: Callable[..., Response],
) -> Callable[..., Response | HttpResponse]:
    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Response | HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        limit, seconds = parse_rate(settings.PARLEY_LOGIN_RATE)
        address = client_address(request)
        key = f"parley:login-failures:{address}"
        if cache.get(key, 0) >= limit:
            log.warning("Login refused: %s failed %d times within %d s", address, limit, seconds)
            refused = render(
                request,
                "registration/too_many_logins.html",
                {"limit": limit, "minutes": max(1, seconds // 60)},
                status=429,
            )
            refused["Retry-After"] = str(seconds)
            return refused
        response = view(request, *args, **kwargs)
        if not 300 <= response.status_code < 400:  # a login that worked redirects
            # A fixed window from the first failure: add() starts it, incr() counts.
            cache.add(key, 0, timeout=seconds)
            try:
                cache.incr(key)
            except ValueError:  # the window ended between the two calls
                cache.set(key, 1, timeout=seconds)
        return response

    return guarded
