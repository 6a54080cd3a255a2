"""Business operations on applications. One function per operation; views and the API call these."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import CLERK, EMPLOYER_AGENT, HOLDER, role_of
from accounts.models import Employer, ServiceStation, User
from accounts.services import check_new_citizen_account, create_citizen_account
from audit import services as audit
from audit.models import AuditEntry
from sbcard.errors import Conflict, InvalidInput, NotPermitted
from sbcard.idnumbers import parse_resident_id
from sbcard.uploads import check_document
from sbcard.validators import validate_mobile_phone, validate_person_name

from . import workflow
from .access import applications_visible_to
from .models import (
    OPEN_STATUSES,
    ApplicationKind,
    CardApplication,
    Channel,
    Escalation,
    InsuranceType,
    Person,
    Photo,
    Relationship,
    Status,
)
from .photos import check_photo, photo_file_name
from .reasons import CLERK_RETURN_REASON_CODES, CORRECTED_AT, RETURN_REASONS_BY_CODE, partner_mismatch_text
from .replacements import replacement_history

GUARDIAN_MAX_AGE = 16  # rule 16: a guardian applies for a child under 16
EDITABLE_FIELDS = ("insurance_type", "household_city", "address", "phone", "station", "relationship", "name")


def _invalid(error: ValidationError, field: str) -> InvalidInput:
    return InvalidInput(" ".join(str(m) for m in error.messages), code=error.code or "invalid", field=field)


def find_or_create_person(*, name: str, id_number: str, phone: str = "") -> Person:
    """The person with this ID number, created on first sight. A different name on file is refused."""
    try:
        resident = parse_resident_id(id_number)
    except ValidationError as error:
        raise _invalid(error, "id_number") from error
    try:
        validate_person_name(name)
    except ValidationError as error:
        raise _invalid(error, "name") from error
    name = name.strip()
    person, created = Person.objects.get_or_create(
        id_number=resident.number,
        defaults={"name": name, "birth_date": resident.birth_date, "sex": resident.sex, "phone": phone},
    )
    if not created and person.name != name:
        raise InvalidInput(
            _("The name does not match our record for this ID number; enter it exactly as on the ID card."),
            code="name_mismatch",
            field="name",
        )
    return person


def sign_up_citizen(
    *, name: str, id_number: str, phone: str, password: str, code: str | None, language: str = "zh-hans"
) -> User:
    """A citizen account: signs in with the mobile number, confirmed by an SMS code; linked to the Person with
    that ID number (created on first sight). `code=None` is for trusted callers only (the demo data)."""
    check_new_citizen_account(name=name, phone=phone, password=password, code=code)
    return _create_citizen(name=name, id_number=id_number, phone=phone, password=password, language=language)


@transaction.atomic
def _create_citizen(*, name: str, id_number: str, phone: str, password: str, language: str) -> User:
    person = find_or_create_person(name=name, id_number=id_number, phone=phone)
    if person.user_id is not None:
        raise Conflict(
            _("An account already exists for this ID number; sign in, or ask a station to help."),
            code="id_number_taken",
            field="id_number",
        )
    user = create_citizen_account(name=person.name, phone=phone, password=password, language=language)
    person.user = user
    if not person.phone:
        person.phone = phone
    person.save(update_fields=["user", "phone"])
    return user


def own_person(user) -> Person:
    """The citizen's own Person; an account made without an ID number cannot apply for itself."""
    person = getattr(user, "person", None)
    if person is None:
        raise InvalidInput(
            _("Your account has no resident ID number on file; ask a service station to add it."),
            code="no_person",
            field="id_number",
        )
    return person


def _check_choices(*, insurance_type: str, kind: str, channel: str, relationship: str) -> None:
    if insurance_type not in InsuranceType.values:
        raise InvalidInput(_("Choose an insurance type from the list."), code="invalid_choice", field="insurance_type")
    if kind not in ApplicationKind.values:
        raise InvalidInput(_("Unknown kind of application."), code="invalid_choice", field="kind")
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), code="invalid_choice", field="channel")
    if relationship not in Relationship.values:
        raise InvalidInput(_("Choose the relationship from the list."), code="invalid_choice", field="relationship")


