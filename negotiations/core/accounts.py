"""Accounts: Django's own views for logging in and out and for changing or resetting a
password, in Parley's templates (templates/registration/), behind django-axes (which counts
failures by the client's address, negotiations/core/clients.py); and a user's own API
tokens (django-rest-knox), which a new password revokes."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from knox.models import AuthToken

from negotiations.core.login_rate import login_rate_limited
from negotiations.core.tokens import live_tokens, token_create


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


class RevokeTokensOnNewPassword:
    """A password validator for its hook: Django calls password_changed() whenever a
    password is set and saved (the change and reset pages, the admin, manage.py
    changepassword), not when a login merely re-hashes it. A token is a bearer secret that
    whoever knew the old password may have minted: a new password revokes them all."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            AuthToken.objects.filter(user_id=user.pk).delete()

    def get_help_text(self) -> str:
        return "A new password revokes your API tokens."


class TokenForm(forms.Form):
    days = forms.IntegerField(
        min_value=1, max_value=365, required=False, help_text="Lifetime in days (default 90)."
    )


@never_cache  # the answer to a POST shows a secret
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST if request.method == "POST" else None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = token_create(user=request.user, days=form.cleaned_data["days"])
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "registration/tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": live_tokens().filter(user=request.user).order_by("created"),
        },
    )


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_key: str) -> HttpResponse:
    deleted, _ = AuthToken.objects.filter(user=request.user, token_key=token_key).delete()
    if not deleted:
        raise Http404("You have no token with this key.")
    messages.success(request, f"Token {token_key}… revoked.")
    return redirect("tokens")


@require_POST
@login_required
def token_revoke_all(request: HttpRequest) -> HttpResponse:
    deleted, _ = AuthToken.objects.filter(user=request.user).delete()
    messages.success(request, f"{deleted} token{'' if deleted == 1 else 's'} revoked.")
    return redirect("tokens")


# The new password and the revocation of the tokens (RevokeTokensOnNewPassword) are one write.
password_change = transaction.atomic(auth_views.PasswordChangeView.as_view())
password_reset_confirm = transaction.atomic(auth_views.PasswordResetConfirmView.as_view())

urlpatterns = [
    path("login/", login_rate_limited(LoginView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", password_change, name="password_change"),
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
        password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("tokens/", tokens, name="tokens"),
    path("tokens/revoke-all/", token_revoke_all, name="tokens_revoke_all"),
    path("tokens/<str:token_key>/revoke/", token_revoke, name="token_revoke"),
]
