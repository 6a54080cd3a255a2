"""Forms for the service window and the citizen's card page. They check shapes; the services decide."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import CityPolicy, InsuranceType
from applications.photos import photo_rules_text
from sbcard.idnumbers import ResidentIdField
from sbcard.validators import validate_mobile_phone, validate_person_name

from .models import CardChange, LossReport


class IdSearchForm(forms.Form):
    id_number = ResidentIdField(label=_("Resident ID number"))


class CardSearchForm(forms.Form):
    query = forms.CharField(label=_("Card number or resident ID number"), max_length=30)


class AppointmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60, validators=[validate_person_name])
    id_number = ResidentIdField(label=_("Resident ID number"))
    phone = forms.CharField(label=_("Mobile phone"), max_length=11, validators=[validate_mobile_phone])
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate() + datetime.timedelta(days=1)


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60, validators=[validate_person_name])
    id_number = ResidentIdField(label=_("Resident ID number"))
    phone = forms.CharField(label=_("Mobile phone"), max_length=11, validators=[validate_mobile_phone])
    insurance_type = forms.ChoiceField(label=_("Insurance type"), choices=InsuranceType.choices)
    household_city = forms.CharField(label=_("Household registration city"), max_length=60)
    address = forms.CharField(label=_("Address"), max_length=200)
    photo = forms.FileField(
        label=_("ID photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg", "data-photo-check": "1"}),
    )
    documents_checked = forms.BooleanField(
        label=_("I checked the form against the resident ID card and the household book"), required=False
    )
    appointment = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].help_text = photo_rules_text()


class HandOverForm(forms.Form):
    presented_id_number = ResidentIdField(label=_("ID number on the holder's ID card"), required=False)
    by_proxy = forms.BooleanField(label=_("Collected by a proxy"), required=False)
    proxy_name = forms.CharField(label=_("Proxy's name"), max_length=60, required=False)
    proxy_id_number = ResidentIdField(label=_("Proxy's resident ID number"), required=False)
    proxy_card_number = forms.CharField(
        label=_("or the proxy's social security card number"), max_length=30, required=False
    )
    authorisation = forms.FileField(
        label=_("Signed authorisation (scan or photo)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )


class ActivateForm(forms.Form):
    swipe_limit = forms.IntegerField(label=_("Daily pharmacy swipe limit"), min_value=1, max_value=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["swipe_limit"].initial = CityPolicy.current().default_swipe_limit  # rule 10: the city's


class SwipeLimitForm(forms.Form):
    swipe_limit = forms.IntegerField(label=_("Daily pharmacy swipe limit"), min_value=1, max_value=20)


class OralLossForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Call taken by"),
        choices=[
            (LossReport.Channel.PHONE, LossReport.Channel.PHONE.label),
            (LossReport.Channel.HOTLINE, LossReport.Channel.HOTLINE.label),
        ],
    )
    name = forms.CharField(label=_("Holder's name"), max_length=60)
    id_number = ResidentIdField(label=_("Holder's resident ID number"))
    employer = forms.CharField(label=_("Employer"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


class PresentedIdForm(forms.Form):
    presented_id_number = ResidentIdField(label=_("ID number on the holder's ID card"))


class ReplacementForm(PresentedIdForm):
    proxy_name = forms.CharField(label=_("Proxy's name (if a proxy applies)"), max_length=60, required=False)
    proxy_id_number = ResidentIdField(label=_("Proxy's resident ID number"), required=False)
    issue_now = forms.BooleanField(label=_("Print the new card here now (立等可取)"), required=False)


class ExchangeForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why"),
        choices=[(value, label) for value, label in CardChange.Reason.choices if value != CardChange.Reason.LOST],
    )
    new_name = forms.CharField(
        label=_("New name (after the insurance record was corrected)"), max_length=60, required=False
    )
    new_id_number = ResidentIdField(label=_("New resident ID number"), required=False)