def _check_text_fields(*, household_city: str, address: str, phone: str) -> None:
    if not (household_city or "").strip():
        raise InvalidInput(_("Enter the household registration city."), code="required", field="household_city")
    if not (address or "").strip():
        raise InvalidInput(_("Enter the address."), code="required", field="address")
    try:
        validate_mobile_phone(phone)
    except ValidationError as error:
        raise _invalid(error, "phone") from error


def _refuse_second_open_application(actor, person: Person, kind: str) -> None:
    existing = CardApplication.objects.filter(person=person, kind=kind, status__in=OPEN_STATUSES).first()
    if existing is None:
        return
    if applications_visible_to(actor).filter(pk=existing.pk).exists():
        raise Conflict(
            _(
                "There is already an open application of this kind: %(reference)s (%(status)s). "
                "Continue that one, or withdraw it first."
            )
            % {"reference": existing.reference, "status": existing.get_status_display()},
            code="duplicate_open_application",
            extra={"application_id": existing.pk, "reference": existing.reference},
        )
    raise Conflict(
        _("This person already has an open application of this kind at a station. Ask the station for help."),
        code="duplicate_open_application",
    )


@transaction.atomic
def start_application(
    *,
    actor,
    holder: Person,
    station: ServiceStation,
    insurance_type: str,
    household_city: str,
    address: str,
    phone: str,
    relationship: str = Relationship.SELF,
    kind: str = ApplicationKind.NEW,
    channel: str = Channel.ONLINE,
    employer: Employer | None = None,
    previous: CardApplication | None = None,
) -> CardApplication:
    """A new application in `draft`, with its first history row. A replacement or exchange continues from the
    `previous` application: its photo on file is used again (a new one can be attached while it is a draft)
    and the holder's bank account goes on to the new card."""
    _check_choices(insurance_type=insurance_type, kind=kind, channel=channel, relationship=relationship)
    _check_text_fields(household_city=household_city, address=address, phone=phone)
    if not station.is_active:
        raise InvalidInput(_("This station does not take applications; choose another."), field="station")
    today = timezone.localdate()
    if relationship == Relationship.SELF:
        if actor.is_citizen and holder.user_id != actor.pk:
            raise NotPermitted(_("You can apply only for yourself or, as guardian, for a child under 16."))
    elif holder.age_on(today) >= GUARDIAN_MAX_AGE:
        raise InvalidInput(
            _("A guardian can apply only for a child under 16; from 16 the holder applies in person."),
            code="holder_too_old",
            field="id_number",
        )
    _refuse_second_open_application(actor, holder, kind)
    application = CardApplication(
        person=holder,
        applicant=actor,
        relationship=relationship,
        kind=kind,
        channel=channel,
        station=station,
        employer=employer,
        insurance_type=insurance_type,
        household_city=household_city.strip(),
        address=address.strip(),
        phone=phone,
    )
    if previous is not None:
        application.photo_id = previous.photo_id
        application.bank_account_number = previous.bank_account_number
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as error:  # two requests at once: the partial unique index decides
        raise Conflict(
            _("There is already an open application of this kind."), code="duplicate_open_application"
        ) from error
    workflow.record_creation(application, actor=actor)
    return application


def _lock_editable(application_id: int, actor) -> CardApplication:
    application = (
        CardApplication.objects.select_for_update(of=("self",)).select_related("person").get(pk=application_id)
    )
    role = role_of(actor, application)
    # A clerk fills in only what they take at the counter or by phone; online ones are the citizen's.
    clerk_intake = role == CLERK and application.channel in (Channel.COUNTER, Channel.PHONE)
    if role not in (HOLDER, EMPLOYER_AGENT) and not clerk_intake:
        raise NotPermitted(_("You are not allowed to change this application."))
    if not application.is_editable:
        raise Conflict(
            _("The application can be changed only while it is a draft or returned for correction; it is “%(status)s”.")
            % {"status": application.get_status_display()},
            code="not_editable",
        )
    return application


