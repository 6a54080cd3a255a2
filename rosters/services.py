"""Employer operations (rule 19): register and approve an employer, upload a roster for a dry run,
submit its accepted rows as one batch of applications, pay the batch's fee (rule 6), and collect the
batch's cards at the station (rule 9, the agent as proxy).

Applications move only through applications.workflow: a batch's applications are created `draft` in SQL
from the dry run's stored rows, get their first history rows from `record_creation_in_bulk` and are
submitted with `apply_event_in_bulk`, all in one transaction.
"""

import datetime
import hashlib
import json
import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Employer, Role, ServiceStation, User
from accounts.services import create_employer_with_agent, mark_employer_approved
from applications import workflow
from applications.filing import RowSource, file_applications
from applications.models import (
    CardApplication,
    CityPolicy,
    Status,
)
from applications.photos import check_photo
from applications.workdays import add_working_days
from issuance.models import Card
from issuance.services import ProxyDetails, hand_over_cards
from partners.errors import TransientError
from sbcard.bulk import insert_rows
from sbcard.crypto import decrypt_bytes, keyed_hash
from sbcard.errors import Conflict, InvalidInput, NotPermitted
from sbcard.jobs import Job, send_after_commit
from sbcard.uploads import check_document, read_limited

from .checks import CARD_GONE, check_batch, row_photo_name
from .models import BatchApplication, EmployerApproval, EmployerDocument, RosterBatch, RosterRow, new_fee_reference
from .reading import JSON_SUFFIX

logger = logging.getLogger("rosters")

COLLECTABLE = (Status.READY_FOR_PICKUP, Status.UNCLAIMED)


def _chunks(items: list, size: int | None = None):
    size = size or settings.ROSTER_CHUNK_ROWS
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- employers ---------------------------------------------------------------------------------


@transaction.atomic
def register_employer(
    *,
    name: str,
    credit_code: str,
    station: ServiceStation,
    contact_phone: str,
    agent_username: str,
    agent_name: str,
    agent_phone: str,
    password: str,
    documents: dict,
) -> User:
    """A new employer, waiting for approval, with its agent's account and its three materials (rule 19).
    All or nothing: a refused material leaves no employer behind."""
    agent = create_employer_with_agent(
        name=name,
        credit_code=credit_code,
        station=station,
        contact_phone=contact_phone,
        agent_username=agent_username,
        agent_name=agent_name,
        agent_phone=agent_phone,
        password=password,
    )
    missing = [str(kind.label) for kind in EmployerDocument.Kind if not documents.get(kind.value)]
    if missing:
        raise InvalidInput(
            _("Upload every material: %(missing)s.") % {"missing": "、".join(missing)}, field="documents"
        )
    checked = {kind: check_document(upload, field=kind) for kind, upload in documents.items()}
    for kind, document in checked.items():
        _store_document(agent.employer, kind, document, agent)
    return agent


def _store_document(employer: Employer, kind: str, document, actor) -> EmployerDocument:
    record = EmployerDocument(employer=employer, kind=kind, content_type=document.kind, uploaded_by=actor)
    record.file.save(f"{uuid.uuid4().hex}.{document.extension}", ContentFile(document.content), save=False)
    record.save()
    return record


@transaction.atomic
def replace_employer_document(employer_id: int, *, actor, kind: str, upload) -> EmployerDocument:
    if actor.role != Role.EMPLOYER_AGENT or actor.employer_id != employer_id:
        raise NotPermitted(_("Only the employer's agent can change its materials."))
    if kind not in EmployerDocument.Kind.values:
        raise InvalidInput(_("Unknown material."), field="kind")
    document = check_document(upload, field=kind)
    employer = Employer.objects.select_for_update().get(pk=employer_id)
    EmployerDocument.objects.filter(employer=employer, kind=kind).delete()
    return _store_document(employer, kind, document, actor)


@transaction.atomic
def approve_employer(employer_id: int, *, actor) -> Employer:
    """A clerk of the employer's station, or an admin, approves it once its materials are in."""
    employer = Employer.objects.select_for_update().get(pk=employer_id)
    if not (actor.is_city_admin or (actor.is_clerk and actor.station_id == employer.station_id)):
        raise NotPermitted(_("Only a clerk of the employer's station or an administrator can approve it."))
    if employer.is_approved:
        return employer
    have = set(employer.documents.values_list("kind", flat=True))
    missing = [str(kind.label) for kind in EmployerDocument.Kind if kind.value not in have]
    if missing:
        raise Conflict(
            _("The employer has not handed in: %(missing)s.") % {"missing": "、".join(missing)},
            code="materials_missing",
        )
    mark_employer_approved(employer.pk)
    EmployerApproval.objects.update_or_create(employer=employer, defaults={"approved_by": actor})
    employer.refresh_from_db()
    return employer


