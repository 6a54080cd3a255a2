"""Included by sbcard/urls.py under /api/v1/: tokens and SMS codes."""

from django.urls import path

from . import api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("auth/tokens/", api.TokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/<int:token_id>/", api.TokenDetailView.as_view(), name="api-token-detail"),
    path("auth/phone-code/", api.PhoneCodeView.as_view(), name="api-phone-code"),
]