@transaction.atomic
def update_application(application_id: int, *, actor, changes: dict) -> CardApplication:
    """Correct a draft or returned application. Only the fields a person may correct are accepted."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)},
            code="read_only_field",
            field=unknown[0],
        )
    application = _lock_editable(application_id, actor)
    merged = {
        "insurance_type": changes.get("insurance_type", application.insurance_type),
        "household_city": changes.get("household_city", application.household_city),
        "address": changes.get("address", application.address),
        "phone": changes.get("phone", application.phone),
    }
    _check_choices(
        insurance_type=merged["insurance_type"],
        kind=application.kind,
        channel=application.channel,
        relationship=changes.get("relationship", application.relationship),
    )
    _check_text_fields(household_city=merged["household_city"], address=merged["address"], phone=merged["phone"])
    for field, value in merged.items():
        setattr(application, field, value.strip() if isinstance(value, str) else value)
    if "relationship" in changes:
        if (changes["relationship"] == Relationship.SELF) != (application.relationship == Relationship.SELF):
            raise InvalidInput(
                _("Whether the application is for yourself cannot change; start a new application."),
                field="relationship",
            )
        application.relationship = changes["relationship"]
    if "station" in changes:
        station = changes["station"]
        if not isinstance(station, ServiceStation) or not station.is_active:
            raise InvalidInput(_("Choose an open station."), field="station")
        if application.channel != Channel.ONLINE:
            raise InvalidInput(_("Only an online application can move to another station."), field="station")
        application.station = station
    if "name" in changes and changes["name"] != application.person.name:
        try:
            validate_person_name(changes["name"])
        except ValidationError as error:
            raise _invalid(error, "name") from error
        person = application.person
        person.name = changes["name"].strip()
        person.save(update_fields=["name"])
    application.save()
    return application


@transaction.atomic
def attach_photo(application_id: int, *, actor, upload) -> Photo:
    application = _lock_editable(application_id, actor)
    if not application.needs_photo:
        raise InvalidInput(
            _("A pre-school child's card has no photo (rule 17); apply again with a photo before primary school."),
            code="photo_not_needed",
            field="photo",
        )
    checked = check_photo(upload)
    photo = Photo(
        person=application.person,
        width=checked.width,
        height=checked.height,
        size_bytes=len(checked.content),
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    photo.image.save(photo_file_name(application.person.id_number), ContentFile(checked.content), save=False)
    photo.save()
    application.photo = photo
    application.save(update_fields=["photo", "updated_at"])
    return photo


@transaction.atomic
def attach_guardian_proof(application_id: int, *, actor, upload) -> None:
    application = _lock_editable(application_id, actor)
    if application.relationship == Relationship.SELF:
        raise InvalidInput(
            _("A proof of guardianship is only needed when applying for a child."), field="guardian_proof"
        )
    document = check_document(upload, field="guardian_proof")
    application.guardian_proof.save(f"proof.{document.extension}", ContentFile(document.content), save=False)
    application.save(update_fields=["guardian_proof", "updated_at"])


def submit_application(application_id: int, *, actor, corrected_at_partner: bool = False) -> CardApplication:
    """Submit a draft, or a returned application again. After the information centre or the bank held the
    applicant's details differently (rule 3), the same details would only meet the same refusal: the applicant
    either corrects them, or says the partner has corrected its record (`corrected_at_partner`), which the
    clerk then sees in the history."""
    application = CardApplication.objects.select_related("person").get(pk=application_id)
    mismatch = unresolved_partner_mismatch(application)
    if mismatch is None:
        return workflow.apply_event(application_id, "submit", actor=actor)
    if not corrected_at_partner:
        raise Conflict(
            _(
                "%(mismatch)s Nothing has changed since: correct the application, or, if the record there has "
                "been corrected, say so and submit again."
            )
            % {"mismatch": partner_mismatch_text(mismatch)},
            code="same_partner_mismatch",
            field=mismatch.get("field", ""),
        )
    reason_code, label = CORRECTED_AT[mismatch["partner"]]
    return workflow.apply_event(application_id, "submit", actor=actor, reason_code=reason_code, reason=str(label))


def unresolved_partner_mismatch(application: CardApplication) -> dict | None:
    """The partner's answer that returned the application, while the detail it refused is still as it was."""
    event = latest_return(application)
    detail = (event.reason_detail or {}) if event is not None else {}
    if not detail.get("held") or detail.get("partner") not in CORRECTED_AT:
        return None
    current = {"name": application.person.name}.get(detail.get("field", ""))
    return detail if current is not None and current == detail.get("sent") else None