# --- rosters: upload and dry run ---------------------------------------------------------------


def _require_agent(actor) -> Employer:
    if not actor.is_authenticated or actor.role != Role.EMPLOYER_AGENT or actor.employer_id is None:
        raise NotPermitted(_("Only an employer's agent submits rosters."))
    employer = Employer.objects.select_related("station").get(pk=actor.employer_id)
    if not employer.is_approved:
        raise NotPermitted(
            _("The employer has not been approved yet: a clerk checks its materials before its first roster."),
            code="employer_not_approved",
        )
    return employer


def _display_name(upload) -> str:
    name = str(getattr(upload, "name", "") or "roster").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:120] or "roster"


def upload_roster(*, actor, roster, photos=None, corrects: RosterBatch | None = None) -> tuple[RosterBatch, bool]:
    """Store the upload as a new batch in `checking` and run its dry run: at once for a small upload,
    as a job for a large one. Returns (batch, is_new): the same file uploaded again gives its batch back."""
    employer = _require_agent(actor)
    roster_bytes = read_limited(roster, settings.ROSTER_MAX_BYTES, field="roster", what=_("The roster"))
    photo_bytes = None
    if photos is not None:
        photo_bytes = read_limited(photos, settings.PHOTO_ZIP_MAX_BYTES, field="photos", what=_("The ZIP of photos"))
    digest = hashlib.sha256(roster_bytes + b"\0" + (photo_bytes or b"")).hexdigest()
    with transaction.atomic():
        Employer.objects.select_for_update().filter(pk=employer.pk).first()  # one upload at a time per employer
        earlier = (
            RosterBatch.objects.filter(employer=employer, file_sha256=digest)
            .exclude(state=RosterBatch.State.UNREADABLE)
            .order_by("-created_at")
            .first()
        )
        if earlier is not None:
            if earlier.is_submitted:
                raise Conflict(
                    _("This file was already submitted as batch %(reference)s on %(date)s; it is not filed twice.")
                    % {
                        "reference": earlier.reference,
                        "date": timezone.localtime(earlier.submitted_at).strftime("%Y-%m-%d"),
                    },
                    code="duplicate_roster",
                    extra={"batch_id": earlier.pk},
                )
            return earlier, False
        batch = RosterBatch(
            employer=employer,
            station=employer.station,
            created_by=actor,
            file_name=_display_name(roster),
            file_format=_file_format(roster_bytes, _display_name(roster)),
            file_sha256=digest,
            corrects=corrects if corrects is not None and corrects.employer_id == employer.pk else None,
        )
        # Encrypted at rest by the storage (sbcard.storage), like every upload.
        batch.roster_file.save(f"{uuid.uuid4().hex}.{batch.file_format}.enc", ContentFile(roster_bytes), save=False)
        if photo_bytes is not None:
            batch.photos_file.save(f"{uuid.uuid4().hex}.zip.enc", ContentFile(photo_bytes), save=False)
        batch.save()
        background = (
            len(roster_bytes) > settings.ROSTER_BACKGROUND_BYTES
            or len(photo_bytes or b"") > settings.PHOTO_ZIP_BACKGROUND_BYTES
        )
        if background:
            _enqueue_check(batch.pk)
    if not background:
        run_dry_run(batch.pk, roster=roster_bytes, photos=photo_bytes)
    batch.refresh_from_db()
    return batch, True


def _file_format(data: bytes, name: str) -> str:
    if data[:2] == b"PK":
        return RosterBatch.Format.XLSX
    return RosterBatch.Format.JSON if name.lower().endswith(JSON_SUFFIX) else RosterBatch.Format.CSV


def upload_roster_rows(*, actor, rows: list[dict], corrects: RosterBatch | None = None) -> tuple[RosterBatch, bool]:
    """Rows sent as JSON by an HR system: stored and checked exactly as an uploaded file (the same dry run and
    report); the same rows sent again give their batch back. Photos come one per row (attach_row_photo)."""
    data = json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return upload_roster(actor=actor, roster=ContentFile(data, name=f"rows{JSON_SUFFIX}"), corrects=corrects)


