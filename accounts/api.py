"""Sign-up, tokens and the signed-in user, over the API."""

from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from applications.api.serializers import NAME_ERRORS, StrictInputSerializer
from sbcard.api import ErrorSerializer, ResidentIdInput
from sbcard.idnumbers import mask_phone
from sbcard.validators import validate_mobile_phone, validate_person_name

from .lockout import locked_out
from .models import PhoneCode
from .phone_codes import send_code
from .services import sign_up_citizen


class SignUpSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=60, validators=[validate_person_name], error_messages=NAME_ERRORS)
    id_number = ResidentIdInput()
    phone = serializers.CharField(max_length=11, validators=[validate_mobile_phone])
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    code = serializers.CharField(max_length=6, help_text="The code sent by POST /api/v1/auth/phone-code/.")


class PhoneCodeSerializer(StrictInputSerializer):
    phone = serializers.CharField(max_length=11, validators=[validate_mobile_phone])
    purpose = serializers.ChoiceField(choices=[PhoneCode.Purpose.SIGN_UP, PhoneCode.Purpose.SIGN_IN])


class PhoneCodeSentSerializer(serializers.Serializer):
    sent = serializers.BooleanField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.SerializerMethodField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    phone = serializers.SerializerMethodField()
    station = serializers.IntegerField(source="station_id", allow_null=True)
    employer = serializers.IntegerField(source="employer_id", allow_null=True)
    preferred_language = serializers.CharField()
    sms_notices_enabled = serializers.BooleanField()

    def get_phone(self, user) -> str:
        return mask_phone(user.phone)

    def get_username(self, user) -> str:
        # A citizen's user name is their mobile number (SECURITY.md 6).
        return mask_phone(user.username) if user.role == "citizen" else user.username


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class SignUpView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "signup"

    @extend_schema(request=SignUpSerializer, responses={201: MeSerializer})
    def post(self, request):
        serializer = SignUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = sign_up_citizen(**serializer.validated_data, language=get_language() or "zh-hans")
        return Response(MeSerializer(user).data, status=201)


class PhoneCodeView(APIView):
    """Send an SMS code to a mobile phone (sign-up, sign-in). At most a few per phone per hour."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "signup"

    @extend_schema(request=PhoneCodeSerializer, responses={202: PhoneCodeSentSerializer})
    def post(self, request):
        serializer = PhoneCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        send_code(**serializer.validated_data)
        return Response({"sent": True}, status=202)


class TokenView(ObtainAuthToken):
    """Exchange a user name (a citizen's mobile number) and password for an API token."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(responses={200: TokenSerializer, 429: ErrorSerializer})
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # django-axes marks the (DRF) request it was given; its middleware only sees the Django one.
            if getattr(request, "axes_locked_out", False):
                return locked_out(request)
            raise

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        """Sign out of the API: the token stops working."""
        Token.objects.filter(user=request.user).delete()
        return Response(status=204)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