def _frequent_replacement_decision(application_id: int, *, actor, decision: str, note: str):
    """A replacement beyond the city's yearly limit is decided with the history in view and a note of what the clerk
    checked; the decision goes to the audit trail. Returns the history, or None for any other application."""
    application = CardApplication.objects.select_related("person").get(pk=application_id)
    history = replacement_history(application)
    if history is None or not history.needs_review:
        return None
    if not note.strip():
        raise InvalidInput(
            _(
                "This is replacement number %(number)d within 12 months: say what you checked (the history, the "
                "holder's explanation, a police report) before deciding."
            )
            % {"number": history.number},
            code="review_note_required",
            field="note",
        )
    audit.record(
        AuditEntry.Action.REPLACEMENT_REVIEW,
        actor=actor,
        obj=application,
        id_number=application.person.id_number,
        detail=f"{decision}: replacement {history.number} in 12 months (limit {history.limit}); "
        f"earlier: {', '.join(a.reference for a in history.earlier)}; note: {note.strip()}",
    )
    return history


@transaction.atomic
def approve_application(application_id: int, *, actor, note: str = "") -> CardApplication:
    """The station approves; a replacement's or exchange's old card stops in the same transaction (issuance
    asks the table to run that after every approval: see issuance/apps.py). A replacement beyond the yearly limit
    needs the clerk's note of what they checked, and is audited."""
    reviewed = _frequent_replacement_decision(application_id, actor=actor, decision="approved", note=note)
    return workflow.apply_event(application_id, "approve", actor=actor, reason=note.strip() if reviewed else "")


@transaction.atomic
def correct_person_record(person_id: int, *, name: str = "", id_number: str = "", actor) -> Person:
    """Rule 15: after an exchange for a changed name or ID number (corrected in the insurance record first),
    the holder's record takes the new one."""
    person = Person.objects.select_for_update().get(pk=person_id)
    if id_number and Person.objects.filter(id_number=id_number).exclude(pk=person.pk).exists():
        raise Conflict(_("Another person already has this ID number; ask the information centre."))
    if name:
        person.name = name
    if id_number:
        person.id_number = id_number
    person.save()
    return person


def return_application(application_id: int, *, actor, reason_code: str, note: str = "") -> CardApplication:
    """Send an application back to the citizen with a reason from the list and an optional note."""
    if reason_code not in CLERK_RETURN_REASON_CODES:
        raise InvalidInput(_("Choose a reason from the list."), code="invalid_reason", field="reason_code")
    if reason_code == "other" and not note.strip():
        raise InvalidInput(_("Say what must be corrected."), code="reason_required", field="note")
    reason = str(RETURN_REASONS_BY_CODE[reason_code].label)
    if note.strip():
        reason = f"{reason} {note.strip()}"
    with transaction.atomic():
        _frequent_replacement_decision(application_id, actor=actor, decision=f"returned ({reason_code})", note=note)
        return workflow.apply_event(application_id, "return", actor=actor, reason_code=reason_code, reason=reason)


def withdraw_application(application_id: int, *, actor) -> CardApplication:
    return workflow.apply_event(application_id, "withdraw", actor=actor)


@transaction.atomic
def cancel_application(application_id: int, *, actor, reason: str) -> CardApplication:
    if reason.strip():  # a frequent replacement cancelled by the station (suspected fraud, say): audited too
        _frequent_replacement_decision(application_id, actor=actor, decision="cancelled", note=reason)
    return workflow.apply_event(application_id, "cancel", actor=actor, reason=reason)


def record_card_made(application_id: int, *, card_number: str, batch_number: str = "") -> None:
    """The card exists: shipped by the vendor (its batch in the delivery box) or printed at the station."""
    CardApplication.objects.filter(pk=application_id).update(card_number=card_number, card_batch_number=batch_number)


def latest_return(application: CardApplication):
    """The event that returned the application, while it is returned: what the citizen must correct."""
    if application.status != Status.RETURNED:
        return None
    return application.events.filter(to_status=Status.RETURNED).order_by("-created_at", "-id").first()


@transaction.atomic
def take_escalation(escalation_id: int, *, actor) -> None:
    Escalation.objects.filter(pk=escalation_id, resolved_at=None).update(handler=actor)


@transaction.atomic
def resolve_escalation(escalation_id: int, *, actor) -> None:
    Escalation.objects.filter(pk=escalation_id, resolved_at=None).update(handler=actor, resolved_at=timezone.now())
