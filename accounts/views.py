from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sbcard.errors import DomainError

from .forms import SignInForm, SignUpForm
from .models import Role
from .services import sign_up_citizen


def home(request):
    user = request.user
    if user.is_authenticated:
        if user.role == Role.CITIZEN:
            return redirect("applications:mine")
        if user.role == Role.CLERK:
            return redirect("applications:station_queue")
        if user.is_city_admin:
            return redirect("admin:index")
    return render(request, "home.html")


def sign_up(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = sign_up_citizen(
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
                password=data["password"],
                language=get_language() or "zh-hans",
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome. Your account is ready; you can apply for a card now."))
            return redirect("applications:mine")
    return render(request, "accounts/sign_up.html", {"form": form}, status=400 if request.method == "POST" else 200)


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response