def _lock_unsubmitted_batch(batch_id: int, actor) -> RosterBatch:
    batch = _lock_batch_for_agent(batch_id, actor)
    if batch.is_submitted:
        raise Conflict(
            _("Batch %(reference)s has already been submitted.") % {"reference": batch.reference},
            code="already_submitted",
        )
    if batch.state == RosterBatch.State.CHECKING:
        raise Conflict(_("The batch is being checked; wait for the dry run to finish."), code="not_checked")
    return batch


@transaction.atomic
def attach_row_photo(batch_id: int, *, actor, line: int, upload) -> RosterRow:
    """A photo for one row of a batch (rule 18, the same checks as any ID photo), used when the batch is checked
    again. A photo uploaded again for the row replaces the first."""
    batch = _lock_unsubmitted_batch(batch_id, actor)
    row = RosterRow.objects.filter(batch=batch, line=line).first()
    if row is None:
        raise InvalidInput(_("The batch has no row %(line)d.") % {"line": line}, code="no_such_row", field="line")
    if not row.id_number_hash:
        raise Conflict(
            _("Row %(line)d has no valid ID number: correct the row first; its photo is named by it.") % {"line": line},
            code="row_without_id_number",
        )
    checked = check_photo(upload)
    name = row_photo_name(batch.pk, row.id_number)
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(checked.content))
    return row


def check_batch_again(batch_id: int, *, actor) -> RosterBatch:
    """The dry run once more on the stored rows, with the photos uploaded since: at once for a small batch, as a
    job for a large one (poll until `checked`)."""
    with transaction.atomic():
        batch = _lock_unsubmitted_batch(batch_id, actor)
        batch.state = RosterBatch.State.CHECKING
        batch.problem = ""
        batch.save(update_fields=["state", "problem"])
        background = (batch.roster_file.size if batch.roster_file else 0) > settings.ROSTER_BACKGROUND_BYTES or (
            batch.photos_file and batch.photos_file.size > settings.PHOTO_ZIP_BACKGROUND_BYTES
        )
        if background:
            transaction.on_commit(lambda: _enqueue_check(batch.pk))
    if not background:
        run_dry_run(batch.pk)
    batch.refresh_from_db()
    return batch


def _enqueue_check(batch_id: int) -> None:
    send_after_commit(Job("rosters.tasks.check_roster", batch_id))


def run_dry_run(batch_id: int, *, roster: bytes | None = None, photos: bytes | None = None) -> RosterBatch | None:
    """The dry run, reading the stored files when not given. The information centre not answering
    leaves the batch `checking` and hands it to the job, which retries."""

    batch = RosterBatch.objects.get(pk=batch_id)
    if roster is None:
        roster, photos = read_stored_files(batch)
    try:
        return check_batch(batch_id, roster=roster, photos=photos)
    except TransientError:
        RosterBatch.objects.filter(pk=batch_id).update(
            problem=_("The city information centre did not answer; the check is retried automatically.")
        )
        _enqueue_check(batch_id)
        return None


def read_stored_files(batch: RosterBatch) -> tuple[bytes, bytes | None]:
    """The roster (and photo ZIP) kept for the background check, as uploaded."""

    def read(field) -> bytes:
        with field.open("rb") as stored:
            data = stored.read()
        # Files stored before the storage encrypted uploads were encrypted here (a Fernet token).
        return decrypt_bytes(data) if data.startswith(b"gAAAAA") else data

    return read(batch.roster_file), read(batch.photos_file) if batch.photos_file else None


# --- rosters: submission -----------------------------------------------------------------------


def _lock_batch_for_agent(batch_id: int, actor) -> RosterBatch:
    employer = _require_agent(actor)
    batch = RosterBatch.objects.select_for_update().filter(pk=batch_id, employer=employer).first()
    if batch is None:
        raise Conflict(_("No such batch."), code="not_found")
    return batch


