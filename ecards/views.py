"""The e-card pages: the holder's e-cards (their own, their children's, relatives'), one e-card with its QR code,
relatives' consent, and the check page of hospital and pharmacy staff."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.access import require_role
from accounts.models import Role
from applications.models import CARD_USES_BY_COLOUR, OPEN_STATUSES, ApplicationKind, CardColour
from audit.services import client_address
from notices.texts import mask_name
from sbcard.errors import DomainError
from sbcard.idnumbers import mask_phone

from . import services
from .access import access_ecard, others_held, wallet
from .codes import qr_svg
from .forms import CheckForm, ConsentCodeForm, RelativeForm
from .models import MAX_OTHERS, ECardCheck, FamilyLink


def _replacement_in_progress(card):
    """For a replaced card: the new card's application, whose pickup certificate (领卡证明) the holder can use."""
    change = card.changes.filter(application__status__in=OPEN_STATUSES).select_related("application").first()
    if change is None or change.application.kind != ApplicationKind.REPLACEMENT:
        return None
    return change.application


@login_required
def wallet_page(request):
    require_role(request.user, Role.CITIZEN)
    entries = wallet(request.user)
    return render(
        request,
        "ecards/wallet.html",
        {"entries": entries, "others": others_held(request.user), "max_others": MAX_OTHERS},
    )


@login_required
def ecard_page(request, card_id: int):
    require_role(request.user, Role.CITIZEN)
    card, entry = access_ecard(request.user, card_id)
    full = request.GET.get("show") == "1"
    code = None
    if card.ecard_state == "active":
        code = services.ecard_code(card)
    checks = card.ecard_checks.select_related("institution", "verifier").order_by("-checked_at", "-id")
    page = Paginator(checks, 20).get_page(request.GET.get("page"))
    context = {
        "card": card,
        "entry": entry,
        "details": services.ecard_details(card, full=full),
        "masked": services.ecard_details(card, full=False),
        "full": full,
        "code": code,
        "qr": mark_safe(qr_svg(code.token)) if code else "",  # noqa: S308 - drawn here from the signed token
        "stopped": services.stopped_reason(card),
        "replacement": _replacement_in_progress(card) if card.ecard_state == "replaced" else None,
        "uses": CARD_USES_BY_COLOUR[CardColour(card.application.card_colour)],
        "colour": CardColour(card.application.card_colour).label,
        "page": page,
        "refresh_seconds": settings.ECARD_CODE_REFRESH_SECONDS,
    }
    return render(request, "ecards/ecard.html", context)


@login_required
def family_page(request):
    require_role(request.user, Role.CITIZEN)
    action = request.POST.get("action", "")
    link_id = request.POST.get("link", "")
    ask_form = RelativeForm(request.POST if action == "ask" else None, prefix="relative")
    # Each waiting request has its own code field (ids of its own); the one just sent keeps its errors.
    code_form = ConsentCodeForm(
        request.POST if action == "confirm" else None, prefix="consent", auto_id=f"id_link{link_id}_%s"
    )
    if request.method == "POST":
        try:
            if _family_action(request, action, ask_form, code_form):
                return redirect("ecards:family")
        except DomainError as error:
            if action not in ("ask", "confirm"):
                messages.error(request, str(error.message))
                return redirect("ecards:family")
            form = ask_form if action == "ask" else code_form
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
    own = getattr(request.user, "person", None)
    links = list(
        FamilyLink.objects.filter(holder=request.user)
        .exclude(state=FamilyLink.State.ENDED)
        .select_related("person__user")
        .order_by("requested_at", "id")
    )
    holding_mine = (
        FamilyLink.objects.filter(person=own, state=FamilyLink.State.ACTIVE).select_related("holder")
        if own is not None
        else []
    )
    pending = [
        {
            "link": link,
            "masked_name": mask_name(link.person.name),
            "phone": mask_phone(services.phone_on_file(link.person)),
            "form": code_form
            if action == "confirm" and link_id == str(link.pk)
            else ConsentCodeForm(prefix="consent", auto_id=f"id_link{link.pk}_%s"),
        }
        for link in links
        if link.state == FamilyLink.State.PENDING
    ]
    context = {
        "ask_form": ask_form,
        "pending": pending,
        "active": [
            {"link": link, "masked_name": mask_name(link.person.name)}
            for link in links
            if link.state == FamilyLink.State.ACTIVE
        ],
        "holding_mine": [
            {"link": link, "masked_name": mask_name(link.holder.full_name or str(link.holder))} for link in holding_mine
        ],
        "others": others_held(request.user),
        "max_others": MAX_OTHERS,
    }
    return render(request, "ecards/family.html", context, status=400 if request.method == "POST" else 200)


def _family_action(request, action: str, ask_form, code_form) -> bool:
    """Runs one family action; True when done (the page is shown again by a redirect)."""
    user = request.user
    if action == "ask":
        if not ask_form.is_valid():
            return False
        data = ask_form.cleaned_data
        link, code = services.request_family_link(
            actor=user,
            name=data["name"],
            id_number=data["id_number"],
            relationship=data["relationship"],
            client_address=client_address(request) or "unknown",
        )
        _say_code_sent(request, link, code)
        return True
    link_id = request.POST.get("link", "")
    if not link_id.isdigit():
        raise Http404
    if action == "confirm":
        if not code_form.is_valid():
            return False
        link = services.confirm_family_link(int(link_id), actor=user, code=code_form.cleaned_data["code"])
        messages.success(request, _("You now hold %(name)s's e-card.") % {"name": mask_name(link.person.name)})
        return True
    if action == "resend":
        link = FamilyLink.objects.filter(pk=link_id, holder=user, state=FamilyLink.State.PENDING).first()
        if link is None:
            raise Http404
        link, code = services.request_family_link(
            actor=user,
            name=link.person.name,
            id_number=link.person.id_number,
            relationship=link.relationship,
            client_address=client_address(request) or "unknown",
        )
        _say_code_sent(request, link, code)
        return True
    if action == "end":
        services.end_family_link(int(link_id), actor=user)
        messages.success(request, _("Done: that e-card is no longer held."))
        return True
    raise Http404


def _say_code_sent(request, link: FamilyLink, code: str) -> None:
    messages.success(
        request,
        _("A code has been sent to your relative's phone on file (%(phone)s). Ask them for it and enter it below.")
        % {"phone": mask_phone(services.phone_on_file(link.person))},
    )
    if settings.SHOW_SMS_CODES_FOR_DEMO:
        messages.info(request, _("Demo only: the code is %(code)s.") % {"code": code})


@login_required
def verify_page(request):
    """Hospital and pharmacy staff check an e-card: the scanner types the code into the field."""
    require_role(request.user, Role.VERIFIER)
    form = CheckForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.check_code(form.cleaned_data["code"], actor=request.user, request=request)
        except DomainError as error:
            form.add_error("code", str(error.message))
        else:
            form = CheckForm()  # empty again, ready for the next scan
    recent = [
        {"check": check, "masked_name": mask_name(check.card.person.name) if check.card else ""}
        for check in ECardCheck.objects.filter(institution_id=request.user.institution_id)
        .select_related("card__person", "verifier")
        .order_by("-checked_at", "-id")[:10]
    ]
    status = 400 if request.method == "POST" and result is None else 200
    return render(request, "ecards/verify.html", {"form": form, "result": result, "recent": recent}, status=status)
