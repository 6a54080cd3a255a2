"""Applications taken at the station: phone appointments (rule 7) and walk-ins (rule 8)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import services as application_services
from applications import workflow
from applications.models import CardApplication, Channel, Relationship
from applications.workdays import is_working_day
from partners.errors import PermanentError, TransientError
from partners.registry.client import RegistryClient
from sbcard.errors import Conflict, InvalidInput
from sbcard.idnumbers import parse_resident_id
from sbcard.validators import validate_mobile_phone, validate_person_name

from . import notifications
from .models import Appointment, StationDay

BOOKING_HORIZON_DAYS = 30


class RegistryUnavailable(Conflict):
    status_code = 503
    default_code = "registry_unavailable"


@dataclass(frozen=True)
class RegistryCheck:
    result: str  # match, mismatch, no_record
    fields: list[str]
    record: dict  # what the information centre holds (name, household city)
    id_number: str


def check_with_registry(*, id_number: str, name: str, application_id: int | None = None) -> RegistryCheck:
    """Ask the city information centre, at the counter, while the person waits (rules 7, 8)."""
    try:
        number = parse_resident_id(id_number).number
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code=error.code, field="id_number") from error
    try:
        validate_person_name(name)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="name") from error
    try:
        answer = RegistryClient().lookup(
            id_number=number,
            name=name.strip(),
            idempotency_key=f"counter-{timezone.now().timestamp()}",
            application_id=application_id,
        )
    except (TransientError, PermanentError) as error:
        raise RegistryUnavailable(
            _("The city information centre is not answering just now; please try again in a minute.")
        ) from error
    return RegistryCheck(answer.result, answer.fields, answer.record or {}, number)


def _refuse_unless_match(check: RegistryCheck) -> None:
    if check.result == "no_record":
        raise Conflict(
            _(
                "The city information centre has no record of this person: they must register the household "
                "(户籍登记) first, then apply."
            ),
            code="registry_no_record",
        )
    if check.result != "match":
        raise Conflict(
            _("The information centre's record differs (%(fields)s): check the ID card and household book.")
            % {"fields": ", ".join(check.fields)},
            code="registry_mismatch",
        )


@transaction.atomic
def book_appointment(*, actor, id_number: str, name: str, phone: str, date: datetime.date) -> Appointment:
    """Rule 7: the caller gives ID number and name; if the registry confirms them, a slot is booked.
    Each station has a daily capacity: a full day is refused."""
    try:
        validate_mobile_phone(phone)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="phone") from error
    today = timezone.localdate()
    if not today < date <= today + datetime.timedelta(days=BOOKING_HORIZON_DAYS):
        raise InvalidInput(
            _("Choose a day from tomorrow up to %(days)d days ahead.") % {"days": BOOKING_HORIZON_DAYS}, field="date"
        )
    if not is_working_day(date):
        raise InvalidInput(_("The station is closed on %(date)s (not a working day).") % {"date": date}, field="date")
    check = check_with_registry(id_number=id_number, name=name)
    _refuse_unless_match(check)
    station = actor.station
    StationDay.objects.get_or_create(
        station=station, date=date, defaults={"capacity": station.daily_appointment_capacity}
    )
    # Claim a slot with one conditional UPDATE: two clerks booking the last slot cannot both get it.
    claimed = StationDay.objects.filter(station=station, date=date, booked__lt=F("capacity")).update(
        booked=F("booked") + 1
    )
    if claimed != 1:
        raise Conflict(
            _("%(date)s is fully booked at this station; choose another day.") % {"date": date}, code="day_full"
        )
    appointment = Appointment.objects.create(
        station=station, date=date, name=name.strip(), id_number=check.id_number, phone=phone, booked_by=actor
    )
    notifications.notify_appointments([appointment], kind="appointment_booked")
    return appointment


@transaction.atomic
def cancel_appointment(appointment_id: int, *, actor) -> None:
    appointment = Appointment.objects.select_for_update().filter(pk=appointment_id, station_id=actor.station_id).first()
    if appointment is None or appointment.state != Appointment.State.BOOKED:
        raise Conflict(_("This appointment is not booked."))
    appointment.state = Appointment.State.CANCELLED
    appointment.save(update_fields=["state"])
    StationDay.objects.filter(station_id=appointment.station_id, date=appointment.date).update(booked=F("booked") - 1)


def appointments_for_tomorrow(today: datetime.date):
    """Booked appointments on the next working day that have not had their reminder yet."""
    day = today + datetime.timedelta(days=1)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return Appointment.objects.filter(date=day, state=Appointment.State.BOOKED, reminded_at=None).select_related(
        "station"
    )


@transaction.atomic
def take_walk_in(
    *,
    actor,
    name: str,
    id_number: str,
    phone: str,
    insurance_type: str,
    household_city: str,
    address: str,
    photo,
    documents_checked: bool,
    appointment_id: int | None = None,
) -> CardApplication:
    """Rule 8: the clerk checks the form against the ID card and household book and the registry record,
    takes the photo (same checks as online), and the application goes straight to verification."""
    if not documents_checked:
        raise InvalidInput(
            _("Confirm that you checked the form against the resident ID card and the household book."),
            code="documents_not_checked",
            field="documents_checked",
        )
    check = check_with_registry(id_number=id_number, name=name)
    _refuse_unless_match(check)
    holder = application_services.find_or_create_person(name=name, id_number=check.id_number, phone=phone)
    try:
        application = application_services.start_application(
            actor=actor,
            holder=holder,
            station=actor.station,
            insurance_type=insurance_type,
            household_city=household_city,
            address=address,
            phone=phone,
            channel=Channel.COUNTER,
            relationship=Relationship.SELF,
        )
    except IntegrityError as error:  # pragma: no cover - start_application turns this into a Conflict
        raise Conflict(_("There is already an open application.")) from error
    if photo is not None:
        application_services.attach_photo(application.pk, actor=actor, upload=photo)
    workflow.apply_event(application.pk, "accept_at_counter", actor=actor)
    if appointment_id:
        Appointment.objects.filter(pk=appointment_id, station_id=actor.station_id).update(
            state=Appointment.State.ATTENDED
        )
    application.refresh_from_db()
    return application


class AppointmentDays:
    """Booked appointments on a day the entered holiday year makes a holiday (applications/calendar.py): the
    caller is told the station is closed that day. The appointment itself stays for the station to rearrange."""

    kind = "appointment"

    def _booked(self, year: int):
        return Appointment.objects.filter(
            state=Appointment.State.BOOKED, date__year=year, date__gte=timezone.localdate()
        ).values_list("pk", "date")

    def before(self, year: int) -> dict:
        return {pk: date for pk, date in self._booked(year) if is_working_day(date)}

    def after(self, year: int) -> dict:
        return {pk: date if is_working_day(date) else None for pk, date in self._booked(year)}

    def store(self, changes: dict) -> None:
        """Nothing to store: the day is what it was; only whether the station opens changed."""