@transaction.atomic
def submit_batch(batch_id: int, *, actor, charge_fee: bool | None = None) -> RosterBatch:
    """The accepted rows become applications, submitted together: all of them, or none.

    `charge_fee` overrides the city's policy (the demo data); by default the policy decides (rule 6).
    """
    batch = _lock_batch_for_agent(batch_id, actor)
    if batch.is_submitted:
        raise Conflict(
            _("Batch %(reference)s has already been submitted.") % {"reference": batch.reference},
            code="already_submitted",
        )
    if batch.state != RosterBatch.State.CHECKED:
        raise Conflict(_("The batch has not been checked yet; wait for the dry run to finish."), code="not_checked")
    twin = (
        RosterBatch.objects.filter(
            employer_id=batch.employer_id, rows_sha256=batch.rows_sha256, state=RosterBatch.State.SUBMITTED
        )
        .exclude(rows_sha256="")
        .first()
    )
    if twin is not None:
        raise Conflict(
            _("The same rows were already submitted as batch %(reference)s; they are not filed twice.")
            % {"reference": twin.reference},
            code="duplicate_roster",
            extra={"batch_id": twin.pk},
        )
    if not RosterRow.objects.filter(batch=batch, accepted=True).exists():
        raise Conflict(_("No row of this roster was accepted; correct the file and upload it again."), code="empty")
    try:
        with transaction.atomic():
            application_ids = _create_applications(batch, actor)
            # Submitted in parts: each part a fixed number of queries, all inside this one transaction.
            for part in _chunks(application_ids, 5000):
                workflow.apply_event_in_bulk(part, "submit", actor=actor)
    except (IntegrityError, OperationalError) as error:
        if not _filed_at_the_same_moment(error):
            raise
        raise Conflict(
            _("Someone filed for one of these people at the same moment; run the check again."),
            code="duplicate_open_application",
        ) from error
    return _finish_submission(batch, len(application_ids), charge_fee)


def _filed_at_the_same_moment(error: Exception) -> bool:
    """A unique key taken by another transaction (a person, an open application), or PostgreSQL breaking a
    deadlock between two such transactions; any other database error is a bug and is raised as it is."""
    code = getattr(error.__cause__, "pgcode", None)
    if code is not None:
        return code in ("23505", "40P01")  # unique_violation, deadlock_detected
    return isinstance(error, IntegrityError) and "UNIQUE constraint failed" in str(error)


def _finish_submission(batch: RosterBatch, count: int, charge_fee: bool | None) -> RosterBatch:
    batch.state = RosterBatch.State.SUBMITTED
    batch.submitted_at = timezone.now()
    batch.submitted_count = count
    policy = CityPolicy.current()
    if policy.charges_card_fee if charge_fee is None else charge_fee:
        batch.fee_reference = _unique_fee_reference()
        batch.fee_per_card_yuan = policy.card_fee_yuan
        batch.fee_total_yuan = policy.card_fee_yuan * count
    batch.save()
    logger.info("roster batch=%s submitted: %s applications", batch.pk, count)
    return batch


def _unique_fee_reference() -> str:
    return new_fee_reference()


def _refuse_rows_hashed_under_another_key(batch: RosterBatch) -> None:
    """The rows' hashes were made at the check; if ID_HASH_KEY has changed since (rotate_keys), people on
    file would not be found and would be created twice. One row, decrypted, tells."""
    sample = (
        RosterRow.objects.filter(batch=batch, accepted=True).only("id_number", "id_number_hash").order_by("line")[:1]
    )
    for row in sample:
        if not row.id_number_hash or row.id_number_hash != keyed_hash(row.id_number):
            raise Conflict(
                _("The roster was checked under an earlier security key; run the check again."),
                code="changed_since_check",
            )


def _create_applications(batch: RosterBatch, actor) -> list[int]:
    """The batch's accepted rows become people (those not on file yet), photos and draft applications with
    their first history rows: applications files them (applications.filing) from the rows described here."""
    _refuse_rows_hashed_under_another_key(batch)
    _refuse_rows_whose_person_got_a_card(batch)
    source = RowSource(
        table=RosterRow._meta.db_table, where="r.batch_id = %s AND r.accepted = %s", params=[batch.pk, True]
    )
    filed = file_applications(source, actor=actor, station_id=batch.station_id, employer_id=batch.employer_id)
    insert_rows(BatchApplication, ("batch_id", "line", "application_id"), ((batch.pk, *entry) for entry in filed))
    return [application_id for _line, application_id in filed]


