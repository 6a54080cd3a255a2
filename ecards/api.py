"""The REST API for electronic cards: the holder's e-cards and their codes, relatives' consent, checks by hospital
and pharmacy staff, and the city's public keys. Views validate and call one service each."""

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import visible_to
from accounts.idempotency import idempotent
from accounts.models import Role
from audit.services import client_address
from issuance.models import Card, ECardState
from notices.texts import mask_name
from sbcard.api import EmptySerializer, ResidentIdInput, StrictInputSerializer
from sbcard.idnumbers import mask_phone
from sbcard.jws import MAX_TOKEN_LENGTH

from . import services
from .access import RELATION_CHOICES, access_ecard, wallet
from .codes import TOKEN_TYPE, public_key_set, qr_svg
from .models import ECardCheck, FamilyLink

# --- the holder's e-cards ------------------------------------------------------------------------------------


class ECardSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The card's id: the e-card is the card, shown as a code.")
    relation = serializers.ChoiceField(
        choices=RELATION_CHOICES,
        help_text="Whose e-card it is to you: your own, your child's (under 16), a relative's (with consent).",
    )
    holder_name = serializers.CharField(help_text="Masked (张*, 欧**娜) until `shown/` is asked for.")
    social_security_number = serializers.CharField(help_text="The resident ID number, masked: 6 and 4 characters.")
    card_number = serializers.CharField(help_text="Masked: the first 3 and last 2 characters.")
    state = serializers.ChoiceField(
        choices=ECardState.choices, help_text="Follows the card's status: stopped while it is lost or replaced."
    )
    state_label = serializers.CharField()
    card_status = serializers.CharField(help_text="The card's own status (see CardStatusEnum).")
    colour = serializers.CharField(help_text="blue, green or red (rule 11).")
    uses = serializers.CharField(help_text="Where the card can be used (rule 11).")
    stopped_reason = serializers.CharField(help_text="Why no code can be shown now; empty while the e-card works.")


def _ecard(card, entry) -> dict:
    masked = services.ecard_details(card, full=False)
    return {
        "id": card.pk,
        "relation": entry.relation,
        "holder_name": masked["name"],
        "social_security_number": masked["number"],
        "card_number": masked["card_number"],
        "state": card.ecard_state,
        "state_label": str(card.ecard_state_label),
        "card_status": card.status,
        "colour": card.application.card_colour,
        "uses": str(card.application.card_uses),
        "stopped_reason": services.stopped_reason(card),
    }


class ECardShownSerializer(serializers.Serializer):
    holder_name = serializers.CharField()
    social_security_number = serializers.CharField(help_text="The resident ID number in full.")
    card_number = serializers.CharField()


class ECardCodeSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text=f"A compact JWS (RFC 7515), alg EdDSA (RFC 8037), typ `{TOKEN_TYPE}`, signed with the city's key "
        "(public keys: /.well-known/sbcard-ecard-key). Claims: `sub` (`card:<id>`), `name` (masked), `iat`, `exp`, "
        "`jti`. This is what the QR code holds."
    )
    issued_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(help_text="The code is refused after this moment.")
    refresh_seconds = serializers.IntegerField(help_text="Ask for a new code this often (the QR code changes).")
    qr_svg = serializers.CharField(help_text="The token as a QR code (ISO/IEC 18004, level M): an SVG image.")


class HolderCheckSerializer(serializers.ModelSerializer):
    """A check of one of your e-cards: who (which hospital or pharmacy, which staff member) and when."""

    institution = serializers.CharField(source="institution.name")
    institution_kind = serializers.CharField(source="institution.kind", help_text="hospital or pharmacy")
    checked_by = serializers.SerializerMethodField()
    outcome_label = serializers.CharField(source="get_outcome_display")

    class Meta:
        model = ECardCheck
        fields = ["id", "checked_at", "institution", "institution_kind", "checked_by", "outcome", "outcome_label"]
        read_only_fields = fields

    def get_checked_by(self, check) -> str:
        return check.verifier.full_name or check.verifier.get_username()


ECARD = OpenApiResponse(ECardSerializer, description="The e-card.")


