"""The REST API for cards and the service window. Views validate and call one service each."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import access_application_by_id, cards_visible_to
from accounts.models import Role
from applications.api.serializers import ApplicationDetailSerializer, StrictInputSerializer
from applications.models import CARD_USES_BY_COLOUR, CardColour
from applications.workdays import provisional_note
from sbcard.api import ErrorSerializer, ResidentIdInput
from sbcard.errors import NotPermitted
from sbcard.idnumbers import mask_resident_id
from sbcard.validators import validate_mobile_phone

from . import certificates, intake, services
from .lifecycle import allowed_card_events
from .models import Appointment, Card, CardChange, LossReport

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input: the message says which field and why."),
    403: OpenApiResponse(ErrorSerializer, description="Your role may not do this."),
    404: OpenApiResponse(ErrorSerializer, description="No such record for you."),
    409: OpenApiResponse(ErrorSerializer, description="Not possible in the current state."),
}


class CardSerializer(serializers.ModelSerializer):
    holder_name = serializers.CharField(source="person.name", read_only=True)
    holder_id_number = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    colour = serializers.SerializerMethodField()
    uses = serializers.SerializerMethodField()
    allowed_events = serializers.SerializerMethodField()
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

    def get_colour(self, card) -> str:
        return card.application.card_colour

    def get_uses(self, card) -> str:
        return str(CARD_USES_BY_COLOUR[CardColour(card.application.card_colour)])

    def get_allowed_events(self, card) -> list[str]:
        return allowed_card_events(card, self.context["request"].user)

    def get_medical_password_reminder(self, card) -> str:
        return _("The initial medical password cannot be used to pay (rule 20).")


class SwipeLimitSerializer(StrictInputSerializer):
    swipe_limit = serializers.IntegerField(min_value=1, max_value=20)


class ActivateSerializer(StrictInputSerializer):
    swipe_limit = serializers.IntegerField(min_value=1, max_value=20, required=False)


class OralLossSerializer(StrictInputSerializer):
    channel = serializers.ChoiceField(choices=[c for c in LossReport.Channel.values if c != "station"])
    name = serializers.CharField(max_length=60, required=False, default="")
    id_number = ResidentIdInput(required=False, default="")
    employer = serializers.CharField(max_length=100, required=False, default="")
    phone = serializers.CharField(max_length=20, required=False, default="")


class PresentedIdSerializer(StrictInputSerializer):
    presented_id_number = ResidentIdInput()


class ReplacementSerializer(StrictInputSerializer):
    presented_id_number = ResidentIdInput(required=False, default="")
    proxy_name = serializers.CharField(max_length=60, required=False, default="")
    proxy_id_number = ResidentIdInput(required=False, default="")
    issue_now = serializers.BooleanField(required=False, default=False)


class ExchangeSerializer(StrictInputSerializer):
    reason = serializers.ChoiceField(choices=[c for c in CardChange.Reason.values if c != "lost"])
    new_name = serializers.CharField(max_length=60, required=False, default="")
    new_id_number = ResidentIdInput(required=False, default="")


class LossReportSerializer(serializers.ModelSerializer):
    written_deadline_note = serializers.SerializerMethodField(
        help_text=gettext_lazy("Says when the deadline is provisional: its year's holidays are not published yet.")
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

    def get_written_deadline_note(self, report) -> str:
        return provisional_note(report.written_deadline) if report.written_deadline else ""


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

    @extend_schema(request=ActivateSerializer, responses={200: CardSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        card = self.get_object()
        services.activate_card(
            card.pk, actor=request.user, swipe_limit=self._input(ActivateSerializer).get("swipe_limit")
        )
        return self._answer(card.pk)

    @extend_schema(request=SwipeLimitSerializer, responses={200: CardSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="swipe-limit")
    def swipe_limit(self, request, pk=None):
        card = self.get_object()
        channel = "online" if request.user.role == Role.CITIZEN else "station"
        services.change_swipe_limit(
            card.pk, actor=request.user, swipe_limit=self._input(SwipeLimitSerializer)["swipe_limit"], channel=channel
        )
        return self._answer(card.pk)

    @extend_schema(request=OralLossSerializer, responses={201: LossReportSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="report-lost")
    def report_lost(self, request, pk=None):
        """Rule 12: an oral report. Citizens report online; clerks take "phone" or "hotline" calls."""
        card = self.get_object()
        data = self._input(OralLossSerializer)
        if request.user.role == Role.CITIZEN:
            data["channel"] = LossReport.Channel.ONLINE
        elif data["channel"] == LossReport.Channel.ONLINE:
            raise NotPermitted(_("Staff take loss reports by phone or 12333."))
        report = services.report_loss_orally(card.pk, actor=request.user, **data)
        return Response(LossReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PresentedIdSerializer, responses={201: LossReportSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="report-lost-in-writing")
    def report_lost_in_writing(self, request, pk=None):
        card = self.get_object()
        report = services.report_loss_in_writing(card.pk, actor=request.user, **self._input(PresentedIdSerializer))
        return Response(LossReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PresentedIdSerializer, responses={200: CardSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def unreport(self, request, pk=None):
        card = self.get_object()
        services.unreport_loss(card.pk, actor=request.user, **self._input(PresentedIdSerializer))
        return self._answer(card.pk)

    @extend_schema(request=ReplacementSerializer, responses={201: ApplicationDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
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

    @extend_schema(request=ExchangeSerializer, responses={201: ApplicationDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def exchange(self, request, pk=None):
        card = self.get_object()
        application = services.apply_for_exchange(card.pk, actor=request.user, **self._input(ExchangeSerializer))
        return _application(request, application.pk, status.HTTP_201_CREATED)


def _application(request, application_id: int, code=status.HTTP_200_OK) -> Response:
    application = access_application_by_id(request.user, application_id)
    return Response(ApplicationDetailSerializer(application, context={"request": request}).data, status=code)


class HandOverSerializer(StrictInputSerializer):
    presented_id_number = ResidentIdInput(required=False, default="")
    proxy_name = serializers.CharField(max_length=60, required=False, default="")
    proxy_id_number = ResidentIdInput(required=False, default="")
    proxy_card_number = serializers.CharField(max_length=30, required=False, default="")
    authorisation = serializers.FileField(required=False)


class HandOverView(APIView):
    """Rule 9: hand a card over to its holder, or to a proxy with a signed authorisation."""

    @extend_schema(request={"multipart/form-data": HandOverSerializer}, responses={201: CardSerializer, **ERRORS})
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
    id_number = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = ["id", "date", "name", "id_number", "state", "created_at"]
        read_only_fields = fields

    def get_id_number(self, appointment) -> str:
        return appointment.masked_id_number


class AppointmentInputSerializer(StrictInputSerializer):
    id_number = ResidentIdInput()
    name = serializers.CharField(max_length=60)
    phone = serializers.CharField(max_length=11, validators=[validate_mobile_phone])
    date = serializers.DateField()


class AppointmentListView(ListAPIView):
    """Rule 7: a clerk's station's phone appointments; POST books one after the registry confirms the caller."""

    serializer_class = AppointmentSerializer

    def get_queryset(self):
        if self.request.user.role != Role.CLERK:
            return Appointment.objects.none()
        return Appointment.objects.filter(station_id=self.request.user.station_id).order_by("-date", "id")

    @extend_schema(request=AppointmentInputSerializer, responses={201: AppointmentSerializer, **ERRORS})
    def post(self, request):
        if request.user.role != Role.CLERK:
            raise NotPermitted(_("Only a station's clerks book appointments."))
        serializer = AppointmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = intake.book_appointment(actor=request.user, **serializer.validated_data)
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class WalkInSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=60)
    id_number = ResidentIdInput()
    phone = serializers.CharField(max_length=11, validators=[validate_mobile_phone])
    insurance_type = serializers.CharField(max_length=30)
    household_city = serializers.CharField(max_length=60)
    address = serializers.CharField(max_length=200)
    photo = serializers.FileField(required=False)
    documents_checked = serializers.BooleanField()


class RegistryCheckSerializer(StrictInputSerializer):
    id_number = ResidentIdInput()
    name = serializers.CharField(max_length=60)


class RegistryAnswerSerializer(serializers.Serializer):
    result = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField())
    record = serializers.DictField(child=serializers.CharField())


class RegistryCheckView(APIView):
    """Rules 7, 8: ask the information centre while the applicant waits; its record comes back to compare."""

    @extend_schema(request=RegistryCheckSerializer, responses={200: RegistryAnswerSerializer, **ERRORS})
    def post(self, request):
        if request.user.role != Role.CLERK:
            raise NotPermitted(_("Only a station's clerks check the registry."))
        serializer = RegistryCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check = intake.check_with_registry(**serializer.validated_data)
        return Response({"result": check.result, "fields": check.fields, "record": check.record})


class WalkInView(APIView):
    """Rule 8: an application taken at the counter goes straight to verification."""

    @extend_schema(
        request={"multipart/form-data": WalkInSerializer}, responses={201: ApplicationDetailSerializer, **ERRORS}
    )
    def post(self, request):
        if request.user.role != Role.CLERK:
            raise NotPermitted(_("Only a station's clerks take walk-in applications."))
        serializer = WalkInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application = intake.take_walk_in(actor=request.user, photo=data.pop("photo", None), **data)
        return _application(request, application.pk, status.HTTP_201_CREATED)


class CertificateCheckSerializer(serializers.Serializer):
    genuine = serializers.BooleanField()
    current = serializers.BooleanField()
    reason = serializers.CharField()
    valid_until = serializers.DateField(allow_null=True)


class CertificateCheckView(APIView):
    """Public: is a pickup certificate (领卡证明) genuine and current?"""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: CertificateCheckSerializer, 404: CertificateCheckSerializer})
    def get(self, request, token: str):
        check = certificates.check_certificate(token)
        body = {
            "genuine": check.genuine,
            "current": check.current,
            "reason": str(check.reason),
            "valid_until": check.valid_until,
        }
        return Response(CertificateCheckSerializer(body).data, status=200 if check.genuine else 404)
