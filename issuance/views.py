"""The service window (appointments, walk-ins, the pickup desk, card services) and the citizen's cards."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import require_role
from accounts.models import Role
from applications.access import access_application_by_id
from applications.forms import NameProxyForm
from applications.models import CARD_USES_BY_COLOUR, CardApplication, CardColour, Status
from applications.workdays import describe_date
from partners.failures import open_failures
from sbcard.errors import DomainError, InvalidInput
from sbcard.idnumbers import canonical, parse_resident_id, tell_upgrades

from . import certificates, intake, services
from .access import access_card_by_id, cards_visible_to
from .forms import (
    ActivateForm,
    AppointmentForm,
    CardSearchForm,
    ExchangeForm,
    HandOverForm,
    IdSearchForm,
    OralLossForm,
    PresentedIdForm,
    ReplacementForm,
    SwipeLimitForm,
    WalkInForm,
)
from .lifecycle import allowed_card_events
from .models import Appointment, Card, CardStatus, LossReport


def _error_to_form(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


def _clerk(request) -> None:
    require_role(request.user, Role.CLERK)


# --- the window's front page --------------------------------------------------------------------


@login_required
def window(request):
    _clerk(request)
    station = request.user.station
    today = timezone.localdate()
    context = {
        "station": station,
        "appointments_today": Appointment.objects.filter(station=station, date=today, state="booked").count(),
        "waiting_cards": CardApplication.objects.filter(station=station, status__in=services.COLLECTABLE).count(),
        "search_form": CardSearchForm(),
        "pickup_form": IdSearchForm(),
    }
    return render(request, "issuance/window.html", context)


# --- phone appointments (rule 7) ----------------------------------------------------------------


@login_required
def appointments(request):
    _clerk(request)
    form = AppointmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tell_upgrades(request, form)
        try:
            appointment = intake.book_appointment(
                actor=request.user,
                id_number=data["id_number"],
                name=data["name"],
                phone=data["phone"],
                date=data["date"],
            )
        except DomainError as error:
            _error_to_form(form, error)
        else:
            messages.success(
                request,
                _("Booked for %(date)s; the caller gets it by SMS.") % {"date": describe_date(appointment.date)},
            )
            return redirect("issuance:appointments")
    day = _date_param(request.GET.get("date")) or timezone.localdate()
    booked = Appointment.objects.filter(station=request.user.station, date=day).order_by("created_at")
    page = Paginator(booked, 50).get_page(request.GET.get("page"))
    status = 400 if request.method == "POST" else 200
    return render(request, "issuance/appointments.html", {"form": form, "page": page, "day": day}, status=status)


def _date_param(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- walk-in intake (rule 8) --------------------------------------------------------------------


@login_required
def walk_in(request):
    _clerk(request)
    initial = {}
    appointment = None
    if request.GET.get("appointment"):
        appointment = Appointment.objects.filter(pk=request.GET["appointment"], station=request.user.station).first()
        if appointment is not None:
            initial = {
                "name": appointment.name,
                "id_number": appointment.id_number,
                "phone": appointment.phone,
                "appointment": appointment.pk,
            }
    form = WalkInForm(request.POST or None, request.FILES or None, initial=initial)
    comparison = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tell_upgrades(request, form)
        try:
            if request.POST.get("action") == "check":
                check = intake.check_with_registry(id_number=data["id_number"], name=data["name"])
                comparison = _comparison(data, check)
            else:
                application = intake.take_walk_in(
                    actor=request.user,
                    name=data["name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    insurance_type=data["insurance_type"],
                    household_city=data["household_city"],
                    address=data["address"],
                    photo=data.get("photo"),
                    documents_checked=data["documents_checked"],
                    appointment_id=data.get("appointment"),
                )
                messages.success(
                    request,
                    _("Application %(reference)s accepted; it goes to the information centre now.")
                    % {"reference": application.reference},
                )
                return redirect("applications:review", application_id=application.pk)
        except DomainError as error:
            _error_to_form(form, error)
    status = 400 if request.method == "POST" and (form.errors or comparison is None) else 200
    return render(request, "issuance/walk_in.html", {"form": form, "comparison": comparison}, status=status)


def _comparison(data: dict, check) -> dict:
    """The form beside the information centre's record, field by field (rule 8)."""
    rows = []
    for field, label in (("name", _("Name")), ("household_city", _("Household registration city"))):
        theirs = check.record.get(field, "")
        rows.append(
            {
                "label": label,
                "form": data.get(field, ""),
                "registry": theirs,
                "differs": bool(theirs) and theirs != data.get(field, ""),
            }
        )
    return {"result": check.result, "rows": rows}