def _refuse_rows_whose_person_got_a_card(batch: RosterBatch) -> None:
    """A card issued since the check: that person needs no first application (rule: one card per person)."""
    got_cards = list(
        RosterRow.objects.filter(batch=batch, accepted=True)
        .filter(
            id_number_hash__in=Card.objects.exclude(status__in=CARD_GONE).values("person__id_number_hash"),
        )
        .order_by("line")
        .values_list("line", flat=True)[:20]
    )
    if got_cards:
        raise Conflict(
            _(
                "Since the check, rows %(lines)s changed (a new application or card, or another name); "
                "run the check again."
            )
            % {"lines": ", ".join(str(line) for line in got_cards)},
            code="changed_since_check",
        )


def approve_batch(batch_id: int, *, actor) -> int:
    """A clerk of the batch's station approves every application of the batch still waiting for review
    (roster rows are not in the online review queue); they go on to the information centre check."""
    batch = RosterBatch.objects.get(pk=batch_id)
    if not (actor.is_clerk and actor.station_id == batch.station_id):
        raise NotPermitted(_("Only a clerk of the batch's station approves it."))
    waiting = list(
        CardApplication.objects.filter(roster_entry__batch=batch, status=Status.SUBMITTED).values_list("pk", flat=True)
    )
    if not waiting:
        raise Conflict(_("No application of this batch is waiting for review."), code="nothing_to_approve")
    with transaction.atomic():
        for part in _chunks(waiting, 5000):
            workflow.apply_event_in_bulk(part, "approve", actor=actor)
    return len(waiting)


# --- fees (rule 6) -----------------------------------------------------------------------------


@transaction.atomic
def confirm_payment(batch_id: int, *, actor, channel: str, amount_yuan: int | None = None) -> RosterBatch:
    """The batch's fee is paid: a clerk of its station saw the receipt, or the bank called back (actor None).
    Its applications waiting for the fee go into production; the pickup date is 20 working days on (rule 5)."""
    batch = RosterBatch.objects.select_for_update().get(pk=batch_id)
    if actor is not None and not (actor.is_clerk and actor.station_id == batch.station_id):
        raise NotPermitted(_("Only a clerk of the batch's station confirms a payment."))
    if not batch.is_submitted or not batch.charges_fee:
        raise Conflict(_("This batch has no fee to pay."), code="no_fee")
    if batch.paid_at is not None:
        return batch  # paid already: a second confirmation changes nothing
    if amount_yuan is not None and amount_yuan != batch.fee_total_yuan:
        raise Conflict(
            _("The amount paid (%(paid)d yuan) is not the fee (%(fee)d yuan); a clerk will contact the employer.")
            % {"paid": amount_yuan, "fee": batch.fee_total_yuan},
            code="amount_mismatch",
        )
    batch.paid_at = timezone.now()
    batch.payment_confirmed_by = actor
    batch.payment_channel = channel
    batch.pickup_date = add_working_days(
        timezone.localdate(batch.paid_at), CityPolicy.current().production_working_days
    )
    batch.save(update_fields=["paid_at", "payment_confirmed_by", "payment_channel", "pickup_date"])
    start_production(batch, actor=actor)
    return batch


def start_production(batch: RosterBatch, *, actor=None) -> int:
    """The paid batch's applications that are waiting for the fee go on to production."""
    waiting = list(
        CardApplication.objects.filter(roster_entry__batch=batch, status=Status.AWAITING_PAYMENT).values_list(
            "pk", flat=True
        )
    )
    for part in _chunks(waiting, 5000):
        workflow.apply_event_in_bulk(part, "confirm_payment", actor=actor)
    return len(waiting)


def start_production_of_paid_batches() -> int:
    """Applications of a paid batch reach `awaiting_payment` one by one as their bank accounts open."""
    moved = 0
    batch_ids = (
        CardApplication.objects.filter(status=Status.AWAITING_PAYMENT, roster_entry__batch__paid_at__isnull=False)
        .values_list("roster_entry__batch_id", flat=True)
        .distinct()
    )
    for batch_id in list(batch_ids[:200]):
        with transaction.atomic():
            moved += start_production(RosterBatch.objects.get(pk=batch_id))
    return moved


# --- pickup (rule 9) ---------------------------------------------------------------------------


def collectable_applications(batch: RosterBatch):
    return (
        CardApplication.objects.filter(roster_entry__batch=batch, status__in=COLLECTABLE)
        .select_related("person", "roster_entry")
        .order_by("roster_entry__line")
    )


