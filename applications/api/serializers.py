"""API shapes. Input serializers check shapes only; the services decide."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import ServiceStation
from applications.models import CardApplication, InsuranceType, Relationship, Status
from applications.progress import NEXT_STEP, correction_request, current_step_deadline, forecast, timeline
from applications.reasons import CLERK_RETURN_REASON_CODES, RETURN_REASONS
from applications.services import latest_return
from applications.workdays import provisional_note
from applications.workflow import allowed_events
from sbcard.api import ResidentIdInput
from sbcard.idnumbers import mask_resident_id
from sbcard.validators import validate_mobile_phone, validate_person_name

NAME_ERRORS = {
    "blank": _("Enter the name exactly as on the resident ID card."),
    "required": _("Enter the name exactly as on the resident ID card."),
}


class StrictInputSerializer(serializers.Serializer):
    """Refuses fields it does not know, so `{"status": "collected"}` is a clear 400, not silently dropped."""

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields)) if hasattr(self.initial_data, "keys") else []
        if unknown:
            raise serializers.ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
        return attrs


class StationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceStation
        fields = ["id", "code", "name", "district", "address", "phone", "opening_hours"]


class HolderSerializer(serializers.Serializer):
    name = serializers.CharField()
    id_number = serializers.SerializerMethodField()
    birth_date = serializers.DateField()
    sex = serializers.CharField()

    @extend_schema_field(serializers.CharField())
    def get_id_number(self, person) -> str:
        if self.context.get("full_personal_data"):
            return person.id_number
        return mask_resident_id(person.id_number)


class TimelineEntrySerializer(serializers.Serializer):
    time = serializers.DateTimeField()
    label = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    reason = serializers.CharField()
    by_role = serializers.CharField()


class StepSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    expected_date = serializers.DateField(allow_null=True)
    expected_date_note = serializers.SerializerMethodField(
        help_text=_("Says when the date is provisional: its year's holidays are not published yet.")
    )
    state = serializers.CharField()

    def get_expected_date_note(self, step) -> str:
        return provisional_note(step.expected_date) if step.expected_date else ""


class CorrectionSerializer(serializers.Serializer):
    reason_code = serializers.CharField()
    reason = serializers.CharField()
    field = serializers.CharField()
    time = serializers.DateTimeField()
    partner = serializers.CharField(
        help_text=_(
            "registry or bank when that partner holds the details differently: instead of correcting the "
            "application, the applicant may have the partner correct its record and submit with corrected_at_partner."
        )
    )


class SubmitSerializer(StrictInputSerializer):
    corrected_at_partner = serializers.BooleanField(
        default=False,
        help_text=_(
            "After a registry or bank mismatch: the applicant had the partner correct its record, so the "
            "unchanged application goes again."
        ),
    )


class ApplicationListSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    holder = HolderSerializer(source="person", read_only=True)
    station = StationSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    card_colour = serializers.CharField(read_only=True)
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = CardApplication
        fields = [
            "id",
            "reference",
            "holder",
            "kind",
            "channel",
            "station",
            "status",
            "status_label",
            "insurance_type",
            "card_colour",
            "relationship",
            "submitted_at",
            "status_changed_at",
            "created_at",
            "has_photo",
        ]
        read_only_fields = fields

    def get_has_photo(self, application) -> bool:
        return application.photo_id is not None


class ApplicationDetailSerializer(ApplicationListSerializer):
    household_city = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    next_step = serializers.SerializerMethodField()
    current_step_deadline = serializers.SerializerMethodField()
    current_step_deadline_note = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    forecast = serializers.SerializerMethodField()
    correction = serializers.SerializerMethodField()
    allowed_events = serializers.SerializerMethodField()

    class Meta(ApplicationListSerializer.Meta):
        fields = ApplicationListSerializer.Meta.fields + [
            "household_city",
            "address",
            "phone",
            "next_step",
            "current_step_deadline",
            "current_step_deadline_note",
            "timeline",
            "forecast",
            "correction",
            "allowed_events",
        ]
        read_only_fields = fields

    def get_next_step(self, application) -> str:
        return str(NEXT_STEP.get(application.status, ""))

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_current_step_deadline(self, application):
        return current_step_deadline(application)

    def get_current_step_deadline_note(self, application) -> str:
        deadline = current_step_deadline(application)
        return provisional_note(deadline) if deadline else ""

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, application):
        return TimelineEntrySerializer(timeline(application), many=True).data

    @extend_schema_field(StepSerializer(many=True))
    def get_forecast(self, application):
        return StepSerializer(forecast(application), many=True).data

    @extend_schema_field(CorrectionSerializer(allow_null=True))
    def get_correction(self, application):
        correction = correction_request(latest_return(application))
        return CorrectionSerializer(correction).data if correction else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_events(self, application):
        return allowed_events(application, self.context["request"].user)


class ApplicationCreateSerializer(StrictInputSerializer):
    """Apply for yourself (leave the holder fields out) or, as guardian, for a child under 16."""

    insurance_type = serializers.ChoiceField(choices=InsuranceType.choices)
    station = serializers.PrimaryKeyRelatedField(queryset=ServiceStation.objects.filter(is_active=True))
    household_city = serializers.CharField(max_length=60)
    address = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=11, validators=[validate_mobile_phone])
    relationship = serializers.ChoiceField(choices=Relationship.choices, default=Relationship.SELF)
    holder_name = serializers.CharField(
        max_length=60, required=False, validators=[validate_person_name], error_messages=NAME_ERRORS
    )
    holder_id_number = ResidentIdInput(required=False)
    photo = serializers.FileField(required=False)
    guardian_proof = serializers.FileField(required=False)
    submit = serializers.BooleanField(default=False, help_text=_("Submit at once instead of keeping a draft."))

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs["relationship"] != Relationship.SELF:
            missing = {
                name: [_("Required when applying for a child.")]
                for name in ("holder_name", "holder_id_number", "guardian_proof")
                if not attrs.get(name)
            }
            if missing:
                raise serializers.ValidationError(missing)
        elif attrs.get("holder_id_number") or attrs.get("holder_name"):
            raise serializers.ValidationError(
                {"relationship": [_("Choose your relationship to the child you are applying for.")]}
            )
        return attrs


class ApplicationUpdateSerializer(StrictInputSerializer):
    name = serializers.CharField(
        max_length=60, required=False, validators=[validate_person_name], error_messages=NAME_ERRORS
    )
    insurance_type = serializers.ChoiceField(choices=InsuranceType.choices, required=False)
    station = serializers.PrimaryKeyRelatedField(queryset=ServiceStation.objects.filter(is_active=True), required=False)
    household_city = serializers.CharField(max_length=60, required=False)
    address = serializers.CharField(max_length=200, required=False)
    phone = serializers.CharField(max_length=11, required=False, validators=[validate_mobile_phone])


class PhotoUploadSerializer(StrictInputSerializer):
    photo = serializers.FileField()


class ProofUploadSerializer(StrictInputSerializer):
    guardian_proof = serializers.FileField()


class ReturnSerializer(StrictInputSerializer):
    reason_code = serializers.ChoiceField(choices=CLERK_RETURN_REASON_CODES)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CancelSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=500)


class EmptySerializer(StrictInputSerializer):
    pass


class ReturnReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    field = serializers.CharField()
    clerk_can_choose = serializers.BooleanField()

    @staticmethod
    def all():
        return [
            {
                "code": r.code,
                "label": str(r.label),
                "field": r.field,
                "clerk_can_choose": r.code in CLERK_RETURN_REASON_CODES,
            }
            for r in RETURN_REASONS
        ]


class QueueEntrySerializer(ApplicationListSerializer):
    working_days_waiting = serializers.IntegerField(read_only=True)
    review_mark = serializers.ChoiceField(choices=["ok", "near", "overdue"], read_only=True)

    class Meta(ApplicationListSerializer.Meta):
        fields = ApplicationListSerializer.Meta.fields + ["working_days_waiting", "review_mark"]
        read_only_fields = fields


STATUS_CHOICES = Status.choices