# --- the pickup desk (rule 9) -------------------------------------------------------------------


@login_required
def pickup_desk(request):
    _clerk(request)
    station = request.user.station
    # Searched by POST: an ID number never goes into a URL (or a log line).
    search = IdSearchForm(request.POST or None)
    found = None
    if search.is_valid():
        tell_upgrades(request, search)
        found = services.find_collectable(station.pk, search.cleaned_data["id_number"])
        if found is None:
            messages.warning(request, _("No card is waiting at this station for that ID number."))
    waiting = (
        CardApplication.objects.filter(station=station, status__in=services.COLLECTABLE)
        .select_related("person")
        .annotate(
            unclaimed_first=Case(
                When(status=Status.UNCLAIMED, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("unclaimed_first", "status_changed_at", "id")
    )
    if request.GET.get("batch"):
        waiting = waiting.filter(card_batch_number=request.GET["batch"])
    page = Paginator(waiting, 50).get_page(request.GET.get("page"))
    batches = (
        CardApplication.objects.filter(station=station, status__in=services.COLLECTABLE)
        .exclude(card_batch_number="")
        .values_list("card_batch_number", flat=True)
        .distinct()
        .order_by("-card_batch_number")[:20]
    )
    return render(
        request,
        "issuance/pickup_desk.html",
        {"search": search, "found": found, "page": page, "batches": batches, "form": HandOverForm()},
    )


@login_required
def hand_over(request, application_id: int):
    _clerk(request)
    application = access_application_by_id(request.user, application_id)
    form = HandOverForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tell_upgrades(request, form)
        proxy = None
        if data["by_proxy"]:
            proxy = services.ProxyDetails(
                name=data["proxy_name"], id_number=data["proxy_id_number"], card_number=data["proxy_card_number"]
            )
        try:
            card = services.hand_over_card(
                application.pk,
                actor=request.user,
                presented_id_number=data["presented_id_number"],
                proxy=proxy,
                authorisation=data.get("authorisation"),
            )
        except DomainError as error:
            _error_to_form(form, error)
        else:
            messages.success(request, _("Card %(number)s handed over.") % {"number": card.number})
            return redirect("issuance:pickup_desk")
    named = getattr(application, "named_proxy", None)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "issuance/hand_over.html", {"application": application, "form": form, "named": named}, status=status
    )


@login_required
def handover_register(request, batch: str):
    """A printable register for one box of cards from the vendor: batch number, count, signatures."""
    _clerk(request)
    cards = (
        CardApplication.objects.filter(station=request.user.station, card_batch_number=batch)
        .select_related("person")
        .order_by("id")
    )
    if not cards.exists():
        raise Http404
    return render(
        request,
        "issuance/handover_register.html",
        {
            "batch": batch,
            "cards": cards,
            "count": cards.count(),
            "station": request.user.station,
            "today": timezone.localdate(),
        },
    )


# --- card services at the window ----------------------------------------------------------------


@login_required
def card_search(request):
    require_role(request.user, Role.CLERK, Role.ADMIN)
    form = CardSearchForm(request.POST or None)
    cards = Card.objects.none()
    if form.is_valid():
        query = canonical(form.cleaned_data["query"])
        try:
            number = parse_resident_id(query).number
            cards = cards_visible_to(request.user).filter(person__id_number=number)
        except Exception:  # noqa: BLE001 - not an ID number: treat it as a card number
            cards = cards_visible_to(request.user).filter(number=query)
        cards = cards.select_related("person", "application__station")[:20]
    return render(request, "issuance/card_search.html", {"form": form, "cards": cards})


CARD_ACTIONS = {"activate", "oral_loss", "written_loss", "unreport", "replacement", "exchange", "swipe_limit"}


@login_required
def card_window(request, card_id: int):
    """One card at the window: activation, loss by phone/12333 or in writing, unreport, replacement, exchange."""
    require_role(request.user, Role.CLERK, Role.ADMIN)
    card = access_card_by_id(request.user, card_id)
    action = request.POST.get("action", "")
    forms = {
        "activate": ActivateForm(request.POST if action == "activate" else None),
        "oral_loss": OralLossForm(request.POST if action == "oral_loss" else None),
        "written_loss": PresentedIdForm(request.POST if action == "written_loss" else None, prefix="written"),
        "unreport": PresentedIdForm(request.POST if action == "unreport" else None, prefix="unreport"),
        "replacement": ReplacementForm(request.POST if action == "replacement" else None, prefix="replacement"),
        "exchange": ExchangeForm(request.POST if action == "exchange" else None, prefix="exchange"),
        "swipe_limit": SwipeLimitForm(request.POST if action == "swipe_limit" else None, prefix="limit"),
    }
    if request.method == "POST":
        if action not in CARD_ACTIONS:
            raise Http404
        form = forms[action]
        if form.is_valid():
            tell_upgrades(request, form)
            try:
                result = _card_action(request, card, action, form.cleaned_data)
            except DomainError as error:
                _error_to_form(form, error)
            else:
                return result
    context = {
        "card": card,
        "forms": forms,
        "events": allowed_card_events(card, request.user),
        "history": card.events.order_by("created_at", "id"),
        "reports": card.loss_reports.order_by("-created_at")[:10],
        "limits": card.swipe_limit_changes.order_by("-created_at")[:10],
        "uses": CARD_USES_BY_COLOUR[CardColour(card.application.card_colour)],
        "failures": list(open_failures().filter(application_id=card.application_id).order_by("created_at")),
    }
    return render(request, "issuance/card_window.html", context, status=400 if request.method == "POST" else 200)


def _card_action(request, card: Card, action: str, data: dict):
    user = request.user
    if action == "activate":
        services.activate_card(card.pk, actor=user, swipe_limit=data["swipe_limit"])
        messages.success(request, _("Card activated."))
    elif action == "oral_loss":
        report = services.report_loss_orally(
            card.pk,
            actor=user,
            channel=data["channel"],
            name=data["name"],
            id_number=data["id_number"],
            employer=data["employer"],
            phone=data["phone"],
        )
        messages.success(
            request,
            _("Reported lost. The holder must confirm in writing by %(date)s.")
            % {"date": describe_date(report.written_deadline)},
        )
    elif action == "written_loss":
        services.report_loss_in_writing(card.pk, actor=user, presented_id_number=data["presented_id_number"])
        messages.success(request, _("Loss report confirmed in writing."))
    elif action == "unreport":
        services.unreport_loss(card.pk, actor=user, presented_id_number=data["presented_id_number"])
        messages.success(request, _("Loss report withdrawn; the card works again."))
    elif action == "replacement":
        proxy = None
        if data["proxy_name"] or data["proxy_id_number"]:
            proxy = services.ProxyDetails(name=data["proxy_name"], id_number=data["proxy_id_number"])
        application = services.apply_for_replacement(
            card.pk,
            actor=user,
            proxy=proxy,
            presented_id_number=data["presented_id_number"],
            issue_now=data["issue_now"],
        )
        if application.status == Status.SUBMITTED:  # beyond the yearly limit: referred to a review, not made yet
            messages.warning(
                request,
                _(
                    "Replacement %(reference)s is one of several within 12 months: it waits in the review queue with "
                    "the history; the card is made once a clerk approves it."
                )
                % {"reference": application.reference},
            )
        else:
            messages.success(request, _("Replacement %(reference)s accepted.") % {"reference": application.reference})
        return redirect("applications:review", application_id=application.pk)
    elif action == "exchange":
        application = services.apply_for_exchange(
            card.pk, actor=user, reason=data["reason"], new_name=data["new_name"], new_id_number=data["new_id_number"]
        )
        messages.success(request, _("Exchange %(reference)s accepted.") % {"reference": application.reference})
        return redirect("applications:review", application_id=application.pk)
    elif action == "swipe_limit":
        services.change_swipe_limit(card.pk, actor=user, swipe_limit=data["swipe_limit"], channel="station")
        messages.success(request, _("Swipe limit changed."))
    return redirect("issuance:card_window", card_id=card.pk)


# --- the citizen's cards ------------------------------------------------------------------------


@login_required
def my_cards(request):
    require_role(request.user, Role.CITIZEN)
    cards = cards_visible_to(request.user).select_related("person", "application__station").order_by("-issued_at")
    rows = [
        {
            "card": card,
            "uses": CARD_USES_BY_COLOUR[CardColour(card.application.card_colour)],
            "colour": CardColour(card.application.card_colour).label,
            "deadline": _open_oral_deadline(card),
            # Ids of their own per card: one page can show several cards, each with these forms.
            "limit_form": SwipeLimitForm(
                auto_id=f"id_card{card.pk}_%s", initial={"swipe_limit": card.swipe_limit or 2}
            ),
            "exchange_form": ExchangeForm(prefix="exchange", auto_id=f"id_card{card.pk}_%s"),
        }
        for card in cards[:20]
    ]
    return render(request, "issuance/my_cards.html", {"rows": rows})


def _open_oral_deadline(card: Card):
    if card.status != CardStatus.PRE_REPORTED_LOST:
        return None
    report = card.loss_reports.filter(kind=LossReport.Kind.ORAL, confirmed_at=None).order_by("-created_at").first()
    return report.written_deadline if report else None


@login_required
@require_POST
def citizen_card_action(request, card_id: int, action: str):
    require_role(request.user, Role.CITIZEN)
    card = access_card_by_id(request.user, card_id)
    try:
        if action == "report-lost":
            report = services.report_loss_orally(card.pk, actor=request.user, channel=LossReport.Channel.ONLINE)
            messages.warning(
                request,
                _(
                    "Your card is suspended. Confirm the loss in writing at a station with your "
                    "resident ID card by %(date)s, or the report lapses."
                )
                % {"date": describe_date(report.written_deadline)},
            )
        elif action == "swipe-limit":
            form = SwipeLimitForm(request.POST)
            if not form.is_valid():
                raise InvalidInput(" ".join(form.errors.get("swipe_limit", [])), field="swipe_limit")
            services.change_swipe_limit(
                card.pk, actor=request.user, swipe_limit=form.cleaned_data["swipe_limit"], channel="online"
            )
            messages.success(request, _("Daily swipe limit changed."))
        elif action == "replacement":
            application = services.apply_for_replacement(card.pk, actor=request.user)
            messages.success(request, _("Replacement started: check it and submit it."))
            return redirect("applications:detail", application_id=application.pk)
        elif action == "exchange":
            form = ExchangeForm(request.POST, prefix="exchange")
            if not form.is_valid():
                raise InvalidInput(_("Choose why the card is exchanged."), field="reason")
            data = form.cleaned_data
            application = services.apply_for_exchange(
                card.pk,
                actor=request.user,
                reason=data["reason"],
                new_name=data["new_name"],
                new_id_number=data["new_id_number"],
            )
            messages.success(request, _("Exchange started: check it and submit it."))
            return redirect("applications:detail", application_id=application.pk)
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("issuance:my_cards")


@login_required
@require_POST
def name_proxy(request, application_id: int):
    application = access_application_by_id(request.user, application_id)
    form = NameProxyForm(request.POST, prefix="proxy")
    try:
        if not form.is_valid():  # each field's own reason: which part of the ID number is wrong, say
            reasons = " ".join(message for errors in form.errors.values() for message in errors)
            raise InvalidInput(reasons or _("Enter the proxy's name and resident ID number."), field="name")
        tell_upgrades(request, form)
        services.name_proxy(
            application.pk, actor=request.user, name=form.cleaned_data["name"], id_number=form.cleaned_data["id_number"]
        )
        messages.success(request, _("Only this person (or you) can collect the card now."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("applications:detail", application_id=application.pk)


@login_required
def certificate(request, application_id: int):
    application = access_application_by_id(request.user, application_id)
    try:
        pdf = certificates.certificate_pdf(application)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("applications:detail", application_id=application.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="lingkazhengming-{application.reference}.pdf"'
    return response


def verify_certificate(request, token: str):
    """Public: any hospital scans the QR code and sees whether the certificate is genuine and current."""
    check = certificates.check_certificate(token)
    return render(request, "issuance/verify_certificate.html", {"check": check}, status=200 if check.genuine else 404)