def hand_over_batch(batch_id: int, *, actor, proxy_id_number: str, authorisation) -> int:
    """The batch's ready cards handed to the agent together, against the pickup list the agent signed."""
    batch = RosterBatch.objects.select_related("created_by").get(pk=batch_id)
    if not (actor.is_clerk and actor.station_id == batch.station_id):
        raise NotPermitted(_("Only a clerk of the batch's station hands over its cards."))
    ids = list(collectable_applications(batch).values_list("pk", flat=True))
    if not ids:
        raise Conflict(_("No card of this batch is waiting at the station."), code="nothing_to_collect")
    agent = batch.created_by
    proxy = ProxyDetails(name=agent.full_name or agent.username, id_number=proxy_id_number)
    cards = hand_over_cards(ids, actor=actor, proxy=proxy, authorisation=authorisation)
    return len(cards)


# --- what a batch page shows --------------------------------------------------------------------

STAGE_ORDER = [
    Status.SUBMITTED,
    Status.RETURNED,
    Status.VERIFYING,
    Status.OPENING_ACCOUNT,
    Status.AWAITING_PAYMENT,
    Status.IN_PRODUCTION,
    Status.READY_FOR_PICKUP,
    Status.UNCLAIMED,
    Status.COLLECTED,
]


def status_counts(batch: RosterBatch) -> dict[str, int]:
    rows = (
        CardApplication.objects.filter(roster_entry__batch=batch)
        .values("status")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["status"]: row["count"] for row in rows}


def batch_stage(batch: RosterBatch, counts: dict[str, int] | None = None) -> tuple[str, str]:
    """(code, label) of where the batch as a whole stands: its least advanced open application."""
    if not batch.is_submitted:
        return batch.state, batch.get_state_display()
    counts = status_counts(batch) if counts is None else counts
    if batch.charges_fee and batch.paid_at is None and counts.get(Status.AWAITING_PAYMENT):
        return Status.AWAITING_PAYMENT, str(Status.AWAITING_PAYMENT.label)
    for status in STAGE_ORDER:
        if counts.get(status) and status not in (Status.RETURNED, Status.UNCLAIMED):
            if status in (Status.SUBMITTED, Status.VERIFYING, Status.OPENING_ACCOUNT):
                return "in_review", _("Being reviewed and checked")
            return status, str(Status(status).label)
    if counts.get(Status.UNCLAIMED):
        return Status.READY_FOR_PICKUP, str(Status.READY_FOR_PICKUP.label)
    if counts.get(Status.RETURNED):
        return Status.RETURNED, str(Status.RETURNED.label)
    return "closed", _("Closed")


def expected_date(application: CardApplication, batch: RosterBatch, policy: CityPolicy, cache: dict):
    """The day the application's current step should be done (rules 4, 5): review, production, pickup."""
    if application.status in (Status.IN_PRODUCTION, Status.AWAITING_PAYMENT) and batch.pickup_date:
        return batch.pickup_date
    days = {Status.SUBMITTED: policy.review_limit_working_days, Status.IN_PRODUCTION: policy.production_working_days}
    if application.status not in days:
        return None
    start = timezone.localdate(application.status_changed_at)
    key = (start, days[application.status])
    if key not in cache:
        cache[key] = add_working_days(start, days[application.status])
    return cache[key]


class BatchPickupDates:
    """A paid batch's pickup date, 20 working days after payment (rule 5), when an entered holiday year moves
    it (applications/calendar.py): the agent is told."""

    kind = "roster_batch"

    def _waiting(self, year: int):
        return RosterBatch.objects.filter(
            paid_at__isnull=False, pickup_date__gte=min(datetime.date(year, 1, 1), timezone.localdate())
        )

    def before(self, year: int) -> dict:
        return dict(self._waiting(year).values_list("pk", "pickup_date"))

    def after(self, year: int) -> dict:
        days = CityPolicy.current().production_working_days
        return {
            pk: add_working_days(timezone.localdate(paid_at), days)
            for pk, paid_at in self._waiting(year).values_list("pk", "paid_at")
        }

    def store(self, changes: dict) -> None:
        for pk, (_old, new) in changes.items():  # a handful of batches
            RosterBatch.objects.filter(pk=pk).update(pickup_date=new)
