"""What a locked-out person sees (django-axes calls this): a clear 429, in JSON for the API."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def locked_out(request, credentials=None, *args, **kwargs):
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = seconds // 60
    message = _(
        "Too many failed sign-ins: this account and this address are locked for %(minutes)d minutes. "
        "Try again later, or sign in with a code sent to your phone."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        body = {"detail": message, "code": "locked_out"}
        return JsonResponse(body, status=429, headers={"Retry-After": str(seconds)})
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
