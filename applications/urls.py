from django.urls import path, re_path

from . import callbacks, sign_up, views

app_name = "applications"

urlpatterns = [
    path("accounts/sign-up/", sign_up.sign_up, name="sign_up"),
    # The card vendor calls this address (kept from before the callback moved here).
    path("partners/callbacks/vendor/", callbacks.vendor_callback, name="vendor_callback"),
    path("me/", views.my_applications, name="mine"),
    path("apply/", views.apply, name="apply"),
    path("applications/<int:application_id>/", views.application_detail, name="detail"),
    path("applications/<int:application_id>/photo/", views.application_photo, name="photo"),
    path("applications/<int:application_id>/guardian-proof/", views.guardian_proof, name="guardian_proof"),
    # Only submit and withdraw: other paths under an application belong to other apps (proxy, certificate).
    re_path(
        r"^applications/(?P<application_id>\d+)/(?P<event>submit|withdraw)/$",
        views.citizen_action,
        name="citizen_action",
    ),
    path("station/queue/", views.station_queue, name="station_queue"),
    path("station/applications/", views.station_applications, name="station_applications"),
    path("station/applications/<int:application_id>/", views.review, name="review"),
    path("staff/escalations/", views.escalations, name="escalations"),
    re_path(
        r"^staff/partner-failures/(?P<failure_id>\d+)/(?P<action>send-again|handled)/$",
        views.partner_failure_action,
        name="partner_failure_action",
    ),
]
