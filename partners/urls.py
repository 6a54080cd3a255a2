from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("callbacks/vendor/", views.vendor_callback, name="vendor_callback"),
    path("callbacks/bank/activation/", views.bank_activation_callback, name="bank_activation_callback"),
]
