from django.urls import path

from . import callbacks, views

app_name = "issuance"

urlpatterns = [
    # The partner bank calls this address (kept from before the callback moved here).
    path("partners/callbacks/bank/activation/", callbacks.bank_activation_callback, name="bank_activation_callback"),
    path("window/", views.window, name="window"),
    path("window/appointments/", views.appointments, name="appointments"),
    path("window/walk-in/", views.walk_in, name="walk_in"),
    path("window/pickup/", views.pickup_desk, name="pickup_desk"),
    path("window/pickup/<int:application_id>/", views.hand_over, name="hand_over"),
    path("window/pickup/register/<str:batch>/", views.handover_register, name="handover_register"),
    path("window/cards/", views.card_search, name="card_search"),
    path("window/cards/<int:card_id>/", views.card_window, name="card_window"),
    path("cards/", views.my_cards, name="my_cards"),
    path("cards/<int:card_id>/<str:action>/", views.citizen_card_action, name="citizen_card_action"),
    path("applications/<int:application_id>/proxy/", views.name_proxy, name="name_proxy"),
    path("applications/<int:application_id>/certificate.pdf", views.certificate, name="certificate"),
    path("verify/certificate/<str:token>/", views.verify_certificate, name="verify_certificate"),
]
