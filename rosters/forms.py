"""Web forms for employers and clerks. They check shapes; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ServiceStation
from sbcard.idnumbers import ResidentIdField

from .models import EmployerDocument

DOCUMENT_ACCEPT = {"accept": "image/jpeg,image/png,application/pdf"}


class EmployerRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Employer's registered name"), max_length=200)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=20)
    station = forms.ModelChoiceField(
        label=_("Service station for the employer's cards"),
        queryset=ServiceStation.objects.filter(is_active=True),
        empty_label=None,
    )
    contact_phone = forms.CharField(label=_("Employer's contact phone"), max_length=30, required=False)
    agent_name = forms.CharField(label=_("Agent's name"), max_length=60)
    agent_phone = forms.CharField(label=_("Agent's mobile phone"), max_length=11)
    agent_username = forms.CharField(label=_("User name for signing in"), max_length=40)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    business_licence = forms.FileField(
        label=EmployerDocument.Kind.BUSINESS_LICENCE.label, widget=forms.ClearableFileInput(attrs=DOCUMENT_ACCEPT)
    )
    agent_id = forms.FileField(
        label=EmployerDocument.Kind.AGENT_ID.label, widget=forms.ClearableFileInput(attrs=DOCUMENT_ACCEPT)
    )
    bank_agreement = forms.FileField(
        label=EmployerDocument.Kind.BANK_AGREEMENT.label, widget=forms.ClearableFileInput(attrs=DOCUMENT_ACCEPT)
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Material"), choices=EmployerDocument.Kind.choices)
    file = forms.FileField(label=_("File (JPEG, PNG or PDF)"), widget=forms.ClearableFileInput(attrs=DOCUMENT_ACCEPT))


class RosterUploadForm(forms.Form):
    roster = forms.FileField(
        label=_("Roster (XLSX or CSV)"),
        help_text=_("Use the template. CSV files may be saved as UTF-8 or GBK."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"}
        ),
    )
    photos = forms.FileField(
        label=_("Photos (one ZIP of JPEG files named by ID number)"),
        required=False,
        help_text=_("Not needed for people whose ID card photo the information centre has."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )


class PickupForm(forms.Form):
    proxy_id_number = ResidentIdField(label=_("Agent's resident ID number (as presented)"))
    authorisation = forms.FileField(
        label=_("The pickup list signed by the agent (scan or photo)"),
        widget=forms.ClearableFileInput(attrs=DOCUMENT_ACCEPT),
    )
