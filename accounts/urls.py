from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-in/code/", views.sign_in_with_code, name="sign_in_code"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("phone/", views.phone, name="phone"),
    path("care-mode/", views.care_mode, name="care_mode"),
]
