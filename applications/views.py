"""Server-rendered pages for citizens (apply, follow, correct) and clerks (the review queue)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import require_role
from accounts.models import Role
from audit.services import record_personal_data_read
from partners.failures import mark_handled, open_failures, send_again
from partners.models import PartnerCall
from sbcard.errors import DomainError
from sbcard.idnumbers import tell_upgrades

from . import services
from .access import access_application_by_id, applications_visible_to
from .forms import ApplicationForm, CorrectionForm, NameProxyForm, ReturnForm, WardApplicationForm
from .models import CardApplication, Channel, CityPolicy, Escalation, PartnerStep, Relationship, Status
from .photos import photo_rules_text
from .progress import NEXT_STEP, correction_request, current_step_deadline, forecast, review_waiting, timeline
from .replacements import beyond_the_limit, replacement_history
from .workflow import allowed_events

CITIZEN_EVENTS = {"submit", "withdraw"}
# A holder can name who will collect the card at any point before it is collected (rule 9).
PROXY_STATUSES = [s for s in Status.values if s not in ("draft", "collected", "cancelled")]
CLERK_EVENTS = {"approve"}
WARD_FIELD_NAMES = {"name": "holder_name", "id_number": "holder_id_number"}


def _add_domain_error(form, error: DomainError, field_names: dict | None = None) -> None:
    field = (field_names or {}).get(error.field, error.field)
    form.add_error(field if field in form.fields else None, str(error.message))


@login_required
def my_applications(request):
    require_role(request.user, Role.CITIZEN)
    applications = (
        applications_visible_to(request.user).select_related("person", "station").order_by("-created_at", "-id")
    )
    page = Paginator(applications, 20).get_page(request.GET.get("page"))
    return render(request, "applications/my_applications.html", {"page": page})


@login_required
def apply(request):
    require_role(request.user, Role.CITIZEN)
    for_child = request.GET.get("for") == "child" or request.POST.get("for") == "child"
    form_class = WardApplicationForm if for_child else ApplicationForm
    initial = {"phone": request.user.phone}
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tell_upgrades(request, form)
        try:
            with transaction.atomic():
                application = _create_from_form(request.user, data, for_child)
                if request.POST.get("action") == "submit":
                    services.submit_application(application.pk, actor=request.user)
        except DomainError as error:
            _add_domain_error(form, error, WARD_FIELD_NAMES if for_child else None)
        else:
            if request.POST.get("action") == "submit":
                messages.success(request, _("Your application has been submitted."))
            else:
                messages.success(request, _("Your draft has been saved. Submit it when it is complete."))
            return redirect("applications:detail", application_id=application.pk)
    return render(
        request,
        "applications/apply.html",
        {"form": form, "for_child": for_child, "photo_rules": photo_rules_text()},
        status=400 if request.method == "POST" else 200,
    )


def _create_from_form(user, data: dict, for_child: bool) -> CardApplication:
    if for_child:
        holder = services.find_or_create_person(name=data["holder_name"], id_number=data["holder_id_number"])
        relationship = data["relationship"]
    else:
        holder = services.own_person(user)
        relationship = Relationship.SELF
    application = services.start_application(
        actor=user,
        holder=holder,
        relationship=relationship,
        station=data["station"],
        insurance_type=data["insurance_type"],
        household_city=data["household_city"],
        address=data["address"],
        phone=data["phone"],
    )
    if data.get("photo"):
        services.attach_photo(application.pk, actor=user, upload=data["photo"])
    if for_child:
        services.attach_guardian_proof(application.pk, actor=user, upload=data["guardian_proof"])
    return application


@login_required
def application_detail(request, application_id: int):
    application = access_application_by_id(request.user, application_id)
    if request.user.role != Role.CITIZEN:
        return redirect("applications:review", application_id=application.pk)
    correction = correction_request(services.latest_return(application))
    form = None
    if application.is_editable:
        form = CorrectionForm(
            request.POST or None,
            request.FILES or None,
            initial={
                "name": application.person.name,
                "insurance_type": application.insurance_type,
                "household_city": application.household_city,
                "address": application.address,
                "phone": application.phone,
            },
        )
        if request.method == "POST":
            if form.is_valid() and _save_correction(request, application, form):
                return redirect("applications:detail", application_id=application.pk)
    context = {
        "application": application,
        "timeline": timeline(application),
        "steps": forecast(application),
        "deadline": current_step_deadline(application),
        "next_step": NEXT_STEP.get(application.status),
        "correction": correction,
        "form": form,
        "events": allowed_events(application, request.user),
        "photo_rules": photo_rules_text(),
        "proxy_statuses": PROXY_STATUSES,
        "proxy_form": NameProxyForm(prefix="proxy"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "applications/detail.html", context, status=status)


def _save_correction(request, application: CardApplication, form: CorrectionForm) -> bool:
    data = form.cleaned_data
    changes = {k: data[k] for k in ("name", "insurance_type", "household_city", "address", "phone")}
    try:
        with transaction.atomic():
            services.update_application(application.pk, actor=request.user, changes=changes)
            if data.get("photo"):
                services.attach_photo(application.pk, actor=request.user, upload=data["photo"])
            if data.get("guardian_proof"):
                services.attach_guardian_proof(application.pk, actor=request.user, upload=data["guardian_proof"])
            if request.POST.get("action") == "submit":
                services.submit_application(application.pk, actor=request.user)
    except DomainError as error:
        _add_domain_error(form, error)
        return False
    if request.POST.get("action") == "submit":
        messages.success(request, _("Your application has been submitted again."))
    else:
        messages.success(request, _("Your changes have been saved."))
    return True


@login_required
@require_POST
def citizen_action(request, application_id: int, event: str):
    if event not in CITIZEN_EVENTS:
        raise Http404
    application = access_application_by_id(request.user, application_id)
    try:
        if event == "submit":
            corrected = request.POST.get("corrected_at_partner") == "1"
            services.submit_application(application.pk, actor=request.user, corrected_at_partner=corrected)
            messages.success(request, _("Your application has been submitted."))
        else:
            services.withdraw_application(application.pk, actor=request.user)
            messages.success(request, _("Your application has been withdrawn."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("applications:detail", application_id=application.pk)


@login_required
def application_photo(request, application_id: int):
    application = access_application_by_id(request.user, application_id)
    if not application.photo_id:
        raise Http404
    response = FileResponse(application.photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def guardian_proof(request, application_id: int):
    application = access_application_by_id(request.user, application_id)
    if not application.guardian_proof:
        raise Http404
    name = application.guardian_proof.name.lower()
    content_type = (
        "application/pdf" if name.endswith(".pdf") else "image/png" if name.endswith(".png") else "image/jpeg"
    )
    response = FileResponse(application.guardian_proof.open("rb"), content_type=content_type)
    response["Cache-Control"] = "no-store, private"
    return response


# --- Clerk pages --------------------------------------------------------------------------------


@login_required
def station_queue(request):
    """The station's submitted online applications, oldest first, with the review limit marked (rule 4)."""
    require_role(request.user, Role.CLERK)
    queue = (
        # Online ones, and replacements taken at the counter beyond the yearly limit (roster rows: on their batch).
        CardApplication.objects.filter(station_id=request.user.station_id, status=Status.SUBMITTED)
        .exclude(channel=Channel.ROSTER)
        .select_related("person")
        .order_by("submitted_at", "id")
    )
    page = Paginator(queue, 50).get_page(request.GET.get("page"))
    policy = CityPolicy.current()
    today = timezone.localdate()
    rows = []
    frequent = beyond_the_limit(list(page.object_list))
    for application in page.object_list:
        waited, mark = review_waiting(application, today, policy)
        rows.append(
            {"application": application, "waited": waited, "mark": mark, "frequent": application.pk in frequent}
        )
    return render(
        request,
        "applications/station_queue.html",
        {"page": page, "rows": rows, "policy": policy, "station": request.user.station},
    )


