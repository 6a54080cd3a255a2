"""API shapes. Input serializers check shapes only; the services decide."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import ServiceStation
from applications.models import CardApplication, CardColour, InsuranceType, Relationship, Status
from applications.progress import NEXT_STEP, correction_request, current_step_deadline, forecast, timeline
from applications.reasons import CLERK_RETURN_REASON_CODES, RETURN_REASONS
from applications.replacements import replacement_history
from applications.services import latest_return
from applications.workdays import provisional_note
from applications.workflow import allowed_events
from sbcard.api import ResidentIdInput, StrictInputSerializer
from sbcard.idnumbers import mask_resident_id
from sbcard.validators import validate_mobile_phone, validate_person_name

NAME_ERRORS = {
    "blank": _("Enter the name exactly as on the resident ID card."),
    "required": _("Enter the name exactly as on the resident ID card."),
}


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
    label = serializers.CharField(help_text="What happened, in the reader's language.")
    status = serializers.ChoiceField(choices=Status.choices, help_text="The status it led to.")
    status_label = serializers.CharField()
    reason = serializers.CharField(help_text="Why, when the step was a return or a refusal.")
    by_role = serializers.CharField(help_text="Who did it: citizen, clerk, employer_agent, admin or system.")


STEP_STATES = [("done", "Done"), ("current", "Happening now"), ("upcoming", "Still to come")]


class StepSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    label = serializers.CharField()
    expected_date = serializers.DateField(allow_null=True, help_text="When the step is expected to be done.")
    expected_date_note = serializers.SerializerMethodField(
        help_text="Says so when the date is provisional: its year's holidays are not published yet."
    )
    state = serializers.ChoiceField(choices=STEP_STATES)

    def get_expected_date_note(self, step) -> str:
        return provisional_note(step.expected_date) if step.expected_date else ""


class CorrectionSerializer(serializers.Serializer):
    reason_code = serializers.CharField(help_text="One of GET /api/v1/return-reasons/.")
    reason = serializers.CharField(help_text="The reason and the clerk's note, in the reader's language.")
    field = serializers.CharField(help_text="The field to correct.")
    time = serializers.DateTimeField()
    partner = serializers.CharField(
        help_text="`registry` or `bank` when that partner holds the details differently: instead of correcting "
        "the application, the applicant may have the partner correct its record and submit with "
        "`corrected_at_partner`; empty otherwise."
    )


class SubmitSerializer(StrictInputSerializer):
    corrected_at_partner = serializers.BooleanField(
        default=False,
        help_text="After a registry or bank mismatch: the applicant had the partner correct its record, so the "
        "unchanged application goes again (the clerk sees the statement).",
    )


class ApplicationListSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    holder = HolderSerializer(source="person", read_only=True)
    station = StationSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    card_colour = serializers.ChoiceField(choices=CardColour.choices, read_only=True)
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


class EarlierReplacementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    created_at = serializers.DateTimeField()
    station = serializers.CharField(source="station.name")
    status = serializers.ChoiceField(choices=Status.choices)


class ReplacementHistorySerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="Which replacement within 12 months this one is (1 for the first).")
    limit = serializers.IntegerField(help_text="Replacements the city allows in 12 months without a review.")
    needs_review = serializers.BooleanField(help_text="Beyond the limit: a clerk reviews it with this history.")
    earlier = EarlierReplacementSerializer(many=True, help_text="The other replacements in the 12 months before it.")


class ApplicationDetailSerializer(ApplicationListSerializer):
    household_city = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    next_step = serializers.SerializerMethodField()
    current_step_deadline = serializers.SerializerMethodField()
    current_step_deadline_note = serializers.SerializerMethodField(
        help_text="Says so when the date is provisional: its year's holidays are not published yet."
    )
    timeline = serializers.SerializerMethodField()
    forecast = serializers.SerializerMethodField()
    correction = serializers.SerializerMethodField()
    allowed_events = serializers.SerializerMethodField()
    replacement_history = serializers.SerializerMethodField(
        help_text="For a replacement: the holder's replacements in 12 months (SSA's count); null otherwise."
    )

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
            "replacement_history",
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

    @extend_schema_field(ReplacementHistorySerializer(allow_null=True))
    def get_replacement_history(self, application):
        history = replacement_history(application)
        return ReplacementHistorySerializer(history).data if history else None


class ApplicationCreateSerializer(StrictInputSerializer):
    """Apply for yourself (leave the holder fields out) or, as guardian, for a child under 16. The photo and the
    proof of guardianship are uploaded afterwards (multipart), before submitting."""

    insurance_type = serializers.ChoiceField(
        choices=InsuranceType.choices, help_text="Sets the card's colour (rule 11)."
    )
    station = serializers.PrimaryKeyRelatedField(
        queryset=ServiceStation.objects.filter(is_active=True),
        help_text="Where the application is reviewed and the card collected (GET /api/v1/stations/).",
    )
    household_city = serializers.CharField(max_length=60, help_text="The city of the household registration.")
    address = serializers.CharField(max_length=200, help_text="Contact address, down to the door number.")
    phone = serializers.CharField(max_length=11, validators=[validate_mobile_phone], help_text="Contact mobile.")
    relationship = serializers.ChoiceField(
        choices=Relationship.choices,
        default=Relationship.SELF,
        help_text="`self`, or how you are related to the child you apply for.",
    )
    holder_name = serializers.CharField(
        max_length=60,
        required=False,
        validators=[validate_person_name],
        error_messages=NAME_ERRORS,
        help_text="The child's name (applying for a child only).",
    )
    holder_id_number = ResidentIdInput(
        required=False, help_text="The child's resident ID number (applying for a child only)."
    )
    submit = serializers.BooleanField(
        default=False,
        help_text="Submit at once instead of keeping a draft (needs no photo: for a pre-school child, or when "
        "the information centre has the ID photo).",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs["relationship"] != Relationship.SELF:
            missing = {
                name: [_("Required when applying for a child.")]
                for name in ("holder_name", "holder_id_number")
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
    photo = serializers.FileField(
        help_text="Colour JPEG, 358 x 441 px, at most 40 KB, white background, bareheaded (rule 18)."
    )


class ProofUploadSerializer(StrictInputSerializer):
    guardian_proof = serializers.FileField(
        help_text="The household book page or birth certificate: JPEG, PNG or PDF (rule 16)."
    )


class ReturnSerializer(StrictInputSerializer):
    reason_code = serializers.ChoiceField(
        choices=[(reason.code, reason.label) for reason in RETURN_REASONS if reason.code in CLERK_RETURN_REASON_CODES],
        help_text="What to correct (GET /api/v1/return-reasons/ lists them with the field each names).",
    )
    note = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="Details for the applicant."
    )


class ApproveSerializer(StrictInputSerializer):
    note = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the clerk checked. Required for a replacement beyond the city's yearly limit (the fourth "
        "within 12 months by default): the decision is audited.",
    )


class CancelSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=500, help_text="Why the application is cancelled.")


class ReturnReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(help_text="In the reader's language.")
    field = serializers.CharField(help_text="The application field the applicant must correct.")
    clerk_can_choose = serializers.BooleanField(help_text="False for reasons only the partners' checks give.")

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
    review_mark = serializers.ChoiceField(
        choices=[
            ("ok", "Within the 7-working-day limit"),
            ("near", "Close to the limit"),
            ("overdue", "Past the limit"),
        ],
        read_only=True,
        help_text="Against the 7-working-day review limit (rule 4).",
    )

    class Meta(ApplicationListSerializer.Meta):
        fields = ApplicationListSerializer.Meta.fields + ["working_days_waiting", "review_mark"]
        read_only_fields = fields


STATUS_CHOICES = Status.choices
