from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from sbcard.idnumbers import ResidentIdField
from sbcard.validators import validate_mobile_phone, validate_person_name


class SignUpForm(forms.Form):
    name = forms.CharField(
        label=_("Name (as on the resident ID card)"), max_length=60, validators=[validate_person_name]
    )
    id_number = ResidentIdField(label=_("Resident ID number"))
    phone = forms.CharField(label=_("Mobile phone"), max_length=11, validators=[validate_mobile_phone])
    code = forms.CharField(label=_("SMS verification code"), max_length=6, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False, required=False)
    password_again = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False, required=False)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Mobile phone"), max_length=11, validators=[validate_mobile_phone])


class PhoneCodeForm(PhoneForm):
    code = forms.CharField(label=_("SMS verification code"), max_length=6)


class SignInForm(AuthenticationForm):
    username = forms.CharField(label=_("Mobile phone or user name"), max_length=150)
