"""API tokens (django-rest-knox: stored hashed, shown once) and "who am I".

A client creates a token with its username and password (or from a signed-in browser
session), then sends `Authorization: Token <token>`. Users list and revoke their own
tokens; admins create and revoke anyone's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from knox.models import AuthToken
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from negotiations.api.messages import PlainErrors
from negotiations.api.permissions import AuthThrottle
from negotiations.core.roles import is_admin, is_analyst, is_editor, roles_of
from negotiations.core.tokens import live_tokens, token_create


class TokenCreateSerializer(PlainErrors):
    username = serializers.CharField(
        required=False, help_text="With password, when not already signed in."
    )
    password = serializers.CharField(
        required=False, write_only=True, style={"input_type": "password"}
    )
    user = serializers.CharField(
        required=False, help_text="Admins only: create the token for this username."
    )
    days = serializers.IntegerField(
        required=False, min_value=1, max_value=365, help_text="Lifetime in days (default 90)."
    )


class TokenSerializer(serializers.Serializer):
    token_key = serializers.CharField(help_text="The token's first characters: its public id.")
    user = serializers.CharField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(help_text="The token itself: shown this once, never again.")


class MeSerializer(serializers.Serializer):
    username = serializers.CharField(allow_null=True)
    roles = serializers.ListField(child=serializers.CharField())
    can_read = serializers.BooleanField()
    can_export = serializers.BooleanField()
    can_write = serializers.BooleanField()


def token_row(token: AuthToken) -> dict[str, Any]:
    return {
        "token_key": token.token_key,
        "user": token.user.get_username(),
        "created": token.created,
        "expiry": token.expiry,
    }


class TokenListView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AuthThrottle]

    def query_parameters(self) -> list[str]:
        return ["user"] if self.request.method == "GET" else []  # admins: one user's tokens

    def get_permissions(self) -> list[Any]:
        if self.request.method == "GET":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        tags=["auth"],
        summary="Your API tokens",
        description="Your live tokens (admins: everyone's, or one user's with ?user=). The "
        "tokens themselves are stored hashed and never shown again.",
        parameters=[
            OpenApiParameter(
                "user",
                str,
                description="Admins only: the tokens of this username.",
                examples=[OpenApiExample("one user", value="editor")],
            )
        ],
        responses={200: TokenSerializer(many=True)},
        examples=[
            OpenApiExample(
                "tokens",
                response_only=True,
                value=[
                    {
                        "token_key": "3f2a9c1e7b6d5a4",
                        "user": "editor",
                        "created": "2025-06-02T18:00:00Z",
                        "expiry": "2025-08-31T18:00:00Z",
                    }
                ],
            )
        ],
    )
    def get(self, request: Request) -> Response:
        tokens = live_tokens().select_related("user").order_by("created")
        if is_admin(request.user):
            if username := request.query_params.get("user"):
                tokens = tokens.filter(user__username=username)
        else:
            tokens = tokens.filter(user=request.user)
        return Response([token_row(t) for t in tokens])

    @extend_schema(
        tags=["auth"],
        summary="Create an API token",
        description="With username and password (or signed in). The answer carries the token "
        "once; send it as `Authorization: Token <token>`. Throttled per client address.",
        request=TokenCreateSerializer,
        responses={201: NewTokenSerializer},
        examples=[
            OpenApiExample(
                "with a password",
                request_only=True,
                value={"username": "editor", "password": "secret", "days": 30},
            ),
            OpenApiExample(
                "new token",
                response_only=True,
                value={
                    "token": "3f2a9c1e7b6d5a4e0c1b2a39f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b",
                    "token_key": "3f2a9c1e7b6d5a4",
                    "user": "editor",
                    "created": "2025-06-02T18:00:00Z",
                    "expiry": "2025-07-02T18:00:00Z",
                },
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = TokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # A token cannot mint tokens (a stolen one would live for ever): a new token needs
        # the password, or a browser session.
        from_session = request.user.is_authenticated and not isinstance(request.auth, AuthToken)
        owner = request.user if from_session else None
        if owner is None:
            if not values.get("username") or not values.get("password"):
                raise exceptions.NotAuthenticated(
                    "Send your username and password (or sign in) to get a token."
                )
            owner = authenticate(
                request._request, username=values["username"], password=values["password"]
            )
            if getattr(request._request, "axes_locked_out", False):
                # django-axes refused the attempt; answer in this API's JSON, not its page.
                request._request.axes_locked_out = False  # type: ignore[attr-defined]  # django-axes's flag
                raise exceptions.Throttled(
                    detail="Too many failed sign-ins for this account; try again later."
                )
            if owner is None:
                raise exceptions.AuthenticationFailed("Wrong username or password.")
        if values.get("user") and values["user"] != owner.get_username():
            if not is_admin(owner):
                raise exceptions.PermissionDenied("Only admins create tokens for other users.")
            try:
                owner = get_user_model().objects.get(username=values["user"])
            except get_user_model().DoesNotExist:
                raise serializers.ValidationError({"user": ["No such user."]}) from None
        try:
            instance, token = token_create(user=owner, days=values.get("days"))
        except DjangoValidationError as error:
            raise exceptions.PermissionDenied(error.messages[0]) from None
        response = Response({"token": token, **token_row(instance)}, status=status.HTTP_201_CREATED)
        # The secret is shown once: no cache keeps it, nor the Idempotency-Key store.
        response["Cache-Control"] = "no-store"
        return response


class TokenDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["auth"],
        summary="Revoke an API token",
        description="Your own token (admins: anyone's), by its token_key.",
        responses={204: None},
    )
    def delete(self, request: Request, token_key: str) -> Response:
        tokens = AuthToken.objects.filter(token_key=token_key)
        if not is_admin(request.user):
            tokens = tokens.filter(user=request.user)
        deleted, _ = tokens.delete()
        if not deleted:
            raise exceptions.NotFound("You have no token with this key.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["auth"],
        summary="Who am I",
        description="Your username and roles, and what they allow.",
        responses={200: MeSerializer},
        examples=[
            OpenApiExample(
                "an editor",
                response_only=True,
                value={
                    "username": "editor",
                    "roles": ["editor"],
                    "can_read": True,
                    "can_export": True,
                    "can_write": True,
                },
            )
        ],
    )
    def get(self, request: Request) -> Response:
        from django.conf import settings

        user = request.user
        return Response(
            {
                "username": user.get_username() if user.is_authenticated else None,
                "roles": sorted(roles_of(user)),
                "can_read": settings.PARLEY_PUBLIC_READ or is_analyst(user),
                "can_export": is_analyst(user),
                "can_write": is_editor(user),
            }
        )
