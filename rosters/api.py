"""The REST API for employer rosters: upload for a dry run, read the report, submit, follow the batch;
clerks confirm a batch's payment. Another employer's batch is a 404."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.idempotency import idempotent
from applications.models import CardApplication, InsuranceType, Status
from sbcard.api import EmptySerializer, ResidentIdInput, StrictInputSerializer
from sbcard.errors import NotPermitted
from sbcard.idnumbers import mask_resident_id

from . import services
from .access import batches_visible_to
from .models import RosterBatch, RosterRow

# Rows per JSON request: about 2 MB of JSON, within the request size limit. Larger rosters: several batches.
MAX_ROWS_PER_REQUEST = 10_000


class StatusCountSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()


class RosterBatchSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=RosterBatch.State.choices, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    stage = serializers.SerializerMethodField(help_text="Where the submitted batch is, in the reader's language.")
    progress_percent = serializers.IntegerField(read_only=True, help_text="How much of the dry run is done.")

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
    column = serializers.CharField(help_text="The template's column (Chinese header), or 照片 for the photo.")
    message = serializers.CharField(help_text="Why the row was refused and how to correct it.")


class RosterRowSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="masked_id_number", read_only=True, help_text="Masked.")
    refusals = RefusalSerializer(many=True, read_only=True)

    class Meta:
        model = RosterRow
        fields = ["line", "name", "id_number", "insurance_type", "accepted", "refusals", "photo_on_file_at_registry"]
        read_only_fields = fields
        extra_kwargs = {
            "line": {"help_text": "The row's number: in a sheet as Excel shows it; in JSON rows, from 1."},
            "photo_on_file_at_registry": {"help_text": "The information centre has the ID photo: none needed."},
        }


class BatchApplicationSerializer(serializers.ModelSerializer):
    line = serializers.IntegerField(source="roster_entry.line", read_only=True)
    reference = serializers.CharField(read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    id_number = serializers.SerializerMethodField(help_text="Masked.")
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


class RosterRowInputSerializer(StrictInputSerializer):
    """One person, as a row of the template. Only the shape is checked here; what the values mean (ID check
    character, phone, duplicates, records on file, the information centre) is the dry run's, row by row."""

    name = serializers.CharField(max_length=60, allow_blank=True, help_text="As on the resident ID card.")
    # Normalised here, judged by the dry run like a file's row (a wrong number refuses the row, not the request).
    id_number = ResidentIdInput(
        validators=[], max_length=64, allow_blank=True, help_text="18-character resident ID number."
    )
    phone = serializers.CharField(max_length=20, allow_blank=True, help_text="A mainland mobile number.")
    insurance_type = serializers.ChoiceField(choices=InsuranceType.choices, help_text="Sets the card's colour.")
    household_city = serializers.CharField(max_length=60, allow_blank=True)
    address = serializers.CharField(max_length=200, allow_blank=True)


class RosterRowsSerializer(StrictInputSerializer):
    rows = RosterRowInputSerializer(
        many=True,
        allow_empty=False,
        max_length=MAX_ROWS_PER_REQUEST,
        help_text=f"The staff, 1 to {MAX_ROWS_PER_REQUEST} rows; row numbers in the report count them from 1.",
    )
    corrects = serializers.IntegerField(required=False, help_text="The batch whose refused rows these rows correct.")


class RowPhotoSerializer(StrictInputSerializer):
    photo = serializers.FileField(
        help_text="The row's ID photo: colour JPEG, 358 x 441 px, at most 40 KB, bareheaded on white (rule 18)."
    )


