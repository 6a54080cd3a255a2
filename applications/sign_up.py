"""The citizen's sign-up page: an account confirmed by an SMS code, linked to the person with that ID number."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.care_mode import adopt_browser_choice
from accounts.forms import SignUpForm
from accounts.models import PhoneCode
from accounts.views import send_code_to
from sbcard.errors import DomainError
from sbcard.idnumbers import tell_upgrades

from . import services


def sign_up(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tell_upgrades(request, form)
        if request.POST.get("action") == "send_code":
            send_code_to(request, form, data["phone"], PhoneCode.Purpose.SIGN_UP)
            return render(request, "accounts/sign_up.html", {"form": form, "code_sent": True})
        if not data.get("code"):
            form.add_error("code", _("Enter the code sent to your phone (press “Send code” first)."))
        elif not data.get("password"):
            form.add_error("password", _("Choose a password."))
        else:
            try:
                user = services.sign_up_citizen(
                    name=data["name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    password=data["password"],
                    code=data["code"],
                    language=get_language() or "zh-hans",
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error.message))
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                adopt_browser_choice(request, user)
                messages.success(request, _("Welcome. Your account is ready; you can apply for a card now."))
                return redirect("applications:mine")
    return render(request, "accounts/sign_up.html", {"form": form}, status=400 if request.method == "POST" else 200)
