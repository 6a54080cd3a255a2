"""Pages for employer agents (register, upload, dry-run report, batch, fee, pickup list) and for clerks
(approve employers, confirm payments, hand over a batch). Every batch is reached through
`access_batch_by_id`: another employer's batch is a 404.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from applications.models import CardApplication, CityPolicy, Status
from partners.errors import PartnerError
from sbcard.errors import DomainError
from sbcard.idnumbers import tell_upgrades

from . import payments, services
from .access import access_batch_by_id, access_employer_by_id, batches_visible_to, employers_visible_to
from .documents import payment_notice_pdf, pickup_list_pdf
from .forms import DocumentForm, EmployerRegistrationForm, PickupForm, RosterUploadForm
from .models import EmployerDocument, RosterBatch, RosterRow
from .sheets import XLSX_CONTENT_TYPE, batch_export, dry_run_report, roster_template


def _require(user, *roles) -> None:
    if not user.is_authenticated or not user.is_active:
        raise Http404
    if user.is_city_admin and Role.ADMIN in roles:
        return
    if user.role not in roles:
        raise Http404


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


# --- registration and materials ---------------------------------------------------------------


def register(request):
    form = EmployerRegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agent = services.register_employer(
                name=data["name"],
                credit_code=data["credit_code"],
                station=data["station"],
                contact_phone=data["contact_phone"],
                agent_username=data["agent_username"],
                agent_name=data["agent_name"],
                agent_phone=data["agent_phone"],
                password=data["password"],
                documents={kind: data[kind] for kind in EmployerDocument.Kind.values},
            )
        except DomainError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, str(error.message))
        else:
            login(request, agent, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("The employer is registered. A clerk checks the materials and approves it."))
            return redirect("rosters:dashboard")
    return render(request, "rosters/register.html", {"form": form}, status=400 if request.method == "POST" else 200)


@login_required
def dashboard(request):
    """The agent's page: the employer's approval and materials, the upload form, the batches."""
    _require(request.user, Role.EMPLOYER_AGENT)
    employer = request.user.employer
    batches = batches_visible_to(request.user).order_by("-created_at", "-id")
    page = Paginator(batches, 20).get_page(request.GET.get("page"))
    rows = [{"batch": batch, "stage": services.batch_stage(batch)} for batch in page.object_list]
    documents = {document.kind: document for document in employer.documents.all()}
    return render(
        request,
        "rosters/dashboard.html",
        {
            "employer": employer,
            "page": page,
            "rows": rows,
            "upload_form": RosterUploadForm(),
            "document_form": DocumentForm(),
            "materials": [(kind, documents.get(kind.value)) for kind in EmployerDocument.Kind],
        },
    )


@login_required
@require_POST
def replace_document(request):
    _require(request.user, Role.EMPLOYER_AGENT)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the material and a file."))
        return redirect("rosters:dashboard")
    try:
        services.replace_employer_document(
            request.user.employer_id,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
        )
        messages.success(request, _("The material has been replaced."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("rosters:dashboard")


@login_required
def employer_document(request, employer_id: int, kind: str):
    employer = access_employer_by_id(request.user, employer_id)
    document = EmployerDocument.objects.filter(employer=employer, kind=kind).first()
    if document is None:
        raise Http404
    content_type = {"pdf": "application/pdf", "png": "image/png"}.get(document.content_type, "image/jpeg")
    response = FileResponse(document.file.open("rb"), content_type=content_type)
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def station_employers(request):
    _require(request.user, Role.CLERK, Role.ADMIN)
    if request.method == "POST":
        employer = access_employer_by_id(request.user, request.POST.get("employer"))
        try:
            services.approve_employer(employer.pk, actor=request.user)
            messages.success(request, _("%(name)s is approved for rosters.") % {"name": employer.name})
        except DomainError as error:
            messages.error(request, str(error.message))
        return redirect("rosters:station_employers")
    employers = employers_visible_to(request.user).prefetch_related("documents").order_by("is_approved", "name")
    page = Paginator(employers, 50).get_page(request.GET.get("page"))
    return render(request, "rosters/station_employers.html", {"page": page, "kinds": EmployerDocument.Kind})


# --- rosters -------------------------------------------------------------------------------------


@login_required
def template_download(request):
    _require(request.user, Role.EMPLOYER_AGENT, Role.CLERK, Role.ADMIN)
    return _download(roster_template(), "roster-template.xlsx", XLSX_CONTENT_TYPE)


@login_required
def upload(request):
    _require(request.user, Role.EMPLOYER_AGENT)
    corrects = None
    if request.GET.get("corrects") or request.POST.get("corrects"):
        corrects = access_batch_by_id(request.user, request.GET.get("corrects") or request.POST.get("corrects"))
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch, is_new = services.upload_roster(
                actor=request.user,
                roster=form.cleaned_data["roster"],
                photos=form.cleaned_data.get("photos"),
                corrects=corrects,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            if not is_new:
                messages.info(request, _("This file was uploaded before: here is its check."))
            return redirect("rosters:batch", batch_id=batch.pk)
    return render(
        request,
        "rosters/upload.html",
        {"form": form, "corrects": corrects},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def batch_detail(request, batch_id: int):
    batch = access_batch_by_id(request.user, batch_id)
    context = {"batch": batch, "is_agent": request.user.role == Role.EMPLOYER_AGENT}
    if not batch.is_submitted:
        refused = RosterRow.objects.filter(batch=batch, accepted=False).order_by("line")
        context["refused_page"] = Paginator(refused, 50).get_page(request.GET.get("page"))
        context["stage"] = services.batch_stage(batch)
        return render(request, "rosters/batch_check.html", context)
    counts = services.status_counts(batch)
    policy = CityPolicy.current()
    applications = (
        CardApplication.objects.filter(roster_entry__batch=batch)
        .select_related("person", "roster_entry")
        .order_by("roster_entry__line")
    )
    status = request.GET.get("status") or ""
    if status in Status.values:
        applications = applications.filter(status=status)
    page = Paginator(applications, 50).get_page(request.GET.get("page"))
    cache: dict = {}
    context.update(
        {
            "stage": services.batch_stage(batch, counts),
            "counts": [(Status(code).label, code, counts[code]) for code in Status.values if counts.get(code)],
            "page": page,
            "rows": [
                {"application": a, "expected": services.expected_date(a, batch, policy, cache)}
                for a in page.object_list
            ],
            "status": status,
            "collectable": counts.get(Status.READY_FOR_PICKUP, 0) + counts.get(Status.UNCLAIMED, 0),
            "is_clerk": request.user.is_clerk and request.user.station_id == batch.station_id,
            "pickup_form": PickupForm(),
            "awaiting_payment": counts.get(Status.AWAITING_PAYMENT, 0),
            "waiting_review": counts.get(Status.SUBMITTED, 0),
        }
    )
    return render(request, "rosters/batch.html", context)


@login_required
@require_GET
def batch_progress(request, batch_id: int):
    """What the page polls while a dry run runs as a job (static/rosters/progress.js)."""
    batch = access_batch_by_id(request.user, batch_id)
    return JsonResponse(
        {
            "state": batch.state,
            "total_rows": batch.total_rows,
            "rows_checked": batch.rows_checked,
            "percent": batch.progress_percent,
            "problem": batch.problem,
        }
    )


@login_required
@require_POST
def submit(request, batch_id: int):
    batch = access_batch_by_id(request.user, batch_id)
    try:
        batch = services.submit_batch(batch.pk, actor=request.user)
        messages.success(
            request,
            _("%(count)d applications were submitted as batch %(reference)s.")
            % {"count": batch.submitted_count, "reference": batch.reference},
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("rosters:batch", batch_id=batch.pk)


@login_required
def report_download(request, batch_id: int):
    batch = access_batch_by_id(request.user, batch_id)
    if batch.state not in (RosterBatch.State.CHECKED, RosterBatch.State.SUBMITTED):
        raise Http404
    refused_only = request.GET.get("refused") == "1"
    return _download(
        dry_run_report(batch, refused_only=refused_only), f"{batch.reference}-check.xlsx", XLSX_CONTENT_TYPE
    )


@login_required
def export_download(request, batch_id: int):
    batch = access_batch_by_id(request.user, batch_id)
    if not batch.is_submitted:
        raise Http404
    policy, cache = CityPolicy.current(), {}
    expected = {}
    for status in (Status.SUBMITTED, Status.IN_PRODUCTION, Status.AWAITING_PAYMENT):
        probe = CardApplication(status=status, status_changed_at=batch.submitted_at)
        expected[status] = services.expected_date(probe, batch, policy, cache)
    return _download(batch_export(batch, expected), f"{batch.reference}.xlsx", XLSX_CONTENT_TYPE)


@login_required
def payment_notice(request, batch_id: int):
    batch = access_batch_by_id(request.user, batch_id)
    try:
        content = payment_notice_pdf(batch)
    except DomainError as error:
        raise Http404 from error
    return _download(content, f"{batch.reference}-payment-notice.pdf", "application/pdf")


@login_required
def pickup_list(request, batch_id: int):
    batch = access_batch_by_id(request.user, batch_id)
    try:
        content = pickup_list_pdf(batch)
    except DomainError as error:
        raise Http404 from error
    return _download(content, f"{batch.reference}-pickup-list.pdf", "application/pdf")


@login_required
@require_POST
def approve(request, batch_id: int):
    batch = access_batch_by_id(request.user, batch_id)
    try:
        count = services.approve_batch(batch.pk, actor=request.user)
        messages.success(request, _("%(count)d applications approved.") % {"count": count})
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("rosters:batch", batch_id=batch.pk)


@login_required
@require_POST
def confirm_payment(request, batch_id: int):
    batch = access_batch_by_id(request.user, batch_id)
    try:
        services.confirm_payment(batch.pk, actor=request.user, channel="clerk")
        messages.success(request, _("The payment is confirmed; the cards go into production."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("rosters:batch", batch_id=batch.pk)


@login_required
@require_POST
def pay_at_bank(request, batch_id: int):
    """The demo's stand-in for paying at the partner bank: the bank then calls back, signed."""
    batch = access_batch_by_id(request.user, batch_id)
    if request.user.role != Role.EMPLOYER_AGENT or not batch.charges_fee or batch.paid_at:
        raise Http404
    try:
        payments.pay_at_bank(batch)
        messages.success(request, _("The bank has the payment; the page shows it as paid once the bank confirms."))
    except PartnerError:
        messages.error(request, _("The bank did not answer; try again later."))
    return redirect("rosters:batch", batch_id=batch.pk)