@extend_schema(tags=["ecards"])
class ECardViewSet(viewsets.GenericViewSet):
    """A citizen's e-cards: their own, their children's under 16, relatives' who consented."""

    serializer_class = ECardSerializer
    queryset = Card.objects.none()  # for the schema's {id}: the e-cards are the wallet's cards (ecards.access)

    def _card(self, pk):
        if self.request.user.role != Role.CITIZEN:
            raise Http404
        return access_ecard(self.request.user, pk)

    @extend_schema(
        summary="List my e-cards",
        description="Your electronic social security cards (电子社保卡): your own, your children's under 16 (through "
        "the proof of guardianship you filed) and relatives' who consented by SMS; the latest card of each person. "
        "Names and numbers are masked. Empty for other roles.",
        responses=OpenApiResponse(ECardSerializer(many=True), description="A page of e-cards."),
    )
    def list(self, request):
        entries = [entry for entry in wallet(request.user) if entry.card is not None]
        page = self.paginate_queryset(entries)
        return self.get_paginated_response([_ecard(entry.card, entry) for entry in page])

    @extend_schema(
        summary="Read an e-card", description="Its state (following the card's status).", responses={200: ECARD}
    )
    def retrieve(self, request, pk=None):
        return Response(_ecard(*self._card(pk)))

    @extend_schema(
        summary="Show the name and numbers",
        description="What the holder sees after tapping “show”: the name, the social security number (the resident "
        "ID number) and the card number in full.",
        responses={200: OpenApiResponse(ECardShownSerializer, description="The e-card's details in full.")},
    )
    @action(detail=True, methods=["get"])
    def shown(self, request, pk=None):
        card, _entry = self._card(pk)
        details = services.ecard_details(card, full=True)
        return Response(
            {"holder_name": details["name"], "social_security_number": details["number"], "card_number": card.number}
        )

    @extend_schema(
        summary="A new code for the QR code",
        description="A short-lived signed code (valid `ECARD_CODE_SECONDS`, 90 s by default); ask again every "
        "`refresh_seconds`. 409 `ecard_stopped` while the card is reported lost, replaced or exchanged.",
        responses={200: OpenApiResponse(ECardCodeSerializer, description="A new code, and its QR code.")},
    )
    @action(detail=True, methods=["get"])
    def code(self, request, pk=None):
        card, _entry = self._card(pk)
        code = services.ecard_code(card)
        return Response(
            {
                "token": code.token,
                "issued_at": code.issued_at,
                "expires_at": code.expires_at,
                "refresh_seconds": settings.ECARD_CODE_REFRESH_SECONDS,
                "qr_svg": qr_svg(code.token),
            }
        )

    @extend_schema(
        summary="Who checked this e-card",
        description="Every check by a hospital or pharmacy, newest first: where, by whom, when, and the outcome.",
        responses=OpenApiResponse(HolderCheckSerializer(many=True), description="A page of checks."),
    )
    @action(detail=True, methods=["get"])
    def checks(self, request, pk=None):
        card, _entry = self._card(pk)
        checks = card.ecard_checks.select_related("institution", "verifier").order_by("-checked_at", "-id")
        page = self.paginate_queryset(checks)
        return self.get_paginated_response(HolderCheckSerializer(page, many=True).data)


# --- relatives' e-cards ---------------------------------------------------------------------------------------


class FamilyLinkSerializer(serializers.ModelSerializer):
    held_by_me = serializers.SerializerMethodField(help_text="True: you hold their e-card; false: they hold yours.")
    holder_name = serializers.SerializerMethodField(help_text="Who holds the e-card (masked).")
    relative_name = serializers.SerializerMethodField(help_text="Whose e-card it is (masked).")
    code_sent_to = serializers.SerializerMethodField(help_text="Where the consent code went (masked), while pending.")

    class Meta:
        model = FamilyLink
        fields = [
            "id",
            "held_by_me",
            "holder_name",
            "relative_name",
            "relationship",
            "state",
            "code_sent_to",
            "requested_at",
            "consented_at",
            "ended_at",
        ]
        read_only_fields = fields

    def get_held_by_me(self, link) -> bool:
        return link.holder_id == self.context["request"].user.pk

    def get_holder_name(self, link) -> str:
        return mask_name(link.holder.full_name or link.holder.get_username())

    def get_relative_name(self, link) -> str:
        return mask_name(link.person.name)

    def get_code_sent_to(self, link) -> str:
        if link.state != FamilyLink.State.PENDING or not self.get_held_by_me(link):
            return ""
        return mask_phone(services.phone_on_file(link.person))


class FamilyLinkInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=60, help_text="The relative's name, as on their ID card.")
    id_number = ResidentIdInput(help_text="The relative's resident ID number.")
    relationship = serializers.ChoiceField(choices=FamilyLink.Relationship.choices, help_text="They are your …")


class ConsentCodeSerializer(StrictInputSerializer):
    code = serializers.RegexField(r"^\d{6}$", help_text="The six digits the relative received by SMS and passed on.")


FAMILY_LINK = OpenApiResponse(FamilyLinkSerializer, description="The relative's e-card request or link.")


@extend_schema(tags=["ecards"])
class FamilyLinkViewSet(viewsets.GenericViewSet):
    serializer_class = FamilyLinkSerializer

    def get_queryset(self):
        return (
            visible_to(self.request.user, FamilyLink.objects.all())
            .select_related("holder", "person__user")
            .order_by("-requested_at", "-id")
        )

    @extend_schema(
        summary="List relatives' e-cards",
        description="The relatives' e-cards you hold or asked for, and who holds yours; newest first.",
        responses=OpenApiResponse(FamilyLinkSerializer(many=True), description="A page of links."),
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Ask to hold a relative's e-card",
        description="A code goes by SMS to the phone on file for the relative (never a number you give); if they "
        "agree they pass it on, and you confirm with it. Relatives from 16; children under 16 come through the "
        "proof of guardianship. At most 8 e-cards of others in all.",
        request=FamilyLinkInputSerializer,
        responses={201: FAMILY_LINK},
        examples=[
            OpenApiExample(
                "A parent",
                value={"name": "陈静", "id_number": "330106198502145223", "relationship": "parent"},
                request_only=True,
            )
        ],
    )
    @idempotent
    def create(self, request):
        serializer = FamilyLinkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link, _code = services.request_family_link(
            actor=request.user, client_address=client_address(request) or "unknown", **serializer.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=link.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Confirm with the relative's code",
        description="The code the relative received; from now on you hold their e-card (they are told).",
        request=ConsentCodeSerializer,
        responses={200: FAMILY_LINK},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def confirm(self, request, pk=None):
        link = self.get_object()
        serializer = ConsentCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.confirm_family_link(link.pk, actor=request.user, code=serializer.validated_data["code"])
        return Response(self.get_serializer(self.get_queryset().get(pk=link.pk)).data)

    @extend_schema(
        summary="End it",
        description="Give back a relative's e-card, take yours back from whoever holds it, or withdraw a request. "
        "The other side is told.",
        request=EmptySerializer,
        responses={200: FAMILY_LINK},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def end(self, request, pk=None):
        link = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        services.end_family_link(link.pk, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=link.pk)).data)


# --- checks by hospitals and pharmacies -------------------------------------------------------------------------


class CheckInputSerializer(StrictInputSerializer):
    code = serializers.CharField(max_length=MAX_TOKEN_LENGTH, help_text="What the e-card's QR code holds.")


class CheckResultSerializer(serializers.Serializer):
    check_id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=ECardCheck.Outcome.choices)
    valid = serializers.BooleanField(help_text="Genuine, current and the card active: accept it.")
    genuine = serializers.BooleanField(help_text="Signed with the city's key.")
    message = serializers.CharField(help_text="What to do, in the reader's language.")
    state = serializers.ChoiceField(
        choices=ECardState.choices, allow_null=True, help_text="The card's e-card state, for a genuine current code."
    )
    state_label = serializers.CharField(allow_blank=True)
    card_status = serializers.CharField(allow_blank=True, help_text="The card's own status.")
    holder_name = serializers.CharField(allow_blank=True, help_text="Masked (张*).")
    colour = serializers.CharField(allow_blank=True, help_text="blue, green or red (rule 11): where it can be used.")
    uses = serializers.CharField(allow_blank=True)
    code_expires_at = serializers.DateTimeField(allow_null=True)
    photo_jpeg = serializers.CharField(
        allow_null=True, help_text="The holder's ID photo, JPEG in base64, with a valid code: compare the face."
    )
    photo_note = serializers.CharField(allow_blank=True, help_text="Why there is no photo, when there is none.")
    checked_at = serializers.DateTimeField()


