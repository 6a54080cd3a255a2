"""Factories and named personas for the tests. Every ID number and photo here is generated."""

import datetime
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Employer, Role, ServiceStation, User
from accounts.tokens import issue_token
from applications import services
from applications.idnumbers import make_resident_id
from applications.models import CardApplication, InsuranceType, Person, Relationship, Status
from applications.sample_photos import make_id_photo

PASSWORD = "Correct-Horse-42"
_sequence = itertools.count(100)
_phones = itertools.count(13900000000)


def next_id_number(birth_date: datetime.date = datetime.date(1990, 1, 1), region: str = "330106") -> str:
    return make_resident_id(region, birth_date, next(_sequence) % 1000)


def next_phone() -> str:
    return str(next(_phones))


def make_station(code: str | None = None, name: str = "测试服务站") -> ServiceStation:
    code = code or f"T{next(_sequence):04d}"
    return ServiceStation.objects.create(code=code, name=f"{name}{code}", address="测试路1号")


def next_credit_code() -> str:
    """A valid unified social credit code (the check character computed by python-stdnum)."""
    from stdnum.cn import uscc

    body = f"91330106MA{next(_sequence):07d}"
    return body + uscc.calc_check_digit(body)


def make_employer(station: ServiceStation, *, approved: bool = True) -> Employer:
    return Employer.objects.create(
        name=f"测试公司{next(_sequence)}", credit_code=next_credit_code(), station=station, is_approved=approved
    )


def make_citizen(name: str = "测试", *, birth_date: datetime.date = datetime.date(1990, 1, 1)) -> User:
    phone = next_phone()
    user = User.objects.create_user(phone, password=PASSWORD, phone=phone, full_name=name, role=Role.CITIZEN)
    number = next_id_number(birth_date)
    from applications.idnumbers import parse_resident_id

    resident = parse_resident_id(number)
    Person.objects.create(
        id_number=number, name=name, birth_date=resident.birth_date, sex=resident.sex, phone=phone, user=user
    )
    return user


def make_clerk(station: ServiceStation, username: str | None = None) -> User:
    return User.objects.create_user(
        username or f"clerk{next(_sequence)}", password=PASSWORD, role=Role.CLERK, station=station
    )


def make_agent(employer: Employer) -> User:
    return User.objects.create_user(
        f"agent{next(_sequence)}", password=PASSWORD, role=Role.EMPLOYER_AGENT, employer=employer
    )


def make_admin() -> User:
    return User.objects.create_superuser(f"admin{next(_sequence)}", password=PASSWORD, role=Role.ADMIN)


def application_body(station: ServiceStation, **extra) -> dict:
    """The JSON body of POST /api/v1/applications/ for oneself."""
    return {
        "insurance_type": "urban_employee",
        "station": station.pk,
        "household_city": "杭州市",
        "address": "杭州市上城区望江路100号",
        "phone": "13900001111",
        **extra,
    }


def api_token(user: User) -> str:
    """A fresh API token's value, as POST /api/v1/auth/token/ would give it."""
    return issue_token(user, name="test")[1]


def photo_file(name: str = "photo.jpg", **options) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_id_photo(**options), content_type="image/jpeg")


def proof_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("proof.png", make_id_photo(image_format="PNG"), content_type="image/png")


def make_application(
    citizen: User, station: ServiceStation, *, with_photo: bool = True, submit: bool = False, **fields
) -> CardApplication:
    application = services.start_application(
        actor=citizen,
        holder=citizen.person,
        station=station,
        insurance_type=fields.pop("insurance_type", InsuranceType.URBAN_EMPLOYEE),
        household_city=fields.pop("household_city", "杭州市"),
        address=fields.pop("address", "杭州市上城区望江路100号"),
        phone=fields.pop("phone", citizen.phone),
        **fields,
    )
    if with_photo:
        services.attach_photo(application.pk, actor=citizen, upload=photo_file())
    if submit:
        services.submit_application(application.pk, actor=citizen)
    application.refresh_from_db()
    return application


def make_ward_application(guardian: User, station: ServiceStation, birth_date: datetime.date) -> CardApplication:
    child = services.find_or_create_person(name="小测", id_number=next_id_number(birth_date))
    application = services.start_application(
        actor=guardian,
        holder=child,
        relationship=Relationship.MOTHER,
        station=station,
        insurance_type=InsuranceType.URBAN_RURAL_RESIDENT,
        household_city="杭州市",
        address="杭州市上城区望江路100号",
        phone=guardian.phone,
    )
    services.attach_guardian_proof(application.pk, actor=guardian, upload=proof_file())
    application.refresh_from_db()
    return application


def force_status(application: CardApplication, status: str) -> CardApplication:
    """Test set-up only: put an application straight into a status, skipping the path there."""
    CardApplication.objects.filter(pk=application.pk).update(status=status)
    application.refresh_from_db()
    return application


OPEN_STATUSES_IN_ORDER = [s.value for s in Status]


def make_card(citizen: User, station: ServiceStation, *, status: str = "issued", number: str | None = None):
    """A card handed over to `citizen` (test set-up: the status is put straight in place)."""
    import datetime as _dt

    from issuance.models import Card

    application = make_application(citizen, station, submit=True)
    card_number = number or f"H{next(_sequence):08d}"
    CardApplication.objects.filter(pk=application.pk).update(
        status=Status.COLLECTED, card_number=card_number, bank_account_number=f"62170000000{next(_sequence):08d}"
    )
    card = Card.objects.create(
        number=card_number,
        application=application,
        person=citizen.person,
        issued_at=_dt.datetime.now(tz=_dt.UTC),
        swipe_limit=2 if status != "issued" else None,
    )
    Card.objects.filter(pk=card.pk).update(status=status)
    card.refresh_from_db()
    return card


def ready_for_pickup(citizen: User, station: ServiceStation, *, batch: str = "B1") -> CardApplication:
    application = make_application(citizen, station, submit=True)
    CardApplication.objects.filter(pk=application.pk).update(
        status=Status.READY_FOR_PICKUP, card_number=f"H{next(_sequence):08d}", card_batch_number=batch
    )
    application.refresh_from_db()
    return application