@login_required
def review(request, application_id: int):
    require_role(request.user, Role.CLERK, Role.ADMIN)
    application = access_application_by_id(request.user, application_id)
    return_form = ReturnForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                services.approve_application(application.pk, actor=request.user, note=request.POST.get("note", ""))
                messages.success(request, _("Approved: the application goes on to the information centre check."))
                return redirect("applications:station_queue")
            if request.POST.get("action") == "return" and return_form.is_valid():
                services.return_application(
                    application.pk,
                    actor=request.user,
                    reason_code=return_form.cleaned_data["reason_code"],
                    note=return_form.cleaned_data["note"],
                )
                messages.success(request, _("Returned to the citizen for correction."))
                return redirect("applications:station_queue")
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("applications:review", application_id=application.pk)
    policy = CityPolicy.current()
    waited = (
        review_waiting(application, timezone.localdate(), policy) if application.status == Status.SUBMITTED else None
    )
    # The clerk sees the full ID number and phone here: that read is audited (SECURITY.md 8).
    record_personal_data_read(request, application, id_number=application.person.id_number, what="review page")
    steps = list(application.partner_steps.order_by("created_at", "id"))
    calls = list(PartnerCall.objects.filter(application_id=application.pk).order_by("-sent_at", "-id")[:50])
    return render(
        request,
        "applications/review.html",
        {
            "application": application,
            "timeline": timeline(application),
            "return_form": return_form,
            "events": allowed_events(application, request.user),
            "waited": waited,
            "deadline": current_step_deadline(application, policy),
            "policy": policy,
            "steps": steps,
            "calls": calls,
            "failures": list(open_failures().filter(application_id=application.pk).order_by("created_at")),
            "escalation": getattr(application, "escalation", None),
            "replacements": replacement_history(application),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def station_applications(request):
    """Every application of the station (all of them for an admin), by status, with partner trouble marked."""
    require_role(request.user, Role.CLERK, Role.ADMIN)
    status = request.GET.get("status") or ""
    if status and status not in Status.values:
        raise Http404
    applications = applications_visible_to(request.user).select_related("person", "station")
    if status:
        applications = applications.filter(status=status)
    # A partner step that failed and is being retried (or waits for the resume job) is shown to staff, and so
    # is every partner call that gave up for good (a PartnerFailure): the bank told of a loss, say.
    troubled = PartnerStep.objects.filter(application=OuterRef("pk"), outcome=PartnerStep.Outcome.OPEN).exclude(
        last_error=""
    )
    failed = open_failures().filter(application_id=OuterRef("pk"))
    applications = applications.annotate(partner_unavailable=Exists(troubled), partner_failed=Exists(failed))
    trouble = request.GET.get("trouble") == "1"
    if trouble:
        applications = applications.filter(Q(partner_unavailable=True) | Q(partner_failed=True))
    applications = applications.order_by("-status_changed_at", "-id")
    page = Paginator(applications, 50).get_page(request.GET.get("page"))
    failures: dict[int, list] = {}
    for failure in open_failures().filter(application_id__in=[a.pk for a in page.object_list]).order_by("created_at"):
        failures.setdefault(failure.application_id, []).append(failure)
    rows = [{"application": a, "failures": failures.get(a.pk, [])} for a in page.object_list]
    unattached = []
    if trouble and request.user.is_city_admin:  # failures about no application (an appointment's SMS, say)
        unattached = list(open_failures().filter(application_id=None).order_by("-last_failed_at")[:50])
    return render(
        request,
        "applications/station_applications.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": Status.choices,
            "trouble": trouble,
            "unattached": unattached,
        },
    )


@login_required
@require_POST
def partner_failure_action(request, failure_id: int, action: str):
    """Staff act on a partner failure: send the same job again (once the partner or the data is right), or mark
    it handled (dealt with another way). Only staff who can see its application (admins: any)."""
    require_role(request.user, Role.CLERK, Role.ADMIN)
    failure = open_failures().filter(pk=failure_id).first()
    if failure is None:
        raise Http404
    if failure.application_id is not None:
        access_application_by_id(request.user, failure.application_id)
    elif not request.user.is_city_admin:
        raise Http404
    if action == "send-again":
        send_again(failure.pk, actor=request.user)
        messages.success(request, _("Sent again; if it fails again, it comes back to this list."))
    else:
        mark_handled(failure.pk, actor=request.user)
        messages.success(request, _("Marked as handled."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("applications:station_applications") + "?trouble=1"
    return redirect(back)


@login_required
def escalations(request):
    """The 督办 queue (rule 1): applications open more than two months, and who is handling each."""
    require_role(request.user, Role.CLERK, Role.ADMIN)
    cases = Escalation.objects.filter(resolved_at=None).select_related(
        "application__person", "application__station", "handler"
    )
    if request.user.role == Role.CLERK:
        cases = cases.filter(application__station_id=request.user.station_id)
    if request.method == "POST":
        case = cases.filter(pk=request.POST.get("case")).first()
        if case is None:
            raise Http404
        if request.POST.get("action") == "take":
            services.take_escalation(case.pk, actor=request.user)
            messages.success(request, _("You are now handling this case."))
        elif request.POST.get("action") == "resolve":
            services.resolve_escalation(case.pk, actor=request.user)
            messages.success(request, _("The case is closed."))
        return redirect("applications:escalations")
    page = Paginator(cases.order_by("created_at", "id"), 50).get_page(request.GET.get("page"))
    return render(request, "applications/escalations.html", {"page": page})
