"""Sign-up and "who am I" over the API. They live here, not in accounts, because a citizen's account is tied to
the person with their resident ID number, which this app owns."""

from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import SignUpStepView
from accounts.idempotency import idempotent
from accounts.models import Role
from applications.services import sign_up_citizen
from sbcard.api import ResidentIdInput, StrictInputSerializer
from sbcard.idnumbers import mask_phone
from sbcard.validators import validate_mobile_phone, validate_person_name

from .serializers import NAME_ERRORS

TAGS = ["auth"]


class SignUpSerializer(StrictInputSerializer):
    name = serializers.CharField(
        max_length=60,
        validators=[validate_person_name],
        error_messages=NAME_ERRORS,
        help_text="As on the resident ID card.",
    )
    id_number = ResidentIdInput(help_text="18-character resident ID number.")
    phone = serializers.CharField(
        max_length=11, validators=[validate_mobile_phone], help_text="The mobile number: it becomes the user name."
    )
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})
    code = serializers.CharField(max_length=6, help_text="The code sent by POST /api/v1/auth/phone-code/.")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.SerializerMethodField(help_text="A citizen's is their mobile number, masked.")
    full_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices, help_text="What the user may do.")
    phone = serializers.SerializerMethodField(help_text="Masked: 3 first and 4 last digits.")
    station = serializers.IntegerField(source="station_id", allow_null=True, help_text="A clerk's station.")
    employer = serializers.IntegerField(source="employer_id", allow_null=True, help_text="An agent's employer.")
    preferred_language = serializers.CharField(help_text="zh-hans or en: notices and SMS are in this language.")
    sms_notices_enabled = serializers.BooleanField()

    def get_phone(self, user) -> str:
        return mask_phone(user.phone)

    def get_username(self, user) -> str:
        # A citizen's user name is their mobile number (SECURITY.md 6).
        return mask_phone(user.username) if user.role == Role.CITIZEN else user.username


ME_EXAMPLE = OpenApiExample(
    "A citizen",
    value={
        "id": 12,
        "username": "138****0001",
        "full_name": "张伟",
        "role": "citizen",
        "phone": "138****0001",
        "station": None,
        "employer": None,
        "preferred_language": "zh-hans",
        "sms_notices_enabled": True,
    },
    response_only=True,
)


class SignUpView(SignUpStepView):
    @extend_schema(
        tags=TAGS,
        summary="Sign up as a citizen",
        description="Creates a citizen account tied to the person with this resident ID number. First ask for an "
        "SMS code with POST /api/v1/auth/phone-code/ (purpose `sign_up`); then get a token with POST "
        "/api/v1/auth/token/.",
        request=SignUpSerializer,
        responses={201: OpenApiResponse(MeSerializer, description="The new account.")},
        examples=[
            OpenApiExample(
                "Sign-up",
                value={
                    "name": "张伟",
                    "id_number": "11010519491231002X",
                    "phone": "13800000001",
                    "password": "a long passphrase",
                    "code": "123456",
                },
                request_only=True,
            ),
            ME_EXAMPLE,
        ],
    )
    @idempotent
    def post(self, request):
        serializer = SignUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = sign_up_citizen(**serializer.validated_data, language=get_language() or "zh-hans")
        return Response(MeSerializer(user).data, status=201)


class MeView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Who am I",
        description="The signed-in user: role, and the station or employer they are bound to.",
        responses=OpenApiResponse(MeSerializer, description="The signed-in user."),
        examples=[ME_EXAMPLE],
    )
    def get(self, request):
        return Response(MeSerializer(request.user).data)
