"""The REST API for applications: citizens apply and follow; clerks review their station's queue."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.idempotency import idempotent
from accounts.models import Role, ServiceStation
from applications import services
from applications.access import applications_visible_to
from applications.models import CardApplication, Channel, CityPolicy, Relationship, Status
from applications.progress import review_waiting
from audit.services import record_personal_data_read
from sbcard.api import EmptySerializer
from sbcard.errors import NotPermitted

from .serializers import (
    ApplicationCreateSerializer,
    ApplicationDetailSerializer,
    ApplicationListSerializer,
    ApplicationUpdateSerializer,
    ApproveSerializer,
    CancelSerializer,
    PhotoUploadSerializer,
    ProofUploadSerializer,
    QueueEntrySerializer,
    ReturnReasonSerializer,
    ReturnSerializer,
    StationSerializer,
    SubmitSerializer,
)

DETAIL = OpenApiResponse(ApplicationDetailSerializer, description="The application as it is now.")
APPLY_EXAMPLE = OpenApiExample(
    "Apply for yourself",
    value={
        "insurance_type": "urban_employee",
        "station": 1,
        "household_city": "杭州市",
        "address": "杭州市上城区望江路100号3幢2单元501室",
        "phone": "13900001111",
    },
    request_only=True,
)
APPLY_FOR_A_CHILD_EXAMPLE = OpenApiExample(
    "Apply for a child",
    value={
        "insurance_type": "urban_rural_resident",
        "station": 1,
        "household_city": "杭州市",
        "address": "杭州市上城区望江路100号3幢2单元501室",
        "phone": "13900001111",
        "relationship": "mother",
        "holder_name": "陈小雨",
        "holder_id_number": "11010520150601002X",
    },
    request_only=True,
)
DETAIL_EXAMPLE = OpenApiExample(
    "Submitted",
    value={
        "id": 42,
        "reference": "SB2026000042",
        "holder": {"name": "张伟", "id_number": "110105********002X", "birth_date": "1949-12-31", "sex": "M"},
        "kind": "new",
        "channel": "online",
        "station": {
            "id": 1,
            "code": "S100",
            "name": "市民中心服务站",
            "district": "上城区",
            "address": "杭州市上城区解放东路18号",
            "phone": "0571-12333",
            "opening_hours": "周一至周五 9:00-17:00",
        },
        "status": "submitted",
        "status_label": "已提交，待审核",
        "insurance_type": "urban_employee",
        "card_colour": "blue",
        "relationship": "self",
        "submitted_at": "2026-03-02T09:20:00+08:00",
        "status_changed_at": "2026-03-02T09:20:00+08:00",
        "created_at": "2026-03-02T09:15:00+08:00",
        "has_photo": True,
        "household_city": "杭州市",
        "address": "杭州市上城区望江路100号3幢2单元501室",
        "phone": "139****1111",
        "next_step": "服务站审核申请（7个工作日内）。",
        "current_step_deadline": "2026-03-11",
        "timeline": [
            {
                "time": "2026-03-02T09:15:00+08:00",
                "label": "创建申请",
                "status": "draft",
                "status_label": "草稿",
                "reason": "",
                "by_role": "citizen",
            },
            {
                "time": "2026-03-02T09:20:00+08:00",
                "label": "提交",
                "status": "submitted",
                "status_label": "已提交，待审核",
                "reason": "",
                "by_role": "citizen",
            },
        ],
        "forecast": [
            {"status": "submitted", "label": "服务站审核", "expected_date": "2026-03-11", "state": "current"},
            {"status": "in_production", "label": "制卡", "expected_date": "2026-04-10", "state": "upcoming"},
        ],
        "correction": None,
        "allowed_events": ["withdraw"],
    },
    response_only=True,
)


@extend_schema(tags=["applications"])
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applications visible to the signed-in user: their own (and wards'), or their station's."""

    serializer_class = ApplicationListSerializer

    def get_queryset(self):
        return (
            applications_visible_to(self.request.user)
            .select_related("person", "station")
            .order_by("-created_at", "-id")
        )

    def get_serializer_class(self):
        return ApplicationDetailSerializer if self.action != "list" else ApplicationListSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        # The full ID number is shown only to a clerk or admin opening one application.
        context["full_personal_data"] = self.action != "list" and self.request.user.role in (Role.CLERK, Role.ADMIN)
        return context

    def _detail(self, application_id: int, code=status.HTTP_200_OK) -> Response:
        application = self.get_queryset().get(pk=application_id)
        return Response(self._serialize(application), status=code)

    @extend_schema(
        summary="List applications",
        description="A citizen's own applications and their children's; a clerk's, their station's; an employer "
        "agent's, their rosters'; newest first. ID numbers are masked.",
        responses=OpenApiResponse(ApplicationListSerializer(many=True), description="A page of applications."),
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Read an application",
        description="Its status, what happens next and by when, the timeline, the expected dates, what to correct "
        "when it was returned, and the events you may fire now (`allowed_events`). A clerk or admin sees the full "
        "ID number (the read is audited).",
        responses={200: DETAIL},
        examples=[DETAIL_EXAMPLE],
    )
    def retrieve(self, request, pk=None):
        return Response(self._serialize(self.get_object()))

    def _serialize(self, application) -> dict:
        context = self.get_serializer_context()
        if context["full_personal_data"]:
            record_personal_data_read(
                self.request, application, id_number=application.person.id_number, what="API application detail"
            )
        return self.get_serializer_class()(application, context=context).data

    @extend_schema(
        summary="Apply for a card",
        description="A citizen applies online for themself or, as guardian, for a child under 16 (rule 16). The "
        "application starts as a draft: upload the photo (and the proof of guardianship) and submit, or send "
        "`submit: true` when no photo is needed. One person has at most one open application (409).",
        request=ApplicationCreateSerializer,
        responses={201: OpenApiResponse(ApplicationDetailSerializer, description="The new application.")},
        examples=[APPLY_EXAMPLE, APPLY_FOR_A_CHILD_EXAMPLE, DETAIL_EXAMPLE],
    )
    @idempotent
    def create(self, request):
        if request.user.role != Role.CITIZEN:
            raise NotPermitted(_("Only citizens apply online; clerks take applications at the counter."))
        serializer = ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            if data["relationship"] == Relationship.SELF:
                holder = services.own_person(request.user)
            else:
                holder = services.find_or_create_person(name=data["holder_name"], id_number=data["holder_id_number"])
            application = services.start_application(
                actor=request.user,
                holder=holder,
                relationship=data["relationship"],
                station=data["station"],
                insurance_type=data["insurance_type"],
                household_city=data["household_city"],
                address=data["address"],
                phone=data["phone"],
            )
            if data["submit"]:
                services.submit_application(application.pk, actor=request.user)
        return self._detail(application.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Correct an application",
        description="Change the fields a draft or a returned application may change; anything else (status, "
        "station of a submitted one ...) is refused with 400.",
        request=ApplicationUpdateSerializer,
        responses={200: DETAIL},
        examples=[OpenApiExample("New address", value={"address": "杭州市上城区望江路100号3幢2单元501室"})],
    )
    def partial_update(self, request, pk=None):
        application = self.get_object()
        serializer = ApplicationUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_application(application.pk, actor=request.user, changes=dict(serializer.validated_data))
        return self._detail(application.pk)

    @extend_schema(
        summary="Upload the ID photo",
        description="Rule 18: a colour JPEG of 358 x 441 px, at most 40 KB, bareheaded on white. It is checked by "
        "content, re-encoded without its EXIF data and stored encrypted. A pre-school child needs none (400).",
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={200: DETAIL},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    @idempotent
    def photo(self, request, pk=None):
        application = self.get_object()
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.attach_photo(application.pk, actor=request.user, upload=serializer.validated_data["photo"])
        return self._detail(application.pk)

    @extend_schema(
        summary="Upload the proof of guardianship",
        description="Rule 16: applying for a child needs a proof of the relationship (JPEG, PNG or PDF).",
        request={"multipart/form-data": ProofUploadSerializer},
        responses={200: DETAIL},
    )
    @action(detail=True, methods=["post"], url_path="guardian-proof", parser_classes=[MultiPartParser])
    @idempotent
    def guardian_proof(self, request, pk=None):
        application = self.get_object()
        serializer = ProofUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.attach_guardian_proof(
            application.pk, actor=request.user, upload=serializer.validated_data["guardian_proof"]
        )
        return self._detail(application.pk)

    def _event(self, request, operation, serializer_class=EmptySerializer, **extra):
        application = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        operation(application.pk, actor=request.user, **serializer.validated_data, **extra)
        return self._detail(application.pk)

    @extend_schema(
        summary="Submit for review",
        description="A draft or a corrected application goes to its station's review queue (answered within 7 "
        "working days, rule 4). A 409 says what is still missing (the photo, the proof ...). After the "
        "information centre or the bank held the details differently, the same details are refused (409 "
        "`same_partner_mismatch`) unless corrected, or unless `corrected_at_partner` says the partner's record "
        "was put right.",
        request=SubmitSerializer,
        responses={200: DETAIL},
        examples=[DETAIL_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def submit(self, request, pk=None):
        return self._event(request, services.submit_application, SubmitSerializer)

    @extend_schema(
        summary="Withdraw an application",
        description="The applicant (or the employer agent of a roster application) withdraws it while it is open "
        "and before the card is made; it becomes `cancelled`.",
        request=None,
        responses={200: DETAIL},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def withdraw(self, request, pk=None):
        return self._event(request, services.withdraw_application)

    @extend_schema(
        summary="Approve (clerk)",
        description="A clerk of the application's station approves a submitted application; it goes on to the "
        "information centre, the bank and the card vendor. A replacement beyond the city's yearly limit (`replacement_"
        "history.needs_review`) needs a `note` of what was checked (400 `review_note_required` without); the decision "
        "is audited.",
        request=ApproveSerializer,
        responses={200: DETAIL},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request, pk=None):
        return self._event(request, services.approve_application, ApproveSerializer)

    @extend_schema(
        summary="Return for correction (clerk)",
        description="A clerk returns a submitted application, saying what to correct; the applicant is told.",
        request=ReturnSerializer,
        responses={200: DETAIL},
        examples=[OpenApiExample("Address", value={"reason_code": "address", "note": "请写到门牌号"})],
    )
    @action(detail=True, methods=["post"], url_path="return")
    @idempotent
    def return_for_correction(self, request, pk=None):
        return self._event(request, services.return_application, ReturnSerializer)

    @extend_schema(
        summary="Cancel (clerk, admin)",
        description="Staff cancel an open application with a reason, from any open status.",
        request=CancelSerializer,
        responses={200: DETAIL},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request, pk=None):
        return self._event(request, services.cancel_application, CancelSerializer)


@extend_schema(tags=["applications"])
class StationQueueView(ListAPIView):
    serializer_class = QueueEntrySerializer

    def get_queryset(self):
        user = self.request.user
        if user.role != Role.CLERK:
            return CardApplication.objects.none()
        return (
            CardApplication.objects.filter(station_id=user.station_id, status=Status.SUBMITTED)
            .exclude(channel=Channel.ROSTER)  # roster rows are reviewed with their batch
            .select_related("person", "station")
            .order_by("submitted_at", "id")
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        policy = CityPolicy.current()
        today = timezone.localdate()
        for application in page:
            application.working_days_waiting, application.review_mark = review_waiting(application, today, policy)
        return page

    @extend_schema(
        summary="The review queue (clerk)",
        description="Submitted applications at the clerk's station (online ones, and replacements beyond the yearly "
        "limit taken at the counter), oldest first, with the Chinese working "
        "days each has waited and a mark against the 7-working-day limit (rule 4). Empty for other roles.",
        responses=OpenApiResponse(QueueEntrySerializer(many=True), description="A page of the queue."),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["window"])
class StationListView(ListAPIView):
    serializer_class = StationSerializer
    permission_classes = [AllowAny]
    authentication_classes = []  # public: a token sent or not changes nothing
    queryset = ServiceStation.objects.filter(is_active=True).order_by("code")

    @extend_schema(
        summary="List service stations",
        description="Stations that take applications: where an application is reviewed and the card collected.",
        responses=OpenApiResponse(StationSerializer(many=True), description="A page of stations."),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["applications"])
class ReturnReasonListView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []  # public: a token sent or not changes nothing

    @extend_schema(
        summary="List return reasons",
        description="Why an application can be returned, the field each asks to correct, and whether a clerk may "
        "choose it (the others come from the partners' checks).",
        responses=OpenApiResponse(ReturnReasonSerializer(many=True), description="Every return reason."),
    )
    def get(self, request):
        return Response(ReturnReasonSerializer(ReturnReasonSerializer.all(), many=True).data)
