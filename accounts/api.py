"""API tokens and SMS codes. (Sign-up and "me" need a person's data: they live in applications.api.)"""

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from sbcard.api import ErrorSerializer, StrictInputSerializer
from sbcard.errors import InvalidInput
from sbcard.validators import validate_mobile_phone

from .idempotency import idempotent
from .lockout import locked_out
from .models import ApiToken, PhoneCode
from .phone_codes import send_code
from .tokens import issue_token, revoke_token, tokens_of

TAGS = ["auth"]


class PhoneCodeSerializer(StrictInputSerializer):
    phone = serializers.CharField(max_length=11, validators=[validate_mobile_phone], help_text="A mainland mobile.")
    purpose = serializers.ChoiceField(
        choices=[(purpose.value, purpose.label) for purpose in (PhoneCode.Purpose.SIGN_UP, PhoneCode.Purpose.SIGN_IN)],
        help_text="What the code will be used for.",
    )


class PhoneCodeSentSerializer(serializers.Serializer):
    sent = serializers.BooleanField(help_text="Always true: the SMS is on its way.")


class TokenCreateSerializer(StrictInputSerializer):
    username = serializers.CharField(max_length=150, help_text="A citizen's mobile number, or a staff user name.")
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})
    name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="What the token is for."
    )
    expires_in_days = serializers.IntegerField(
        min_value=1,
        max_value=settings.API_TOKEN_DAYS,
        required=False,
        help_text=f"How long the token works, 1 to {settings.API_TOKEN_DAYS} days (the default).",
    )


class ApiTokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="Whether this is the token of the request.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "current"]
        read_only_fields = fields

    def get_current(self, token) -> bool:
        return self.context.get("current_token_id") == token.pk


class IssuedTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text="The token itself: shown this once, keep it secret.")

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields


def _current_token_id(request) -> int | None:
    return request.auth.pk if isinstance(request.auth, ApiToken) else None


class SignUpStepView(APIView):
    """A step of signing up (an SMS code, the sign-up itself): open to all, no credentials read, throttled."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "signup"


class PhoneCodeView(SignUpStepView):
    @extend_schema(
        tags=TAGS,
        summary="Send an SMS code",
        description="Sends a 6-digit code to a mobile phone, for signing up or signing in with a code. A code works "
        "once, for 10 minutes; at most a few are sent to one phone in an hour.",
        request=PhoneCodeSerializer,
        responses={202: OpenApiResponse(PhoneCodeSentSerializer, description="The code was sent.")},
        examples=[OpenApiExample("Sign-up code", value={"phone": "13800000001", "purpose": "sign_up"})],
    )
    @idempotent
    def post(self, request):
        serializer = PhoneCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        send_code(**serializer.validated_data)
        return Response({"sent": True}, status=202)


class TokenView(APIView):
    """POST issues a token for a user name and password; DELETE revokes the token of the request."""

    asking_for_token = False

    def initialize_request(self, request, *args, **kwargs):
        # Asking for a token needs no credentials: a stale token in the header must not stand in the way.
        self.asking_for_token = request.method == "POST"
        return super().initialize_request(request, *args, **kwargs)

    def get_authenticators(self):
        return [] if self.asking_for_token else super().get_authenticators()

    def get_permissions(self):
        return [AllowAny()] if self.asking_for_token else [IsAuthenticated()]

    @extend_schema(
        tags=TAGS,
        summary="Get an API token",
        description="Exchanges a user name (a citizen's mobile number) and password for a token, sent from then on "
        "as `Authorization: Bearer <token>`. The token expires after `expires_in_days` (default and most: "
        f"{settings.API_TOKEN_DAYS}). Five failed attempts lock the account and the client address for 15 "
        "minutes (429). This operation takes no Idempotency-Key: the server keeps no copy of a token to "
        "return twice.",
        request=TokenCreateSerializer,
        responses={
            201: OpenApiResponse(IssuedTokenSerializer, description="The new token; its value is shown only here."),
            400: OpenApiResponse(
                ErrorSerializer,
                description="Bad input, or a wrong user name or password (`code`: `invalid_credentials`).",
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Locked out after repeated failures (`code`: `locked_out`): wait `Retry-After` seconds.",
            ),
        },
        examples=[
            OpenApiExample(
                "Request",
                value={"username": "13800000001", "password": "Sbcard-demo-2026", "name": "HR system"},
                request_only=True,
            ),
            OpenApiExample(
                "Issued",
                value={
                    "token": "q3Vx0b5mH6lJ2m0wP1f8ZrXy4tGk7sNd9cAe2uWiLoE",
                    "id": 7,
                    "name": "HR system",
                    "prefix": "q3Vx0b5m",
                    "created_at": "2026-03-02T09:15:00+08:00",
                    "expires_at": "2026-04-01T09:15:00+08:00",
                    "last_used_at": None,
                    "current": False,
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def post(self, request):
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # django-axes counts the failures and refuses a locked-out user or address; it marks the request.
        user = authenticate(request, username=data["username"], password=data["password"])
        if getattr(request, "axes_locked_out", False):
            return locked_out(request)
        if user is None:
            raise InvalidInput(_("The user name or password is wrong."), code="invalid_credentials", field="password")
        token, key = issue_token(user, name=data["name"], days=data.get("expires_in_days"))
        token.token = key  # shown this once; only its hash is stored
        body = IssuedTokenSerializer(token).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        summary="Revoke this token",
        description="Signs the API client out: the token sent with this request stops working at once.",
        request=None,
        responses={204: OpenApiResponse(description="The token no longer works.")},
    )
    def delete(self, request):
        if isinstance(request.auth, ApiToken):
            revoke_token(request.user, request.auth.pk)
        return Response(status=204)


@extend_schema(tags=TAGS)
class TokenListView(ListAPIView):
    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        return tokens_of(self.request.user)

    def get_serializer_context(self):
        return super().get_serializer_context() | {"current_token_id": _current_token_id(self.request)}

    @extend_schema(
        summary="List your API tokens",
        description="Your tokens that have not expired, newest first, with when each was last used. The tokens' "
        "values are never shown again: `prefix` is their first characters.",
        responses=OpenApiResponse(ApiTokenSerializer(many=True), description="Your tokens, a page at a time."),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAGS)
class TokenDetailView(APIView):
    @extend_schema(
        summary="Revoke one of your API tokens",
        description="The token stops working at once (another user's token is a 404).",
        request=None,
        responses={204: OpenApiResponse(description="The token no longer works.")},
    )
    def delete(self, request, token_id: int):
        if not revoke_token(request.user, token_id):
            raise NotFound(_("You have no such token."))
        return Response(status=204)