@login_required
@require_POST
def hand_over(request, batch_id: int):
    batch = access_batch_by_id(request.user, batch_id)
    form = PickupForm(request.POST, request.FILES)
    if not form.is_valid():  # each field's reason (which part of the ID number is wrong), else what is missing
        reasons = " ".join(message for errors in form.errors.values() for message in errors)
        messages.error(request, reasons or _("Enter the agent's ID number and upload the signed pickup list."))
        return redirect("rosters:batch", batch_id=batch.pk)
    tell_upgrades(request, form)
    try:
        count = services.hand_over_batch(
            batch.pk,
            actor=request.user,
            proxy_id_number=form.cleaned_data["proxy_id_number"],
            authorisation=form.cleaned_data["authorisation"],
        )
        messages.success(request, _("%(count)d cards handed over to the agent.") % {"count": count})
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("rosters:batch", batch_id=batch.pk)


@login_required
def station_batches(request):
    _require(request.user, Role.CLERK, Role.ADMIN)
    batches = (
        batches_visible_to(request.user)
        .filter(state=RosterBatch.State.SUBMITTED)
        .select_related("employer")
        .order_by("-submitted_at", "-id")
    )
    page = Paginator(batches, 50).get_page(request.GET.get("page"))
    rows = [{"batch": batch, "stage": services.batch_stage(batch)} for batch in page.object_list]
    return render(request, "rosters/station_batches.html", {"page": page, "rows": rows, "today": timezone.localdate()})
