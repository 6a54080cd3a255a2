"""A citizen's notices and SMS choice; the staff's list of SMS sent."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import require_role
from accounts.models import Role
from sbcard.idnumbers import mask_phone

from .models import Notice


@login_required
def my_notices(request):
    notices = Notice.objects.filter(recipient=request.user, channel=Notice.Channel.PORTAL).order_by(
        "-created_at", "-id"
    )
    page = Paginator(notices, 20).get_page(request.GET.get("page"))
    unread = [notice.pk for notice in page.object_list if notice.read_at is None]
    if unread:
        Notice.objects.filter(pk__in=unread).update(read_at=timezone.now())
    context = {"page": page, "unread": set(unread), "masked_phone": mask_phone(request.user.phone)}
    return render(request, "notices/my_notices.html", context)


@login_required
@require_POST
def sms_preference(request):
    enabled = request.POST.get("sms_notices_enabled") == "on"
    request.user.sms_notices_enabled = enabled
    request.user.save(update_fields=["sms_notices_enabled"])
    messages.success(request, _("SMS notices are on.") if enabled else _("SMS notices are off."))
    return redirect("notices:mine")


@login_required
def sms_log(request):
    """What was sent by SMS: a clerk sees their station's, an admin the city's."""
    require_role(request.user, Role.CLERK, Role.ADMIN)
    sent = Notice.objects.filter(channel=Notice.Channel.SMS).order_by("-created_at", "-id")
    if request.user.role == Role.CLERK:
        sent = sent.filter(station_id=request.user.station_id)
    page = Paginator(sent, 50).get_page(request.GET.get("page"))
    return render(request, "notices/sms_log.html", {"page": page})
