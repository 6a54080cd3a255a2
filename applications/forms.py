"""Web forms. They check shapes; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ServiceStation
from sbcard.idnumbers import ResidentIdField
from sbcard.validators import validate_mobile_phone, validate_person_name

from .models import InsuranceType, Relationship
from .photos import photo_rules_text
from .reasons import CLERK_RETURN_REASON_CODES, RETURN_REASONS_BY_CODE


class ApplicationForm(forms.Form):
    insurance_type = forms.ChoiceField(
        label=_("Insurance type"),
        choices=InsuranceType.choices,
        help_text=_("It sets the card colour: blue for employees, green for residents, red for retired cadres."),
    )
    station = forms.ModelChoiceField(
        label=_("Service station for review and pickup"),
        queryset=ServiceStation.objects.filter(is_active=True),
        empty_label=None,
    )
    household_city = forms.CharField(label=_("Household registration city"), max_length=60)
    address = forms.CharField(label=_("Address"), max_length=200)
    phone = forms.CharField(label=_("Mobile phone"), max_length=11, validators=[validate_mobile_phone])
    photo = forms.FileField(
        label=_("ID photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg", "data-photo-check": "1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].help_text = photo_rules_text()


class WardApplicationForm(ApplicationForm):
    """A guardian applying for a child under 16 (rule 16)."""

    holder_name = forms.CharField(label=_("Child's name"), max_length=60, validators=[validate_person_name])
    holder_id_number = ResidentIdField(label=_("Child's resident ID number"))
    relationship = forms.ChoiceField(
        label=_("Your relationship to the child"),
        choices=[c for c in Relationship.choices if c[0] != Relationship.SELF],
    )
    guardian_proof = forms.FileField(
        label=_("Proof of the relationship"),
        help_text=_("Household register page, birth certificate or guardianship document: JPEG, PNG or PDF."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )
    field_order = ["holder_name", "holder_id_number", "relationship", "guardian_proof"]


class CorrectionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60, validators=[validate_person_name])
    insurance_type = forms.ChoiceField(label=_("Insurance type"), choices=InsuranceType.choices)
    household_city = forms.CharField(label=_("Household registration city"), max_length=60)
    address = forms.CharField(label=_("Address"), max_length=200)
    phone = forms.CharField(label=_("Mobile phone"), max_length=11, validators=[validate_mobile_phone])
    photo = forms.FileField(
        label=_("New ID photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg", "data-photo-check": "1"}),
    )
    guardian_proof = forms.FileField(label=_("New proof of the relationship"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].help_text = photo_rules_text()


class ReturnForm(forms.Form):
    reason_code = forms.ChoiceField(
        label=_("Reason"),
        choices=[(code, RETURN_REASONS_BY_CODE[code].label) for code in CLERK_RETURN_REASON_CODES],
    )
    note = forms.CharField(
        label=_("Note to the citizen"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class NameProxyForm(forms.Form):
    """Who will collect the card for the holder (named online, checked at the pickup desk)."""

    name = forms.CharField(label=_("Proxy's name"), max_length=60)
    id_number = ResidentIdField(label=_("Proxy's resident ID number"))