def _check_result(result) -> dict:
    shown = result.shows_card
    card = result.card
    return {
        "check_id": result.check.pk,
        "outcome": result.check.outcome,
        "valid": result.is_valid,
        "genuine": result.check.outcome != ECardCheck.Outcome.FORGED,
        "message": str(result.message),
        "state": card.ecard_state if shown else None,
        "state_label": str(card.ecard_state_label) if shown else "",
        "card_status": card.status if shown else "",
        "holder_name": result.code.masked_name if shown else "",
        "colour": card.application.card_colour if shown else "",
        "uses": str(card.application.card_uses) if shown else "",
        "code_expires_at": result.code.expires_at if result.code else None,
        "photo_jpeg": result.photo_jpeg,
        "photo_note": str(result.photo_note),
        "checked_at": result.check.checked_at,
    }


class InstitutionCheckSerializer(serializers.ModelSerializer):
    holder_name = serializers.SerializerMethodField(help_text="Masked.")
    checked_by = serializers.SerializerMethodField()
    institution = serializers.CharField(source="institution.name")

    class Meta:
        model = ECardCheck
        fields = ["id", "checked_at", "institution", "checked_by", "holder_name", "outcome", "card_status"]
        read_only_fields = fields

    def get_holder_name(self, check) -> str:
        return mask_name(check.card.person.name) if check.card_id else ""

    def get_checked_by(self, check) -> str:
        return check.verifier.full_name or check.verifier.get_username()


@extend_schema(tags=["ecards"])
class ECardCheckView(ListAPIView):
    serializer_class = InstitutionCheckSerializer

    def get_queryset(self):
        return (
            visible_to(self.request.user, ECardCheck.objects.all())
            .select_related("institution", "verifier", "card__person")
            .order_by("-checked_at", "-id")
        )

    @extend_schema(
        summary="List e-card checks",
        description="Hospital or pharmacy staff: their institution's checks; a citizen: the checks of their own "
        "cards; newest first.",
        responses=OpenApiResponse(InstitutionCheckSerializer(many=True), description="A page of checks."),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Check an e-card's code (hospital or pharmacy staff)",
        description="Is the code genuine (signed with the city's key), current (not expired), and is the card active "
        "(not reported lost, replaced or exchanged)? With a valid code: the masked name and the holder's photo to "
        "compare. Every check is recorded and the holder sees it; a stopped e-card shown is reported to its holder at "
        "once. Staff of a designated hospital or pharmacy only (403 for others).",
        request=CheckInputSerializer,
        responses={201: OpenApiResponse(CheckResultSerializer, description="What the check found (recorded).")},
    )
    @idempotent
    def post(self, request):
        serializer = CheckInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.check_code(serializer.validated_data["code"], actor=request.user, request=request)
        return Response(CheckResultSerializer(_check_result(result)).data, status=status.HTTP_201_CREATED)


# --- the city's public keys -------------------------------------------------------------------------------------


class PublicKeySerializer(serializers.Serializer):
    kty = serializers.CharField(help_text="OKP")
    crv = serializers.CharField(help_text="Ed25519")
    x = serializers.CharField(help_text="The public key, 32 bytes in base64url.")
    kid = serializers.CharField(help_text="Its RFC 7638 thumbprint; the code's header names it.")
    use = serializers.CharField(help_text="sig")
    alg = serializers.CharField(help_text="EdDSA")


class PublicKeySetSerializer(serializers.Serializer):
    keys = PublicKeySerializer(many=True)


@extend_schema(tags=["ecards"])
class PublicKeysView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        summary="The city's e-card keys",
        description="Public: the JWK Set (RFC 7517) of the Ed25519 keys that sign e-card codes. A hospital or pharmacy "
        "keeps a copy and checks a code offline: the signature (EdDSA, RFC 8037) with the key named by the code's "
        "`kid`, then `exp`. Only the portal's check (`POST /api/v1/ecard-checks/`) also knows whether the card was "
        "reported lost since.",
        responses={200: OpenApiResponse(PublicKeySetSerializer, description="The keys, the signing one first.")},
    )
    def get(self, request):
        response = Response(public_key_set())
        response["Cache-Control"] = "public, max-age=3600"
        return response