BATCH = OpenApiResponse(RosterBatchDetailSerializer, description="The batch as it is now.")
ROWS_EXAMPLE = OpenApiExample(
    "Two people",
    value={
        "rows": [
            {
                "name": "张伟",
                "id_number": "11010519491231002X",
                "phone": "13800000001",
                "insurance_type": "urban_employee",
                "household_city": "杭州市",
                "address": "杭州市西湖区文三路100号",
            },
            {
                "name": "李娜",
                "id_number": "330106199001010018",
                "phone": "13800000002",
                "insurance_type": "urban_employee",
                "household_city": "杭州市",
                "address": "杭州市西湖区文三路100号",
            },
        ]
    },
    request_only=True,
)
BATCH_EXAMPLE = OpenApiExample(
    "Checked",
    value={
        "id": 8,
        "reference": "MC2026030200008",
        "state": "checked",
        "state_label": "已预检，尚未提交",
        "stage": "已预检，尚未提交",
        "file_name": "rows.json",
        "file_format": "json",
        "encoding": "utf-8",
        "total_rows": 2,
        "rows_checked": 2,
        "progress_percent": 100,
        "accepted_rows": 1,
        "refused_rows": 1,
        "problem": "",
        "created_at": "2026-03-02T10:00:00+08:00",
        "checked_at": "2026-03-02T10:00:01+08:00",
        "submitted_at": None,
        "submitted_count": 0,
        "fee_reference": "",
        "fee_total_yuan": 0,
        "paid_at": None,
        "pickup_date": None,
        "status_counts": [],
    },
    response_only=True,
)
ROW_EXAMPLE = OpenApiExample(
    "A refused row",
    value={
        "line": 2,
        "name": "李娜",
        "id_number": "330106********0012",
        "insurance_type": "urban_employee",
        "accepted": False,
        "refusals": [
            {
                "column": "照片",
                "message": "缺少照片：市信息服务中心没有此人的证件照片。请为第 2 行上传照片，然后重新检查该批次。",
            }
        ],
        "photo_on_file_at_registry": False,
    },
    response_only=True,
)


