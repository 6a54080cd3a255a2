"""The REST API for employer rosters: upload for a dry run, read the report, submit, follow the batch;
clerks confirm a batch's payment. Another employer's batch is a 404."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from applications.api.serializers import StrictInputSerializer
from applications.models import CardApplication, Status
from sbcard.api import ErrorSerializer
from sbcard.errors import NotPermitted
from sbcard.idnumbers import mask_resident_id

from . import services
from .access import batches_visible_to
from .models import RosterBatch, RosterRow

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input: the message says which field and why."),
    403: OpenApiResponse(ErrorSerializer, description="Your role may not do this."),
    404: OpenApiResponse(ErrorSerializer, description="No such batch for you."),
    409: OpenApiResponse(ErrorSerializer, description="Not possible in the batch's current state."),
}


class StatusCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class RosterBatchSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    # Plain text, not an enum: another component has a "state" enum too (checking, checked, unreadable, submitted).
    state = serializers.CharField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    stage = serializers.SerializerMethodField()
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = RosterBatch
        fields = [
            "id",
            "reference",
            "state",
            "state_label",
            "stage",
            "file_name",
            "file_format",
            "encoding",
            "total_rows",
            "rows_checked",
            "progress_percent",
            "accepted_rows",
            "refused_rows",
            "problem",
            "created_at",
            "checked_at",
            "submitted_at",
            "submitted_count",
            "fee_reference",
            "fee_total_yuan",
            "paid_at",
            "pickup_date",
        ]
        read_only_fields = fields

    def get_stage(self, batch) -> str:
        return str(services.batch_stage(batch)[0])


class RosterBatchDetailSerializer(RosterBatchSerializer):
    status_counts = serializers.SerializerMethodField()

    class Meta(RosterBatchSerializer.Meta):
        fields = RosterBatchSerializer.Meta.fields + ["status_counts"]
        read_only_fields = fields

    @extend_schema_field(StatusCountSerializer(many=True))
    def get_status_counts(self, batch) -> list[dict]:
        counts = services.status_counts(batch) if batch.is_submitted else {}
        return [
            {"status": code, "label": str(Status(code).label), "count": counts[code]}
            for code in Status.values
            if counts.get(code)
        ]


class RefusalSerializer(serializers.Serializer):
    column = serializers.CharField()
    message = serializers.CharField()


class RosterRowSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="masked_id_number", read_only=True)
    refusals = RefusalSerializer(many=True, read_only=True)

    class Meta:
        model = RosterRow
        fields = ["line", "name", "id_number", "insurance_type", "accepted", "refusals", "photo_on_file_at_registry"]
        read_only_fields = fields


class BatchApplicationSerializer(serializers.ModelSerializer):
    line = serializers.IntegerField(source="roster_entry.line", read_only=True)
    reference = serializers.CharField(read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    id_number = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = CardApplication
        fields = ["id", "line", "reference", "name", "id_number", "status", "status_label", "status_changed_at"]
        read_only_fields = fields

    def get_id_number(self, application) -> str:
        return mask_resident_id(application.person.id_number)


class RosterUploadSerializer(StrictInputSerializer):
    roster = serializers.FileField(help_text="XLSX or CSV (UTF-8 or GBK/GB18030), the template's columns.")
    photos = serializers.FileField(required=False, help_text="One ZIP of JPEG photos named by ID number.")
    corrects = serializers.IntegerField(required=False, help_text="The batch whose refused rows this file corrects.")


class EmptySerializer(StrictInputSerializer):
    pass


class RosterBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """An employer's roster batches (a clerk's: their station's)."""

    serializer_class = RosterBatchSerializer

    def get_queryset(self):
        return batches_visible_to(self.request.user).order_by("-created_at", "-id")

    def get_serializer_class(self):
        return RosterBatchDetailSerializer if self.action != "list" else RosterBatchSerializer

    def _detail(self, batch_id: int, code=status.HTTP_200_OK) -> Response:
        return Response(RosterBatchDetailSerializer(self.get_queryset().get(pk=batch_id)).data, status=code)

    @extend_schema(
        request={"multipart/form-data": RosterUploadSerializer},
        responses={201: RosterBatchDetailSerializer, 200: RosterBatchDetailSerializer, **ERRORS},
        description="Upload a roster (and a ZIP of photos) for a dry run. A small file is checked at once; a large "
        "one is checked by a job: poll the batch until `state` is `checked`. The same file again returns its batch.",
    )
    def create(self, request):
        serializer = RosterUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        corrects = None
        if data.get("corrects"):
            corrects = self.get_queryset().filter(pk=data["corrects"]).first()
        batch, is_new = services.upload_roster(
            actor=request.user, roster=data["roster"], photos=data.get("photos"), corrects=corrects
        )
        return self._detail(batch.pk, status.HTTP_201_CREATED if is_new else status.HTTP_200_OK)

    @extend_schema(
        parameters=[OpenApiParameter("accepted", bool, description="Only accepted (true) or refused (false) rows.")],
        responses={200: RosterRowSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def rows(self, request, pk=None):
        """The dry-run report, row by row: each refused row with its column and reason."""
        batch = self.get_object()
        rows = RosterRow.objects.filter(batch=batch).order_by("line")
        accepted = request.query_params.get("accepted")
        if accepted in ("true", "false"):
            rows = rows.filter(accepted=accepted == "true")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(RosterRowSerializer(page, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("status", str, description="Only applications in this status.")],
        responses={200: BatchApplicationSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def applications(self, request, pk=None):
        """Each person of a submitted batch and their application's status."""
        batch = self.get_object()
        applications = (
            CardApplication.objects.filter(roster_entry__batch=batch)
            .select_related("person", "roster_entry")
            .order_by("roster_entry__line")
        )
        if request.query_params.get("status") in Status.values:
            applications = applications.filter(status=request.query_params["status"])
        page = self.paginate_queryset(applications)
        return self.get_paginated_response(BatchApplicationSerializer(page, many=True).data)

    @extend_schema(request=None, responses={200: RosterBatchDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the accepted rows as applications, all together."""
        batch = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        services.submit_batch(batch.pk, actor=request.user)
        return self._detail(batch.pk)

    @extend_schema(request=None, responses={200: RosterBatchDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="confirm-payment")
    def confirm_payment(self, request, pk=None):
        """A clerk of the batch's station confirms its fee was paid (rule 6)."""
        batch = self.get_object()
        if not request.user.is_clerk:
            raise NotPermitted(_not_clerk())
        services.confirm_payment(batch.pk, actor=request.user, channel="clerk")
        return self._detail(batch.pk)


def _not_clerk() -> str:
    from django.utils.translation import gettext as _

    return _("Only a clerk of the batch's station confirms a payment.")
