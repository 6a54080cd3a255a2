"""Included by sbcard/urls.py at the site's root: the home page."""

from django.urls import path

from . import views

urlpatterns = [path("", views.home, name="home")]
