"""The REST API for cards and the service window. Views validate and call one service each."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.idempotency import idempotent
from accounts.models import Role
from applications.access import access_application_by_id
from applications.api.serializers import ApplicationDetailSerializer
from applications.models import CARD_USES_BY_COLOUR, CardColour, InsuranceType
from applications.workdays import provisional_note
from sbcard.api import ErrorSerializer, ResidentIdInput, StrictInputSerializer
from sbcard.errors import NotPermitted
from sbcard.idnumbers import mask_resident_id
from sbcard.validators import validate_mobile_phone

from . import certificates, intake, services
from .access import cards_visible_to
from .lifecycle import allowed_card_events
from .models import Appointment, Card, CardChange, LossReport

NEW_APPLICATION = OpenApiResponse(ApplicationDetailSerializer, description="The new application.")


class CardSerializer(serializers.ModelSerializer):
    holder_name = serializers.CharField(source="person.name", read_only=True)
    holder_id_number = serializers.SerializerMethodField(help_text="Masked: first 6 and last 4 characters.")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    colour = serializers.SerializerMethodField()
    uses = serializers.SerializerMethodField(help_text="Where the card can be used (rule 11).")
    allowed_events = serializers.SerializerMethodField(help_text="What you may do to the card now.")
    medical_password_reminder = serializers.SerializerMethodField()

    class Meta:
        model = Card
        fields = [
            "id",
            "number",
            "holder_name",
            "holder_id_number",
            "status",
            "status_label",
            "colour",
            "uses",
            "swipe_limit",
            "issued_at",
            "activated_at",
            "allowed_events",
            "medical_password_reminder",
        ]
        read_only_fields = fields

    def get_holder_id_number(self, card) -> str:
        return mask_resident_id(card.person.id_number)

    @extend_schema_field(
        serializers.ChoiceField(choices=CardColour.choices, help_text="Blue, green or red: where the card can be used.")
    )
    def get_colour(self, card) -> str:
        return card.application.card_colour

    def get_uses(self, card) -> str:
        return str(CARD_USES_BY_COLOUR[CardColour(card.application.card_colour)])

    def get_allowed_events(self, card) -> list[str]:
        return allowed_card_events(card, self.context["request"].user)

    def get_medical_password_reminder(self, card) -> str:
        return _("The initial medical password cannot be used to pay (rule 20).")


def _optional_id_number(help_text: str) -> ResidentIdInput:
    """An optional resident ID number: left out or blank is "not given"; given, it is judged (GB 11643)."""
    return ResidentIdInput(required=False, allow_blank=True, default="", help_text=help_text)


def _optional_text(max_length: int, help_text: str) -> serializers.CharField:
    """An optional text field: left out or blank is "not given" (the service decides when it is needed)."""
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", help_text=help_text
    )


class SwipeLimitSerializer(StrictInputSerializer):
    swipe_limit = serializers.IntegerField(min_value=1, max_value=20, help_text="Pharmacy swipes a day (rule 10).")


class ActivateSerializer(StrictInputSerializer):
    swipe_limit = serializers.IntegerField(
        min_value=1, max_value=20, required=False, help_text="Pharmacy swipes a day; 2 when left out (rule 10)."
    )


class OralLossSerializer(StrictInputSerializer):
    channel = serializers.ChoiceField(
        choices=[(value, label) for value, label in LossReport.Channel.choices if value != "station"],
        help_text="How the loss was reported; a citizen's own report is always `online`.",
    )
    name = _optional_text(60, "The caller's name, as they gave it (rule 12).")
    id_number = _optional_id_number("The ID number the caller gave.")
    employer = _optional_text(100, "The employer the caller gave.")
    phone = _optional_text(20, "A phone number to call back.")


class PresentedIdSerializer(StrictInputSerializer):
    presented_id_number = ResidentIdInput(help_text="The ID number on the resident ID card shown at the window.")


class ReplacementSerializer(StrictInputSerializer):
    presented_id_number = _optional_id_number("The holder's ID number, when they come themself.")
    proxy_name = _optional_text(60, "A proxy's name, when someone applies for the holder (rule 13).")
    proxy_id_number = _optional_id_number("The proxy's ID number.")
    issue_now = serializers.BooleanField(
        required=False, default=False, help_text="Print the new card at once (stations with a printer: 立等可取)."
    )


class ExchangeSerializer(StrictInputSerializer):
    reason = serializers.ChoiceField(
        choices=[(value, label) for value, label in CardChange.Reason.choices if value != "lost"],
        help_text="Why the card is exchanged (rule 15).",
    )
    new_name = _optional_text(60, "The new name (`name_changed`).")
    new_id_number = _optional_id_number("The new ID number (`id_number_changed`).")


class LossReportSerializer(serializers.ModelSerializer):
    written_deadline_note = serializers.SerializerMethodField(
        help_text="Says so when the deadline is provisional: its year's holidays are not published yet."
    )

    class Meta:
        model = LossReport
        fields = [
            "id",
            "kind",
            "channel",
            "written_deadline",
            "written_deadline_note",
            "created_at",
            "confirmed_at",
            "lapsed_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"written_deadline": {"help_text": "An oral report lapses unless confirmed in writing by then."}}

    def get_written_deadline_note(self, report) -> str:
        return provisional_note(report.written_deadline) if report.written_deadline else ""


CARD = OpenApiResponse(CardSerializer, description="The card as it is now.")
LOSS_REPORT = OpenApiResponse(LossReportSerializer, description="The loss report.")


@extend_schema(tags=["cards"])
class CardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cards: a citizen's own (and wards'), the cards a clerk's station issued."""

    serializer_class = CardSerializer

    def get_queryset(self):
        return cards_visible_to(self.request.user).select_related("person", "application").order_by("-issued_at", "-id")

    def _answer(self, card_id: int, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=card_id)).data, status=code)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        summary="List cards",
        description="A citizen's own cards and their children's; a clerk's, those their station issued; newest first.",
        responses=OpenApiResponse(CardSerializer(many=True), description="A page of cards."),
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Read a card",
        description="Its status, colour and uses, swipe limit, and the events you may fire now.",
        responses={200: CARD},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Activate a card (clerk)",
        description="Rule 10: a new card's financial function is activated in person; the daily pharmacy swipe "
        "limit can be set at the same time (default 2). Banks report activations at a branch by callback.",
        request=ActivateSerializer,
        responses={200: CARD},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def activate(self, request, pk=None):
        card = self.get_object()
        services.activate_card(
            card.pk, actor=request.user, swipe_limit=self._input(ActivateSerializer).get("swipe_limit")
        )
        return self._answer(card.pk)

    @extend_schema(
        summary="Change the daily swipe limit",
        description="Rule 10: the holder (online) or a clerk (at the station) changes the pharmacy swipes a day.",
        request=SwipeLimitSerializer,
        responses={200: CARD},
        examples=[OpenApiExample("Four a day", value={"swipe_limit": 4})],
    )
    @action(detail=True, methods=["post"], url_path="swipe-limit")
    @idempotent
    def swipe_limit(self, request, pk=None):
        card = self.get_object()
        channel = "online" if request.user.role == Role.CITIZEN else "station"
        services.change_swipe_limit(
            card.pk, actor=request.user, swipe_limit=self._input(SwipeLimitSerializer)["swipe_limit"], channel=channel
        )
        return self._answer(card.pk)

    @extend_schema(
        summary="Report a card lost (oral report)",
        description="Rule 12: the card is suspended at once; the report lapses unless confirmed in writing within 3 "
        "Chinese working days (`written_deadline`). Citizens report online; clerks take `phone` or `hotline` calls.",
        request=OralLossSerializer,
        responses={201: LOSS_REPORT},
        examples=[OpenApiExample("Online", value={"channel": "online"}, request_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="report-lost")
    @idempotent
    def report_lost(self, request, pk=None):
        card = self.get_object()
        data = self._input(OralLossSerializer)
        if request.user.role == Role.CITIZEN:
            data["channel"] = LossReport.Channel.ONLINE
        elif data["channel"] == LossReport.Channel.ONLINE:
            raise NotPermitted(_("Staff take loss reports by phone or 12333."))
        report = services.report_loss_orally(card.pk, actor=request.user, **data)
        return Response(LossReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Report a card lost in writing (clerk)",
        description="Rule 12: a written report takes effect at once and confirms an oral one; the bank is told.",
        request=PresentedIdSerializer,
        responses={201: LOSS_REPORT},
    )
    @action(detail=True, methods=["post"], url_path="report-lost-in-writing")
    @idempotent
    def report_lost_in_writing(self, request, pk=None):
        card = self.get_object()
        report = services.report_loss_in_writing(card.pk, actor=request.user, **self._input(PresentedIdSerializer))
        return Response(LossReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cancel a loss report (clerk)",
        description="Rule 14: the holder, in person, gets the card working again, unless a replacement was applied "
        "for (or the city makes a written report final).",
        request=PresentedIdSerializer,
        responses={200: CARD},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def unreport(self, request, pk=None):
        card = self.get_object()
        services.unreport_loss(card.pk, actor=request.user, **self._input(PresentedIdSerializer))
        return self._answer(card.pk)

    @extend_schema(
        summary="Apply for a replacement card (clerk)",
        description="Rule 13: after a loss report, a replacement application (the holder in person, or a proxy with "
        "both IDs). Ready 15 working days later, or at once where the station prints cards (`issue_now`). A "
        "replacement beyond the city's yearly limit (the fourth within 12 months by default) is `submitted` to the "
        "station's review instead, with its `replacement_history`.",
        request=ReplacementSerializer,
        responses={201: NEW_APPLICATION},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def replacement(self, request, pk=None):
        card = self.get_object()
        data = self._input(ReplacementSerializer)
        proxy = None
        if data["proxy_name"] or data["proxy_id_number"]:
            proxy = services.ProxyDetails(name=data["proxy_name"], id_number=data["proxy_id_number"])
        application = services.apply_for_replacement(
            card.pk,
            actor=request.user,
            proxy=proxy,
            presented_id_number=data["presented_id_number"],
            issue_now=data["issue_now"],
        )
        return _application(request, application.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Apply for an exchange card (clerk)",
        description="Rule 15: a damaged card, or a changed name or ID number (after the insurance record is "
        "corrected). A 15-to-18-digit ID upgrade needs no exchange.",
        request=ExchangeSerializer,
        responses={201: NEW_APPLICATION},
        examples=[OpenApiExample("Damaged", value={"reason": "damaged"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def exchange(self, request, pk=None):
        card = self.get_object()
        application = services.apply_for_exchange(card.pk, actor=request.user, **self._input(ExchangeSerializer))
        return _application(request, application.pk, status.HTTP_201_CREATED)


def _application(request, application_id: int, code=status.HTTP_200_OK) -> Response:
    application = access_application_by_id(request.user, application_id)
    return Response(ApplicationDetailSerializer(application, context={"request": request}).data, status=code)


class HandOverSerializer(StrictInputSerializer):
    presented_id_number = _optional_id_number("The holder's ID number, when they collect it themself.")
    proxy_name = _optional_text(60, "A proxy's name (rule 9).")
    proxy_id_number = _optional_id_number("The proxy's ID number.")
    proxy_card_number = _optional_text(30, "Or the proxy's own social security card number.")
    authorisation = serializers.FileField(
        required=False, help_text="The holder's signed authorisation (JPEG, PNG or PDF), for a proxy."
    )


@extend_schema(tags=["window"])
class HandOverView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Hand a card over (clerk)",
        description="Rule 9: the card goes to its holder (with their ID), or to a proxy with the holder's signed "
        "authorisation and the proxy's ID or card. The application becomes `collected` and the card `issued`.",
        request={"multipart/form-data": HandOverSerializer},
        responses={201: OpenApiResponse(CardSerializer, description="The card handed over.")},
    )
    @idempotent
    def post(self, request, application_id: int):
        application = access_application_by_id(request.user, application_id)
        serializer = HandOverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        proxy = None
        if data["proxy_name"] or data["proxy_id_number"] or data["proxy_card_number"]:
            proxy = services.ProxyDetails(
                name=data["proxy_name"], id_number=data["proxy_id_number"], card_number=data["proxy_card_number"]
            )
        card = services.hand_over_card(
            application.pk,
            actor=request.user,
            presented_id_number=data["presented_id_number"],
            proxy=proxy,
            authorisation=data.get("authorisation"),
        )
        return Response(CardSerializer(card, context={"request": request}).data, status=status.HTTP_201_CREATED)


class AppointmentSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField(help_text="Masked.")

    class Meta:
        model = Appointment
        fields = ["id", "date", "name", "id_number", "state", "created_at"]
        read_only_fields = fields

    def get_id_number(self, appointment) -> str:
        return appointment.masked_id_number


class AppointmentInputSerializer(StrictInputSerializer):
    id_number = ResidentIdInput(help_text="The caller's resident ID number.")
    name = serializers.CharField(max_length=60, help_text="The caller's name.")
    phone = serializers.CharField(max_length=11, validators=[validate_mobile_phone], help_text="For the reminder.")
    date = serializers.DateField(help_text="A working day with room at the station.")


@extend_schema(tags=["window"])
class AppointmentListView(ListAPIView):
    serializer_class = AppointmentSerializer

    def get_queryset(self):
        if self.request.user.role != Role.CLERK:
            return Appointment.objects.none()
        return Appointment.objects.filter(station_id=self.request.user.station_id).order_by("-date", "id")

    @extend_schema(
        summary="List phone appointments (clerk)",
        description="Rule 7: the clerk's station's phone appointments, latest date first. Empty for other roles.",
        responses=OpenApiResponse(AppointmentSerializer(many=True), description="A page of appointments."),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Book a phone appointment (clerk)",
        description="Rule 7: after the information centre confirms the caller's ID number and name, a date is "
        "agreed; the caller gets an SMS and a reminder the working day before. No record: register the household "
        "first (409).",
        request=AppointmentInputSerializer,
        responses={201: OpenApiResponse(AppointmentSerializer, description="The appointment.")},
    )
    @idempotent
    def post(self, request):
        if request.user.role != Role.CLERK:
            raise NotPermitted(_("Only a station's clerks book appointments."))
        serializer = AppointmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = intake.book_appointment(actor=request.user, **serializer.validated_data)
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class WalkInSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=60, help_text="As on the resident ID card.")
    id_number = ResidentIdInput(help_text="The applicant's resident ID number.")
    phone = serializers.CharField(max_length=11, validators=[validate_mobile_phone])
    insurance_type = serializers.ChoiceField(choices=InsuranceType.choices, help_text="Sets the card's colour.")
    household_city = serializers.CharField(max_length=60)
    address = serializers.CharField(max_length=200)
    photo = serializers.FileField(required=False, help_text="The ID photo taken at the window (rule 18).")
    documents_checked = serializers.BooleanField(
        help_text="The clerk checked the form against the ID card and household book (rule 8)."
    )


class RegistryCheckSerializer(StrictInputSerializer):
    id_number = ResidentIdInput(help_text="The applicant's resident ID number.")
    name = serializers.CharField(max_length=60, help_text="The name the applicant gave.")


class RegistryAnswerSerializer(serializers.Serializer):
    result = serializers.ChoiceField(
        choices=[
            ("match", "The record matches"),
            ("mismatch", "The record differs in the fields listed"),
            ("no_record", "No household record: register the household first"),
        ]
    )
    fields = serializers.ListField(child=serializers.CharField(), help_text="The fields that differ.")
    record = serializers.DictField(child=serializers.CharField(), help_text="The information centre's record.")


@extend_schema(tags=["window"])
class RegistryCheckView(APIView):
    @extend_schema(
        summary="Check with the information centre (clerk)",
        description="Rules 7, 8: asks the city information centre about a person while they wait; its record comes "
        "back to compare with the form.",
        request=RegistryCheckSerializer,
        responses={200: OpenApiResponse(RegistryAnswerSerializer, description="The information centre's answer.")},
    )
    @idempotent
    def post(self, request):
        if request.user.role != Role.CLERK:
            raise NotPermitted(_("Only a station's clerks check the registry."))
        serializer = RegistryCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check = intake.check_with_registry(**serializer.validated_data)
        return Response({"result": check.result, "fields": check.fields, "record": check.record})


@extend_schema(tags=["window"])
class WalkInView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Take a walk-in application (clerk)",
        description="Rule 8: an application taken at the counter, checked against the ID card, the household book "
        "and the information centre's record, goes straight to verification.",
        request={"multipart/form-data": WalkInSerializer},
        responses={201: NEW_APPLICATION},
    )
    @idempotent
    def post(self, request):
        if request.user.role != Role.CLERK:
            raise NotPermitted(_("Only a station's clerks take walk-in applications."))
        serializer = WalkInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application = intake.take_walk_in(actor=request.user, photo=data.pop("photo", None), **data)
        return _application(request, application.pk, status.HTTP_201_CREATED)


class CertificateCheckSerializer(serializers.Serializer):
    genuine = serializers.BooleanField(help_text="Issued by the portal and not altered.")
    current = serializers.BooleanField(help_text="Still valid: the new card has not been collected yet.")
    reason = serializers.CharField(help_text="Why not, when it is not genuine or no longer current.")
    valid_until = serializers.DateField(allow_null=True)
    new_card_ready = serializers.BooleanField(help_text="The replacement card has reached the station.")
    new_card_date = serializers.DateField(
        allow_null=True,
        help_text="Ready: the day it reached the station. Not yet: the day it is expected there (Chinese working "
        "days from the current step; see `new_card_date_note`).",
    )
    new_card_date_note = serializers.CharField(help_text="Says so when the date is provisional.")
    new_card_station = serializers.CharField(help_text="Where the holder collects it.")


class CertificateRefusedSerializer(ErrorSerializer, CertificateCheckSerializer):
    """A certificate that is not genuine: the Error shape, with the check's fields."""


@extend_schema(tags=["window"])
class CertificateCheckView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        summary="Check a pickup certificate",
        description="Public: is a pickup certificate (领卡证明, rule 13) genuine and current, and when is the new card "
        "ready? The token is in the certificate's QR code; hospitals scan it to allow treatment with manual "
        "reimbursement meanwhile.",
        responses={
            200: OpenApiResponse(CertificateCheckSerializer, description="A genuine certificate: whether current."),
            404: OpenApiResponse(CertificateRefusedSerializer, description="Not a certificate the portal issued."),
        },
    )
    def get(self, request, token: str):
        check = certificates.check_certificate(token)
        card = check.new_card
        body = {
            "genuine": check.genuine,
            "current": check.current,
            "reason": str(check.reason),
            "valid_until": check.valid_until,
            "new_card_ready": bool(card and card.ready),
            "new_card_date": card.date if card else None,
            "new_card_date_note": provisional_note(card.date) if card and card.date else "",
            "new_card_station": card.station if card else "",
        }
        if not check.genuine:
            return Response({"detail": str(check.reason), "code": "not_genuine", **body}, status=404)
        return Response(CertificateCheckSerializer(body).data)
