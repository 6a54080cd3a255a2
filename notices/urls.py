from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("notices/", views.my_notices, name="mine"),
    path("notices/sms/", views.sms_preference, name="sms_preference"),
    path("staff/sms/", views.sms_log, name="sms_log"),
]
