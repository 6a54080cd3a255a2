"""The REST API for applications: citizens apply and follow; clerks review their station's queue."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import applications_visible_to
from accounts.models import Role, ServiceStation
from applications import services
from applications.models import CardApplication, Channel, CityPolicy, Relationship, Status
from applications.progress import review_waiting
from audit.services import record_personal_data_read
from sbcard.api import ErrorSerializer
from sbcard.errors import NotPermitted

from .serializers import (
    ApplicationCreateSerializer,
    ApplicationDetailSerializer,
    ApplicationListSerializer,
    ApplicationUpdateSerializer,
    CancelSerializer,
    EmptySerializer,
    PhotoUploadSerializer,
    ProofUploadSerializer,
    QueueEntrySerializer,
    ReturnReasonSerializer,
    ReturnSerializer,
    StationSerializer,
    SubmitSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input: the message says which field and why."),
    403: OpenApiResponse(ErrorSerializer, description="Your role may not do this."),
    404: OpenApiResponse(ErrorSerializer, description="No such application for you."),
    409: OpenApiResponse(ErrorSerializer, description="Not possible in the application's current state."),
}


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

    def retrieve(self, request, pk=None):
        return Response(self._serialize(self.get_object()))

    def _serialize(self, application) -> dict:
        context = self.get_serializer_context()
        if context["full_personal_data"]:
            record_personal_data_read(
                self.request, application, id_number=application.person.id_number, what="API application detail"
            )
        return self.get_serializer_class()(application, context=context).data

    @extend_schema(request=ApplicationCreateSerializer, responses={201: ApplicationDetailSerializer, **ERRORS})
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
            if data.get("photo"):
                services.attach_photo(application.pk, actor=request.user, upload=data["photo"])
            if data.get("guardian_proof"):
                services.attach_guardian_proof(application.pk, actor=request.user, upload=data["guardian_proof"])
            if data["submit"]:
                services.submit_application(application.pk, actor=request.user)
        return self._detail(application.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationUpdateSerializer, responses={200: ApplicationDetailSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        application = self.get_object()
        serializer = ApplicationUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_application(application.pk, actor=request.user, changes=dict(serializer.validated_data))
        return self._detail(application.pk)

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer}, responses={200: ApplicationDetailSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def photo(self, request, pk=None):
        application = self.get_object()
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.attach_photo(application.pk, actor=request.user, upload=serializer.validated_data["photo"])
        return self._detail(application.pk)

    @extend_schema(
        request={"multipart/form-data": ProofUploadSerializer}, responses={200: ApplicationDetailSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="guardian-proof")
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

    @extend_schema(request=SubmitSerializer, responses={200: ApplicationDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._event(request, services.submit_application, SubmitSerializer)

    @extend_schema(request=None, responses={200: ApplicationDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._event(request, services.withdraw_application)

    @extend_schema(request=None, responses={200: ApplicationDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._event(request, services.approve_application)

    @extend_schema(request=ReturnSerializer, responses={200: ApplicationDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_correction(self, request, pk=None):
        return self._event(request, services.return_application, ReturnSerializer)

    @extend_schema(request=CancelSerializer, responses={200: ApplicationDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._event(request, services.cancel_application, CancelSerializer)


class StationQueueView(ListAPIView):
    """The clerk's queue: submitted online applications at their station, oldest first (rule 4)."""

    serializer_class = QueueEntrySerializer

    def get_queryset(self):
        user = self.request.user
        if user.role != Role.CLERK:
            return CardApplication.objects.none()
        return (
            CardApplication.objects.filter(station_id=user.station_id, status=Status.SUBMITTED, channel=Channel.ONLINE)
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


class StationListView(ListAPIView):
    """Stations that take applications: for choosing where to be reviewed and collect the card."""

    serializer_class = StationSerializer
    permission_classes = [AllowAny]
    queryset = ServiceStation.objects.filter(is_active=True).order_by("code")


class ReturnReasonListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ReturnReasonSerializer(many=True))
    def get(self, request):
        return Response(ReturnReasonSerializer(ReturnReasonSerializer.all(), many=True).data)