@extend_schema(tags=["rosters"])
class RosterBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """An employer's roster batches (a clerk's: their station's)."""

    serializer_class = RosterBatchSerializer
    parser_classes = [MultiPartParser]  # the file upload; the JSON operations say so

    def get_queryset(self):
        return batches_visible_to(self.request.user).order_by("-created_at", "-id")

    def get_serializer_class(self):
        return RosterBatchDetailSerializer if self.action != "list" else RosterBatchSerializer

    def _detail(self, batch_id: int, code=status.HTTP_200_OK) -> Response:
        return Response(RosterBatchDetailSerializer(self.get_queryset().get(pk=batch_id)).data, status=code)

    def _corrected_batch(self, batch_id: int | None) -> RosterBatch | None:
        return self.get_queryset().filter(pk=batch_id).first() if batch_id else None

    @extend_schema(
        summary="List roster batches",
        description="An employer agent's batches (their employer's); a clerk's, their station's; newest first.",
        responses=OpenApiResponse(RosterBatchSerializer(many=True), description="A page of batches."),
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Read a roster batch",
        description="The dry run's progress and counts, or, once submitted, the stage and the applications' "
        "statuses; the fee and the pickup date.",
        responses={200: BATCH},
        examples=[BATCH_EXAMPLE],
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Upload a roster file",
        description="Upload a roster (XLSX or CSV, the template's columns) and a ZIP of photos named by ID number "
        "for a dry run. A small file is checked at once; a large one by a job: poll the batch until `state` is "
        "`checked`. The same file again returns its batch (200).",
        request={"multipart/form-data": RosterUploadSerializer},
        responses={
            201: OpenApiResponse(RosterBatchDetailSerializer, description="A new batch, checked or being checked."),
            200: OpenApiResponse(RosterBatchDetailSerializer, description="This file was uploaded before: its batch."),
        },
    )
    @idempotent
    def create(self, request):
        serializer = RosterUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        batch, is_new = services.upload_roster(
            actor=request.user,
            roster=data["roster"],
            photos=data.get("photos"),
            corrects=self._corrected_batch(data.get("corrects")),
        )
        return self._detail(batch.pk, status.HTTP_201_CREATED if is_new else status.HTTP_200_OK)

    @extend_schema(
        operation_id="roster_batches_create_from_rows",
        summary="Send a roster as JSON rows",
        description="For HR systems: the staff as JSON rows, checked exactly as an uploaded roster (ID check "
        "character, name, phone, duplicates, people already holding a card or an open application, the information "
        "centre's record, photos): the same dry run and report. Read the report at `GET .../{id}/rows/`; upload a "
        "photo for each row that needs one (`POST .../{id}/rows/{line}/photo/`) and check again (`POST "
        ".../{id}/check/`); then submit the accepted rows. The same rows again return their batch (200).",
        request=RosterRowsSerializer,
        responses={
            201: OpenApiResponse(RosterBatchDetailSerializer, description="A new batch, checked or being checked."),
            200: OpenApiResponse(RosterBatchDetailSerializer, description="These rows were sent before: their batch."),
        },
        examples=[ROWS_EXAMPLE, BATCH_EXAMPLE],
    )
    @action(detail=False, methods=["post"], url_path="rows", parser_classes=[JSONParser])
    @idempotent
    def create_from_rows(self, request):
        serializer = RosterRowsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        batch, is_new = services.upload_roster_rows(
            actor=request.user,
            rows=[dict(row) for row in data["rows"]],
            corrects=self._corrected_batch(data.get("corrects")),
        )
        return self._detail(batch.pk, status.HTTP_201_CREATED if is_new else status.HTTP_200_OK)

    @extend_schema(
        summary="Read the dry-run report",
        description="The batch's rows in order, each accepted or refused with the column and the reason.",
        parameters=[OpenApiParameter("accepted", bool, description="Only accepted (true) or refused (false) rows.")],
        responses=OpenApiResponse(RosterRowSerializer(many=True), description="A page of rows."),
        examples=[ROW_EXAMPLE],
    )
    @action(detail=True, methods=["get"])
    def rows(self, request, pk=None):
        batch = self.get_object()
        rows = RosterRow.objects.filter(batch=batch).order_by("line")
        accepted = request.query_params.get("accepted")
        if accepted in ("true", "false"):
            rows = rows.filter(accepted=accepted == "true")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(RosterRowSerializer(page, many=True).data)

    @extend_schema(
        summary="Upload one row's photo",
        description="The ID photo of the person on row `line` (rule 18: checked at once, 400 if it does not meet "
        "the rules). It is used when the batch is checked again (`POST .../{id}/check/`); a second upload for the "
        "row replaces the first.",
        parameters=[OpenApiParameter("line", int, OpenApiParameter.PATH, description="The row's number.")],
        request={"multipart/form-data": RowPhotoSerializer},
        responses={200: OpenApiResponse(RosterRowSerializer, description="The row (as last checked).")},
    )
    @action(detail=True, methods=["post"], url_path=r"rows/(?P<line>\d+)/photo")
    @idempotent
    def row_photo(self, request, pk=None, line=None):
        batch = self.get_object()
        serializer = RowPhotoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.attach_row_photo(
            batch.pk, actor=request.user, line=int(line), upload=serializer.validated_data["photo"]
        )
        return Response(RosterRowSerializer(row).data)

    @extend_schema(
        summary="Check the batch again",
        description="Runs the dry run again on the stored rows with the photos uploaded since, and returns the "
        "batch (a large one is checked by a job: poll until `state` is `checked`).",
        request=None,
        responses={200: BATCH},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    @idempotent
    def check(self, request, pk=None):
        batch = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        services.check_batch_again(batch.pk, actor=request.user)
        return self._detail(batch.pk)

    @extend_schema(
        summary="List the batch's applications",
        description="Each person of a submitted batch and their application's status, in row order.",
        parameters=[
            OpenApiParameter("status", str, enum=Status.values, description="Only applications in this status.")
        ],
        responses=OpenApiResponse(BatchApplicationSerializer(many=True), description="A page of applications."),
    )
    @action(detail=True, methods=["get"])
    def applications(self, request, pk=None):
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

    @extend_schema(
        summary="Submit the accepted rows",
        description="The accepted rows become applications, submitted together in one transaction; the refused "
        "rows can be corrected and sent as a new batch (`corrects`). A roster sent twice is recognised (409).",
        request=None,
        responses={200: BATCH},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    @idempotent
    def submit(self, request, pk=None):
        batch = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        services.submit_batch(batch.pk, actor=request.user)
        return self._detail(batch.pk)

    @extend_schema(
        summary="Confirm a batch's payment (clerk)",
        description="Rule 6: a clerk of the batch's station confirms its card fee was paid (the bank's callback "
        "does the same); production starts.",
        request=None,
        responses={200: BATCH},
    )
    @action(detail=True, methods=["post"], url_path="confirm-payment", parser_classes=[JSONParser])
    @idempotent
    def confirm_payment(self, request, pk=None):
        batch = self.get_object()
        if not request.user.is_clerk:
            raise NotPermitted(_("Only a clerk of the batch's station confirms a payment."))
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        services.confirm_payment(batch.pk, actor=request.user, channel="clerk")
        return self._detail(batch.pk)
