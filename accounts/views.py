from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import client_address
from sbcard.errors import DomainError

from .care_mode import adopt_browser_choice, remember_choice
from .forms import PhoneCodeForm, PhoneForm, SignInForm
from .models import PhoneCode, Role
from .phone_codes import send_code
from .services import change_phone


def home(request):
    user = request.user
    if user.is_authenticated:
        if user.role == Role.CITIZEN:
            return redirect("applications:mine")
        if user.role == Role.CLERK:
            return redirect("applications:station_queue")
        if user.role == Role.VERIFIER:
            return redirect("ecards:verify")
        if user.is_city_admin:
            return redirect("admin:index")
    return render(request, "home.html")


def send_code_to(request, form, phone: str, purpose: str) -> bool:
    """Send an SMS code and say so on the page; a refusal goes onto the form."""
    try:
        code = send_code(phone=phone, purpose=purpose, client_address=client_address(request) or "unknown")
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error.message))
        return False
    messages.success(
        request, _("A verification code has been sent to %(phone)s.") % {"phone": phone[:3] + "****" + phone[-4:]}
    )
    if settings.SHOW_SMS_CODES_FOR_DEMO:
        messages.info(request, _("Demo only: the code is %(code)s.") % {"code": code})
    return True


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        adopt_browser_choice(self.request, form.get_user())
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def sign_in_with_code(request):
    """Citizens sign in with their mobile phone and a code sent to it."""
    form = PhoneCodeForm(request.POST or None) if request.POST.get("action") != "send_code" else PhoneForm(request.POST)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        if request.POST.get("action") == "send_code":
            send_code_to(request, form, phone, PhoneCode.Purpose.SIGN_IN)
            return render(request, "accounts/sign_in_code.html", {"form": PhoneCodeForm(initial={"phone": phone})})
        user = authenticate(request, phone=phone, code=form.cleaned_data["code"], username=phone)
        if user is not None:
            login(request, user)
            adopt_browser_choice(request, user)
            return redirect("home")
        form.add_error("code", _("The verification code is wrong or has expired; ask for a new one."))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/sign_in_code.html", {"form": form}, status=status)


@login_required
def phone(request):
    """Change the mobile phone: confirmed by a code sent to the new number."""
    form = PhoneCodeForm(request.POST or None) if request.POST.get("action") != "send_code" else PhoneForm(request.POST)
    if request.method == "POST" and form.is_valid():
        new_phone = form.cleaned_data["phone"]
        if request.POST.get("action") == "send_code":
            send_code_to(request, form, new_phone, PhoneCode.Purpose.CHANGE_PHONE)
            return render(request, "accounts/phone.html", {"form": PhoneCodeForm(initial={"phone": new_phone})})
        try:
            change_phone(request.user, new_phone=new_phone, code=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("Your mobile phone has been changed."))
            return redirect("home")
    return render(request, "accounts/phone.html", {"form": form}, status=400 if request.method == "POST" else 200)


@require_POST
def care_mode(request):
    """The header's care mode (关怀模式) switch: back to the page it was pressed on, drawn for the new mode."""
    on = request.POST.get("care_mode") == "on"
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    remember_choice(request, response, on=on)
    return response
