"""Accounts: Django's own views for logging in and out and for changing or resetting a
password, in Parley's templates (templates/registration/), behind django-axes."""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import views as auth_views
from django.http import HttpRequest
from django.urls import path
from rest_framework.throttling import BaseThrottle


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the trusted proxies report it (settings: PARLEY_TRUSTED_PROXIES):
    what django-axes counts failed logins by. It is DRF's throttle identity, so the lockout
    and the API throttles cannot disagree; a value that is not an address (a client's
    header, where no proxy stands) falls back to the TCP peer.
    """
    # DRF reads only request.META, which a Django request has.
    ident = BaseThrottle().get_ident(request)  # type: ignore[arg-type]
    try:
        return str(ipaddress.ip_address(ident))
    except ValueError:
        return request.META.get("REMOTE_ADDR")


class LoginGuardBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login made through a web request.

    An authentication without a request (the test client's login(), a shell) has no
    address to count failures against; it skips the check instead of failing, the way
    the model backend behind it would accept it anyway.
    """

    def authenticate(
        self,
        request: Any,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
