"""Forms for the e-card pages. They check shapes; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sbcard.idnumbers import ResidentIdField
from sbcard.jws import MAX_TOKEN_LENGTH
from sbcard.validators import validate_person_name

from .models import FamilyLink


class RelativeForm(forms.Form):
    name = forms.CharField(label=_("Relative's name"), max_length=60, validators=[validate_person_name])
    id_number = ResidentIdField(label=_("Relative's resident ID number"))
    relationship = forms.ChoiceField(label=_("They are your"), choices=FamilyLink.Relationship.choices)


class ConsentCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code your relative received"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        help_text=_("Six digits, sent by SMS to the phone on file for your relative; valid for 10 minutes."),
    )


class CheckForm(forms.Form):
    code = forms.CharField(
        label=_("E-card code"),
        max_length=MAX_TOKEN_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}),
        help_text=_("Scan the QR code on the holder's phone with the scanner (it types the code here), then Enter."),
    )
