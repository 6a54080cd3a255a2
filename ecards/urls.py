from django.urls import path

from . import api, views

app_name = "ecards"

urlpatterns = [
    path("ecard/", views.wallet_page, name="wallet"),
    path("ecard/family/", views.family_page, name="family"),
    path("ecard/verify/", views.verify_page, name="verify"),
    path("ecard/<int:card_id>/", views.ecard_page, name="ecard"),
    # Where a hospital's or pharmacy's system finds the city's public keys to check codes offline.
    path(".well-known/sbcard-ecard-key", api.PublicKeysView.as_view(), name="public_keys"),
]
